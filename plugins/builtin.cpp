#include "plugins/builtin.hpp"

#include "core/backend/backend.hpp"
#include "plugins/host/host_backend.hpp"

namespace ecp::plugins {

void register_builtin_backends() { host::register_host_backend(backend::builtin_table()); }

}  // namespace ecp::plugins
