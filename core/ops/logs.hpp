#pragma once
// `ecp logs`: the output of an (app, env)'s instances, each line tagged with its
// instance; with follow, new lines as they come until SIGINT/SIGTERM.
#include <functional>
#include <string>
#include <string_view>

#include "core/ops/validate.hpp"

namespace ecp::ops {

struct LogsOptions {
  ValidateOptions project;
  std::string env;
  bool follow = false;
  int lines = 100;
  std::string instance;  // "a-0@local" or "a-0": only that instance; empty: all
};

// Called from several threads, one line at a time, with the instance's name.
using LogLineFn = std::function<void(const std::string& instance, std::string_view line)>;

// Returns true when following ended with SIGINT/SIGTERM (exit 130, as every
// interrupted command), false when the lines were all read.
bool logs(const LogsOptions& options, const LogLineFn& on_line);

}  // namespace ecp::ops
