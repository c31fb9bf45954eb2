#pragma once
// Helpers shared by the test_image_*.cpp files: making trees with given
// mtimes/modes, and reading a layer blob back as a list of tar entries.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/image/compress.hpp"
#include "core/image/store.hpp"
#include "core/image/utf8_locale.hpp"
#include "core/oci/media_types.hpp"
#include "core/util/fs.hpp"

namespace image_test {

namespace stdfs = std::filesystem;

inline void write(const stdfs::path& p, const std::string& data, unsigned mode = 0644, long mtime = 1000) {
  stdfs::create_directories(p.parent_path());
  ecp::fs::write_file_atomic(p, data, mode);
  struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
  ::utimensat(AT_FDCWD, p.c_str(), ts, AT_SYMLINK_NOFOLLOW);
}

inline void set_mtime(const stdfs::path& p, long sec, long nsec = 0) {
  struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
  ::utimensat(AT_FDCWD, p.c_str(), ts, AT_SYMLINK_NOFOLLOW);
}

struct StringSink : ecp::image::ByteSink {
  std::string data;
  void write(const void* d, std::size_t n) override { data.append(static_cast<const char*>(d), n); }
};

// The uncompressed tar of a blob in the store.
inline std::string layer_tar(const ecp::image::Store& store, const ecp::oci::Descriptor& d) {
  auto blob = ecp::fs::read_file(store.blob_path(d.digest));
  StringSink out;
  ecp::image::Decompressor dec(ecp::oci::media::layer_compression(d.media_type), out);
  dec.write(blob.data(), blob.size());
  dec.finish();
  return out.data;
}

struct TarEntry {
  unsigned type = 0;  // AE_IFREG, AE_IFDIR, AE_IFLNK
  unsigned mode = 0;  // permission bits
  long uid = -1, gid = -1;
  long mtime = -1;
  std::string content;  // file data or symlink target
  bool has_uname = false;
};

// Entries by name, in a map; `order` receives the names in tar order.
inline std::map<std::string, TarEntry> read_tar(const std::string& tar, std::vector<std::string>* order = nullptr) {
  std::map<std::string, TarEntry> out;
  ecp::image::Utf8Locale utf8;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_open_memory(a, tar.data(), tar.size());
  archive_entry* e = nullptr;
  for (int rc; (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN;) {
    TarEntry t;
    t.type = archive_entry_filetype(e);
    t.mode = archive_entry_perm(e);
    t.uid = archive_entry_uid(e);
    t.gid = archive_entry_gid(e);
    t.mtime = archive_entry_mtime(e);
    t.has_uname = archive_entry_uname(e) != nullptr && *archive_entry_uname(e) != '\0';
    if (t.type == AE_IFLNK) {
      t.content = archive_entry_symlink_utf8(e) ? archive_entry_symlink_utf8(e) : archive_entry_symlink(e);
    } else {
      char buf[8192];
      for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) > 0;)
        t.content.append(buf, static_cast<std::size_t>(n));
    }
    std::string name = archive_entry_pathname_utf8(e) ? archive_entry_pathname_utf8(e) : archive_entry_pathname(e);
    if (order) order->push_back(name);
    out[name] = t;
  }
  archive_read_free(a);
  return out;
}

struct RawEntry {
  RawEntry(const char* n, unsigned t = AE_IFREG, std::string tg = "", bool hl = false)
      : name(n), type(t), target(std::move(tg)), hardlink(hl) {}
  std::string name;
  unsigned type;
  std::string target;  // symlink target, or hard link target when hardlink is set
  bool hardlink;
};

// A tar written without any of ecp's checks, for feeding hostile input.
inline std::string raw_tar(const std::vector<RawEntry>& entries) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open2(
      a, &out, nullptr,
      [](struct archive*, void* self, const void* d, size_t n) -> la_ssize_t {
        static_cast<std::string*>(self)->append(static_cast<const char*>(d), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr, nullptr);
  for (const auto& r : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_copy_pathname(e, r.name.c_str());
    archive_entry_set_filetype(e, r.type);
    archive_entry_set_perm(e, 0644);
    if (r.type == AE_IFLNK) archive_entry_copy_symlink(e, r.target.c_str());
    if (r.hardlink) archive_entry_copy_hardlink(e, r.target.c_str());
    archive_write_header(a, e);
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

// A ustar header for a regular file of `size` bytes. Followed by fewer bytes,
// it makes a layer that claims what it does not hold.
inline std::string tar_header(const std::string& name, std::int64_t size) {
  std::string h(512, '\0');
  auto put = [&](std::size_t at, const std::string& v) { h.replace(at, v.size(), v); };
  put(0, name);
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, fmt::format("{:011o}", size));
  put(136, "00000000000");
  put(156, "0");
  put(257, std::string("ustar\0"
                       "00",
                       8));
  put(148, std::string(8, ' '));
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  put(148, fmt::format("{:06o}", sum) + std::string(1, '\0') + " ");
  return h;
}

// A tar holding one file `name` of `size` zero bytes, end blocks included.
inline std::string zeros_tar(const std::string& name, std::int64_t size) {
  auto pad = (512 - size % 512) % 512;
  return tar_header(name, size) + std::string(static_cast<std::size_t>(size + pad + 1024), '\0');
}

inline std::string compressed(ecp::image::Compression kind, const std::string& data) {
  StringSink out;
  ecp::image::Compressor c(kind, ecp::image::default_level(kind), out);
  c.write(data.data(), data.size());
  c.finish();
  return out.data;
}

}  // namespace image_test
