// Durations, sizes and CPU amounts. The messages explain the fix, because the person
// reading them is editing ecp.yaml right now.
#include "core/descriptor/values.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace ecp::descriptor {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

template <typename T>
std::optional<T> bad(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return std::nullopt;
}

// Leading digits of `s` from `i` as a number; nullopt on overflow. Advances i.
std::optional<std::uint64_t> digits(std::string_view s, std::size_t& i) {
  std::size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data() + start, s.data() + i, v);
  if (ec != std::errc() || end != s.data() + i) return std::nullopt;
  return v;
}

bool mul_add(std::uint64_t& acc, std::uint64_t v, std::uint64_t mul) {
  if (mul != 0 && v > (std::numeric_limits<std::uint64_t>::max() - acc) / mul) return false;
  acc += v * mul;
  return true;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text, std::string* why) {
  constexpr std::string_view hint = "write e.g. 500ms, 10s, 2m or 1m30s";
  constexpr std::uint64_t max_ms = 366ULL * 24 * 3600 * 1000;
  if (text.empty()) return bad<Duration>(why, fmt::format("a duration is empty; {}", hint));
  if (text[0] == '-') return bad<Duration>(why, fmt::format("'{}' is negative; durations are 0 or more", text));
  std::uint64_t total = 0;
  int last_rank = 99;  // units go largest first, each once
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    if (i >= text.size() || !is_digit(text[i]))
      return bad<Duration>(why, fmt::format("'{}' is not a duration; {}", text, hint));
    auto value = digits(text, i);
    if (i < text.size() && text[i] == '.')
      return bad<Duration>(why, fmt::format("'{}': use whole numbers, e.g. 1500ms instead of 1.5s", text));
    std::size_t unit_start = i;
    while (i < text.size() && is_alpha(text[i])) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      if (start == 0 && i == text.size())
        return bad<Duration>(why, fmt::format("'{}' has no unit; write {}s (units: ms, s, m, h)", text, text));
      return bad<Duration>(why, fmt::format("'{}' is not a duration; {}", text, hint));
    }
    int rank = 0;
    std::uint64_t mul = 0;
    if (unit == "h") rank = 3, mul = 3600000;
    else if (unit == "m") rank = 2, mul = 60000;
    else if (unit == "s") rank = 1, mul = 1000;
    else if (unit == "ms") rank = 0, mul = 1;
    else return bad<Duration>(why, fmt::format("'{}': unknown unit '{}'; use ms, s, m or h", text, unit));
    if (rank >= last_rank)
      return bad<Duration>(why, fmt::format("'{}': write each unit once, largest first (e.g. 1m30s)", text));
    last_rank = rank;
    if (!value || !mul_add(total, *value, mul) || total > max_ms)
      return bad<Duration>(why, fmt::format("'{}' is too long; the limit is 366 days", text));
  }
  return Duration(static_cast<Duration::rep>(total));
}

