#include "core/util/yaml_builder.hpp"

#include <fmt/format.h>

namespace ecp::yaml {
namespace {

// 'text' for messages; user text can be up to a megabyte long.
std::string shorten(std::string_view text) {
  if (text.size() <= 60) return fmt::format("'{}'", text);
  std::size_t cut = 60;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("'{}...'", text.substr(0, cut));
}

}  // namespace

void Builder::OnDocumentStart(const YAML::Mark& mark) {
  if (++documents_ == 1) return;
  auto [line, column] = position(mark);
  error(line, column, "", "only one YAML document is allowed; remove the '---' that starts a second one");
  throw Abort{};
}

void Builder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
  auto n = make(Kind::null, mark);
  remember(anchor, n);
  attach(n, anchor == 0);
}

void Builder::OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) {
  auto it = anchors_.find(anchor);
  if (it == anchors_.end() || open_.count(it->second.get()) != 0) {
    auto [line, column] = position(mark);
    error(line, column, path(), "an alias cannot refer to a node that contains it");
    throw Abort{};
  }
  if (!options_.aliases) {
    auto [line, column] = position(mark);
    error(line, column, path(), "aliases (*name) are not supported in this file; write the value");
  }
  count_alias(*it->second, mark);
  attach(it->second, false);
}

void Builder::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       const std::string& value) {
  auto n = make(Kind::scalar, mark);
  n->value = value;
  n->bytes = value.size();
  if (tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
      tag == "tag:yaml.org,2002:bool") {
    n->plain = true;
  } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
    n->plain = false;  // quoted, a block scalar, or !!str: always a string
  } else {
    n->plain = false;
    error(n->line, n->column, path(), fmt::format("unsupported YAML tag {}", shorten(tag)));
  }
  remember(anchor, n);
  attach(n, false);
}

void Builder::OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                              YAML::EmitterStyle::value) {
  open(Kind::sequence, mark, tag, anchor);
}

void Builder::OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) {
  open(Kind::map, mark, tag, anchor);
}

void Builder::OnMapEnd() {
  Frame& f = stack_.back();
  // Merge keys: explicit keys win, then earlier merge sources win.
  for (const auto& source : f.merges)
    for (const auto& e : source->entries)
      if (f.seen.emplace(e.key, e.line).second) {
        f.node->entries.push_back(e);
        add_child(*f.node, *e.value, e.key.size());
      }
  close();
}

std::pair<int, int> Builder::position(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return {1, 1};
  return {mark.line + 1, lines_.column(mark.line, mark.column)};
}

Builder::MutableNode Builder::make(Kind kind, const YAML::Mark& mark) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  std::tie(n->line, n->column) = position(mark);
  return n;
}

void Builder::remember(YAML::anchor_t anchor, const MutableNode& n) {
  if (anchor != 0) anchors_[anchor] = n;
}

void Builder::error(int line, int column, std::string field, std::string message) {
  out_.push_back(Diagnostic{file_, line, column, Severity::error, std::move(field), std::move(message)});
}

// The dotted path of the value being built, for Diagnostic::field.
std::string Builder::path() const {
  std::string p;
  for (const auto& f : stack_) {
    if (f.node->kind == Kind::sequence) {
      p += fmt::format("[{}]", f.node->items.size());
    } else if (f.have_key) {
      if (!p.empty()) p += '.';
      p += f.key;
    }
  }
  return p;
}

void Builder::open(Kind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
  auto n = make(kind, mark);
  if (stack_.size() >= max_depth) {
    error(n->line, n->column, path(), fmt::format("the YAML is nested more than {} levels deep", max_depth));
    throw Abort{};
  }
  if (tag != "?" && tag != "!" && tag != "tag:yaml.org,2002:map" && tag != "tag:yaml.org,2002:seq")
    error(n->line, n->column, path(), fmt::format("unsupported YAML tag {}", shorten(tag)));
  remember(anchor, n);
  open_.insert(n.get());
  Frame f;
  f.node = n;
  stack_.push_back(std::move(f));
}

void Builder::close() {
  MutableNode n = stack_.back().node;
  stack_.pop_back();
  open_.erase(n.get());
  attach(n, false);
}

void Builder::add_child(Node& parent, const Node& child, std::size_t key_bytes) {
  parent.weight += std::min(child.weight, max_nodes + 1);
  if (parent.weight > max_nodes) {
    error(parent.line, parent.column, path(),
          fmt::format("the document has more than {} nodes once aliases are expanded", max_nodes));
    throw Abort{};
  }
  // No overflow: a node's bytes never exceed the document's, which count_alias bounds.
  parent.bytes += child.bytes + key_bytes;
}

// Counted when the alias is met, from the target's precomputed size, so that
// the alias crossing the budget is the one named, and nothing is copied first.
void Builder::count_alias(const Node& target, const YAML::Mark& mark) {
  alias_bytes_ += std::min(target.bytes, max_expanded_bytes + 1);
  if (alias_bytes_ <= max_expanded_bytes) return;
  auto [line, column] = position(mark);
  error(line, column, path(),
        fmt::format("aliases expand the document to more than {} MiB of text (this one repeats {} bytes); "
                    "write the values out or use fewer aliases",
                    max_expanded_bytes >> 20, target.bytes));
  throw Abort{};
}

// Puts a finished node where it belongs: the root, a list item, a map key or value.
void Builder::attach(const MutableNode& n, bool fresh_null) {
  if (stack_.empty()) {
    root_ = n;
    return;
  }
  Frame& f = stack_.back();
  if (f.node->kind == Kind::sequence) {
    f.node->items.push_back(n);
    add_child(*f.node, *n, 0);
    return;
  }
  if (!f.have_key) {
    if (n->kind == Kind::null)
      error(n->line, n->column, path(), "a key is empty");
    else if (n->kind != Kind::scalar)
      error(n->line, n->column, path(), fmt::format("a key must be a string, not {}", kind_name(n->kind)));
    f.have_key = true;
    f.key_line = n->line;
    f.key_column = n->column;
    f.key_usable = n->kind == Kind::scalar;
    f.key_merge = f.key_usable && n->plain && n->value == "<<";
    f.key = f.key_usable ? n->value : std::string();
    return;
  }
  f.have_key = false;
  if (!f.key_usable) return;
  if (f.key_merge) return merge(f, n);
  if (auto it = f.seen.find(f.key); it == f.seen.end()) {
    f.seen.emplace(f.key, f.key_line);
  } else if (options_.report_duplicates) {
    f.have_key = true;  // so path() names the duplicate
    error(
        f.key_line, f.key_column, path(),
        fmt::format("duplicate key {} on line {} (first defined on line {})", shorten(f.key), f.key_line, it->second));
    f.have_key = false;
    return;
  }
  if (fresh_null) {  // yaml-cpp places an empty value at the next token; the key is where it is
    n->line = f.key_line;
    n->column = f.key_column;
  }
  f.node->entries.push_back(Entry{f.key, f.key_line, f.key_column, n});
  add_child(*f.node, *n, f.key.size());
}

void Builder::merge(Frame& f, const NodePtr& n) {
  if (n->kind == Kind::map) return f.merges.push_back(n);
  bool all_maps = n->kind == Kind::sequence;
  for (const auto& item : n->items) all_maps = all_maps && item->kind == Kind::map;
  if (!all_maps) return error(n->line, n->column, path(), "'<<' (merge) needs an alias to a map or a list of them");
  for (const auto& item : n->items) f.merges.push_back(item);
}

}  // namespace ecp::yaml
