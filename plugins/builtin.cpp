#include "plugins/builtin.hpp"

#include "core/backend/backend.hpp"
#include "plugins/engine/engine_backend.hpp"
#include "plugins/host/host_backend.hpp"
#include "plugins/kubernetes/kube_backend.hpp"

namespace ecp::plugins {

void register_builtin_backends() {
  host::register_host_backend(backend::builtin_table());
  engine::register_engine_backend(backend::builtin_table());
  kubernetes::register_kubernetes_backend(backend::builtin_table());
}

}  // namespace ecp::plugins
