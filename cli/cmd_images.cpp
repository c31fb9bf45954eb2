#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "cli/registry_flags.hpp"
#include "cli/text_table.hpp"
#include "core/ops/images.hpp"

namespace ecp::cli {

void add_images(CommandTree& t) {
  auto bytes = std::make_shared<bool>(false);
  auto* images = t.add(&t.root, "images", "List the images in ecp's local store", [bytes](Output& out) {
    auto list = ops::list_images();
    nlohmann::json arr = nlohmann::json::array();
    auto size_text = [&](std::int64_t n) { return *bytes ? std::to_string(n) : human_bytes(n); };
    TextTable table({{"REFERENCE"}, {"DIGEST"}, {"SIZE", true}, {"CREATED"}});
    for (const auto& i : list) {
      table.add({i.reference, i.digest.substr(0, 19), size_text(i.size), i.created});
      arr.push_back({{"reference", i.reference}, {"digest", i.digest}, {"size", i.size}, {"created", i.created}});
    }
    for (const auto& line : table.lines()) out.text(line);
    out.result({{"images", arr}});
    return 0;
  });
  images->add_flag("--bytes", *bytes, "Sizes in bytes, not rounded (12.3 MiB)");
  auto refs = std::make_shared<std::vector<std::string>>();
  auto* rm =
      t.add(images, "rm", "Remove image tags from the store (blobs go at the next 'ecp gc')", [refs](Output& out) {
        ops::remove_images(*refs);
        for (const auto& r : *refs) out.text(fmt::format("removed {}", r));
        out.result({{"removed", *refs}});
        return 0;
      });
  rm->add_option("REFERENCE", *refs, "Tags to remove, as APP:TAG")->required()->type_name("IMAGE");
}

void add_gc(CommandTree& t) {
  t.add(&t.root, "gc", "Remove blobs that no tagged image refers to", [](Output& out) {
    auto r = ops::gc_store();
    out.text(fmt::format("removed {} blobs and {} temporary files ({} bytes); {} blobs kept", r.blobs_removed,
                         r.temp_removed, r.bytes_freed, r.blobs_kept));
    out.result({{"blobs_removed", r.blobs_removed},
                {"temp_removed", r.temp_removed},
                {"bytes_freed", r.bytes_freed},
                {"blobs_kept", r.blobs_kept}});
    return 0;
  });
}

}  // namespace ecp::cli
