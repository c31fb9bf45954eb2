#include "core/descriptor/yaml_tree.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/descriptor/yaml_text.hpp"

namespace ecp::descriptor::yaml {

const Entry* Node::find(std::string_view key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::null: return "nothing";
    case Kind::scalar: return "a string";
    case Kind::sequence: return "a list";
    case Kind::map: return "a map";
  }
  return "nothing";
}

namespace {

struct Abort {};  // stops the parse; the reason is already in the diagnostics

using MutableNode = std::shared_ptr<Node>;

// Builds the tree from parser events. Collections are frames on a stack; a map frame
// alternates between waiting for a key and waiting for that key's value.
class Builder : public YAML::EventHandler {
 public:
  Builder(const LineIndex& lines, const std::string& file, Diagnostics& out) : lines_(lines), file_(file), out_(out) {}

  NodePtr root() const { return root_; }
  int documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ == 1) return;
    auto [line, column] = position(mark);
    error(line, column, "", "only one YAML document is allowed; remove the '---' that starts a second one");
    throw Abort{};
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto n = make(Kind::null, mark);
    remember(anchor, n);
    attach(n, anchor == 0);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end() || open_.count(it->second.get()) != 0) {
      auto [line, column] = position(mark);
      error(line, column, path(), "an alias cannot refer to a node that contains it");
      throw Abort{};
    }
    attach(it->second, false);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    auto n = make(Kind::scalar, mark);
    n->value = value;
    if (tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
        tag == "tag:yaml.org,2002:bool") {
      n->plain = true;
    } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      n->plain = false;  // quoted, a block scalar, or !!str: always a string
    } else {
      n->plain = false;
      error(n->line, n->column, path(), fmt::format("unsupported YAML tag '{}'", tag));
    }
    remember(anchor, n);
    attach(n, false);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Kind::sequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Kind::map, mark, tag, anchor);
  }
  void OnMapEnd() override {
    Frame& f = stack_.back();
    // Merge keys: explicit keys win, then earlier merge sources win.
    for (const auto& source : f.merges)
      for (const auto& e : source->entries)
        if (f.seen.emplace(e.key, e.line).second) {
          f.node->entries.push_back(e);
          add_weight(*f.node, e.value->weight);
        }
    close();
  }

 private:
  struct Frame {
    MutableNode node;
    bool have_key = false;  // map: the key is read, its value is next
    bool key_usable = false;
    bool key_merge = false;
    std::string key;
    int key_line = 0;
    int key_column = 0;
    std::unordered_map<std::string, int> seen;  // key -> line
    std::vector<NodePtr> merges;
  };

  std::pair<int, int> position(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.line < 0) return {1, 1};
    return {mark.line + 1, lines_.column(mark.line, mark.column)};
  }

  MutableNode make(Kind kind, const YAML::Mark& mark) {
    auto n = std::make_shared<Node>();
    n->kind = kind;
    std::tie(n->line, n->column) = position(mark);
    return n;
  }

  void remember(YAML::anchor_t anchor, const MutableNode& n) {
    if (anchor != 0) anchors_[anchor] = n;
  }

  void error(int line, int column, std::string field, std::string message) {
    out_.push_back(Diagnostic{file_, line, column, Severity::error, std::move(field), std::move(message)});
  }

  // The dotted path of the value being built, for Diagnostic::field.
  std::string path() const {
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

  void open(Kind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    auto n = make(kind, mark);
    if (stack_.size() >= max_depth) {
      error(n->line, n->column, path(), fmt::format("the YAML is nested more than {} levels deep", max_depth));
      throw Abort{};
    }
    if (tag != "?" && tag != "!" && tag != "tag:yaml.org,2002:map" && tag != "tag:yaml.org,2002:seq")
      error(n->line, n->column, path(), fmt::format("unsupported YAML tag '{}'", tag));
    remember(anchor, n);
    open_.insert(n.get());
    Frame f;
    f.node = n;
    stack_.push_back(std::move(f));
  }

  void close() {
    MutableNode n = stack_.back().node;
    stack_.pop_back();
    open_.erase(n.get());
    attach(n, false);
  }

  void add_weight(Node& parent, std::size_t w) {
    parent.weight += std::min(w, max_nodes + 1);
    if (parent.weight > max_nodes) {
      error(parent.line, parent.column, path(),
            fmt::format("the document has more than {} nodes once aliases are expanded", max_nodes));
      throw Abort{};
    }
  }

  // Puts a finished node where it belongs: the root, a list item, a map key or value.
  void attach(const MutableNode& n, bool fresh_null) {
    if (stack_.empty()) {
      root_ = n;
      return;
    }
    Frame& f = stack_.back();
    if (f.node->kind == Kind::sequence) {
      f.node->items.push_back(n);
      add_weight(*f.node, n->weight);
      return;
    }
    if (!f.have_key) {
      if (n->kind == Kind::null) error(n->line, n->column, path(), "a key is empty");
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
    if (auto it = f.seen.find(f.key); it != f.seen.end()) {
      f.have_key = true;  // so path() names the duplicate
      error(f.key_line, f.key_column, path(),
            fmt::format("duplicate key '{}' on line {} (first defined on line {})", f.key, f.key_line, it->second));
      f.have_key = false;
      return;
    }
    f.seen.emplace(f.key, f.key_line);
    if (fresh_null) {  // yaml-cpp places an empty value at the next token; the key is where it is
      n->line = f.key_line;
      n->column = f.key_column;
    }
    f.node->entries.push_back(Entry{f.key, f.key_line, f.key_column, n});
    add_weight(*f.node, n->weight);
  }

  void merge(Frame& f, const NodePtr& n) {
    if (n->kind == Kind::map) return f.merges.push_back(n);
    bool all_maps = n->kind == Kind::sequence;
    for (const auto& item : n->items) all_maps = all_maps && item->kind == Kind::map;
    if (!all_maps) return error(n->line, n->column, path(), "'<<' (merge) needs an alias to a map or a list of them");
    for (const auto& item : n->items) f.merges.push_back(item);
  }

  const LineIndex& lines_;
  const std::string& file_;
  Diagnostics& out_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, MutableNode> anchors_;
  std::unordered_set<const Node*> open_;
  NodePtr root_;
  int documents_ = 0;
};

}  // namespace

