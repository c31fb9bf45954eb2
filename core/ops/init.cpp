#include "core/ops/init.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>
#include <system_error>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "templates/templates.hpp"

namespace ecp::ops {
namespace {

namespace stdfs = std::filesystem;

// Folders of each layout that no template file creates: a fresh project has them
// empty (the jar goes to app/lib, the site to app/html, runtime data to app/data).
std::vector<std::string> empty_dirs(std::string_view type) {
  if (type == "jar") return {"app/data", "app/lib"};
  if (type == "nginx") return {"app/data", "app/html"};
  return {"app/data", "app/webapps"};
}

std::string substitute_name(std::string_view text, std::string_view name) {
  static constexpr std::string_view token = "{{NAME}}";
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (auto i = text.find(token); i != std::string_view::npos; i = text.find(token, pos)) {
    out.append(text.substr(pos, i - pos));
    out.append(name);
    pos = i + token.size();
  }
  out.append(text.substr(pos));
  return out;
}

std::string resolve_name(const InitOptions& o) {
  if (!o.name.empty()) {
    if (!valid_app_name(o.name))
      fail(ErrorKind::validation,
           "invalid app name '{}': use 1 to 63 lower-case letters, digits and '-', starting and ending "
           "with a letter or digit",
           o.name);
    return o.name;
  }
  auto abs = stdfs::absolute(o.dir).lexically_normal();
  if (!abs.has_filename()) abs = abs.parent_path();
  std::string base = abs.filename().string();
  if (!valid_app_name(base))
    fail(ErrorKind::validation,
         "the folder name '{}' is not a valid app name (1 to 63 lower-case letters, digits and '-', "
         "starting and ending with a letter or digit); choose one with --name",
         base);
  return base;
}

struct PlannedFile {
  std::string rel;  // relative to the project folder
  std::string content;
  bool executable;
};

// common/ first, then <type>/, so a layout can replace a shared file.
std::vector<PlannedFile> plan_files(const std::string& type, const std::string& name) {
  std::map<std::string, PlannedFile> files;
  for (std::string prefix : {std::string("common/"), type + "/"})
    for (const auto& f : templates::under(prefix)) {
      std::string rel(f.path.substr(prefix.size()));
      files[rel] = {rel, substitute_name(f.content, name), f.executable};
    }
  if (!files.contains("ecp.yaml")) fail(ErrorKind::internal, "the {} layout has no ecp.yaml template", type);
  std::vector<PlannedFile> out;
  for (auto& [rel, f] : files) out.push_back(std::move(f));
  return out;
}

// Every folder the layout needs, parents before children, relative ("" is the project folder).
std::vector<std::string> plan_dirs(const std::vector<PlannedFile>& files, const std::string& type) {
  std::set<std::string> dirs{""};
  auto add_with_parents = [&](stdfs::path p) {
    for (; !p.empty(); p = p.parent_path()) dirs.insert(p.generic_string());
  };
  for (const auto& f : files) add_with_parents(stdfs::path(f.rel).parent_path());
  for (const auto& d : empty_dirs(type)) add_with_parents(d);
  return {dirs.begin(), dirs.end()};  // sorted: "a" comes before "a/b"
}

std::string shown(const stdfs::path& dir, const std::string& rel) {
  return rel.empty() ? dir.string() : (dir / rel).string();
}

}  // namespace

const std::vector<std::string>& layout_types() {
  static const std::vector<std::string> types{"jar", "nginx", "tomcat"};
  return types;
}

bool valid_app_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '-'; });
}

InitResult init(const InitOptions& o) {
  const auto& types = layout_types();
  if (std::find(types.begin(), types.end(), o.type) == types.end())
    fail(ErrorKind::validation, "unknown application type '{}': expected {}", o.type, fmt::join(types, ", "));
  InitResult r{resolve_name(o), o.type, o.dir, {}, {}, {}};
  auto files = plan_files(o.type, r.name);
  auto dirs = plan_dirs(files, o.type);

  // Check every path before writing anything, so a refused init leaves no trace.
  std::vector<std::string> blocked;
  for (const auto& d : dirs) {
    std::error_code ec;
    auto st = stdfs::status(o.dir / d, ec);
    if (stdfs::exists(st) && !stdfs::is_directory(st)) blocked.push_back(shown(o.dir, d) + " (not a folder)");
  }
  for (const auto& f : files) {
    std::error_code ec;
    auto st = stdfs::symlink_status(o.dir / f.rel, ec);
    if (stdfs::is_directory(st))
      blocked.push_back(shown(o.dir, f.rel) + " (a folder)");
    else if (stdfs::exists(st))
      r.replaced.push_back(f.rel);
  }
  if (!blocked.empty())
    fail(ErrorKind::usage, "cannot create the {} layout, these paths are in the way: {}; nothing was written", o.type,
         fmt::join(blocked, ", "));
  if (!r.replaced.empty() && !o.force) {
    std::vector<std::string> names;
    for (const auto& rel : r.replaced) names.push_back(shown(o.dir, rel));
    fail(ErrorKind::usage, "{} file(s) already exist: {}; nothing was written (--force replaces them)", names.size(),
         fmt::join(names, ", "));
  }

  for (const auto& d : dirs) {
    std::error_code ec;
    stdfs::create_directories(o.dir / d, ec);
    if (ec) fail(ErrorKind::io, "{}: cannot create the folder: {}", shown(o.dir, d), ec.message());
  }
  for (const auto& f : files) {
    fs::write_file_atomic(o.dir / f.rel, f.content, f.executable ? 0755 : 0644);
    log::debug("wrote {}", shown(o.dir, f.rel));
    r.files.push_back(f.rel);
  }
  r.dirs = empty_dirs(o.type);
  return r;
}

}  // namespace ecp::ops