std::string format_duration(Duration d) {
  auto ms = d.count();
  if (ms <= 0) return ms == 0 ? "0s" : fmt::format("{}ms", ms);
  std::string out;
  const std::pair<long long, const char*> units[] = {{3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
  for (auto [mul, name] : units) {
    if (ms >= mul) {
      out += fmt::format("{}{}", ms / mul, name);
      ms %= mul;
    }
  }
  return out;
}

std::optional<std::uint64_t> parse_size(std::string_view text, std::string* why) {
  constexpr std::string_view hint = "write bytes or e.g. 512Mi, 2Gi (powers of 1024) or 500M, 1G (powers of 1000)";
  if (text.empty()) return bad<std::uint64_t>(why, fmt::format("a size is empty; {}", hint));
  if (text[0] == '-') return bad<std::uint64_t>(why, fmt::format("'{}' is negative", text));
  std::size_t i = 0;
  if (!is_digit(text[0])) return bad<std::uint64_t>(why, fmt::format("'{}' is not a size; {}", text, hint));
  auto value = digits(text, i);
  if (i < text.size() && text[i] == '.')
    return bad<std::uint64_t>(why, fmt::format("'{}': use a whole number, e.g. 1536Mi instead of 1.5Gi", text));
  std::string_view suffix = text.substr(i);
  struct Unit {
    std::string_view name;
    std::uint64_t mul;
  };
  constexpr Unit units[] = {{"", 1},
                            {"Ki", 1ULL << 10}, {"Mi", 1ULL << 20}, {"Gi", 1ULL << 30}, {"Ti", 1ULL << 40},
                            {"K", 1000ULL}, {"M", 1000000ULL}, {"G", 1000000000ULL}, {"T", 1000000000000ULL}};
  for (const auto& u : units) {
    if (u.name != suffix) continue;
    std::uint64_t total = 0;
    if (!value || !mul_add(total, *value, u.mul))
      return bad<std::uint64_t>(why, fmt::format("'{}' is too large", text));
    return total;
  }
  std::string_view num = text.substr(0, i);
  if (suffix == "m")
    return bad<std::uint64_t>(why, fmt::format("'{}': 'm' means milli; did you mean {}Mi or {}M?", text, num, num));
  if (suffix == "k" || suffix == "ki")
    return bad<std::uint64_t>(why, fmt::format("'{}': write {}K or {}Ki (upper-case K)", text, num, num));
  if (suffix.size() >= 2 && (suffix.back() == 'B' || suffix.back() == 'b'))
    return bad<std::uint64_t>(why, fmt::format("'{}': drop the 'B'; write {}{} or {}{}i", text, num,
                                               suffix.substr(0, 1), num, suffix.substr(0, 1)));
  return bad<std::uint64_t>(why, fmt::format("'{}': unknown unit '{}'; {}", text, suffix, hint));
}

std::optional<std::int64_t> parse_cpu_millis(std::string_view text, std::string* why) {
  constexpr std::string_view hint = "write millicores like 500m or cores like 0.5 or 2";
  constexpr std::uint64_t max_millis = 1000000000;  // a million cores
  if (text.empty()) return bad<std::int64_t>(why, fmt::format("a CPU amount is empty; {}", hint));
  if (text[0] == '-') return bad<std::int64_t>(why, fmt::format("'{}' is negative; {}", text, hint));
  auto not_cpu = [&] { return bad<std::int64_t>(why, fmt::format("'{}' is not a CPU amount; {}", text, hint)); };
  auto too_large = [&] { return bad<std::int64_t>(why, fmt::format("'{}' is too large", text)); };
  std::size_t i = 0;
  std::optional<std::uint64_t> whole = 0;
  if (is_digit(text[0])) whole = digits(text, i);
  bool has_whole = i > 0;
  std::uint64_t millis = 0;
  if (has_whole && i + 1 == text.size() && text[i] == 'm') {  // millicores
    if (!whole || *whole > max_millis) return too_large();
    millis = *whole;
  } else {
    if (!whole || *whole > max_millis / 1000) return too_large();
    millis = *whole * 1000;
    bool has_fraction = false;
    if (i < text.size() && text[i] == '.') {
      ++i;
      std::uint64_t scale = 100;
      for (; i < text.size() && is_digit(text[i]); ++i) {
        has_fraction = true;
        auto d = static_cast<std::uint64_t>(text[i] - '0');
        if (scale == 0 && d != 0)
          return bad<std::int64_t>(why, fmt::format("'{}' is finer than 1m (a thousandth of a core)", text));
        millis += d * scale;
        scale /= 10;
      }
    }
    if ((!has_whole && !has_fraction) || i != text.size()) return not_cpu();
  }
  if (millis == 0) return bad<std::int64_t>(why, fmt::format("'{}': a CPU amount must be more than 0", text));
  return static_cast<std::int64_t>(millis);
}

}  // namespace ecp::descriptor
