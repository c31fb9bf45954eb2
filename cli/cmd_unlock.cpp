#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "cli/deploy_output.hpp"
#include "core/ops/unlock.hpp"

namespace ecp::cli {

void add_unlock(CommandTree& t) {
  auto o = std::make_shared<ops::UnlockOptions>();
  auto* cmd = t.add(&t.root, "unlock", "Remove an environment's release lock left by a release that is gone",
                    [&g = t.globals, o](Output& out) {
                      o->project.descriptor = g.file;
                      o->project.targets = g.targets;
                      auto r = ops::unlock(*o);
                      if (!r.removed) {
                        out.text(fmt::format("{}/{} is not locked", r.app, r.env));
                        out.result({{"app", r.app}, {"env", r.env}, {"removed", nullptr}});
                        return 0;
                      }
                      out.text(fmt::format("removed the lock of {} on {}/{} (held since {}); recorded in the ledger",
                                           r.removed->holder, r.app, r.env,
                                           ledger::rfc3339_ms(r.removed->since_ms)));
                      out.result({{"app", r.app},
                                  {"env", r.env},
                                  {"removed",
                                   {{"holder", r.removed->holder},
                                    {"operation", r.removed->operation},
                                    {"since", ledger::rfc3339_ms(r.removed->since_ms)},
                                    {"expires", ledger::rfc3339_ms(r.removed->expires_ms)}}}});
                      return 0;
                    });
  cmd->add_option("-e,--env", o->env, "The environment (from ecp.yaml)")->required()->type_name("ENV");
  cmd->add_flag("--force", o->force, "Remove the lock whoever holds it (recorded in the ledger)");
}

}  // namespace ecp::cli
