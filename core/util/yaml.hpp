#pragma once
// A YAML document as a small immutable tree, built from yaml-cpp's parser events.
// It keeps what yaml-cpp's Node API loses for us: the position of every key, every
// duplicate key (yaml-cpp silently keeps one), and whether a scalar was quoted.
// The one YAML reader of ecp: ecp.yaml and ecp-targets.yaml (core/descriptor) and
// values files (core/config) are read through it, so they share its limits and its
// file:line:col errors. Callers turn the tree into their own model.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/diagnostic.hpp"

namespace ecp::yaml {

enum class Kind { null, scalar, sequence, map };

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Entry {
  std::string key;
  int line = 0;  // of the key, 1-based
  int column = 0;
  NodePtr value;  // never null; an empty value is a Node of Kind::null placed at the key
};

struct Node {
  Kind kind = Kind::null;
  std::string value;           // scalars
  bool plain = true;           // an unquoted, untagged scalar: may be read as a number or a boolean
  int line = 0;                // 1-based
  int column = 0;              // 1-based, in characters
  std::vector<NodePtr> items;  // sequences
  std::vector<Entry> entries;  // maps, in file order, merge keys (<<) applied
  std::size_t weight = 1;      // nodes below and including this one, aliases expanded
  std::size_t bytes = 0;       // text of the scalars and keys below and including it, aliases expanded

  const Entry* find(std::string_view key) const;
};

struct Document {
  NodePtr root;        // nullptr when nothing usable was parsed (see the diagnostics)
  bool empty = false;  // the text has no document: only whitespace and comments
};

// Inputs larger than this are refused before parsing.
inline constexpr std::size_t max_bytes = std::size_t(1) << 20;
// Trees larger than this (after alias expansion) are refused: a "billion laughs" guard.
inline constexpr std::size_t max_nodes = 1000000;
// Documents whose scalars and keys hold more text than this once aliases are
// expanded are refused: one alias to a long scalar, repeated, stays under
// max_nodes yet makes every reader that copies the values allocate gigabytes.
inline constexpr std::size_t max_expanded_bytes = std::size_t(64) << 20;
inline constexpr std::size_t max_depth = 64;

// What a reader accepts beyond the common ground.
struct Options {
  // false: an alias (*name) is an error, for files meant to hold values as written.
  bool aliases = true;
  // false: a key written twice is kept as a second entry and not reported, so that
  // the caller can report it in the words of its own format.
  bool report_duplicates = true;
};

// Parses one YAML document. Every problem goes to `out` under the name `file`.
// Refuses oversized input, invalid UTF-8, NUL bytes, tab indentation, more than one
// document; reports duplicate keys and unsupported tags but still returns the tree.
Document parse(std::string_view text, const std::string& file, Diagnostics& out, const Options& options = {});

// "a map", "a list", "a string", "nothing": for "expected X, got Y" messages.
std::string_view kind_name(Kind kind);

}  // namespace ecp::yaml
