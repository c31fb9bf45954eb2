#include "core/registry/registries_conf.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace ecp::registry {

namespace {

// A TOML value as far as this file needs one: a string, a boolean, or
// something else (a number, an array) that is read past.
struct Value {
  enum class Kind { string, boolean, other } kind = Kind::other;
  std::string text;
  bool flag = false;
};

class ConfParser {
 public:
  ConfParser(std::string_view text, std::string file) : text_(text), conf_{std::move(file), {}} {}

  RegistriesConf run() {
    while (pos_ < text_.size()) logical_line();
    for (auto& r : conf_.registries) finish(r);
    return std::move(conf_);
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    fail(ErrorKind::usage, "{}:{}: {}", conf_.file, line_, what);
  }

  void skip_blank() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r')) ++pos_;
  }
  // Spaces, newlines and comments (inside an array).
  void skip_space_and_lines() {
    for (;;) {
      skip_blank();
      if (pos_ >= text_.size()) return;
      if (text_[pos_] == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (text_[pos_] == '\n') {
        ++pos_;
        ++line_;
      } else {
        return;
      }
    }
  }
  // The end of a line: only a comment may follow.
  void end_of_line() {
    skip_blank();
    if (pos_ < text_.size() && text_[pos_] == '#')
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    if (pos_ < text_.size() && text_[pos_] != '\n') error(fmt::format("unexpected '{}'", text_[pos_]));
    if (pos_ < text_.size()) {
      ++pos_;
      ++line_;
    }
  }

  void logical_line() {
    skip_blank();
    if (pos_ >= text_.size()) return;
    char c = text_[pos_];
    if (c == '\n' || c == '#') return end_of_line();
    if (c == '[') return table_header();
    key_value();
  }

  void table_header() {
    bool array = text_.compare(pos_, 2, "[[") == 0;
    pos_ += array ? 2 : 1;
    auto close = text_.find(array ? "]]" : "]", pos_);
    auto eol = text_.find('\n', pos_);
    if (close == std::string_view::npos || close > eol) error("a table header without its closing bracket");
    std::string name(text_.substr(pos_, close - pos_));
    pos_ = close + (array ? 2 : 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    if (array && name == "registry") {
      conf_.registries.push_back({});
      conf_.registries.back().line = line_;
      table_ = Table::registry;
    } else if (array && name == "registry.mirror") {
      if (conf_.registries.empty()) error("[[registry.mirror]] before any [[registry]]");
      conf_.registries.back().mirrors.push_back({});
      table_ = Table::mirror;
    } else {
      table_ = Table::other;
    }
    end_of_line();
  }

  std::string key() {
    if (text_[pos_] == '"' || text_[pos_] == '\'') return string_value();
    auto start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '-' ||
                                   text_[pos_] == '_' || text_[pos_] == '.'))
      ++pos_;
    if (start == pos_) error(fmt::format("expected a key, found '{}'", text_[pos_]));
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string string_value() {
    char quote = text_[pos_++];
    std::string out;
    for (;;) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') error("a string without its closing quote");
      char c = text_[pos_++];
      if (c == quote) return out;
      if (c == '\\' && quote == '"') {
        if (pos_ >= text_.size()) error("a string without its closing quote");
        char e = text_[pos_++];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          default:
            error(fmt::format("the escape \\{} is not supported here", e));
        }
      } else {
        out += c;
      }
    }
  }

  Value value() {
    skip_blank();
    if (pos_ >= text_.size() || text_[pos_] == '\n') error("a key without a value");
    char c = text_[pos_];
    if (c == '"' || c == '\'') return {Value::Kind::string, string_value(), false};
    if (c == '{') return inline_table();
    if (c == '[') {
      ++pos_;
      for (;;) {
        skip_space_and_lines();
        if (pos_ >= text_.size()) error("an array without its closing bracket");
        if (text_[pos_] == ']') {
          ++pos_;
          return {};
        }
        value();
        skip_space_and_lines();
        if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
      }
    }
    auto start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '#' && text_[pos_] != ',' &&
           text_[pos_] != ']' && text_[pos_] != ' ' && text_[pos_] != '\t' && text_[pos_] != '\r')
      ++pos_;
    auto word = text_.substr(start, pos_ - start);
    if (word == "true" || word == "false") return {Value::Kind::boolean, "", word == "true"};
    if (word.empty()) error(fmt::format("unexpected '{}'", c));
    return {};
  }

  // An inline table ({ a = 1, b = "x" }, on one line) is read past.
  Value inline_table() {
    int depth = 0;
    while (pos_ < text_.size() && text_[pos_] != '\n') {
      char ch = text_[pos_];
      if (ch == '"' || ch == '\'') {
        string_value();
        continue;
      }
      ++pos_;
      if (ch == '{') ++depth;
      if (ch == '}' && --depth == 0) return {};
    }
    error("an inline table without its closing brace");
  }

  void key_value() {
    int key_line = line_;
    std::string k = key();
    skip_blank();
    if (pos_ >= text_.size() || text_[pos_] != '=') error(fmt::format("expected '=' after '{}'", k));
    ++pos_;
    Value v = value();
    end_of_line();
    int next_line = line_;
    line_ = key_line;  // an error about the value names the key's line
    if (table_ == Table::registry) registry_key(conf_.registries.back(), k, v);
    if (table_ == Table::mirror) mirror_key(conf_.registries.back().mirrors.back(), k, v);
    line_ = next_line;
  }

  std::string want_string(const std::string& k, const Value& v) const {
    if (v.kind != Value::Kind::string) error(fmt::format("'{}' must be a string", k));
    return v.text;
  }
  bool want_bool(const std::string& k, const Value& v) const {
    if (v.kind != Value::Kind::boolean) error(fmt::format("'{}' must be true or false", k));
    return v.flag;
  }

  void registry_key(RegistryEntry& r, const std::string& k, const Value& v) const {
    if (k == "prefix") r.prefix = want_string(k, v);
    if (k == "location") r.location = want_string(k, v);
    if (k == "insecure") r.insecure = want_bool(k, v);
    if (k == "blocked") r.blocked = want_bool(k, v);
    if (k == "mirror-by-digest-only") r.mirror_by_digest_only = want_bool(k, v);
  }
  void mirror_key(MirrorEntry& m, const std::string& k, const Value& v) const {
    if (k == "location") m.location = want_string(k, v);
    if (k == "insecure") m.insecure = want_bool(k, v);
    if (k == "pull-from-mirror") {
      m.pull_from = want_string(k, v);
      if (m.pull_from != "all" && m.pull_from != "digest-only" && m.pull_from != "tag-only")
        error(fmt::format("pull-from-mirror '{}' is not all, digest-only or tag-only", m.pull_from));
    }
  }

  void finish(RegistryEntry& r) {
    line_ = r.line;
    if (r.prefix.empty()) r.prefix = r.location;
    if (r.prefix.empty()) error("a [[registry]] needs a prefix or a location");
    bool wildcard = r.prefix.rfind("*.", 0) == 0;
    if (wildcard && r.prefix.find('/') != std::string::npos)
      error(fmt::format("the wildcard prefix '{}' may name a host only", r.prefix));
    // As containers/image reads it: only a wildcard prefix may go without a location.
    if (r.location.empty() && !wildcard)
      error(fmt::format("the prefix '{}' needs a location (only a *.host prefix may go without one)", r.prefix));
    for (const auto& m : r.mirrors)
      if (m.location.empty()) error(fmt::format("a mirror of '{}' has no location", r.prefix));
  }

  enum class Table { top, registry, mirror, other };
  std::string_view text_;
  RegistriesConf conf_;
  std::size_t pos_ = 0;
  int line_ = 1;
  Table table_ = Table::top;
};

