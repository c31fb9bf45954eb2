#include "core/image/layer_entry.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/util/error.hpp"

namespace ecp::image {
namespace {

const char* kind_name(mode_t m) {
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISFIFO(m)) return "a fifo";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  return "not a regular file";
}

bool inside(const stdfs::path& p, const stdfs::path& root) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  // "root/" ends in an empty element; it matches anything.
  return r == root.end() || (std::next(r) == root.end() && r->empty());
}

std::string join_image(std::string_view dir, const stdfs::path& rel) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  return out + rel.generic_string();
}

}  // namespace

LayerEntry LayerEntry::file(stdfs::path source, std::string path, std::optional<unsigned> mode) {
  LayerEntry e;
  e.type = Type::file;
  e.source = std::move(source);
  e.path = std::move(path);
  e.mode = mode;
  return e;
}

LayerEntry LayerEntry::bytes(std::string path, std::string content, unsigned mode) {
  LayerEntry e;
  e.type = Type::bytes;
  e.path = std::move(path);
  e.content = std::move(content);
  e.mode = mode;
  return e;
}

LayerEntry LayerEntry::symlink(std::string path, std::string target) {
  LayerEntry e;
  e.type = Type::symlink;
  e.path = std::move(path);
  e.content = std::move(target);
  return e;
}

LayerEntry LayerEntry::directory(std::string path, unsigned mode) {
  LayerEntry e;
  e.type = Type::directory;
  e.path = std::move(path);
  e.mode = mode;
  return e;
}

void check_symlink(const stdfs::path& link, const std::string& target, const stdfs::path& root) {
  if (target.empty()) fail(ErrorKind::build, "{}: symlink with an empty target", link.string());
  if (target.front() == '/')
    fail(ErrorKind::build, "{}: symlink to an absolute path ({}) would point outside {} in the image", link.string(),
         target, root.string());
  auto abs_root = stdfs::absolute(root).lexically_normal();
  auto abs_link = stdfs::absolute(link);
  // Lexically: the target as written must stay inside the root...
  auto lexical = (abs_link.parent_path() / target).lexically_normal();
  if (!inside(lexical, abs_root))
    fail(ErrorKind::build, "{}: symlink points outside {} (to {})", link.string(), root.string(), target);
  // ...and physically, following every symlink on the way (catches a chain that
  // escapes through another symlink, and loops).
  std::error_code ec;
  auto real_root = stdfs::canonical(abs_root, ec);
  if (ec) fail(ErrorKind::build, "{}: {}", root.string(), ec.message());
  auto real = stdfs::weakly_canonical(abs_link.parent_path() / target, ec);
  if (ec.value() == ELOOP) fail(ErrorKind::build, "{}: symlink loop", link.string());
  if (ec) fail(ErrorKind::build, "{}: cannot resolve the symlink: {}", link.string(), ec.message());
  if (!inside(real, real_root))
    fail(ErrorKind::build, "{}: symlink points outside {} (through {})", link.string(), root.string(), real.string());
}

LayerEntry entry_from_disk(const stdfs::path& source, std::string image_path, const stdfs::path& root) {
  struct stat st {};
  if (::lstat(source.c_str(), &st) != 0)
    fail(errno_kind(errno, ErrorKind::build), "{}: cannot read: {}", source.string(), std::strerror(errno));
  if (S_ISREG(st.st_mode)) {
    auto e = LayerEntry::file(source, std::move(image_path));
    e.stat = FileStat{st.st_size, static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                      static_cast<std::uint64_t>(st.st_ino), st.st_mode};
    return e;
  }
  if (S_ISDIR(st.st_mode)) return LayerEntry::directory(std::move(image_path));
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4096), '\0');
    ssize_t n = ::readlink(source.c_str(), target.data(), target.size());
    if (n < 0)
      fail(errno_kind(errno, ErrorKind::build), "{}: cannot read the symlink: {}", source.string(),
           std::strerror(errno));
    target.resize(static_cast<std::size_t>(n));
    check_symlink(source, target, root);
    return LayerEntry::symlink(std::move(image_path), std::move(target));
  }
  fail(ErrorKind::build, "{}: is {}; only files, folders and symlinks can go into an image", source.string(),
       kind_name(st.st_mode));
}

void add_tree(std::vector<LayerEntry>& out, const stdfs::path& dir, std::string_view image_dir, const stdfs::path& root,
              const TreeFilter& filter) {
  auto top = entry_from_disk(dir, std::string(image_dir), root);
  if (top.type != LayerEntry::Type::directory) fail(ErrorKind::build, "{}: is not a folder", dir.string());
  out.push_back(std::move(top));
  // d_type from readdir tells folders apart without a stat; entry_from_disk
  // then makes the one lstat per path.
  std::vector<std::pair<stdfs::path, bool>> names;
  std::error_code ec;
  for (stdfs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code tec;
    bool is_dir = it->symlink_status(tec).type() == stdfs::file_type::directory;
    names.emplace_back(it->path().filename(), is_dir);
  }
  if (ec) fail(ErrorKind::build, "{}: cannot list: {}", dir.string(), ec.message());
  std::sort(names.begin(), names.end());
  for (const auto& [name, is_dir] : names) {
    if (filter && !filter(name, is_dir)) continue;
    auto image_path = join_image(image_dir, name);
    if (is_dir) {
      // The filter sees paths relative to the top folder.
      TreeFilter sub;
      if (filter) sub = [&filter, &name](const stdfs::path& rel, bool d) { return filter(name / rel, d); };
      add_tree(out, dir / name, image_path, root, sub);
    } else {
      out.push_back(entry_from_disk(dir / name, std::move(image_path), root));
    }
  }
}

}  // namespace ecp::image
