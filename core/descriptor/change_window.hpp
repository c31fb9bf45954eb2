#pragma once
// Change windows (the targets file's `windows:`): when an environment may be
// released to, such as "Mon-Thu 22:00-02:00 Asia/Shanghai", in the system's
// time zones (tzdata). A window that ends at or before its start runs past
// midnight into the next day, which still belongs to it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecp::descriptor {

struct ChangeWindow {
  unsigned days = 0;  // bit d: the window opens on weekday d (0 = Sunday)
  int start_min = 0, end_min = 0;
  std::string tz;  // "" = UTC
  std::string text;
};

// Parses "DAYS HH:MM-HH:MM [ZONE]" (DAYS: Mon, Mon-Fri, Sat,Sun, Fri-Mon, or
// daily); nullopt with `why` set when it is not one.
std::optional<ChangeWindow> parse_change_window(std::string_view text, std::string* why);
// Whether the zone names a file of the system's tzdata (TZDIR, else /usr/share/zoneinfo).
bool known_time_zone(const std::string& tz);
// Whether `unix_s` falls in the window, in its zone.
bool in_window(const ChangeWindow& w, std::int64_t unix_s);

}  // namespace ecp::descriptor
