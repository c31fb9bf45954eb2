#pragma once
// Internal to process.cpp / process_child.cpp: the posix_spawn call they share.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/util/process.hpp"

namespace ecp::process::detail {

struct Pipes {
  bool in = false;   // a pipe for stdin (else stdin_file or /dev/null)
  bool out = true;   // a pipe for stdout (else stdout_file)
  bool err = true;   // a pipe for stderr (else stderr_file, or merged, or stdout_file)
  std::filesystem::path stderr_file;
};

struct Spawn {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;  // our ends of the pipes (close-on-exec)
};

// Throws Error(io) naming argv[0] when it cannot be started.
Spawn spawn(const std::vector<std::string>& argv, const Options& o, const Pipes& pipes);

// Signals the child, or its whole process group when it has its own.
void terminate(pid_t pid, bool group, int sig);

}  // namespace ecp::process::detail
