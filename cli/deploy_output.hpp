#pragma once
// Printing shared by the release commands (deploy, release, rollback, apply,
// plan): progress events, plans, results, and the exit code of an outcome.
#include <string>

#include "cli/output.hpp"
#include "core/ops/deploy.hpp"

namespace ecp::cli {

// Progress: text lines on stderr, or {"type":"deploy","event":...} lines with --output json.
ops::DeployEventFn deploy_events(Output& out);

// The plan in text (stdout).
void print_plan(Output& out, const ops::DeployPlan& plan);

// Prints the result (text and JSON result object, with `extra` fields) and
// returns the exit code: 0, 6 (failed, rolled back), 7 (failed, needs
// attention) or 130 (interrupted).
int finish(Output& out, const ops::DeployResult& r, nlohmann::json extra = nlohmann::json::object());

// A --lock-wait value.
std::chrono::milliseconds lock_wait(const std::string& text);

}  // namespace ecp::cli
