// The release engine's failure paths, on a backend that runs nothing: whatever
// fails, the exit code is the documented one, the ledger tells the truth (the
// record concluded with its outcome, the lock let go) and the previous revision
// is still the one that serves.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/deploy_output.hpp"
#include "core/ledger/lock.hpp"
#include "core/oci/digest.hpp"
#include "core/ops/release_engine.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "tests/unit/fake_backend.hpp"
#include "tests/unit/manual_clock.hpp"

using namespace ecp;
using namespace std::chrono_literals;
using ecp::testing::FakeBackend;
using ecp::testing::ManualClock;

namespace {

// A configuration as a release renders it, without secrets: the reference form
// is the text itself.
ops::DeployConfig fresh_config(const std::string& text) {
  auto c = ops::config_from_text(text, oci::Sha256::of(text).to_string(), {});
  c.reference_text = text;
  return c;
}

// One (app, env) on one location of a fake target, with a lock clock the test moves.
struct Rig {
  ManualClock clock;
  ops::TargetContext ctx;
  FakeBackend* fake = nullptr;

  explicit Rig(bool auto_clock = false) : clock(auto_clock) {
    ctx.target.name = "fake";
    ctx.env.replicas = 1;
    ctx.app.app = "hello";
    ctx.app.env = "dev";
    ctx.app.base_port = 18080;
    ctx.app.health.interval = 10ms;
    ctx.app.health.timeout = 10ms;
    auto b = std::make_unique<FakeBackend>();
    b->locs = {"h1"};
    fake = b.get();
    ctx.backend = std::move(b);
    ctx.ledger = std::make_unique<ledger::Ledger>(fake->state());
    ctx.clock = &clock;
  }

  // A release of image N with LISTEN_PORT `port`.
  ops::ReleaseInput input(int n, int port = 18080) {
    ops::ReleaseInput in;
    in.image.reference = "hello:" + std::to_string(n);
    in.image.digest = "sha256:" + std::string(64, static_cast<char>('0' + n));
    in.config = fresh_config(fmt::format("LISTEN_PORT={}\nN={}\n", port, n));
    in.strategy.type = strategy::Type::recreate;
    return in;
  }

  ops::DeployResult release(const ops::ReleaseInput& in) { return ops::execute(ctx, in, true, 0ms, {}); }

  ledger::Record record(int revision) {
    auto r = ctx.ledger->get(revision);
    REQUIRE(r);
    return *r;
  }
  bool unlocked() { return !ledger::read_lock(fake->state()).has_value(); }
  int serving() {
    auto it = fake->running.find({"h1", "a", 0});
    return it == fake->running.end() ? 0 : it->second;
  }
};

// The exit code `ecp deploy` gives this result.
int exit_code_of(const ops::DeployResult& r) {
  cli::Output out(true, false, true, 0);
  return cli::finish(out, r);
}

}  // namespace

