#pragma once
// Files under templates/, embedded in the binary at build time (cmake/embed.cmake).
#include <string_view>
#include <vector>

namespace ecp::templates {

struct File {
  std::string_view path;     // relative to templates/, e.g. "jar/app/bin/entrypoint.sh"
  std::string_view content;
  bool executable;           // *.sh files get mode 0755
};

const std::vector<File>& all();

// The file at `path`, or nullptr.
const File* find(std::string_view path);

// Every file whose path starts with `prefix` (e.g. "jar/").
std::vector<File> under(std::string_view prefix);

}  // namespace ecp::templates
