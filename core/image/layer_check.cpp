#include "core/image/layer_check.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <string>

#include "core/image/expansion.hpp"
#include "core/image/layer_tree.hpp"
#include "core/image/utf8_locale.hpp"
#include "core/util/error.hpp"

namespace ecp::image {
namespace {

struct ReadFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

const char* entry_name(archive_entry* e) {
  if (const char* n = archive_entry_pathname_utf8(e)) return n;
  return archive_entry_pathname(e);
}
const char* entry_hardlink(archive_entry* e) {
  if (const char* n = archive_entry_hardlink_utf8(e)) return n;
  return archive_entry_hardlink(e);
}
const char* entry_symlink(archive_entry* e) {
  if (const char* n = archive_entry_symlink_utf8(e)) return n;
  return archive_entry_symlink(e);
}

constexpr std::string_view whiteout_prefix = ".wh.";
constexpr std::string_view opaque_marker = ".wh..wh..opq";
constexpr std::string_view meta_prefix = ".wh..wh.";

class Checker {
 public:
  explicit Checker(LayerRoot root) : host_(root == LayerRoot::host) {}
  void layer(const LayerFile& l);
  void finish(std::string_view what) const;

 private:
  void entry(archive_entry* e);
  // The entry's place in the tree: empty when it is not unpacked (host: outside app/).
  bool place(const std::string& name, PathParts& parts) const;
  PathParts parent_of(const std::string& name, const PathParts& parts) const;
  void symlink(const std::string& name, const PathParts& dest, const std::string& target);
  void hardlink(const std::string& name, const std::string& target, bool unpacked) const;

  bool host_;
  LayerTree tree_;
  std::string what_;
};

bool Checker::place(const std::string& name, PathParts& parts) const {
  PathParts lexical;
  if (!lexical_path(split_path(name), lexical))
    fail(ErrorKind::build, "{}: entry '{}' leaves the image root", what_, name);
  // Extractors strip a leading '/'; ecp's own layers never have one, bar "/" itself.
  if (host_ && !name.empty() && name.front() == '/' && !lexical.empty())
    fail(ErrorKind::build, "{}: entry '{}' has an absolute path", what_, name);
  parts = std::move(lexical);
  if (!host_) return true;
  // The agent unpacks app/ only, as the release folder: app/x is x there.
  if (parts.size() < 2 || parts.front() != "app") return false;
  parts.erase(parts.begin());
  return true;
}

PathParts Checker::parent_of(const std::string& name, const PathParts& parts) const {
  PathParts parent(parts.begin(), parts.end() - 1);
  Resolved r = tree_.resolve(parent, true);
  if (r.loop) fail(ErrorKind::build, "{}: entry '{}' is reached through a symlink loop at '{}'", what_, name, r.via);
  // Writing "a/b" when "a" is a symlink writes wherever "a" points: inside a
  // container's root that stays inside it; on a host it may not.
  if (host_ && !r.via.empty())
    fail(ErrorKind::build, "{}: entry '{}' is reached through the symlink 'app/{}'", what_, name, r.via);
  return r.parts;
}

void Checker::symlink(const std::string& name, const PathParts& dest, const std::string& target) {
  if (host_) {
    if (!target.empty() && target.front() == '/')
      fail(ErrorKind::build, "{}: symlink '{}' has an absolute target ({})", what_, name, target);
    PathParts from(dest.begin(), dest.end() - 1);
    for (auto& p : split_path(target)) from.push_back(std::move(p));
    Resolved r = tree_.resolve(from, true);
    if (r.escaped || r.absolute)
      fail(ErrorKind::build, "{}: symlink '{}' points outside the image root ({})", what_, name, target);
    if (r.loop) fail(ErrorKind::build, "{}: symlink '{}' is part of a symlink loop ({})", what_, name, target);
  }
  tree_.add_symlink(join_path(dest), target);
}

void Checker::hardlink(const std::string& name, const std::string& target, bool unpacked) const {
  bool absolute = !target.empty() && target.front() == '/';
  PathParts parts;
  if ((absolute && host_) || !lexical_path(split_path(target), parts) || parts.empty() ||
      (host_ && unpacked && (parts.size() < 2 || parts.front() != "app")))
    fail(ErrorKind::build, "{}: hard link '{}' points outside the image root ({})", what_, name, target);
  if (host_ && !unpacked) return;  // not unpacked there
  if (host_) parts.erase(parts.begin());
  PathParts parent(parts.begin(), parts.end() - 1);
  Resolved r = tree_.resolve(parent, true);
  if (r.loop)
    fail(ErrorKind::build, "{}: hard link '{}' reaches its target {} through a symlink loop", what_, name, target);
  if (host_ && !r.via.empty())
    fail(ErrorKind::build, "{}: hard link '{}' reaches its target {} through the symlink 'app/{}'", what_, name, target,
         r.via);
}

void Checker::entry(archive_entry* e) {
  const char* raw = entry_name(e);
  if (raw == nullptr) fail(ErrorKind::build, "{}: an entry has an unreadable name", what_);
  std::string name = raw;
  PathParts parts;
  bool unpacked = place(name, parts);
  const char* hl = entry_hardlink(e);
  if (hl != nullptr) hardlink(name, hl, unpacked);
  if (!unpacked) return;
  auto type = archive_entry_filetype(e);
  if (parts.empty()) {  // "./" or "/": the root folder itself
    if (type != AE_IFDIR || hl != nullptr)
      fail(ErrorKind::build, "{}: entry '{}' would replace the image root", what_, name);
    return;
  }
  const std::string& base = parts.back();
  // aufs' metadata (.wh..wh.plnk/, .wh..wh.aufs): runtimes skip it.
  if (!host_ && base != opaque_marker &&
      std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.starts_with(meta_prefix); }))
    return;
  if (base.starts_with(whiteout_prefix)) {
    if (host_) fail(ErrorKind::build, "{}: entry '{}' is a whiteout; ecp's own layers carry none", what_, name);
    PathParts dir = parent_of(name, parts);
    if (base == opaque_marker) return tree_.opaque(join_path(dir));
    std::string hidden = base.substr(whiteout_prefix.size());
    if (hidden.empty() || hidden == "." || hidden == "..")
      fail(ErrorKind::build, "{}: whiteout '{}' names no entry of its folder", what_, name);
    dir.push_back(hidden);
    return tree_.whiteout(join_path(dir));
  }
  PathParts dest = parent_of(name, parts);
  dest.push_back(base);
  if (type == AE_IFLNK && hl == nullptr) {
    const char* t = entry_symlink(e);
    return symlink(name, dest, t ? t : "");
  }
  if (host_ && (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK))
    fail(ErrorKind::build, "{}: entry '{}' is a device node, fifo or socket; ecp's own layers carry none", what_, name);
  tree_.add_other(join_path(dest), type == AE_IFDIR && hl == nullptr);
}

