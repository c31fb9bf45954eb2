#pragma once
// Where the bytes of an upload come from: a local file (push) or another
// registry's blob (copy). Uploads resume from an offset after a failure, so a
// source opens a fresh reader at any offset.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

namespace ecp::registry {

class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Fills up to n bytes; returns 0 only at the end of the blob. Throws on failure.
  virtual std::size_t read(char* buf, std::size_t n) = 0;
};

struct BlobSource {
  std::int64_t size = 0;
  std::function<std::unique_ptr<BlobReader>(std::int64_t offset)> open;
};

// A file's bytes (pread from `offset`); Error(io) naming the file on failure.
BlobSource file_source(const std::filesystem::path& path, std::int64_t size);

}  // namespace ecp::registry
