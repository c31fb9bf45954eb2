#pragma once
// Ctrl-C (and SIGTERM, SIGHUP) during `ecp build`.
//
// The layer writers stream through libarchive on several threads and cannot stop
// midway, so while a build runs these signals are blocked in every thread and
// taken by one watcher thread instead. On a signal the watcher removes every
// regular file the process holds open for writing - by design each of them is a
// temporary file, because every write in ecp goes to a temporary file that is
// renamed into place when complete - and the folders registered with
// remove_on_interrupt(), then lets the signal kill the process (a shell sees
// exit status 128+N: 130 for SIGINT). So an interrupted build leaves no partial
// blob, no temporary file and no half-written index.json.
//
// Signals the process ignores (SIG_IGN, as in a shell's background job) stay
// ignored. Linux only: it reads /proc/self/fd.
#include <csignal>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "core/util/fd.hpp"

namespace ecp::ops {

class InterruptGuard {
 public:
  // Must be made before the build starts any thread: threads inherit the mask.
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Also removed (recursively) when a signal arrives.
  void remove_on_interrupt(const std::filesystem::path& dir);

 private:
  void watch();
  void on_signal(int sig);

  sigset_t set_{};
  sigset_t old_mask_{};
  UniqueFd signal_fd_;
  UniqueFd wake_fd_;
  std::mutex mutex_;
  std::vector<std::filesystem::path> dirs_;
  std::thread watcher_;
};

}  // namespace ecp::ops
