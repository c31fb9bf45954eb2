#include "cli/release_flags.hpp"
#include "core/ops/failover.hpp"

namespace ecp::cli {

void add_failover(CommandTree& t) {
  auto o = std::make_shared<ops::FailoverOptions>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "failover",
                    "Start the instances of hosts that do not answer on the others; stop stale ones of hosts back",
                    [&g = t.globals, o, wait](Output& out) {
                      wire_release(*o, g, *wait, out);
                      return finish(out, ops::failover(*o));
                    });
  add_env_flag(cmd, *o);
  add_release_flags(cmd, *o, *wait);
}

}  // namespace ecp::cli
