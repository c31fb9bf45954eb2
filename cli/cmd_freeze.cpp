#include <fmt/format.h>

#include "cli/release_flags.hpp"
#include "core/ops/release_gates.hpp"
#include "core/util/text.hpp"

namespace ecp::cli {

void add_freeze(CommandTree& t) {
  auto o = std::make_shared<ops::FreezeOptions>();
  auto* cmd =
      t.add(&t.root, "freeze", "Refuse releases to an environment until a date, unless --emergency",
            [&g = t.globals, o](Output& out) {
              o->project = project_of(g);
              auto r = ops::freeze(*o);
              out.text(fmt::format("{}/{} is frozen until {}{}", r.app, r.env, text::rfc3339_ms(r.freeze.until_ms),
                                   r.freeze.reason.empty() ? "" : ": " + r.freeze.reason));
              out.result({{"app", r.app},
                          {"env", r.env},
                          {"target", r.target},
                          {"until", text::rfc3339_ms(r.freeze.until_ms)},
                          {"reason", r.freeze.reason},
                          {"who", r.freeze.who},
                          {"replaced", r.was_frozen}});
              return 0;
            });
  add_env_flag(cmd, *o);
  cmd->add_option("--until", o->until, "Until when: RFC 3339, YYYY-MM-DD (UTC), or a duration from now (48h)")
      ->required()
      ->type_name("DATE");
  cmd->add_option("--reason", o->reason, "Why, for the audit log and the refusals")->type_name("TEXT");

  auto u = std::make_shared<ops::FreezeOptions>();
  auto* un = t.add(&t.root, "unfreeze", "Lift an environment's freeze", [&g = t.globals, u](Output& out) {
    u->project = project_of(g);
    auto r = ops::unfreeze(*u);
    out.text(r.was_frozen ? fmt::format("{}/{} is no longer frozen", r.app, r.env)
                          : fmt::format("{}/{} was not frozen", r.app, r.env));
    out.result({{"app", r.app}, {"env", r.env}, {"target", r.target}, {"lifted", r.was_frozen}});
    return 0;
  });
  add_env_flag(un, *u);
  un->add_option("--reason", u->reason, "Why, for the audit log")->type_name("TEXT");
}

}  // namespace ecp::cli
