#include "core/util/error.hpp"

namespace ecp {

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

}  // namespace ecp
