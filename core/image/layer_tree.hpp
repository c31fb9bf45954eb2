#pragma once
// The symlinks an extractor has made so far, over every layer unpacked in one
// root, bottom first: what check_layers resolves entry names against. Paths
// are relative to the root, components joined by '/', "" for the root itself.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace ecp::image {

using PathParts = std::vector<std::string>;

// Splits `path` at '/' dropping empty and "." parts; ".." parts are kept.
PathParts split_path(const std::string& path);
std::string join_path(const PathParts& parts, std::size_t n);
inline std::string join_path(const PathParts& parts) { return join_path(parts, parts.size()); }
// Lexically applies ".." (no symlinks); false when it climbs above the root.
bool lexical_path(const PathParts& in, PathParts& out);

// How a path resolved through the links seen so far.
struct Resolved {
  PathParts parts;        // where it ends up inside the root (".." clamped at the root)
  std::string via;        // the first symlink followed, "" when none
  bool escaped = false;   // a ".." climbed above the root
  bool absolute = false;  // an absolute link target was followed
  bool loop = false;      // too many links: an extractor gives up (ELOOP)
};

class LayerTree {
 public:
  // Resolves `parts` from the root as an extractor confined to it would: every
  // symlink on the way is followed, the last one only when follow_last.
  Resolved resolve(const PathParts& parts, bool follow_last) const;

  void start_layer() { ++layer_; }
  // An entry at `path` (resolved): a symlink replaces what was there; any other
  // entry does too, and what is not a folder removes what was below it.
  void add_symlink(const std::string& path, const std::string& target);
  void add_other(const std::string& path, bool directory);
  // Whiteouts: ".wh.NAME" removes path and what is below it; an opaque folder
  // hides what lower layers put in it.
  void whiteout(const std::string& path);
  void opaque(const std::string& dir);

  // name -> target of every symlink left.
  std::map<std::string, std::string> links() const;

 private:
  struct Link {
    std::string target;
    int layer;
  };
  void erase_below(const std::string& path, bool lower_layers_only);
  std::map<std::string, Link> links_;
  int layer_ = 0;
};

}  // namespace ecp::image
