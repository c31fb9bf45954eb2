// run_credential_helper: docker-credential-<name> on util/process, so a helper gets
// the same timeout, interrupt and process-group handling as every other child.
#include "core/registry/credentials.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"

namespace ecp::registry {

HelperResult run_credential_helper(std::string_view name, std::string_view verb, std::string_view input) {
  std::string program = "docker-credential-" + std::string(name);
  if (!process::find_program(program))
    fail(ErrorKind::auth, "cannot run the credential helper {}: not found (is it on PATH?)", program);
  process::Options o;
  o.stdin_data = std::string(input);
  // A helper waiting for a keychain prompt nobody answers must not hang a push.
  o.timeout = std::chrono::minutes(2);
  o.max_output = std::size_t(1) << 20;  // a helper should not say that much
  process::Result r;
  try {
    r = process::run({program, std::string(verb)}, o);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    fail(ErrorKind::auth, "credential helper {}: {}", program, e.what());
  }
  if (r.timed_out) fail(ErrorKind::auth, "credential helper {} {} did not finish within 2 minutes", program, verb);
  return HelperResult{r.signal != 0 ? 128 + r.signal : r.exit_code, std::move(r.out), std::move(r.err)};
}

}  // namespace ecp::registry
