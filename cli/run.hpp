#pragma once

namespace ecp::cli {

// Parses the command line, runs the chosen command, and turns any error into
// "ecp: error: ..." and the exit code from ecp(1). The only place that catches.
int run(int argc, char** argv);

}  // namespace ecp::cli
