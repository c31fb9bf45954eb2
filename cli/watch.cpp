#include "cli/watch.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "core/ops/deploy_context.hpp"
#include "core/util/clock.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "core/util/text.hpp"

namespace ecp::cli {

namespace {

// Sleeps `d` in short steps; false when an interrupt came first.
bool sleep_unless_interrupted(std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (!process::interrupted()) {
    auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100)));
  }
  return false;
}

}  // namespace

std::chrono::milliseconds watch_interval(const std::string& text, const std::string& flag) {
  auto d = ops::parse_duration_arg(text, flag);
  if (d.count() <= 0) fail(ErrorKind::usage, "{}: give a duration above 0, such as 2s", flag);
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

int watch(Output& out, std::chrono::milliseconds every, const std::function<void(const ShowFn& show)>& round) {
  // SIGINT is how a watch ends: a flag, also where the shell started ecp with it ignored.
  process::InterruptScope interrupts;
  bool redraw = !out.json() && ::isatty(STDOUT_FILENO) == 1;
  for (bool first = true;; first = false) {
    auto show = [&] {
      if (out.json()) return;
      if (redraw) fmt::print(stdout, "\033[H\033[2J");
      if (!first && !redraw) out.text("");
      out.text(
          fmt::format("{}  (every {} ms; Ctrl-C stops)", text::rfc3339_ms(system_clock().unix_ms()), every.count()));
    };
    try {
      round(show);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::interrupted) throw;
      break;
    }
    std::fflush(stdout);
    if (!sleep_unless_interrupted(every)) break;
  }
  process::reset_interrupt();
  out.result({{"interrupted", true}});
  return exit_code(ErrorKind::interrupted);
}

}  // namespace ecp::cli
