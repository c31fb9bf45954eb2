#pragma once
// .ecpignore, beside ecp.yaml: what `ecp build` leaves out of the image, in
// gitignore's syntax (the .dockerignore habit). Paths are relative to the
// project folder ("app/data/cache.db"). A pattern without a slash matches a
// name at any depth, one with a slash is anchored to the project folder;
// `*`, `?` and `[...]` stay within a name, `**` spans folders, a trailing `/`
// matches folders only, `!` takes a match back, the last matching line wins,
// and nothing inside a left-out folder can be taken back. `#` starts a comment.
// Editor and system litter (*.swp, *~, .DS_Store) is left out by default; a
// `!` line brings it back.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ecp::ops {

class IgnoreRules {
 public:
  // The defaults, then the lines of `text`.
  static IgnoreRules parse(std::string_view text);
  // Whether `path` ('/'-separated, relative to the project folder) is left out.
  bool ignored(std::string_view path) const;

 private:
  struct Rule {
    std::vector<std::string> segments;  // the pattern split at '/'
    bool negate = false, dir_only = false, anchored = false;
  };
  void add(std::string_view line);
  static bool matches(const Rule& r, const std::vector<std::string_view>& parts, bool is_dir);
  std::vector<Rule> rules_;
};

// PROJECT/.ecpignore's rules (only the defaults when there is none); throws
// Error(build) when it cannot be read.
IgnoreRules load_ignore_rules(const std::filesystem::path& project_dir);

}  // namespace ecp::ops
