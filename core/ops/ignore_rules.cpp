#include "core/ops/ignore_rules.hpp"

#include <fnmatch.h>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at <= path.size()) {
    auto slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > at) out.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

bool segment_matches(const std::string& pattern, std::string_view name) {
  return ::fnmatch(pattern.c_str(), std::string(name).c_str(), 0) == 0;
}

// Pattern segments against path parts, `**` standing for any number of parts.
bool match_from(const std::vector<std::string>& pat, std::size_t p, const std::vector<std::string_view>& parts,
                std::size_t i) {
  if (p == pat.size()) return i == parts.size();
  if (pat[p] == "**") {
    for (std::size_t j = i; j <= parts.size(); ++j)
      if (match_from(pat, p + 1, parts, j)) return true;
    return false;
  }
  return i < parts.size() && segment_matches(pat[p], parts[i]) && match_from(pat, p + 1, parts, i + 1);
}

}  // namespace

IgnoreRules IgnoreRules::parse(std::string_view text) {
  IgnoreRules r;
  for (auto d : {"*.swp", "*~", ".DS_Store"}) r.add(d);
  for (auto line : text::split(text, '\n')) r.add(line);
  return r;
}

void IgnoreRules::add(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Trailing spaces go unless escaped, as git has it.
  while (!line.empty() && line.back() == ' ' && !(line.size() > 1 && line[line.size() - 2] == '\\'))
    line.remove_suffix(1);
  if (line.empty() || line.front() == '#') return;
  Rule rule;
  if (line.front() == '!') {
    rule.negate = true;
    line.remove_prefix(1);
  } else if (line.starts_with("\\!") || line.starts_with("\\#")) {
    line.remove_prefix(1);
  }
  if (!line.empty() && line.back() == '/') {
    rule.dir_only = true;
    line.remove_suffix(1);
  }
  // A slash before the end anchors the pattern to the project folder.
  rule.anchored = line.find('/') != std::string_view::npos;
  for (auto s : split_path(line)) rule.segments.emplace_back(s);
  if (rule.segments.empty()) return;
  rules_.push_back(std::move(rule));
}

bool IgnoreRules::matches(const Rule& r, const std::vector<std::string_view>& parts, bool is_dir) {
  if (r.dir_only && !is_dir) return false;
  if (!r.anchored) return segment_matches(r.segments.front(), parts.back());
  return match_from(r.segments, 0, parts, 0);
}

bool IgnoreRules::ignored(std::string_view path) const {
  auto all = split_path(path);
  std::vector<std::string_view> prefix;
  for (std::size_t k = 0; k < all.size(); ++k) {
    prefix.push_back(all[k]);
    bool is_dir = k + 1 < all.size();
    bool out = false;
    for (const auto& r : rules_)
      if (matches(r, prefix, is_dir)) out = !r.negate;
    // Nothing inside a left-out folder comes back (git's rule).
    if (out) return true;
  }
  return false;
}

IgnoreRules load_ignore_rules(const std::filesystem::path& project_dir) {
  auto file = project_dir / ".ecpignore";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return IgnoreRules::parse("");
  return IgnoreRules::parse(fs::read_file(file, std::size_t(1) << 20));
}

}  // namespace ecp::ops
