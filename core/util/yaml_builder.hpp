#pragma once
// Turns yaml-cpp parser events into a yaml::Node tree, reporting duplicate keys,
// bad keys and tags as it goes. Internal to yaml.cpp.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/util/yaml.hpp"
#include "core/util/yaml_text.hpp"

namespace ecp::yaml {

struct Abort {};  // stops the parse; the reason is already in the diagnostics

// Collections are frames on a stack; a map frame alternates between waiting for a key
// and waiting for that key's value. Aliases share the anchored node (never copied),
// and every node's weight and bytes count its expanded size, so alias bombs stop
// at the alias that crosses a limit, before any reader copies the values.
class Builder : public YAML::EventHandler {
 public:
  Builder(const LineIndex& lines, const std::string& file, Diagnostics& out, const Options& options)
      : lines_(lines), file_(file), out_(out), options_(options) {}

  NodePtr root() const { return root_; }
  int documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark& mark) override;
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override;
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override;
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override;
  void OnMapEnd() override;

 private:
  using MutableNode = std::shared_ptr<Node>;
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

  std::pair<int, int> position(const YAML::Mark& mark) const;
  MutableNode make(Kind kind, const YAML::Mark& mark);
  void remember(YAML::anchor_t anchor, const MutableNode& n);
  void error(int line, int column, std::string field, std::string message);
  std::string path() const;
  void open(Kind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor);
  void close();
  void add_child(Node& parent, const Node& child, std::size_t key_bytes);
  void count_alias(const Node& target, const YAML::Mark& mark);
  void attach(const MutableNode& n, bool fresh_null);
  void merge(Frame& f, const NodePtr& n);

  const LineIndex& lines_;
  const std::string& file_;
  Diagnostics& out_;
  const Options& options_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, MutableNode> anchors_;
  std::unordered_set<const Node*> open_;
  NodePtr root_;
  int documents_ = 0;
  std::size_t alias_bytes_ = 0;  // text added by aliases: the document's expanded size less its own
};

}  // namespace ecp::yaml
