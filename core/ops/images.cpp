#include "core/ops/images.hpp"

#include "core/image/image.hpp"
#include "core/image/store.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace ecp::ops {
namespace {
std::filesystem::path store_dir(const std::filesystem::path& s) {
  return s.empty() ? fs::ecp_home() / "store" : s;
}
}  // namespace

std::vector<StoredImage> list_images(const std::filesystem::path& store_path) {
  image::Store store(store_dir(store_path));
  std::vector<StoredImage> out;
  for (const auto& t : store.tags()) {
    auto img = image::load_image(store, t.name);
    StoredImage s{t.name, t.manifest.digest.to_string(), img.descriptor.size + img.manifest.config.size,
                  img.config.created};
    for (const auto& l : img.manifest.layers) s.size += l.size;
    out.push_back(std::move(s));
  }
  return out;
}

void remove_images(const std::vector<std::string>& references, const std::filesystem::path& store_path) {
  image::Store store(store_dir(store_path));
  // Check them all first, so a typo removes nothing.
  for (const auto& r : references)
    if (!store.resolve(r)) fail(ErrorKind::usage, "no image tagged '{}' in {}", r, store.dir().string());
  for (const auto& r : references) store.untag(r);
}

GcSummary gc_store(const std::filesystem::path& store_path) {
  image::Store store(store_dir(store_path));
  auto r = store.gc();
  return {r.blobs_removed, r.bytes_freed, r.blobs_kept, r.temp_removed};
}

}  // namespace ecp::ops
