#include "core/descriptor/change_window.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>

#include "core/util/text.hpp"

namespace ecp::descriptor {

namespace {

constexpr std::array<std::string_view, 7> day_names = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::optional<int> day_of(std::string_view s) {
  std::string l = lower(s);
  if (l.size() > 3) l = l.substr(0, 3);
  for (int d = 0; d < 7; ++d)
    if (day_names[d] == l) return d;
  return std::nullopt;
}

std::optional<int> minutes_of(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::optional<unsigned> days_of(std::string_view s) {
  if (lower(s) == "daily") return 0x7fu;
  unsigned out = 0;
  for (const auto& part : text::split(s, ',')) {
    auto dash = part.find('-');
    auto a = day_of(part.substr(0, dash));
    auto b = dash == std::string::npos ? a : day_of(part.substr(dash + 1));
    if (!a || !b) return std::nullopt;
    for (int d = *a;; d = (d + 1) % 7) {  // Fri-Mon wraps over the weekend
      out |= 1u << d;
      if (d == *b) break;
    }
  }
  return out;
}

// Local weekday and minute of `unix_s` in `tz`: glibc's localtime_r under TZ,
// which is process-wide, so one at a time and put back after.
std::pair<int, int> local_day_minute(const std::string& tz, std::int64_t unix_s) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  const char* old = std::getenv("TZ");
  std::string saved = old != nullptr ? old : "";
  ::setenv("TZ", tz.empty() ? "UTC" : tz.c_str(), 1);
  ::tzset();
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  if (old != nullptr)
    ::setenv("TZ", saved.c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
  return {tm.tm_wday, tm.tm_hour * 60 + tm.tm_min};
}

}  // namespace

std::optional<ChangeWindow> parse_change_window(std::string_view text, std::string* why) {
  auto words = text::split(text::trim(text), ' ');
  std::erase_if(words, [](const std::string& w) { return w.empty(); });
  auto bad = [&](std::string reason) -> std::optional<ChangeWindow> {
    if (why != nullptr) *why = std::move(reason);
    return std::nullopt;
  };
  if (words.size() < 2 || words.size() > 3)
    return bad("expected 'DAYS HH:MM-HH:MM [ZONE]', e.g. 'Mon-Thu 22:00-02:00 Asia/Shanghai'");
  ChangeWindow w;
  w.text = std::string(text);
  auto days = days_of(words[0]);
  if (!days) return bad(fmt::format("'{}' is not days (Mon, Mon-Fri, Sat,Sun, daily)", words[0]));
  w.days = *days;
  auto dash = words[1].find('-');
  auto start = minutes_of(words[1].substr(0, dash));
  auto end = dash == std::string::npos ? std::nullopt : minutes_of(words[1].substr(dash + 1));
  if (!start || !end) return bad(fmt::format("'{}' is not HH:MM-HH:MM", words[1]));
  w.start_min = *start;
  w.end_min = *end;
  if (words.size() == 3) {
    w.tz = words[2];
    if (!known_time_zone(w.tz)) return bad(fmt::format("'{}' is not a time zone of this system's tzdata", w.tz));
  }
  return w;
}

bool known_time_zone(const std::string& tz) {
  if (tz.empty() || tz.front() == '/' || tz.find("..") != std::string::npos) return false;
  const char* dir = std::getenv("TZDIR");
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path(dir ? dir : "/usr/share/zoneinfo") / tz, ec);
}

bool in_window(const ChangeWindow& w, std::int64_t unix_s) {
  auto [day, minute] = local_day_minute(w.tz, unix_s);
  bool today = (w.days >> day) & 1u, yesterday = (w.days >> ((day + 6) % 7)) & 1u;
  if (w.start_min < w.end_min) return today && minute >= w.start_min && minute < w.end_min;
  // Past midnight: from the start today on, or until the end on the day after an opening day.
  return (today && minute >= w.start_min) || (yesterday && minute < w.end_min);
}

}  // namespace ecp::descriptor
