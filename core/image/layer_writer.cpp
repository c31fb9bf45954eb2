// write_layer: normalise and sort the entries, ask the cache, else stream a tar
// through libarchive -> (diff_id hash, compressor -> blob writer).
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <memory>

#include "core/image/layer.hpp"
#include "core/image/layer_cache.hpp"
#include "core/image/utf8_locale.hpp"
#include "core/util/error.hpp"
#include "core/util/fd.hpp"

namespace ecp::image {
namespace {

using Type = LayerEntry::Type;

// "/app//bin/./x" -> "app/bin/x"; refuses "..", empty names and NUL bytes.
// "/app//bin/./x" -> "app/bin/x"; the root itself is "" (it has no tar entry).
// Refuses ".." that climbs above the root and NUL bytes.
std::string normalise(const std::string& path) {
  if (path.find('\0') != std::string::npos) fail(ErrorKind::build, "image path with a NUL byte: {}", path);
  std::vector<std::string_view> parts;
  std::string_view rest = path;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) fail(ErrorKind::build, "'{}' leaves the image root", path);
      parts.pop_back();
    } else {
      parts.push_back(part);
    }
  }
  std::string out;
  for (auto p : parts) (out.empty() ? out : out += '/') += p;
  return out;
}

FileStat stat_file(const stdfs::path& source) {
  struct stat st {};
  if (::stat(source.c_str(), &st) != 0)
    fail(errno_kind(errno, ErrorKind::build), "{}: cannot read: {}", source.string(), std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(ErrorKind::build, "{}: is not a regular file", source.string());
  return {st.st_size, static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<std::uint64_t>(st.st_ino), st.st_mode};
}

// Normalised, deduplicated (folders merge), parents added, sorted by path.
std::vector<LayerEntry> prepare(std::vector<LayerEntry> entries) {
  std::map<std::string, LayerEntry> by_path;
  auto add = [&](LayerEntry e) {
    auto [it, fresh] = by_path.try_emplace(e.path, e);
    if (fresh) return;
    if (it->second.type == Type::directory && e.type == Type::directory) {
      if (e.mode) it->second.mode = e.mode;  // an explicit mode beats an implied parent
      return;
    }
    fail(ErrorKind::build, "two different entries for /{} in one layer", e.path);
  };
  for (auto& e : entries) {
    e.path = normalise(e.path);
    if (e.path.empty()) {
      if (e.type == Type::directory) continue;
      fail(ErrorKind::build, "the image root '/' can only be a folder");
    }
    if (e.type == Type::file && !e.stat) e.stat = stat_file(e.source);
    add(std::move(e));
  }
  // Every ancestor must exist as a folder in the tar.
  std::vector<std::string> paths;
  for (const auto& [p, e] : by_path) paths.push_back(p);
  for (const auto& p : paths) {
    for (auto slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1)) {
      auto parent = p.substr(0, slash);
      auto it = by_path.find(parent);
      if (it == by_path.end())
        by_path.emplace(parent, LayerEntry::directory(parent));
      else if (it->second.type != Type::directory)
        fail(ErrorKind::build, "/{} is used as a folder in the image but is not one", parent);
    }
  }
  std::vector<LayerEntry> out;
  out.reserve(by_path.size());
  for (auto& [p, e] : by_path) out.push_back(std::move(e));
  return out;
}

unsigned normalised_mode(const LayerEntry& e) {
  if (e.mode) return *e.mode & 07777;
  switch (e.type) {
    case Type::directory:
      return 0755;
    case Type::symlink:
      return 0777;
    case Type::bytes:
      return 0644;
    case Type::file:
      return (e.stat->mode & 0111) ? 0755 : 0644;
  }
  return 0644;
}

// With group 0 (the default), the group gets the owner's permissions (g=u, the
// OpenShift convention): a container run under an arbitrary UID is in group 0
// and can then read, run and write what the image's owner can. A group of the
// user's choice (run.user UID:GID) keeps the modes as they are.
unsigned mode_of(const LayerEntry& e, unsigned gid) {
  unsigned mode = normalised_mode(e);
  return gid == 0 && e.type != Type::symlink ? mode | ((mode & 0700) >> 3) : mode;
}

// Tar bytes -> diff_id hash and the compressor. libarchive is C: exceptions are
// parked here and rethrown once the call into libarchive has returned.
struct TarSink {
  oci::Sha256 diff;
  Compressor* compressor;
  std::exception_ptr error;

  static la_ssize_t write_cb(struct archive*, void* self, const void* data, size_t size) {
    auto* s = static_cast<TarSink*>(self);
    try {
      s->diff.update(data, size);
      s->compressor->write(data, size);
      return static_cast<la_ssize_t>(size);
    } catch (...) {
      s->error = std::current_exception();
      return -1;
    }
  }
};

