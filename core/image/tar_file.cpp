#include "core/image/tar_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/util/error.hpp"

namespace ecp::image {
namespace {

void octal(char* field, std::size_t width, std::int64_t value) {
  // width-1 digits and a NUL, as ustar wants.
  auto s = fmt::format("{:0{}o}", value, width - 1);
  std::memcpy(field, s.data(), width - 1);
  field[width - 1] = '\0';
}

}  // namespace

TarFile::TarFile(std::string path, std::int64_t mtime) : path_(std::move(path)), mtime_(mtime) {
  auto slash = path_.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash == 0 ? 1 : slash);
  tmp_ = dir + "/.ecp-tar-XXXXXX";
  fd_ = ::mkostemp(tmp_.data(), O_CLOEXEC);
  if (fd_ < 0) fail(ErrorKind::io, "{}: cannot create a temporary file: {}", path_, std::strerror(errno));
}

TarFile::~TarFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

void TarFile::put(const void* data, std::size_t size) {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::io, "{}: write failed: {}", path_, std::strerror(errno));
    p += n;
    size -= static_cast<std::size_t>(n);
    offset_ += n;
  }
}

void TarFile::header(std::string_view name, std::int64_t size, char* b) const {
  if (name.size() > 100) fail(ErrorKind::internal, "tar member name too long: {}", name);
  std::memset(b, 0, 512);
  std::memcpy(b, name.data(), name.size());
  octal(b + 100, 8, 0644);
  octal(b + 108, 8, 0);
  octal(b + 116, 8, 0);
  if (size <= 077777777777) {
    octal(b + 124, 12, size);
  } else {
    // GNU base-256 for members of 8 GiB and more (Go's archive/tar reads it).
    b[124] = static_cast<char>(0x80);
    for (int i = 11; i >= 1; --i, size >>= 8) b[124 + i] = static_cast<char>(size & 0xff);
  }
  octal(b + 136, 12, mtime_);
  b[156] = '0';
  std::memcpy(b + 257, "ustar", 6);
  std::memcpy(b + 263, "00", 2);
  std::memset(b + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += static_cast<unsigned char>(b[i]);
  octal(b + 148, 7, sum);
  b[155] = ' ';
}

void TarFile::add(std::string_view name, std::string_view data) {
  begin(name);
  write(data.data(), data.size());
  end();
}

void TarFile::begin(std::string_view name) {
  if (member_start_ >= 0) fail(ErrorKind::internal, "tar member {} still open", member_name_);
  member_start_ = offset_;
  member_name_ = name;
  char block[512];
  header(name, 0, block);  // patched in end()
  put(block, sizeof block);
}

void TarFile::write(const void* data, std::size_t size) { put(data, size); }

void TarFile::end() {
  std::int64_t size = offset_ - member_start_ - 512;
  static const char zeros[512] = {};
  if (size % 512 != 0) put(zeros, static_cast<std::size_t>(512 - size % 512));
  char block[512];
  header(member_name_, size, block);
  if (::pwrite(fd_, block, sizeof block, member_start_) != 512)
    fail(ErrorKind::io, "{}: write failed: {}", path_, std::strerror(errno));
  member_start_ = -1;
}

void TarFile::commit() {
  static const char zeros[1024] = {};
  put(zeros, sizeof zeros);
  if (::fchmod(fd_, 0644) != 0 || ::fsync(fd_) != 0 || ::close(fd_) != 0) {
    int e = errno;
    fd_ = -1;
    ::unlink(tmp_.c_str());
    fail(ErrorKind::io, "{}: cannot write: {}", path_, std::strerror(e));
  }
  fd_ = -1;
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp_.c_str());
    fail(ErrorKind::io, "{}: cannot move into place: {}", path_, std::strerror(e));
  }
}

}  // namespace ecp::image
