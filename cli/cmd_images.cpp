#include <fmt/format.h>

#include <algorithm>

#include "cli/command_tree.hpp"
#include "cli/registry_flags.hpp"
#include "core/ops/images.hpp"

namespace ecp::cli {

void add_images(CommandTree& t) {
  auto bytes = std::make_shared<bool>(false);
  auto* images = t.add(&t.root, "images", "List the images in ecp's local store", [bytes](Output& out) {
    auto list = ops::list_images();
    nlohmann::json arr = nlohmann::json::array();
    // Columns as wide as their widest entry.
    std::size_t ref_w = 9, size_w = 4;
    auto size_text = [&](std::int64_t n) { return *bytes ? std::to_string(n) : human_bytes(n); };
    for (const auto& i : list) {
      ref_w = std::max(ref_w, i.reference.size());
      size_w = std::max(size_w, size_text(i.size).size());
    }
    if (!list.empty())
      out.text(fmt::format("{:<{}}  {:<19}  {:>{}}  {}", "REFERENCE", ref_w, "DIGEST", "SIZE", size_w, "CREATED"));
    for (const auto& i : list) {
      out.text(fmt::format("{:<{}}  {:<19}  {:>{}}  {}", i.reference, ref_w, i.digest.substr(0, 19), size_text(i.size),
                           size_w, i.created));
      arr.push_back({{"reference", i.reference}, {"digest", i.digest}, {"size", i.size}, {"created", i.created}});
    }
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