struct ArchiveFree {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

class TarWriter {
 public:
  TarWriter(TarSink& sink, const LayerOptions& o) : sink_(sink), options_(o), a_(archive_write_new()) {
    // Names are handed over as raw bytes (UTF-8 for anything from a Linux tree).
    if (!a_ || archive_write_set_format_pax_restricted(a_.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(a_.get(), 0) != ARCHIVE_OK ||
        (!locale_.active() && archive_write_set_format_option(a_.get(), "pax", "hdrcharset", "BINARY") != ARCHIVE_OK) ||
        archive_write_open2(a_.get(), &sink_, nullptr, &TarSink::write_cb, nullptr, nullptr) != ARCHIVE_OK)
      check(ARCHIVE_FATAL, "cannot start a tar stream");
  }

  void add(const LayerEntry& e, std::vector<char>& buf) {
    std::unique_ptr<archive_entry, EntryFree> ae(archive_entry_new());
    std::string name = e.type == Type::directory ? e.path + "/" : e.path;
    archive_entry_copy_pathname(ae.get(), name.c_str());
    archive_entry_set_uid(ae.get(), options_.uid);
    archive_entry_set_gid(ae.get(), options_.gid);
    archive_entry_set_mtime(ae.get(), options_.epoch, 0);
    archive_entry_set_perm(ae.get(), mode_of(e, options_.gid));
    switch (e.type) {
      case Type::directory:
        archive_entry_set_filetype(ae.get(), AE_IFDIR);
        break;
      case Type::symlink:
        archive_entry_set_filetype(ae.get(), AE_IFLNK);
        archive_entry_copy_symlink(ae.get(), e.content.c_str());
        break;
      case Type::bytes:
        archive_entry_set_filetype(ae.get(), AE_IFREG);
        archive_entry_set_size(ae.get(), static_cast<la_int64_t>(e.content.size()));
        break;
      case Type::file:
        archive_entry_set_filetype(ae.get(), AE_IFREG);
        archive_entry_set_size(ae.get(), e.stat->size);
        break;
    }
    check(archive_write_header(a_.get(), ae.get()), "/" + e.path);
    if (e.type == Type::bytes) data(e.content.data(), e.content.size(), "/" + e.path);
    if (e.type == Type::file) copy_file(e, buf);
  }

  void close() { check(archive_write_close(a_.get()), "end of the tar stream"); }

 private:
  void check(int rc, const std::string& what) {
    if (sink_.error) std::rethrow_exception(sink_.error);
    if (rc < ARCHIVE_WARN)
      fail(ErrorKind::build, "{}: cannot write the layer: {}", what,
           a_ && archive_error_string(a_.get()) ? archive_error_string(a_.get()) : "libarchive failed");
  }

  void data(const void* p, std::size_t n, const std::string& what) {
    la_ssize_t w = archive_write_data(a_.get(), p, n);
    check(w < 0 ? ARCHIVE_FATAL : ARCHIVE_OK, what);
  }

  // Streams exactly stat->size bytes; a file that changed since it was stated
  // is an error (its cache key would describe other bytes).
  void copy_file(const LayerEntry& e, std::vector<char>& buf) {
    const auto& src = e.source;
    int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(errno_kind(errno, ErrorKind::build), "{}: cannot read: {}", src.string(), std::strerror(errno));
    UniqueFd closer(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    std::int64_t left = e.stat->size;
    while (left > 0) {
      ssize_t n = ::read(fd, buf.data(), static_cast<std::size_t>(std::min<std::int64_t>(left, buf.size())));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(ErrorKind::build, "{}: read failed: {}", src.string(), std::strerror(errno));
      if (n == 0) fail(ErrorKind::build, "{}: the file shrank while the layer was written", src.string());
      data(buf.data(), static_cast<std::size_t>(n), src.string());
      left -= n;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size != e.stat->size ||
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec != e.stat->mtime_ns)
      fail(ErrorKind::build, "{}: the file changed while the layer was written", src.string());
  }

  Utf8Locale locale_;  // first: it must outlive the archive
  TarSink& sink_;
  const LayerOptions& options_;
  std::unique_ptr<struct archive, ArchiveFree> a_;
};

}  // namespace

Layer write_layer(const Store& store, std::vector<LayerEntry> entries, const LayerOptions& options) {
  int level = options.level < 0 ? default_level(options.compression) : options.level;
  check_level(options.compression, level);
  auto sorted = prepare(std::move(entries));
  Layer layer;
  for (const auto& e : sorted) layer.files.push_back("/" + e.path + (e.type == Type::directory ? "/" : ""));

  oci::Digest key;
  if (options.use_cache) {
    key = layer_cache_key(sorted, options, level);
    if (auto hit = layer_cache_find(store, key)) {
      layer.descriptor = hit->descriptor;
      layer.diff_id = hit->diff_id;
      layer.cached = true;
      return layer;
    }
  }

  BlobWriter blob(store);
  Compressor compressor(options.compression, level, blob);
  TarSink sink;
  sink.compressor = &compressor;
  TarWriter tar(sink, options);
  std::vector<char> buf(1 << 20);
  for (const auto& e : sorted) tar.add(e, buf);
  tar.close();
  compressor.finish();
  layer.diff_id = sink.diff.finish();
  layer.descriptor = blob.commit(std::string(oci::media::oci_layer(options.compression)));
  if (options.use_cache) layer_cache_put(store, key, {layer.descriptor, layer.diff_id});
  return layer;
}

}  // namespace ecp::image
