#pragma once
#include <string>
#include <vector>

namespace ecp::cli {

// Parses the command line, runs the chosen command, and turns any error into
// "ecp: error: ..." and the exit code from ecp(1). The only place that catches.
int run(int argc, char** argv);
// `ecp __complete KIND WORDS...` (cmd_complete.cpp): values for the completion scripts.
int run_complete(const std::vector<std::string>& words);

}  // namespace ecp::cli
