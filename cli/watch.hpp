#pragma once
// --watch for the commands that show a view again and again (status, top):
// every round until interrupted, in place on a terminal, one JSON line each
// with -o json; Ctrl-C ends it with exit 130, as `logs -f` does.
#include <chrono>
#include <functional>
#include <string>

#include "cli/output.hpp"

namespace ecp::cli {

// A duration above 0 for `flag`; Error(usage) otherwise.
std::chrono::milliseconds watch_interval(const std::string& text, const std::string& flag);

// Calls `round` every `every` until an interrupt. A round gathers its view,
// then calls `show` (which clears the terminal when the view is redrawn in
// place, and prints the time) and prints it (out.event with -o json). The loop
// ends with {"interrupted": true}.
using ShowFn = std::function<void()>;
int watch(Output& out, std::chrono::milliseconds every, const std::function<void(const ShowFn& show)>& round);

}  // namespace ecp::cli
