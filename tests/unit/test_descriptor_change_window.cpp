#include <doctest/doctest.h>

#include "core/descriptor/change_window.hpp"

using namespace ecp::descriptor;

TEST_CASE("ecp::descriptor::parse_change_window reads DAYS HH:MM-HH:MM [ZONE]") {
  std::string why;
  auto w = parse_change_window("Mon-Thu 22:00-02:00 Asia/Shanghai", &why);
  REQUIRE(w);
  CHECK(w->days == 0b0011110);  // Mon..Thu
  CHECK(w->start_min == 22 * 60);
  CHECK(w->end_min == 2 * 60);
  CHECK(w->tz == "Asia/Shanghai");
  CHECK(parse_change_window("Fri-Mon 08:00-18:00", &why)->days == 0b1100011);  // wraps over the weekend
  CHECK(parse_change_window("sat,sun 00:00-24:00 UTC", &why)->days == 0b1000001);
  CHECK(parse_change_window("daily 09:00-17:00", &why)->days == 0x7f);
  CHECK_FALSE(parse_change_window("Mon-Thu 22:00", &why));
  CHECK(why == "'22:00' is not HH:MM-HH:MM");
  CHECK_FALSE(parse_change_window("Someday 10:00-11:00", &why));
  CHECK(why == "'Someday' is not days (Mon, Mon-Fri, Sat,Sun, daily)");
  CHECK_FALSE(parse_change_window("Mon 25:00-26:00", &why));
  CHECK_FALSE(parse_change_window("Mon 10:00-11:00 Mars/Olympus", &why));
  CHECK(why == "'Mars/Olympus' is not a time zone of this system's tzdata");
  CHECK_FALSE(parse_change_window("Mon 10:00-11:00 ../../etc/passwd", &why));
  CHECK_FALSE(parse_change_window("", &why));
}

TEST_CASE("ecp::descriptor::in_window: in the window's own time zone, past midnight included") {
  if (!known_time_zone("Asia/Shanghai") || !known_time_zone("Europe/Paris")) return;  // no tzdata here
  auto w = *parse_change_window("Mon-Thu 22:00-02:00 Asia/Shanghai", nullptr);        // UTC+8, no DST
  CHECK(in_window(w, 1796653800));               // Mon 2026-12-07 14:30Z = Mon 22:30 in Shanghai
  CHECK(in_window(w, 1796925540));               // Thu 17:59Z = Fri 01:59: Thursday's window still
  CHECK_FALSE(in_window(w, 1796925660));         // Thu 18:01Z = Fri 02:01
  CHECK_FALSE(in_window(w, 1796999400));         // Fri 14:30Z = Fri 22:30: Friday opens none
  CHECK_FALSE(in_window(w, 1796653800 - 3600));  // Mon 21:30 in Shanghai
  // Daylight saving time: the same UTC hour is in the window in July, not in December.
  auto paris = *parse_change_window("daily 22:00-23:00 Europe/Paris", nullptr);
  CHECK(in_window(paris, 1782937800));        // 2026-07-01 20:30Z = 22:30 CEST
  CHECK_FALSE(in_window(paris, 1796675400));  // 2026-12-07 20:30Z = 21:30 CET
}
