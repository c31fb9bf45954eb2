// Store::gc: mark from index.json, sweep blobs/sha256. It runs only while no
// other Store has the layout open, so no build can be between "blob written"
// and "manifest tagged" while it sweeps.
#include <sys/file.h>

#include <cerrno>
#include <set>

#include "core/image/store.hpp"
#include "core/oci/manifest.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"

namespace ecp::image {
namespace {

void mark(const Store& store, const oci::Descriptor& d, std::set<std::string>& live) {
  if (!live.insert(d.digest.hex()).second) return;
  if (!store.has_blob(d.digest)) {
    log::warn("{}: {} is referenced but missing", store.dir().string(), d.digest.to_string());
    return;
  }
  if (oci::media::is_manifest(d.media_type)) {
    auto m = oci::Manifest::from_json(store.read_blob(d.digest));
    mark(store, m.config, live);
    for (const auto& l : m.layers) mark(store, l, live);
    if (m.subject) mark(store, *m.subject, live);
  } else if (oci::media::is_index(d.media_type)) {
    auto i = oci::Index::from_json(store.read_blob(d.digest));
    for (const auto& m : i.manifests) mark(store, m, live);
  }
}

// Cache entries name the blobs they stand for in "blobs"; one that lost a blob is stale.
void prune_cache(const Store& store) {
  std::error_code ec;
  auto root = store.private_dir() / "cache";
  if (!stdfs::is_directory(root, ec)) return;
  for (const auto& kind : stdfs::directory_iterator(root, ec)) {
    for (const auto& e : stdfs::directory_iterator(kind.path(), ec)) {
      bool stale = true;
      try {
        auto j = oci::parse_json(fs::read_file(e.path(), 1 << 20), "cache entry");
        stale = false;
        for (const auto& b : j.at("blobs"))
          if (!store.has_blob(oci::Digest::parse(b.get<std::string>()))) stale = true;
      } catch (const std::exception&) {
        stale = true;
      }
      if (stale) stdfs::remove(e.path(), ec);
    }
  }
}

}  // namespace

GcResult Store::gc() {
  // Trade our shared lock for an exclusive one; give up at once if anyone else
  // (another build, another ecp) has the store open.
  if (::flock(lock_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    while (::flock(lock_fd_.get(), LOCK_SH) != 0 && errno == EINTR) {
    }
    if (e == EWOULDBLOCK)
      fail(ErrorKind::io, "{}: the store is in use by another ecp process; try again", dir_.string());
    fail(ErrorKind::io, "{}: cannot lock: {}", dir_.string(), std::strerror(e));
  }
  struct Relock {
    int fd;
    ~Relock() {
      while (::flock(fd, LOCK_SH) != 0 && errno == EINTR) {
      }
    }
  } relock{lock_fd_.get()};

  std::set<std::string> live;
  for (const auto& m : read_index_manifests()) mark(*this, m, live);

  GcResult r;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(dir_ / "blobs" / "sha256")) {
    auto name = e.path().filename().string();
    if (!oci::Digest::try_parse("sha256:" + name)) continue;  // not ours to judge
    if (live.contains(name)) {
      ++r.blobs_kept;
      continue;
    }
    std::error_code size_ec;
    auto size = static_cast<std::int64_t>(e.file_size(size_ec));
    if (stdfs::remove(e.path(), ec)) {
      ++r.blobs_removed;
      r.bytes_freed += size_ec ? 0 : size;
    }
  }
  // Nobody else has the store open: every temporary file is left over from a crash.
  if (stdfs::is_directory(private_dir() / "tmp", ec))
    for (const auto& e : stdfs::directory_iterator(private_dir() / "tmp", ec)) {
      std::int64_t bytes = 0;
      if (e.is_regular_file(ec)) bytes = static_cast<std::int64_t>(e.file_size(ec));
      if (e.is_directory(ec) && !e.is_symlink(ec))
        for (const auto& f : stdfs::recursive_directory_iterator(e.path(), ec))
          if (f.is_regular_file(ec) && !f.is_symlink(ec)) bytes += static_cast<std::int64_t>(f.file_size(ec));
      auto n = stdfs::remove_all(e.path(), ec);
      if (ec || n == static_cast<std::uintmax_t>(-1)) continue;
      r.temp_removed += static_cast<std::size_t>(n);
      r.bytes_freed += bytes;
    }
  prune_cache(*this);
  return r;
}

}  // namespace ecp::image
