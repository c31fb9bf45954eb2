#pragma once
// An enum's names at the edges (JSON, flags, the ledger), written once as a
// table that both directions read, so that printing and parsing cannot disagree.
// Each enum keeps its own to_string/…_from pair; they are one line over this.
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace ecp::text {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

// `fallback` for a value the table lacks (a table that misses one is a bug, but
// printing must not crash over it).
template <class E, std::size_t N>
constexpr std::string_view name_of(const EnumName<E> (&table)[N], E value, std::string_view fallback) {
  for (const auto& e : table)
    if (e.value == value) return e.name;
  return fallback;
}

template <class E, std::size_t N>
constexpr std::optional<E> value_of(const EnumName<E> (&table)[N], std::string_view name) {
  for (const auto& e : table)
    if (e.name == name) return e.value;
  return std::nullopt;
}

// The names in the table's order (for messages and completions).
template <class E, std::size_t N>
std::vector<std::string_view> names_of(const EnumName<E> (&table)[N]) {
  std::vector<std::string_view> out;
  for (const auto& e : table) out.push_back(e.name);
  return out;
}

}  // namespace ecp::text
