#include "core/ops/unlock.hpp"

#include <fmt/format.h>

#include "core/ops/deploy_context.hpp"
#include "core/ops/governance.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

UnlockResult unlock(const UnlockOptions& o) {
  TargetContext ctx = open_target(o.project, o.env);
  UnlockResult r;
  r.app = ctx.app.app;
  r.env = ctx.app.env;
  r.target = ctx.target.name;
  auto held = ledger::read_lock(ctx.backend->state());
  if (!held) return r;
  if (o.force) authorize(ctx, Action::unlock);
  if (!o.force)
    fail(ErrorKind::lock_held,
         "{}/{} is locked by {} since {} ({}); if that release is gone, remove the lock with --force",
         r.app, r.env, held->holder, text::rfc3339_ms(held->since_ms), held->operation);
  r.removed = ledger::force_unlock(ctx.backend->state());
  if (r.removed) {
    ledger::Event e;
    e.type = "unlock";
    e.who = who();
    e.when = text::rfc3339_ms(ledger::now_ms());
    e.message = fmt::format("forced unlock: removed the lock of {} ({}) held since {}, lease until {}",
                            r.removed->holder, r.removed->operation, text::rfc3339_ms(r.removed->since_ms),
                            text::rfc3339_ms(r.removed->expires_ms));
    ctx.ledger->add_event(e);
    ledger::AuditEntry a;
    a.type = "unlock";
    a.message = e.message;
    audit(ctx, a);
  }
  return r;
}

}  // namespace ecp::ops
