#pragma once
// `ecp exec`: a command in an instance's environment, on its host (kamal app
// exec): the argv that runs it, which the CLI replaces itself with so that the
// terminal, the signals and the exit status are the command's own.
#include <string>
#include <vector>

#include "core/ops/validate.hpp"

namespace ecp::ops {

struct ExecOptions {
  ValidateOptions project;
  std::string env;
  std::string instance;  // a-0 or a-0@HOST; empty: the first running instance
  std::vector<std::string> command;
  bool tty = false;  // ecp has a terminal: so does the command
};

struct ExecPlan {
  std::string instance;  // a-0@HOST
  std::vector<std::string> argv;
};

// Error(usage) when the environment runs no such instance (or none at all), or
// its target's plugin cannot run commands in instances.
ExecPlan plan_exec(const ExecOptions& options);

}  // namespace ecp::ops