TEST_CASE("ecp::ops::execute failure paths") {
  Rig rig;
  // Revision 1 serves, and is current.
  auto first = rig.release(rig.input(1));
  REQUIRE(first.outcome == ops::Outcome::succeeded);
  REQUIRE(rig.fake->active == 1);
  REQUIRE(rig.serving() == 1);
  REQUIRE(rig.unlocked());

  SUBCASE("a lock lost mid-release: rolled back, recorded, the lock left to whoever took it") {
    bool once = false;
    rig.fake->on_start = [&] {
      if (once) return;
      once = true;
      // Someone forces the lock away; the next renewal (a third of the lease) finds out.
      ledger::force_unlock(rig.fake->state());
      REQUIRE(rig.clock.await_sleepers(1));
      REQUIRE(rig.clock.advance(ops::lock_lease() / 3));
    };
    auto r = rig.release(rig.input(2));
    CHECK(r.outcome == ops::Outcome::failed_rolled_back);
    CHECK(exit_code_of(r) == 6);
    auto rec = rig.record(2);
    CHECK(rec.outcome == ledger::Outcome::failed_rolled_back);
    CHECK(rec.message == "the lock was lost");
    CHECK_FALSE(rec.finished.empty());
    CHECK(rig.unlocked());
    CHECK(rig.serving() == 1);
    CHECK(rig.fake->active == 1);
    CHECK(ledger::current(rig.ctx.ledger->records())->revision == 1);
  }

  SUBCASE("a stale saved plan: refused before anything is recorded") {
    REQUIRE(rig.release(rig.input(2)).outcome == ops::Outcome::succeeded);
    auto in = rig.input(3);
    in.expect_next_revision = 2;  // planned when revision 1 was the last
    try {
      rig.release(in);
      FAIL("a stale plan was applied");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::validation);
      CHECK(exit_code(e.kind()) == 2);
      CHECK(std::string(e.what()).find("the plan is stale") != std::string::npos);
    }
    CHECK_FALSE(rig.ctx.ledger->get(3));
    CHECK(rig.ctx.ledger->next_revision() == 3);
    CHECK(rig.unlocked());
    CHECK(rig.serving() == 2);
    CHECK(rig.fake->active == 2);
  }

  SUBCASE("an interrupted prepare: nothing started, recorded, exit 130") {
    rig.fake->prepare_error = ErrorKind::interrupted;
    rig.fake->calls.clear();
    auto r = rig.release(rig.input(2));
    CHECK(r.outcome == ops::Outcome::failed_rolled_back);
    CHECK(r.interrupted);
    CHECK(exit_code_of(r) == 130);
    auto rec = rig.record(2);
    CHECK(rec.outcome == ledger::Outcome::failed_rolled_back);
    CHECK(rec.message == "interrupted while preparing");
    CHECK(rig.unlocked());
    CHECK(rig.fake->calls == std::vector<std::string>{"prepare r2"});
    CHECK(rig.serving() == 1);
    CHECK(rig.fake->active == 1);
  }

  SUBCASE("a prepare that fails: exit 6, the message names it") {
    rig.fake->prepare_error = ErrorKind::io;
    auto r = rig.release(rig.input(2));
    CHECK(exit_code_of(r) == 6);
    CHECK_FALSE(r.interrupted);
    CHECK(rig.record(2).outcome == ledger::Outcome::failed_rolled_back);
    CHECK(rig.record(2).message.find("preparing revision 2") != std::string::npos);
    CHECK(rig.unlocked());
    CHECK(rig.serving() == 1);
  }

  SUBCASE("a failed activate: the release serves and says so, the old current link stays") {
    rig.fake->activate_fails = true;
    auto r = rig.release(rig.input(2));
    CHECK(r.outcome == ops::Outcome::succeeded);
    CHECK(exit_code_of(r) == 0);
    CHECK(rig.record(2).outcome == ledger::Outcome::succeeded);
    CHECK(rig.unlocked());
    CHECK(rig.serving() == 2);
    CHECK(rig.fake->active == 1);  // the backend's current still names revision 1
  }

  SUBCASE("a release that changes the port and fails puts the previous revision back on its own port") {
    // As the engine does: status() numbers every instance from today's port.
    rig.fake->status_base_port = 18090;
    rig.ctx.app.base_port = 18090;
    rig.fake->refuse = {2};  // 18090 is taken
    auto r = rig.release(rig.input(2, 18090));
    CHECK(r.outcome == ops::Outcome::failed_rolled_back);
    CHECK(exit_code_of(r) == 6);
    REQUIRE(rig.fake->started.size() >= 2);
    auto back = rig.fake->started.back();
    CHECK(back.revision == 1);
    CHECK(back.port == 18080);
    CHECK(rig.record(1).base_port == 18080);
    CHECK(rig.record(2).base_port == 18090);
    CHECK(rig.serving() == 1);
  }
}

