#include <fmt/format.h>

#include "cli/release_flags.hpp"
#include "core/ops/unlock.hpp"
#include "core/util/text.hpp"

namespace ecp::cli {

void add_unlock(CommandTree& t) {
  auto o = std::make_shared<ops::UnlockOptions>();
  auto* cmd = t.add(&t.root, "unlock", "Remove an environment's release lock left by a release that is gone",
                    [&g = t.globals, o](Output& out) {
                      o->project = project_of(g);
                      auto r = ops::unlock(*o);
                      if (!r.removed) {
                        out.text(fmt::format("{}/{} is not locked", r.app, r.env));
                        out.result({{"app", r.app}, {"env", r.env}, {"removed", nullptr}});
                        return 0;
                      }
                      out.text(fmt::format("removed the lock of {} on {}/{} (held since {}); recorded in the ledger",
                                           r.removed->holder, r.app, r.env,
                                           text::rfc3339_ms(r.removed->since_ms)));
                      out.result({{"app", r.app},
                                  {"env", r.env},
                                  {"removed",
                                   {{"holder", r.removed->holder},
                                    {"operation", r.removed->operation},
                                    {"since", text::rfc3339_ms(r.removed->since_ms)},
                                    {"expires", text::rfc3339_ms(r.removed->expires_ms)}}}});
                      return 0;
                    });
  add_env_flag(cmd, *o);
  cmd->add_flag("--force", o->force, "Remove the lock whoever holds it (recorded in the ledger)");
}

}  // namespace ecp::cli
