#include "cli/output.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace ecp::cli {

Output::Output(bool json, bool color, bool quiet, int verbose)
    : json_(json), color_(color), quiet_(quiet), verbose_(verbose) {}

void Output::text(std::string_view line) {
  if (json_) return;
  fmt::print(stdout, "{}\n", line);
}

void Output::info(std::string_view line) {
  if (quiet_) return;
  if (json_) return event("log", {{"level", "info"}, {"message", line}});
  fmt::print(stderr, "{}\n", line);
}

void Output::warn(std::string_view line) {
  if (json_) return event("log", {{"level", "warning"}, {"message", line}});
  fmt::print(stderr, "ecp: {} {}\n", yellow("warning:"), line);
}

void Output::debug(std::string_view line) {
  if (verbose_ <= 0) return;
  if (json_) return event("log", {{"level", "debug"}, {"message", line}});
  fmt::print(stderr, "{}\n", line);
}

void Output::event(std::string_view type, nlohmann::json fields) {
  if (!json_) return;
  nlohmann::json j = {{"type", type}};
  j.update(fields);
  fmt::print(stdout, "{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::fflush(stdout);
}

void Output::result(nlohmann::json fields) {
  if (!json_) return;
  nlohmann::json j = {{"type", "result"}};
  if (!fields.contains("ok")) j["ok"] = true;
  j.update(fields);
  fmt::print(stdout, "{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::fflush(stdout);
}

static std::string wrap(bool on, const char* code, std::string_view s) {
  if (!on) return std::string(s);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
}
std::string Output::bold(std::string_view s) const { return wrap(color_, "1", s); }
std::string Output::red(std::string_view s) const { return wrap(color_, "31", s); }
std::string Output::yellow(std::string_view s) const { return wrap(color_, "33", s); }
std::string Output::green(std::string_view s) const { return wrap(color_, "32", s); }

}  // namespace ecp::cli
