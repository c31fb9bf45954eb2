#pragma once
// One error type for all of ecp. Each error carries a Kind; cli/main.cpp maps the
// kind to the stable exit code documented in ecp(1) under EXIT STATUS.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace ecp {

enum class ErrorKind {
  internal,            // a bug or an unexpected system failure: exit 1
  usage,               // bad flags or arguments: exit 2
  validation,          // ecp.yaml, targets file or other input is invalid: exit 2
  io,                  // a file could not be read or written: exit 1
  build,               // the image could not be built: exit 3
  registry,            // a registry refused or failed: exit 4
  auth,                // credentials missing or rejected: exit 5
  deploy_rolled_back,  // a deploy failed and the target is back on the previous revision: exit 6
  deploy_failed,       // a deploy failed and the target needs attention (mixed or down): exit 7
  lock_held,           // another release holds the (app, env) lock: exit 8
  permission,          // the target, or this machine, refused an operation (permissions): exit 9
  interrupted,         // SIGINT/SIGTERM: exit 130
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

template <typename... Args>
[[noreturn]] void fail(ErrorKind kind, fmt::format_string<Args...> f, Args&&... args) {
  throw Error(kind, fmt::format(f, std::forward<Args>(args)...));
}

// The exit code for an error kind (the table in man/ecp.1, EXIT STATUS).
int exit_code(ErrorKind kind);

// The kind of a failed system call's errno: EACCES and EPERM are `permission`
// (exit 9: a file the user may not read is not a broken build), the rest
// `otherwise`.
ErrorKind errno_kind(int err, ErrorKind otherwise);

}  // namespace ecp
