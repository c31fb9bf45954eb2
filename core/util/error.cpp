#include "core/util/error.hpp"

#include <cerrno>

namespace ecp {

// One line per kind: tests/integration/man_lint.sh reads the table from here.
// clang-format off
int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::internal: return 1;
    case ErrorKind::io: return 1;
    case ErrorKind::usage: return 2;
    case ErrorKind::validation: return 2;
    case ErrorKind::build: return 3;
    case ErrorKind::registry: return 4;
    case ErrorKind::auth: return 5;
    case ErrorKind::deploy_rolled_back: return 6;
    case ErrorKind::deploy_failed: return 7;
    case ErrorKind::lock_held: return 8;
    case ErrorKind::permission: return 9;
    case ErrorKind::interrupted: return 130;
  }
  return 1;
}
// clang-format on

ErrorKind errno_kind(int err, ErrorKind otherwise) {
  return err == EACCES || err == EPERM ? ErrorKind::permission : otherwise;
}

}  // namespace ecp
