// run_command(): the secret hook's process runner, on util/process, so a hook gets
// the same timeout, interrupt and process-group handling as every other child, and
// nothing in a reference is ever seen by a shell.
#include "core/config/secrets.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"

namespace ecp::config {

CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  if (argv.empty()) fail(ErrorKind::internal, "run_command: empty argv");
  // Callers tell "not installed" from "failed" by 127 with nothing on stderr.
  if (!process::find_program(argv[0])) return CommandResult{127, "", ""};
  process::Options o;
  for (const auto& e : extra_env) {
    auto eq = e.find('=');
    o.env.emplace_back(e.substr(0, eq), eq == std::string::npos ? "" : e.substr(eq + 1));
  }
  // A hook that hangs (a prompt nobody can answer) must not hold a release forever.
  o.timeout = std::chrono::minutes(2);
  o.max_output = std::size_t(2) << 20;
  auto r = process::run(argv, o);
  if (r.timed_out) fail(ErrorKind::io, "{} did not finish within 2 minutes", argv[0]);
  return CommandResult{r.signal != 0 ? 128 + r.signal : r.exit_code, std::move(r.out), std::move(r.err)};
}

}  // namespace ecp::config