Document parse(std::string_view text, const std::string& file, Diagnostics& out) {
  auto problem = [&](int line, int column, std::string message) {
    out.push_back(Diagnostic{file, line, column, Severity::error, "", std::move(message)});
  };
  Document doc;
  if (text.size() > max_bytes) {
    problem(1, 1, fmt::format("the file is {} bytes; ecp reads files of up to 1 MiB ({} bytes)", text.size(), max_bytes));
    return doc;
  }
  LineIndex lines(text);
  if (auto bad = invalid_utf8_offset(text)) {
    auto [line, column] = lines.position(*bad);
    problem(line, column, fmt::format("invalid UTF-8 (byte 0x{:02X}); the file must be UTF-8 text",
                                      static_cast<unsigned char>(text[*bad])));
    return doc;
  }
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    auto [line, column] = lines.position(nul);
    problem(line, column, "the file contains a NUL byte; it must be UTF-8 text");
    return doc;
  }
  auto tabs = tab_indentation(text);
  for (auto offset : tabs) {
    auto [line, column] = lines.position(offset);
    problem(line, column, "a tab is used for indentation; YAML allows only spaces");
  }
  if (!tabs.empty()) return doc;

  auto problem_at = [&](const YAML::Mark& mark, std::string message) {
    if (mark.is_null() || mark.line < 0) return problem(1, 1, std::move(message));
    problem(mark.line + 1, lines.column(mark.line, mark.column), std::move(message));
  };
  std::istringstream in{std::string(text)};
  Builder builder(lines, file, out);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const Abort&) {
    if (builder.documents() < 2) return doc;  // the first document is incomplete
  } catch (const YAML::DeepRecursion& e) {
    problem_at(e.mark, "the YAML is nested too deeply");
    return doc;
  } catch (const YAML::Exception& e) {
    problem_at(e.mark, fmt::format("YAML syntax error: {}", e.msg));
    return doc;
  } catch (const std::exception& e) {
    problem(1, 1, fmt::format("cannot parse the YAML: {}", e.what()));
    return doc;
  }
  doc.root = builder.root();
  doc.empty = builder.documents() == 0 || !doc.root || doc.root->kind == Kind::null;
  return doc;
}

}  // namespace ecp::descriptor::yaml
