#include "core/image/layer_check.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/image/utf8_locale.hpp"
#include "core/util/error.hpp"

namespace ecp::image {
namespace {

struct ReadFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

// Lexically resolves `path` (relative to the layer root, "a/../b" style) into
// components; returns false when it climbs above the root.
bool resolve(const std::string& path, std::vector<std::string>& out) {
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (out.empty()) return false;
      out.pop_back();
    } else if (!part.empty() && part != ".") {
      out.push_back(part);
    }
    start = end + 1;
  }
  return true;
}

std::string join(const std::vector<std::string>& parts, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += (i ? "/" : "") + parts[i];
  return s;
}

const char* entry_name(archive_entry* e) {
  if (const char* n = archive_entry_pathname_utf8(e)) return n;
  if (const char* n = archive_entry_pathname(e)) return n;
  return nullptr;
}

}  // namespace

void check_layer(const std::filesystem::path& blob, std::string_view what, const LayerCheckOptions& options) {
  Utf8Locale utf8;
  std::unique_ptr<struct archive, ReadFree> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_empty(a.get());
  if (archive_read_open_filename(a.get(), blob.c_str(), 1 << 20) != ARCHIVE_OK)
    fail(ErrorKind::build, "{}: not a readable layer: {}", what, archive_error_string(a.get()));
  std::set<std::string> symlinks;  // entries (resolved) that are symlinks
  archive_entry* e = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) fail(ErrorKind::build, "{}: not a readable layer: {}", what, archive_error_string(a.get()));
    const char* raw = entry_name(e);
    if (raw == nullptr) fail(ErrorKind::build, "{}: an entry has an unreadable name", what);
    std::string name = raw;
    if (!name.empty() && name.front() == '/')
      fail(ErrorKind::build, "{}: entry '{}' has an absolute path", what, name);
    std::vector<std::string> parts;
    if (!resolve(name, parts)) fail(ErrorKind::build, "{}: entry '{}' leaves the image root", what, name);
    // Writing "a/b" when "a" is a symlink would write wherever "a" points.
    for (std::size_t i = 1; i < parts.size(); ++i)
      if (symlinks.contains(join(parts, i)))
        fail(ErrorKind::build, "{}: entry '{}' is reached through the symlink '{}'", what, name, join(parts, i));
    if (const char* hl = archive_entry_hardlink_utf8(e) ? archive_entry_hardlink_utf8(e) : archive_entry_hardlink(e)) {
      std::vector<std::string> target;
      std::string t = hl;
      if ((!t.empty() && t.front() == '/') || !resolve(t, target))
        fail(ErrorKind::build, "{}: hard link '{}' points outside the image root ({})", what, name, t);
    }
    if (archive_entry_filetype(e) == AE_IFLNK) {
      const char* sl = archive_entry_symlink_utf8(e) ? archive_entry_symlink_utf8(e) : archive_entry_symlink(e);
      std::string t = sl ? sl : "";
      if (!t.empty() && t.front() == '/') {
        if (!options.allow_absolute_symlinks)
          fail(ErrorKind::build, "{}: symlink '{}' has an absolute target ({})", what, name, t);
      } else {
        std::vector<std::string> target(parts.begin(), parts.empty() ? parts.end() : parts.end() - 1);
        if (!resolve(t, target))
          fail(ErrorKind::build, "{}: symlink '{}' points outside the image root ({})", what, name, t);
      }
      symlinks.insert(join(parts, parts.size()));
    } else {
      // A later regular entry replaces the symlink.
      symlinks.erase(join(parts, parts.size()));
    }
    archive_read_data_skip(a.get());
  }
}

}  // namespace ecp::image
