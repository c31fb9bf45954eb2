#pragma once
// `ecp config diff A B`: two rendered configurations compared key by key. Secrets
// are compared by their real values but only ever carried here masked.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/render.hpp"

namespace ecp::config {

enum class Change { added, removed, changed, unchanged };

std::string_view to_string(Change c);
std::optional<Change> change_from(std::string_view name);

struct DiffEntry {
  std::string key;
  Change change = Change::unchanged;
  std::optional<std::string> a;  // shown value in A (masked for a secret); nullopt: not set
  std::optional<std::string> b;
  bool secret = false;  // a secret on either side
  Origin origin_a;
  Origin origin_b;
};

struct Diff {
  std::string a;  // environment names
  std::string b;
  std::string digest_a;
  std::string digest_b;
  std::vector<DiffEntry> entries;  // every key of either side, sorted
  // Every value the same, secrets included: the digests alone do not tell a
  // secret that changed behind the same reference.
  bool same() const {
    return std::all_of(entries.begin(), entries.end(),
                       [](const DiffEntry& e) { return e.change == Change::unchanged; });
  }
};

Diff diff(const Rendered& a, const Rendered& b);

}  // namespace ecp::config
