// BlobWriter: the one way bytes become a blob in a Store (temp file, digest
// check, rename).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "core/image/store.hpp"
#include "core/util/error.hpp"

namespace ecp::image {

BlobWriter::BlobWriter(const Store& store) : store_(store), buf_(1 << 20) {
  tmp_path_ = (store.tmp_dir() / "blob-XXXXXX").string();
  fd_ = ::mkostemp(tmp_path_.data(), O_CLOEXEC);
  if (fd_ < 0) fail(ErrorKind::io, "{}: cannot create a temporary file: {}", tmp_path_, std::strerror(errno));
}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_path_.c_str());
  }
}

namespace {

void write_all(int fd, const char* p, std::size_t size, const std::string& path) {
  std::size_t off = 0;
  while (off < size) {
    ssize_t n = ::write(fd, p + off, size - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(ErrorKind::io, "{}: write failed: {}", path, std::strerror(errno));
    }
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

void BlobWriter::write_out(const char* p, std::size_t size) {
  write_all(fd_, p, size, tmp_path_);
  written_ += static_cast<std::int64_t>(size);
  // commit() fsyncs before the rename (a crash leaves the blob whole or absent).
  // Starting the writeback of every 8 MiB as it is written lets the disk work
  // while the layer is still being made and keeps dirty pages few; where the
  // disk is slower than ecp, that fsync still waits for it (0.17 s for a
  // 120 MB layer on this machine's disk, about what writing it takes).
  constexpr std::int64_t step = 8 << 20;
  if (written_ - writeback_ >= step) {
    ::sync_file_range(fd_, writeback_, written_ - writeback_, SYNC_FILE_RANGE_WRITE);  // a hint: errors are fsync's
    writeback_ = written_;
  }
}

void BlobWriter::flush() {
  write_out(buf_.data(), used_);
  used_ = 0;
}

void BlobWriter::write(const void* data, std::size_t size) {
  if (fd_ < 0) fail(ErrorKind::internal, "write to a committed blob");
  if (size == 0) return;  // data may be null then, and memcpy must not see it
  hash_.update(data, size);
  size_ += static_cast<std::int64_t>(size);
  auto* p = static_cast<const char*>(data);
  if (used_ + size > buf_.size()) flush();
  if (size >= buf_.size()) {  // big writes skip the copy
    write_out(p, size);
    return;
  }
  std::memcpy(buf_.data() + used_, p, size);
  used_ += size;
}

oci::Descriptor BlobWriter::commit(std::string media_type, const std::optional<oci::Digest>& expected,
                                   std::string_view what) {
  if (fd_ < 0) fail(ErrorKind::internal, "blob committed twice");
  flush();
  oci::Descriptor d;
  d.media_type = std::move(media_type);
  d.digest = hash_.finish();
  d.size = size_;
  if (expected && *expected != d.digest)
    fail(ErrorKind::build, "{}: digest mismatch: expected {}, got {} (the blob is corrupt)", what,
         expected->to_string(), d.digest.to_string());
  auto target = store_.blob_path(d.digest);
  if (store_.has_blob(d.digest)) {  // same bytes already there: keep those
    ::close(std::exchange(fd_, -1));
    ::unlink(tmp_path_.c_str());
    return d;
  }
  // fsync before rename: after a crash the blob is whole or absent, never empty.
  if (::fchmod(fd_, 0644) != 0 || ::fsync(fd_) != 0)
    fail(ErrorKind::io, "{}: cannot sync: {}", tmp_path_, std::strerror(errno));
  if (::close(std::exchange(fd_, -1)) != 0) {
    ::unlink(tmp_path_.c_str());
    fail(ErrorKind::io, "{}: close failed: {}", tmp_path_, std::strerror(errno));
  }
  if (::rename(tmp_path_.c_str(), target.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp_path_.c_str());
    fail(ErrorKind::io, "{}: cannot move the blob into place: {}", target.string(), std::strerror(e));
  }
  return d;
}

}  // namespace ecp::image
