#include "core/registry/blob_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/util/error.hpp"
#include "core/util/fd.hpp"

namespace ecp::registry {
namespace {

class FileReader : public BlobReader {
 public:
  FileReader(const std::filesystem::path& path, std::int64_t offset) : path_(path), offset_(offset) {
    fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_) fail(ErrorKind::io, "{}: cannot open: {}", path.string(), std::strerror(errno));
    ::posix_fadvise(fd_.get(), offset, 0, POSIX_FADV_SEQUENTIAL);
  }
  std::size_t read(char* buf, std::size_t n) override {
    for (;;) {
      ssize_t got = ::pread(fd_.get(), buf, n, offset_);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail(ErrorKind::io, "{}: read failed: {}", path_.string(), std::strerror(errno));
      offset_ += got;
      return static_cast<std::size_t>(got);
    }
  }

 private:
  std::filesystem::path path_;
  std::int64_t offset_;
  UniqueFd fd_;
};

}  // namespace

BlobSource file_source(const std::filesystem::path& path, std::int64_t size) {
  BlobSource s;
  s.size = size;
  s.open = [path](std::int64_t offset) -> std::unique_ptr<BlobReader> {
    return std::make_unique<FileReader>(path, offset);
  };
  return s;
}

}  // namespace ecp::registry
