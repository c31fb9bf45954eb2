// Steps 2 and 6 of the release engine: the transaction that holds the lock and
// the ledger record of a release from its start to its outcome. Deploy,
// rollback, apply and canary promote/abort all go through it, so none of them can
// leave a lock behind or a record in progress that is not.
#include <fmt/format.h>
#include <unistd.h>

#include <random>

#include "core/ops/governance.hpp"
#include "core/ops/release_engine.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/process.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

std::unique_ptr<ledger::HeldLock> acquire_lock(TargetContext& ctx, const std::string& operation, Duration wait) {
  std::random_device rd;
  ledger::Lease want;
  want.holder = lock_holder();
  want.operation = operation;
  want.token = fmt::format("{:08x}{:08x}", rd(), rd());
  want.pid_space = process::pid_space();
  want.pid = static_cast<int>(::getpid());
  // A holder in this PID space whose process is gone (killed with -9) holds
  // nothing: its lock is taken over at once instead of after its lease.
  auto gone = [&](const ledger::Lease& h) {
    return !want.pid_space.empty() && h.pid_space == want.pid_space && process::pid_gone(h.pid);
  };
  Clock& clock = *ctx.clock;
  auto deadline = clock.now() + wait;
  bool said = false;
  for (;;) {
    want.since_ms = clock.unix_ms();
    want.expires_ms = want.since_ms + lock_lease().count();
    auto a = ledger::try_acquire(ctx.backend->state(), want, want.since_ms, gone);
    if (a.acquired) {
      if (a.took_over && a.took_over->expires_ms > want.since_ms)
        log::warn("took over the lock of {} (since {}): its process {} is gone on this machine", a.took_over->holder,
                  text::rfc3339_ms(a.took_over->since_ms), a.took_over->pid);
      else if (a.took_over)
        log::warn("took over an expired lock of {} (since {}, expired {})", a.took_over->holder,
                  text::rfc3339_ms(a.took_over->since_ms), text::rfc3339_ms(a.took_over->expires_ms));
      return std::make_unique<ledger::HeldLock>(ctx.backend->state(), want, lock_lease(), clock);
    }
    if (a.unreadable)
      fail(ErrorKind::lock_held,
           "the lock of {}/{} on target '{}' ({}) is unreadable, so whether a release runs is unknown; "
           "if none does: ecp unlock --env {} --force",
           ctx.app.app, ctx.app.env, ctx.target.name, ledger::lock_key, ctx.app.env);
    const auto& h = a.holder.value_or(ledger::Lease{});
    std::string msg =
        fmt::format("{}/{} is locked by {} since {} ({}; the lease runs until {})", ctx.app.app, ctx.app.env, h.holder,
                    text::rfc3339_ms(h.since_ms), h.operation.empty() ? "unknown operation" : h.operation,
                    text::rfc3339_ms(h.expires_ms));
    if (clock.now() >= deadline)
      fail(ErrorKind::lock_held,
           "{}; wait with --lock-wait DURATION, or if that release is gone: ecp unlock --env {} "
           "--force",
           msg, ctx.app.env);
    if (!said) log::info("{}; waiting", msg);
    said = true;
    for (int i = 0; i < 10 && clock.now() < deadline; ++i) {
      process::check_interrupted();
      clock.sleep_for(std::chrono::milliseconds(100));
    }
  }
}

ReleaseTransaction::ReleaseTransaction(TargetContext& ctx, const std::string& operation, Duration wait)
    : ctx_(ctx), lock_(acquire_lock(ctx, operation, wait)) {
  conclude_abandoned();
}

// With the lock held no other release runs here, so a record still in progress
// belongs to one that ended without an outcome: killed with -9, its machine
// lost, or its lock removed by `ecp unlock --force`. Nobody knows how far it
// got: it is recorded `crashed`, naming the holder (host and pid) that wrote
// it, and this release then sets the target straight. A failed write only
// warns: the release itself can go on.
void ReleaseTransaction::conclude_abandoned() {
  try {
    for (auto& r : ctx_.ledger->records()) {
      if (r.outcome != ledger::Outcome::in_progress) continue;
      r.outcome = ledger::Outcome::crashed;
      r.message = fmt::format(
          "crashed: the release of {} ended without an outcome (killed, its machine lost, or its lock removed)",
          r.holder.empty() ? r.who : r.holder);
      r.finished = text::rfc3339_ms(ctx_.clock->unix_ms());
      ctx_.ledger->write(r);
      log::warn("revision {} was left in progress by a release that is gone: recorded as crashed", r.revision);
    }
  } catch (const std::exception& e) {
    log::warn("could not conclude a release left in progress: {}", e.what());
  }
}

ReleaseTransaction::~ReleaseTransaction() {
  if (finished_) return;
  // Only an exception that no step caught gets here: what runs is unknown, so the
  // record says failed (needs attention) rather than staying in progress.
  if (began_)
    finish(ledger::Outcome::failed, "the release ended without an outcome (internal error)");
  else
    release();
}

void ReleaseTransaction::begin(ledger::Record rec, const DeployConfig& config) {
  rec_ = std::move(rec);
  rec_.holder = lock_->lease().holder;
  rec_.config_fingerprint = config.fingerprint;
  // A new configuration: both its forms kept (a read-back one is kept already).
  if (!config.from_target) {
    rec_.config_fingerprint = ctx_.ledger->fingerprint(config.text, true);
    ctx_.ledger->put_config(config.digest, config.reference_text, rec_.config_fingerprint, config.text);
  }
  ctx_.ledger->write(rec_);
  recorded_ = began_ = true;
}

void ReleaseTransaction::adopt(ledger::Record rec) {
  rec_ = std::move(rec);
  recorded_ = true;
}

bool ReleaseTransaction::lost() const { return lock_->lost(); }

void ReleaseTransaction::finish(ledger::Outcome outcome, const std::string& message) {
  process::Shield shield;  // the outcome is written whatever the signals say
  rec_.outcome = outcome;
  rec_.message = message;
  // A paused canary has not ended: `ecp canary promote|abort` finishes it.
  rec_.finished = outcome == ledger::Outcome::paused ? "" : text::rfc3339_ms(ctx_.clock->unix_ms());
  if (recorded_) {
    try {
      ctx_.ledger->write(rec_);
    } catch (const std::exception& e) {
      log::warn("could not record the outcome of revision {}: {}", rec_.revision, e.what());
    }
    // The audit log gets each outcome (a paused canary, then its end), under the lock.
    ledger::AuditEntry a;
    a.type = rec_.promoted_from                  ? "promote"
             : rec_.kind == ledger::Kind::deploy ? "release"
                                                 : ledger::to_string(rec_.kind);
    a.revision = rec_.revision;
    a.outcome = std::string(ledger::to_string(outcome));
    a.image_digest = rec_.image_digest;
    a.config_digest = rec_.config_digest;
    a.change_id = rec_.change_id;
    a.message = rec_.promoted_from ? fmt::format("from {} revision {}{}", rec_.promoted_from->env,
                                                 rec_.promoted_from->revision, message.empty() ? "" : ": " + message)
                                   : message;
    audit(ctx_, a);
  }
  release();
}

void ReleaseTransaction::release() {
  finished_ = true;
  lock_->release();
}

void finish_release(ReleaseTransaction& tx, ledger::Outcome outcome, const std::string& message, DeployResult& result) {
  tx.finish(outcome, message);
  result.outcome = outcome_of(outcome);
  result.message = message;
  result.revision = tx.recorded() ? tx.record().revision : 0;
}

}  // namespace ecp::ops
