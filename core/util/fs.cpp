#include "core/util/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>

#include "core/util/error.hpp"

namespace ecp::fs {

std::string read_file(const stdfs::path& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(errno_kind(errno, ErrorKind::io), "{}: cannot open: {}", path.string(), std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    fail(ErrorKind::io, "{}: is a directory, not a file", path.string());
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    fail(ErrorKind::io, "{}: file is too large ({} bytes, the limit is {})", path.string(), st.st_size, max_bytes);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      fail(ErrorKind::io, "{}: read failed: {}", path.string(), std::strerror(e));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      fail(ErrorKind::io, "{}: file is too large (the limit is {} bytes)", path.string(), max_bytes);
    }
  }
  ::close(fd);
  return out;
}

void write_file_atomic(const stdfs::path& path, std::string_view data, unsigned mode) {
  auto dir = path.parent_path().empty() ? stdfs::path(".") : path.parent_path();
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) fail(ErrorKind::io, "{}: cannot create a temporary file: {}", path.string(), std::strerror(errno));
  auto cleanup_fail = [&](const char* what) {
    int e = errno;
    ::close(fd);
    ::unlink(tmpl.c_str());
    fail(ErrorKind::io, "{}: {}: {}", path.string(), what, std::strerror(e));
  };
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      cleanup_fail("write failed");
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) cleanup_fail("chmod failed");
  if (::fsync(fd) != 0) cleanup_fail("fsync failed");
  if (::close(fd) != 0) {
    ::unlink(tmpl.c_str());
    fail(ErrorKind::io, "{}: close failed: {}", path.string(), std::strerror(errno));
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmpl.c_str());
    fail(ErrorKind::io, "{}: rename failed: {}", path.string(), std::strerror(e));
  }
}

TempDir::TempDir(const stdfs::path& parent, std::string_view prefix) {
  std::string tmpl = (parent / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    fail(ErrorKind::io, "{}: cannot create a temporary folder: {}", parent.string(), std::strerror(errno));
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  stdfs::remove_all(path_, ec);
}

stdfs::path ecp_home() {
  if (const char* h = std::getenv("ECP_HOME"); h && *h) return h;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return stdfs::path(x) / "ecp";
  if (const char* home = std::getenv("HOME"); home && *home) return stdfs::path(home) / ".local/share/ecp";
  fail(ErrorKind::usage, "cannot find a home for ecp's store: set ECP_HOME");
}

stdfs::path ecp_cache() {
  if (const char* h = std::getenv("ECP_HOME"); h && *h) return stdfs::path(h) / "cache";
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return stdfs::path(x) / "ecp";
  if (const char* home = std::getenv("HOME"); home && *home) return stdfs::path(home) / ".cache/ecp";
  fail(ErrorKind::usage, "cannot find a folder for ecp's cache: set XDG_CACHE_HOME or ECP_HOME");
}

}  // namespace ecp::fs
