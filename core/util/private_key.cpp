#include "core/util/private_key.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/util/error.hpp"
#include "core/util/fd.hpp"

namespace ecp::fs {
namespace {

namespace stdfs = std::filesystem;

// The key at `path`, or "" when there is no file.
std::string read_existing(const stdfs::path& path, std::size_t size) {
  // O_NONBLOCK: a fifo planted in its place must not hang the open.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) {
    if (errno == ENOENT) return {};
    fail(errno == ELOOP ? ErrorKind::permission : errno_kind(errno, ErrorKind::io), "{}: cannot open the key: {}",
         path.string(), errno == ELOOP ? "it is a symlink" : std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    fail(ErrorKind::permission, "{}: the key is not a regular file", path.string());
  if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0)
    fail(ErrorKind::permission,
         "{}: the key must be this user's and nobody else's (chmod 600): it is mode {:o}, owner {}", path.string(),
         st.st_mode & 07777, st.st_uid);
  std::string key(size, '\0');
  ssize_t n = ::pread(fd.get(), key.data(), size, 0);
  if (n < 0 || static_cast<std::size_t>(n) != size || st.st_size != static_cast<off_t>(size))
    fail(ErrorKind::io, "{}: the key is damaged: it should hold {} bytes, it holds {}", path.string(), size,
         st.st_size);
  return key;
}

}  // namespace

std::string random_bytes(std::size_t size) {
  std::string out(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::getrandom(out.data() + got, size - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::io, "cannot read random bytes: {}", std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  return out;
}

std::string read_or_create_key(const stdfs::path& path, std::size_t size) {
  if (auto key = read_existing(path, size); !key.empty()) return key;
  std::error_code ec;
  stdfs::create_directories(path.parent_path(), ec);
  std::string tmpl = (path.parent_path() / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  UniqueFd fd(::mkstemp(tmpl.data()));  // mkstemp makes it 0600
  if (!fd) fail(errno_kind(errno, ErrorKind::io), "{}: cannot create the key: {}", path.string(), std::strerror(errno));
  std::string key = random_bytes(size);
  bool written = ::write(fd.get(), key.data(), size) == static_cast<ssize_t>(size) && ::fsync(fd.get()) == 0;
  int e = errno;
  // link() refuses to replace: whoever links first made the key everyone reads.
  bool linked = written && ::link(tmpl.c_str(), path.c_str()) == 0;
  if (written && !linked) e = errno;
  ::unlink(tmpl.c_str());
  if (linked) return key;
  if (written && e == EEXIST) return read_existing(path, size);
  fail(errno_kind(e, ErrorKind::io), "{}: cannot create the key: {}", path.string(), std::strerror(e));
}

}  // namespace ecp::fs