TEST_CASE("ecp::ops::ReleaseTransaction") {
  Rig rig;
  ledger::Record rec;
  rec.revision = 1;
  rec.app = "hello";
  rec.env = "dev";
  auto config = fresh_config("A=1\n");

  SUBCASE("an exception nobody caught: the record is concluded failed, the lock let go") {
    try {
      ops::ReleaseTransaction tx(rig.ctx, "deploy hello/dev", 0ms);
      CHECK_FALSE(rig.unlocked());
      tx.begin(rec, config);
      CHECK(rig.record(1).outcome == ledger::Outcome::in_progress);
      CHECK(rig.record(1).holder.find(" (pid ") != std::string::npos);
      throw std::runtime_error("boom");
    } catch (const std::runtime_error&) {
    }
    CHECK(rig.record(1).outcome == ledger::Outcome::failed);
    CHECK_FALSE(rig.record(1).finished.empty());
    CHECK(rig.ctx.ledger->exact_config(rig.record(1), "revision 1") == "A=1\n");
    CHECK(rig.fake->store.get("configs/" + config.digest.substr(7) + ".properties") == "A=1\n");
    CHECK(rig.unlocked());
  }

  SUBCASE("an adopted record (a paused canary) stays as it was when abandoned") {
    rec.outcome = ledger::Outcome::paused;
    rig.ctx.ledger->write(rec);
    {
      ops::ReleaseTransaction tx(rig.ctx, "canary promote hello/dev", 0ms);
      tx.adopt(rec);
    }
    CHECK(rig.record(1).outcome == ledger::Outcome::paused);
    CHECK(rig.unlocked());
  }

  SUBCASE("a record left in progress by a release that is gone (kill -9) is recorded crashed by the next") {
    rec.holder = "ci on build-7 (pid 4242)";
    rig.ctx.ledger->write(rec);  // in progress, and nobody holds the lock
    REQUIRE(rig.record(1).outcome == ledger::Outcome::in_progress);
    {
      ops::ReleaseTransaction tx(rig.ctx, "deploy hello/dev", 0ms);
      CHECK(rig.record(1).outcome == ledger::Outcome::crashed);
      CHECK(rig.record(1).message.find("ci on build-7 (pid 4242)") != std::string::npos);
      CHECK_FALSE(rig.record(1).finished.empty());
      tx.release();
    }
    CHECK(rig.unlocked());
  }

  SUBCASE("a held lock is waited for by the clock, then refused naming its holder") {
    Rig waiting(true);  // sleeps move time on: the wait takes no real time
    ledger::Lease bob{
        "bob", "deploy hello/dev", waiting.clock.unix_ms(), waiting.clock.unix_ms() + 3'600'000, "bob-token", "", 0};
    REQUIRE(ledger::try_acquire(waiting.fake->state(), bob, waiting.clock.unix_ms()).acquired);
    try {
      ops::ReleaseTransaction tx(waiting.ctx, "deploy hello/dev", 30s);
      FAIL("took a held lock");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::lock_held);
      CHECK(std::string(e.what()).find("locked by bob") != std::string::npos);
    }
    CHECK(waiting.clock.elapsed() >= 30s);
    CHECK(waiting.clock.elapsed() < 31s);
    CHECK(ledger::read_lock(waiting.fake->state())->holder == "bob");
  }

  SUBCASE("a lock whose holder ran in this PID space and is gone is taken over at once") {
    Rig orphan(true);
    pid_t child = ::fork();  // a pid that certainly ran here and is gone
    if (child == 0) ::_exit(0);
    REQUIRE(child > 0);
    ::waitpid(child, nullptr, 0);
    ledger::Lease dead{"killed",     "deploy hello/dev",   orphan.clock.unix_ms(),    orphan.clock.unix_ms() + 3'600'000,
                       "dead-token", process::pid_space(), static_cast<int>(child)};
    REQUIRE_FALSE(dead.pid_space.empty());
    REQUIRE(ledger::try_acquire(orphan.fake->state(), dead, orphan.clock.unix_ms()).acquired);
    {
      // No --lock-wait: taken at once, an hour before the lease ends.
      ops::ReleaseTransaction tx(orphan.ctx, "deploy hello/dev", 0s);
      auto now = ledger::read_lock(orphan.fake->state());
      REQUIRE(now);
      CHECK(now->pid == static_cast<int>(::getpid()));
      CHECK(now->pid_space == process::pid_space());
    }

    ledger::Lease alive = dead;  // this very process: it runs, so its lease holds
    alive.pid = static_cast<int>(::getpid());
    alive.token = "alive-token";
    REQUIRE(ledger::try_acquire(orphan.fake->state(), alive, orphan.clock.unix_ms()).acquired);
    CHECK_THROWS_AS(ops::ReleaseTransaction(orphan.ctx, "deploy hello/dev", 0s), Error);
  }
}