void Checker::layer(const LayerFile& l) {
  what_ = l.what;
  tree_.start_layer();
  Utf8Locale utf8;
  std::unique_ptr<struct archive, ReadFree> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_empty(a.get());
  if (archive_read_open_filename(a.get(), l.blob.c_str(), 1 << 20) != ARCHIVE_OK)
    fail(ErrorKind::build, "{}: not a readable layer: {}", what_, archive_error_string(a.get()));
  // Base layers come from images ecp did not build: a compression bomb among
  // them is refused at the header of the entry that would pass the bound.
  std::error_code ec;
  auto compressed = static_cast<std::int64_t>(std::filesystem::file_size(l.blob, ec));
  archive_entry* e = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) fail(ErrorKind::build, "{}: not a readable layer: {}", what_, archive_error_string(a.get()));
    if (!host_) check_expansion(a.get(), e, ec ? 0 : compressed, what_);
    entry(e);
    archive_read_data_skip(a.get());
  }
}

// A link made later can redirect one made earlier (x -> d/../y, then d -> .):
// on a host, every link left must still resolve inside the release folder.
void Checker::finish(std::string_view what) const {
  if (!host_) return;
  for (const auto& [name, target] : tree_.links()) {
    Resolved r = tree_.resolve(split_path(name), true);
    if (r.loop) fail(ErrorKind::build, "{}: symlink 'app/{}' is part of a symlink loop ({})", what, name, target);
    if (r.escaped || r.absolute)
      fail(ErrorKind::build, "{}: symlink 'app/{}' resolves outside the image root ({}) through the symlink 'app/{}'",
           what, name, target, r.via);
  }
}

}  // namespace

void check_layers(const std::vector<LayerFile>& layers, LayerRoot root) {
  Checker c(root);
  for (const auto& l : layers) c.layer(l);
  if (!layers.empty()) c.finish(layers.back().what);
}

void check_layer(const std::filesystem::path& blob, std::string_view what, LayerRoot root) {
  check_layers({LayerFile{blob, std::string(what)}}, root);
}

}  // namespace ecp::image
