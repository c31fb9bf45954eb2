#pragma once
// The local image store: `ecp images`, `ecp images rm`, `ecp gc`.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ecp::ops {

struct StoredImage {
  std::string reference;  // <app>:<tag>
  std::string digest;     // manifest digest
  std::int64_t size = 0;  // manifest + config + layers
  std::string created;    // from the image config
};

// Empty `store` = $ECP_HOME/store.
std::vector<StoredImage> list_images(const std::filesystem::path& store = {});
// Removes the tags; blobs stay until gc. Throws Error(usage) naming a tag that does not exist.
void remove_images(const std::vector<std::string>& references, const std::filesystem::path& store = {});

struct GcSummary {
  std::size_t blobs_removed = 0;
  std::int64_t bytes_freed = 0;
  std::size_t blobs_kept = 0;
  std::size_t temp_removed = 0;  // files and folders a crashed ecp left
};
GcSummary gc_store(const std::filesystem::path& store = {});

}  // namespace ecp::ops
