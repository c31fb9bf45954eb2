#pragma once
// A small local record of which repositories of a registry hold which blobs
// (those ecp pushed or pulled), so a push to a new repository of the same
// registry can mount a blob instead of uploading it again. A hint only: a stale
// entry costs one refused mount, never a wrong image (the registry checks).
// One line per fact, "registry repository digest", appended with O_APPEND (a
// single write(2), so parallel writers do not tear lines); compacted when large.
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/oci/digest.hpp"

namespace ecp::registry {

class BlobLocations {
 public:
  // Empty path: a record that remembers nothing.
  explicit BlobLocations(std::filesystem::path file);

  // Repositories of `registry` known to hold `digest`, most recent first.
  std::vector<std::string> find(std::string_view registry, const oci::Digest& digest) const;
  void add(std::string_view registry, std::string_view repository, const oci::Digest& digest);

 private:
  struct Entry {
    std::string registry, repository;
    oci::Digest digest;
  };
  void load();
  std::filesystem::path file_;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;  // oldest first
};

}  // namespace ecp::registry