// How much of "registry/repository" `prefix` matches (0: none), at a path boundary.
std::size_t match_length(const std::string& prefix, const std::string& name, const std::string& host) {
  if (prefix.rfind("*.", 0) == 0) {
    auto suffix = prefix.substr(1);  // ".example.com"
    return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0
               ? host.size()
               : 0;
  }
  if (name.size() < prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
  return name.size() == prefix.size() || name[prefix.size()] == '/' ? prefix.size() : 0;
}

PullSource source_at(const std::string& location, const std::string& rest, bool insecure, bool mirror) {
  std::string name = location + rest;
  auto slash = name.find('/');
  if (slash == std::string::npos || slash + 1 == name.size())
    fail(ErrorKind::usage, "registries.conf: '{}' names no repository", name);
  return {name.substr(0, slash), name.substr(slash + 1), insecure, mirror};
}

}  // namespace

RegistriesConf parse_registries_conf(std::string_view text, const std::string& file) {
  return ConfParser(text, file).run();
}

RegistriesConf load_registries_conf() {
  std::vector<std::filesystem::path> candidates;
  if (const char* f = std::getenv("CONTAINERS_REGISTRIES_CONF"); f && *f) {
    candidates.emplace_back(f);
  } else {
    if (const char* home = std::getenv("HOME"); home && *home)
      candidates.push_back(std::filesystem::path(home) / ".config/containers/registries.conf");
    candidates.emplace_back("/etc/containers/registries.conf");
  }
  for (const auto& c : candidates) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(c, ec)) continue;
    return parse_registries_conf(fs::read_file(c), c.string());
  }
  return {};
}

std::vector<PullSource> pull_sources(const RegistriesConf& conf, const std::string& registry,
                                     const std::string& repository, bool by_digest) {
  std::string name = registry + "/" + repository;
  const RegistryEntry* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& r : conf.registries)
    if (auto n = match_length(r.prefix, name, registry); n > best_len) {
      best = &r;
      best_len = n;
    }
  if (best == nullptr) return {{registry, repository, false, false}};
  if (best->blocked)
    fail(ErrorKind::usage, "{}:{}: pulls of '{}' are blocked (prefix '{}')", conf.file, best->line, name, best->prefix);
  std::string rest = name.substr(best_len);
  std::vector<PullSource> out;
  for (const auto& m : best->mirrors) {
    if (best->mirror_by_digest_only && !by_digest) continue;
    if ((m.pull_from == "digest-only" && !by_digest) || (m.pull_from == "tag-only" && by_digest)) continue;
    out.push_back(source_at(m.location, rest, m.insecure, true));
  }
  out.push_back(source_at(best->location.empty() ? registry : best->location, rest, best->insecure, false));
  return out;
}

bool insecure_registry(const RegistriesConf& conf, const std::string& registry) {
  auto host_of = [](const std::string& location) { return location.substr(0, location.find('/')); };
  for (const auto& r : conf.registries) {
    if (r.insecure && host_of(r.location) == registry) return true;
    for (const auto& m : r.mirrors)
      if (m.insecure && host_of(m.location) == registry) return true;
  }
  return false;
}

}  // namespace ecp::registry
