#include "cli/output.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace ecp::cli {

Output::Output(bool json, bool color, bool quiet, int verbose)
    : json_(json), color_(color), quiet_(quiet), verbose_(verbose) {}

namespace {
// ESC [ digits/semicolons m: a color, the only sequence that may pass.
std::size_t color_sequence(std::string_view s, std::size_t i) {
  if (i + 2 >= s.size() || s[i + 1] != '[') return 0;
  std::size_t j = i + 2;
  while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';')) ++j;
  return j < s.size() && s[j] == 'm' ? j + 1 - i : 0;
}
}  // namespace

std::string Output::safe(std::string_view s) const {
  std::string r;
  r.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b && color_) {
      if (auto n = color_sequence(s, i)) {
        r.append(s.substr(i, n));
        i += n - 1;
        continue;
      }
    }
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
      r += fmt::format("\\x{:02x}", c);
    else
      r += static_cast<char>(c);
  }
  return r;
}

void Output::text(std::string_view line) {
  if (json_) return;
  fmt::print(stdout, "{}\n", safe(line));
}

void Output::info(std::string_view line) {
  if (quiet_) return;
  if (json_) return event("log", {{"level", "info"}, {"message", line}});
  fmt::print(stderr, "{}\n", safe(line));
}

void Output::warn(std::string_view line) {
  if (json_) return event("log", {{"level", "warning"}, {"message", line}});
  fmt::print(stderr, "ecp: {} {}\n", yellow("warning:"), safe(line));
}

void Output::debug(std::string_view line) {
  if (verbose_ <= 0) return;
  if (json_) return event("log", {{"level", "debug"}, {"message", line}});
  fmt::print(stderr, "{}\n", safe(line));
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
void print_diagnostic(const Output& out, const Diagnostic& d) {
  std::string sev = d.severity == Severity::error ? out.red("error:") : out.yellow("warning:");
  if (d.line > 0)
    fmt::print(stderr, "{}:{}:{}: {} {}\n", out.safe(d.file), d.line, d.column, sev, out.safe(d.message));
  else
    fmt::print(stderr, "{}: {} {}\n", out.safe(d.file), sev, out.safe(d.message));
}

std::string Output::bold(std::string_view s) const { return wrap(color_, "1", s); }
std::string Output::red(std::string_view s) const { return wrap(color_, "31", s); }
std::string Output::yellow(std::string_view s) const { return wrap(color_, "33", s); }
std::string Output::green(std::string_view s) const { return wrap(color_, "32", s); }

}  // namespace ecp::cli
