#include "core/image/layer_tree.hpp"

#include <deque>

namespace ecp::image {
namespace {
// Linux follows at most 40 links in one lookup before ELOOP.
constexpr int max_links = 40;
}  // namespace

PathParts split_path(const std::string& path) {
  PathParts out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (!part.empty() && part != ".") out.push_back(std::move(part));
    start = end + 1;
  }
  return out;
}

std::string join_path(const PathParts& parts, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n && i < parts.size(); ++i) s += (i ? "/" : "") + parts[i];
  return s;
}

bool lexical_path(const PathParts& in, PathParts& out) {
  for (const auto& p : in) {
    if (p != "..") {
      out.push_back(p);
    } else if (out.empty()) {
      return false;
    } else {
      out.pop_back();
    }
  }
  return true;
}

Resolved LayerTree::resolve(const PathParts& parts, bool follow_last) const {
  Resolved r;
  std::deque<std::string> todo(parts.begin(), parts.end());
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == "..") {
      // In a container's root "/.." is "/"; on a host it is outside.
      if (r.parts.empty())
        r.escaped = true;
      else
        r.parts.pop_back();
      continue;
    }
    r.parts.push_back(std::move(part));
    if (todo.empty() && !follow_last) break;
    auto it = links_.find(join_path(r.parts));
    if (it == links_.end()) continue;
    if (r.via.empty()) r.via = it->first;
    if (++hops > max_links) {
      r.loop = true;
      return r;
    }
    r.parts.pop_back();
    const std::string& target = it->second.target;
    if (!target.empty() && target.front() == '/') {
      r.absolute = true;
      r.parts.clear();
    }
    auto more = split_path(target);
    todo.insert(todo.begin(), more.begin(), more.end());
  }
  return r;
}

void LayerTree::erase_below(const std::string& path, bool lower_layers_only) {
  std::string prefix = path.empty() ? "" : path + "/";
  for (auto it = links_.lower_bound(prefix); it != links_.end() && it->first.starts_with(prefix);) {
    if (lower_layers_only && it->second.layer == layer_)
      ++it;
    else
      it = links_.erase(it);
  }
}

void LayerTree::add_symlink(const std::string& path, const std::string& target) {
  erase_below(path, false);
  links_[path] = Link{target, layer_};
}

void LayerTree::add_other(const std::string& path, bool directory) {
  links_.erase(path);
  if (!directory) erase_below(path, false);
}

void LayerTree::whiteout(const std::string& path) {
  links_.erase(path);
  erase_below(path, false);
}

void LayerTree::opaque(const std::string& dir) { erase_below(dir, true); }

std::map<std::string, std::string> LayerTree::links() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, link] : links_) out[name] = link.target;
  return out;
}

}  // namespace ecp::image
