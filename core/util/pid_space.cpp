// Telling whether a process recorded by another ecp still runs: only possible
// when both see the same PIDs, i.e. the same running kernel (boot ID) and the
// same PID namespace. Anything less certain answers "cannot tell".
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "core/util/process.hpp"

namespace ecp::process {

std::string pid_space() {
  std::string boot;
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  if (!std::getline(in, boot) || boot.empty()) return "";
  char ns[128] = {};
  auto n = ::readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
  if (n <= 0) return "";
  return boot + "/" + std::string(ns, static_cast<std::size_t>(n));
}

bool pid_gone(int pid) { return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace ecp::process
