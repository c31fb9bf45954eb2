#pragma once
// Where a release's wall time goes (`-v`, and "timings_ms" in --output json):
// the engine's own steps (plan, lock, record, prepare, conclude) timed as they
// run, and the rollout split by what the strategy said it was doing: the time
// from each of its events to the next goes to that event's phase (start,
// health, route, stop, rollback).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecp::ops {

using PhaseTimings = std::vector<std::pair<std::string, std::int64_t>>;  // phase -> ms, in first-seen order

class PhaseTimer {
 public:
  explicit PhaseTimer(PhaseTimings& into) : into_(into) {}
  ~PhaseTimer() { close(); }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

  // Ends the current phase (its time added to it) and starts `phase`.
  void enter(std::string_view phase) {
    auto now = std::chrono::steady_clock::now();
    if (!current_.empty()) add(current_, std::chrono::duration_cast<std::chrono::milliseconds>(now - since_).count());
    current_ = phase;
    since_ = now;
  }
  void close() { enter(""); }

  // The phase a strategy event belongs to ("" = it does not change the phase).
  static std::string_view rollout_phase(std::string_view event) {
    if (event == "start" || event == "batch" || event == "keep") return "start";
    if (event == "healthy" || event == "unhealthy" || event == "progress") return "health";
    if (event == "route" || event == "step" || event == "analysis" || event == "drain") return "route";
    if (event == "stop") return "stop";
    if (event == "rollback" || event == "restored" || event == "lost") return "rollback";
    return "";
  }

 private:
  void add(const std::string& phase, std::int64_t ms) {
    for (auto& [name, total] : into_)
      if (name == phase) {
        total += ms;
        return;
      }
    into_.emplace_back(phase, ms);
  }

  PhaseTimings& into_;
  std::string current_;
  std::chrono::steady_clock::time_point since_;
};

}  // namespace ecp::ops
