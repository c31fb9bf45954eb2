#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "core/ops/images.hpp"

namespace ecp::cli {

void add_images(CommandTree& t) {
  auto* images = t.add(&t.root, "images", "List the images in ecp's local store", [](Output& out) {
    auto list = ops::list_images();
    nlohmann::json arr = nlohmann::json::array();
    if (!list.empty()) out.text(fmt::format("{:<40} {:<19} {:>12}  {}", "REFERENCE", "DIGEST", "SIZE", "CREATED"));
    for (const auto& i : list) {
      out.text(fmt::format("{:<40} {:<19} {:>12}  {}", i.reference, i.digest.substr(0, 19), i.size, i.created));
      arr.push_back({{"reference", i.reference}, {"digest", i.digest}, {"size", i.size}, {"created", i.created}});
    }
    out.result({{"images", arr}});
    return 0;
  });
  auto refs = std::make_shared<std::vector<std::string>>();
  auto* rm =
      t.add(images, "rm", "Remove image tags from the store (blobs go at the next 'ecp gc')", [refs](Output& out) {
        ops::remove_images(*refs);
        for (const auto& r : *refs) out.text(fmt::format("removed {}", r));
        out.result({{"removed", *refs}});
        return 0;
      });
  rm->add_option("REFERENCE", *refs, "Tags to remove, as APP:TAG")->required();
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
