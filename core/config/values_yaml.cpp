#include "core/config/values_yaml.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>

namespace ecp::config {
namespace {

// 0-based line and byte column (yaml-cpp's marks) -> 1-based line and character column.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }
  std::pair<int, int> position(const YAML::Mark& m) const {
    if (m.is_null() || m.line < 0 || std::size_t(m.line) >= starts_.size()) return {1, 1};
    auto start = starts_[std::size_t(m.line)];
    auto bytes = std::min<std::size_t>(std::size_t(std::max(m.column, 0)), text_.size() - start);
    int column = 1;
    for (std::size_t i = 0; i < bytes; ++i)
      if ((static_cast<unsigned char>(text_[start + i]) & 0xC0) != 0x80) ++column;
    return {m.line + 1, column};
  }

 private:
  std::string_view text_;
  std::vector<std::size_t> starts_;
};

struct Stop {};  // thrown to stop at a second document

bool null_text(const std::string& tag, const std::string& v) {
  return tag == "?" && (v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL");
}

class FlatMap : public YAML::EventHandler {
 public:
  FlatMap(const Lines& lines, const std::string& file, const std::string& layer, ParsedValues& out)
      : lines_(lines), file_(file), layer_(layer), out_(out) {}

  void OnDocumentStart(const YAML::Mark& m) override {
    if (++documents_ > 1) {
      error(m, "more than one YAML document; a values file holds one map of KEY: value");
      throw Stop{};
    }
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { scalar(m, std::nullopt); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override {
    if (depth_ == 1) error(m, "aliases (*name) are not supported in a values file; write the value");
    consume(m);
  }
  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t, const std::string& v) override {
    if (null_text(tag, v))
      scalar(m, std::nullopt);
    else
      scalar(m, v);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    container(m, "a list");
  }
  void OnSequenceEnd() override { end(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    if (depth_ == 0) {
      depth_ = 1;
      return;
    }
    container(m, "a map");
  }
  void OnMapEnd() override { end(); }

 private:
  void error(const YAML::Mark& m, std::string message) {
    auto [line, column] = lines_.position(m);
    out_.diagnostics.push_back(Diagnostic{file_, line, column, Severity::error, "", std::move(message)});
  }
  // A scalar or null at the top of the root map: a key, then its value.
  void scalar(const YAML::Mark& m, const std::optional<std::string>& v) {
    if (depth_ == 0 && v) error(m, "expected a map of KEY: value, got a single value");
    if (depth_ != 1) return;
    if (!key_) {
      key_ = Key{v.value_or(""), m};
      if (!v) error(m, "a key is missing before ':'");
      return;
    }
    if (!v)
      error(key_->mark, fmt::format("'{}' has no value (write '' for an empty value)", key_->text));
    else
      add(*v);
    key_.reset();
  }
  void consume(const YAML::Mark&) {
    if (depth_ == 1 && key_) key_.reset();
  }
  void container(const YAML::Mark& m, std::string_view what) {
    if (depth_ == 0)
      error(m, fmt::format("expected a map of KEY: value, got {}", what));
    else if (depth_ == 1 && key_)
      error(m, fmt::format("'{}': expected a value, got {} (a values file is flat: KEY: value)", key_->text, what));
    else if (depth_ == 1)
      error(m, fmt::format("a key must be a plain name, not {}", what));
    if (depth_ == 1) key_.reset();
    ++depth_;
  }
  void end() { --depth_; }

  void add(const std::string& v) {
    auto [line, column] = lines_.position(key_->mark);
    const std::string& k = key_->text;
    if (!valid_key(k)) {
      error(key_->mark, fmt::format("invalid key '{}' (keys are letters, digits, '_' and '.', not starting with a "
                                    "digit)",
                                    k));
      return;
    }
    if (auto [it, fresh] = first_.emplace(k, line); !fresh) {
      error(key_->mark,
            fmt::format("'{}' is defined twice in this file: on line {} and on line {}", k, it->second, line));
      return;
    }
    out_.values.push_back(Value{k, v, Origin{file_, line, column, layer_}});
  }

  struct Key {
    std::string text;
    YAML::Mark mark;
  };
  const Lines& lines_;
  const std::string& file_;
  const std::string& layer_;
  ParsedValues& out_;
  int documents_ = 0;
  int depth_ = 0;
  std::optional<Key> key_;
  std::map<std::string, int, std::less<>> first_;
};

}  // namespace

ParsedValues parse_values_yaml(std::string_view text, const std::string& file, const std::string& layer) {
  ParsedValues r;
  auto problem = [&](int line, int column, std::string message) {
    r.diagnostics.push_back(Diagnostic{file, line, column, Severity::error, "", std::move(message)});
  };
  if (text.size() > max_values_bytes) {
    problem(0, 0, fmt::format("the file is {} bytes; values files may hold up to 1 MiB", text.size()));
    return r;
  }
  if (text.find('\0') != std::string_view::npos) {
    problem(0, 0, "the file holds a NUL byte; a values file is text");
    return r;
  }
  Lines lines(text);
  std::istringstream in{std::string(text)};
  FlatMap handler(lines, file, layer, r);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(handler)) {
    }
  } catch (const Stop&) {
  } catch (const YAML::Exception& e) {
    auto [line, column] = lines.position(e.mark);
    problem(line, column, fmt::format("YAML syntax error: {}", e.msg));
    r.values.clear();
  }
  return r;
}

}  // namespace ecp::config
