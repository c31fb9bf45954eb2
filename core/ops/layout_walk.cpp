#include "core/ops/layout_walk.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/util/error.hpp"

namespace ecp::ops {
namespace {

// Appends everything under `dir` (relative name `rel`) to `out`: files,
// symlinks and empty folders (the layer writer emits the parents of the rest).
// readdir's d_type tells folders apart without a stat, so the walk costs no
// stat: the one lstat per path is entry_from_disk's, and an unchanged layer
// costs one stat per file.
void walk(const std::string& dir, const std::string& rel, std::vector<std::string>& out) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) fail(errno_kind(errno, ErrorKind::build), "{}: cannot read the folder: {}", dir, std::strerror(errno));
  bool empty = true;
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d.get());
    if (e == nullptr) {
      if (errno != 0)
        fail(errno_kind(errno, ErrorKind::build), "{}: cannot read the folder: {}", dir, std::strerror(errno));
      break;
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    empty = false;
    std::string path = dir + "/" + std::string(name);
    std::string child = rel.empty() ? std::string(name) : rel + "/" + std::string(name);
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {  // some file systems do not fill d_type
      struct stat st {};
      is_dir = ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir)
      walk(path, child, out);
    else
      out.push_back(std::move(child));
  }
  if (empty && !rel.empty()) out.push_back(rel);
}

}  // namespace

std::vector<std::string> walk_layout(const std::filesystem::path& root) {
  std::vector<std::string> out;
  walk(root.string(), "", out);
  std::sort(out.begin(), out.end());
  // NAME beside NAME.tmpl is what autoconfig.sh rendered locally; the image gets
  // the template only and renders at start.
  // Marked in a first pass, so the search never sees a vector being compacted.
  std::vector<bool> rendered(out.size());
  for (size_t i = 0; i < out.size(); ++i) rendered[i] = std::binary_search(out.begin(), out.end(), out[i] + ".tmpl");
  std::vector<std::string> kept;
  kept.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i)
    if (!rendered[i]) kept.push_back(std::move(out[i]));
  return kept;
}

}  // namespace ecp::ops
