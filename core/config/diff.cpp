#include "core/config/diff.hpp"

#include "core/util/enum_names.hpp"

namespace ecp::config {

namespace {
constexpr text::EnumName<Change> change_table[] = {
    {Change::added, "added"}, {Change::removed, "removed"}, {Change::changed, "changed"}, {Change::unchanged, "unchanged"}};
}  // namespace

std::string_view to_string(Change c) { return text::name_of(change_table, c, "unchanged"); }
std::optional<Change> change_from(std::string_view name) { return text::value_of(change_table, name); }

Diff diff(const Rendered& a, const Rendered& b) {
  Diff d{a.env, b.env, a.digest, b.digest, {}};
  // Both lists are sorted by key: walk them side by side.
  auto ia = a.values.begin(), ib = b.values.begin();
  while (ia != a.values.end() || ib != b.values.end()) {
    DiffEntry e;
    if (ib == b.values.end() || (ia != a.values.end() && ia->key < ib->key)) {
      e = DiffEntry{ia->key, Change::removed, ia->shown(), std::nullopt, ia->secret, ia->origin, {}};
      ++ia;
    } else if (ia == a.values.end() || ib->key < ia->key) {
      e = DiffEntry{ib->key, Change::added, std::nullopt, ib->shown(), ib->secret, {}, ib->origin};
      ++ib;
    } else {
      bool same = ia->value == ib->value;
      bool secret = ia->secret || ib->secret;
      // A key secret on one side only is masked on both, so the plain side gives nothing away.
      std::string shown_a = secret ? mask(ia->value) : ia->value;
      std::string shown_b = secret ? mask(ib->value) : ib->value;
      e = DiffEntry{ia->key,   same ? Change::unchanged : Change::changed, shown_a, shown_b, secret, ia->origin,
                    ib->origin};
      ++ia, ++ib;
    }
    d.entries.push_back(std::move(e));
  }
  return d;
}

}  // namespace ecp::config
