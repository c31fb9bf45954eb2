#pragma once
// What goes into a layer: files read from disk, bytes made in memory, symlinks
// and folders, each at a path in the image. Collecting entries from disk checks
// them (only files, folders and symlinks that stay inside the given root), so a
// bad tree is refused before anything is written.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecp::image {

namespace stdfs = std::filesystem;

// What one stat of a source file said; the layer cache key is made of these.
struct FileStat {
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0;
  unsigned mode = 0;  // st_mode
  bool operator==(const FileStat&) const = default;
};

struct LayerEntry {
  enum class Type { file, bytes, symlink, directory };
  Type type = Type::file;
  std::string path;                // in the image: "/app/bin/run.sh" (a leading "/" is optional)
  stdfs::path source;              // file: the file on disk
  std::string content;             // bytes: the content; symlink: the target
  std::optional<unsigned> mode;    // permission bits; default 0755 for folders and executables, else 0644
  std::optional<FileStat> stat;    // file: set by entry_from_disk; the writer stats files without it

  static LayerEntry file(stdfs::path source, std::string path, std::optional<unsigned> mode = std::nullopt);
  static LayerEntry bytes(std::string path, std::string content, unsigned mode = 0644);
  static LayerEntry symlink(std::string path, std::string target);
  static LayerEntry directory(std::string path, unsigned mode = 0755);
};

// Describes what is at `source` (one lstat) as an entry at `image_path`.
// Throws Error(build) naming `source` for a socket, fifo or device, and for a
// symlink that is absolute, loops, or points outside `root`.
LayerEntry entry_from_disk(const stdfs::path& source, std::string image_path, const stdfs::path& root);

// Which paths add_tree takes: `rel` is relative to the tree's folder.
using TreeFilter = std::function<bool(const stdfs::path& rel, bool is_dir)>;

// Appends `dir` (as `image_dir`) and everything under it, in sorted order.
// Symlinks are kept as symlinks, never followed. A folder the filter refuses is
// not entered. Without a filter everything is taken.
void add_tree(std::vector<LayerEntry>& out, const stdfs::path& dir, std::string_view image_dir,
              const stdfs::path& root, const TreeFilter& filter = {});

// Checks a symlink found at `link` (inside `root`) whose target is `target`;
// throws Error(build) naming `link` when it escapes `root`.
void check_symlink(const stdfs::path& link, const std::string& target, const stdfs::path& root);

}  // namespace ecp::image
