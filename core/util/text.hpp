#pragma once
// Small text helpers written once: joining lists, base64 (RFC 4648) and RFC 3339
// timestamps (UTC, "Z"), so every module formats them the same way.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecp::text {

// join({"a", "b"}, ", ") == "a, b"; an empty list gives "".
std::string join(const std::vector<std::string>& items, std::string_view separator);
std::string join(const std::vector<std::string_view>& items, std::string_view separator);

// join(items, sep, f): the same over f(item) for any range, so a caller names what
// it shows without building a vector first.
template <class Range, class F>
std::string join(const Range& items, std::string_view separator, F&& f) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += separator;
    first = false;
    out += f(item);
  }
  return out;
}

// "a:b::c" split on ':' -> {"a", "b", "", "c"}; "" -> {""}.
std::vector<std::string> split(std::string_view s, char separator);
// Without the leading and trailing spaces, tabs, CR and LF.
std::string_view trim(std::string_view s);

// The standard alphabet, always padded with '='.
std::string base64_encode(std::string_view data);
// Padded text of the standard alphabet; line breaks are skipped (what `base64`
// without -w0 writes). Anything else, or wrong padding, is Error(validation).
std::string base64_decode(std::string_view text);

// Percent-encoding of everything but RFC 3986's unreserved characters
// (A-Z a-z 0-9 - _ . ~), for query strings and form bodies.
std::string url_encode(std::string_view s);

// "2023-11-14T22:13:20Z": pure arithmetic, no time zone database, any year.
std::string rfc3339(std::int64_t epoch_seconds);
// The same with milliseconds when there are any: "2023-11-14T22:13:20.250Z".
std::string rfc3339_ms(std::int64_t epoch_ms);
// Reads what rfc3339_ms writes (any number of fraction digits, "Z" only).
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` (case-insensitively) when it is close enough to be a
// likely typo, else nullopt.
std::optional<std::string> did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);
std::optional<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace ecp::text
