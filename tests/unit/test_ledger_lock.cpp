#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>

#include "core/ledger/ledger.hpp"
#include "core/ledger/lock.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"
#include "tests/unit/manual_clock.hpp"
#include "tests/unit/memory_store.hpp"

using namespace ecp;
using namespace std::chrono_literals;

namespace {
using MemoryStorage = testing::MemoryStore;

ledger::Lease lease(const std::string& holder, std::int64_t now, std::int64_t length) {
  ledger::Lease l;
  l.holder = holder;
  l.operation = "deploy hello/dev";
  l.since_ms = now;
  l.expires_ms = now + length;
  l.token = holder + "-token";
  l.pid_space = "boot/pid:[1]";
  l.pid = 4242;
  return l;
}
}  // namespace

TEST_CASE("ecp::ledger::try_acquire") {
  MemoryStorage s;
  auto now = ledger::now_ms();
  auto a = ledger::try_acquire(s, lease("alice", now, 60000), now);
  CHECK(a.acquired);
  SUBCASE("a second holder is told who holds it and since when") {
    auto b = ledger::try_acquire(s, lease("bob", now, 60000), now + 1000);
    CHECK_FALSE(b.acquired);
    REQUIRE(b.holder);
    CHECK(b.holder->holder == "alice");
    CHECK(b.holder->since_ms == now);
  }
  SUBCASE("an expired lease is taken over, once") {
    auto later = now + 61000;
    auto b = ledger::try_acquire(s, lease("bob", later, 60000), later);
    CHECK(b.acquired);
    REQUIRE(b.took_over);
    CHECK(b.took_over->holder == "alice");
    auto c = ledger::try_acquire(s, lease("carol", later, 60000), later);
    CHECK_FALSE(c.acquired);
    CHECK(c.holder->holder == "bob");
  }
  SUBCASE("a live lease whose holder is gone (the caller checked its pid) is taken over at once") {
    std::vector<ledger::Lease> asked;
    auto gone = [&](const ledger::Lease& h) {
      asked.push_back(h);
      return true;
    };
    auto b = ledger::try_acquire(s, lease("bob", now, 60000), now + 1000, gone);
    CHECK(b.acquired);
    REQUIRE(b.took_over);
    CHECK(b.took_over->holder == "alice");
    REQUIRE(asked.size() == 1);  // the stored lease, with where its holder runs
    CHECK(asked[0].pid_space == "boot/pid:[1]");
    CHECK(asked[0].pid == 4242);
  }
  SUBCASE("a holder that may still run keeps its lease") {
    auto b = ledger::try_acquire(s, lease("bob", now, 60000), now + 1000, [](const ledger::Lease&) { return false; });
    CHECK_FALSE(b.acquired);
    CHECK(b.holder->holder == "alice");
  }
  SUBCASE("bytes that are not a lease are unreadable, never free or expired") {
    s.put(ledger::lock_key, "{\"holder\": \"half a lea");
    auto b =
        ledger::try_acquire(s, lease("bob", now, 60000), now + 999999999, [](const ledger::Lease&) { return true; });
    CHECK_FALSE(b.acquired);
    CHECK(b.unreadable);
    CHECK(*s.get(ledger::lock_key) == "{\"holder\": \"half a lea");
  }
  SUBCASE("force_unlock removes it and says whose it was") {
    auto removed = ledger::force_unlock(s);
    REQUIRE(removed);
    CHECK(removed->holder == "alice");
    CHECK_FALSE(ledger::read_lock(s).has_value());
    CHECK_FALSE(ledger::force_unlock(s).has_value());
  }
}

// The lease's clock is a manual one: a renewal happens when the test moves time
// past a third of the lease, and advance() returns once the renewer has done it.
TEST_CASE("ecp::ledger::HeldLock") {
  MemoryStorage s;
  testing::ManualClock clock;
  auto now = clock.unix_ms();
  auto l = lease("alice", now, 3000);
  REQUIRE(ledger::try_acquire(s, l, now).acquired);
  SUBCASE("renews every third of the lease, so it never runs out, and releases") {
    {
      ledger::HeldLock held(s, l, 3000ms, clock);
      REQUIRE(clock.await_sleepers(1));
      CHECK(ledger::read_lock(s)->expires_ms == now + 3000);  // not before a third has passed
      REQUIRE(clock.advance(1000ms));
      CHECK(ledger::read_lock(s)->expires_ms == now + 1000 + 3000);
      REQUIRE(clock.advance(1000ms));
      REQUIRE(clock.advance(1000ms));
      REQUIRE(clock.advance(1000ms));
      // Past the first lease's end, and still ours.
      auto stored = ledger::read_lock(s);
      REQUIRE(stored);
      CHECK(stored->expires_ms == now + 4000 + 3000);
      CHECK(stored->token == l.token);
      CHECK_FALSE(held.lost());
    }
    CHECK_FALSE(ledger::read_lock(s).has_value());
  }
  SUBCASE("a forced unlock makes it lost at the next renewal, and its release leaves the new holder alone") {
    ledger::HeldLock held(s, l, 3000ms, clock);
    REQUIRE(clock.await_sleepers(1));
    ledger::force_unlock(s);
    auto t = clock.unix_ms();
    REQUIRE(ledger::try_acquire(s, lease("bob", t, 60000), t).acquired);
    CHECK_FALSE(held.lost());
    REQUIRE(clock.advance(1000ms));
    CHECK(held.lost());
    held.release();
    auto stored = ledger::read_lock(s);
    REQUIRE(stored);
    CHECK(stored->holder == "bob");
  }
  SUBCASE("a store it cannot reach: kept while the lease lasts, lost once it expired") {
    ledger::HeldLock held(s, l, 3000ms, clock);
    REQUIRE(clock.await_sleepers(1));
    s.set_unreachable(true);
    REQUIRE(clock.advance(1000ms));
    REQUIRE(clock.advance(1000ms));
    REQUIRE(clock.advance(1000ms));  // at the lease's last millisecond
    CHECK_FALSE(held.lost());
    REQUIRE(clock.advance(1000ms));
    CHECK(held.lost());
    s.set_unreachable(false);
    held.release();
    // Lost: not ours to remove; it expires by itself.
    CHECK(ledger::read_lock(s)->token == l.token);
  }
}

TEST_CASE("ecp::ledger::Ledger") {
  MemoryStorage s;
  ledger::Ledger l(s);
  CHECK(l.next_revision() == 1);
  auto rec = [](int rev, ledger::Outcome o, const std::string& image, const std::string& config) {
    ledger::Record r;
    r.revision = rev;
    r.app = "hello";
    r.env = "dev";
    r.image_digest = image;
    r.config_digest = config;
    r.outcome = o;
    return r;
  };
  l.write(rec(1, ledger::Outcome::succeeded, "sha256:a", "sha256:c1"));
  l.write(rec(2, ledger::Outcome::succeeded, "sha256:b", "sha256:c1"));
  l.write(rec(3, ledger::Outcome::failed_rolled_back, "sha256:c", "sha256:c1"));
  l.write(rec(10, ledger::Outcome::succeeded, "sha256:b", "sha256:c1"));
  auto all = l.records();
  REQUIRE(all.size() == 4);
  CHECK(all.back().revision == 10);
  CHECK(l.next_revision() == 11);
  CHECK(l.get(3)->outcome == ledger::Outcome::failed_rolled_back);
  CHECK(ledger::current(all)->revision == 10);
  SUBCASE("rollback goes to the last good revision that differs from the current one") {
    auto t = ledger::rollback_target(all, 10);
    REQUIRE(t);
    CHECK(t->revision == 1);  // 2 is the same image and config as 10, 3 failed
  }
  SUBCASE("the newest N good revisions are kept, plus the ones asked for") {
    CHECK(ledger::revisions_to_keep(all, 2, {3}) == std::vector<int>{2, 3, 10});
    // Scales of revision 10 install nothing: they keep 10, and take no place.
    auto scaled = all;
    for (int r : {11, 12}) {
      auto x = scaled.back();
      x.revision = r;
      x.kind = ledger::Kind::scale;
      x.runs = 10;
      scaled.push_back(x);
    }
    CHECK(ledger::revisions_to_keep(scaled, 2, {}) == std::vector<int>{2, 10});
  }
  SUBCASE("a damaged record is skipped, and its number still counts") {
    s.put("ledger/r000011.json", "{not json");
    CHECK(l.records().size() == 4);
    CHECK(l.next_revision() == 12);
  }
  SUBCASE("configs are stored by digest and fingerprint, named by checked hex") {
    const std::string hex(64, 'a');
    l.put_config("sha256:" + hex, "A=secret:env:X\n", "hmac-sha256:" + std::string(64, 'b'), "A=1\n");
    CHECK(s.get("configs/" + hex + ".properties") == std::optional<std::string>("A=secret:env:X\n"));
    CHECK(s.get("private/configs/" + std::string(64, 'b') + ".properties") == std::optional<std::string>("A=1\n"));
    CHECK_THROWS_AS(l.put_config("../../etc/passwd", "x", "hmac-sha256:" + hex, "x"), Error);
    CHECK_THROWS_AS(l.put_config("sha256:" + hex, "x", "hmac-sha256:../../x", "x"), Error);
  }
}

TEST_CASE("ecp::ledger::Record JSON") {
  ledger::Record r;
  r.revision = 7;
  r.kind = ledger::Kind::rollback;
  r.app = "hello";
  r.env = "prod";
  r.image = "hello:1";
  r.image_digest = "sha256:aa";
  oci::Descriptor layer;
  layer.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  layer.digest = oci::Sha256::of("layer");
  layer.size = 42;
  r.layers = {oci::layer_ref(layer, oci::Sha256::of("tar")), oci::layer_ref(layer, {})};
  r.change_id = "CHG-1 \"quoted\" $(x)";
  r.outcome = ledger::Outcome::failed_rolled_back;
  r.from_revision = 6;
  r.rollback_to = 3;
  r.instances = {{"ssh://root@10.0.0.1", "a", 0, 8080}};
  auto back = ledger::record_from_json(ledger::to_json(r), "r7");
  CHECK(back == r);
  CHECK(ledger::to_json(r).find("replicas") == std::string::npos);  // 0: not known, not written
  r.kind = ledger::Kind::scale;
  r.replicas = 3;
  r.runs = 5;
  back = ledger::record_from_json(ledger::to_json(r), "r7");
  CHECK(back == r);
  CHECK(ledger::to_json(r).find(R"("kind":"scale")") != std::string::npos);
  CHECK(ledger::to_json(r).find(R"("runs":5)") != std::string::npos);
  r.kind = ledger::Kind::failover;
  CHECK(ledger::record_from_json(ledger::to_json(r), "r7").kind == ledger::Kind::failover);
  CHECK_THROWS_AS(ledger::record_from_json(R"({"revision": 1, "outcome": "failed", "replicas": "x"})", "r"), Error);
  r.kind = ledger::Kind::rollback;
  r.replicas = 0;
  r.runs = 0;
  CHECK(ledger::to_json(r).find("promoted_from") == std::string::npos);  // only when promoted
  r.promoted_from = ledger::Promotion{"staging", 4, "sha256:aa"};
  back = ledger::record_from_json(ledger::to_json(r), "r7");
  CHECK(back == r);
  REQUIRE(back.promoted_from);
  CHECK(back.promoted_from->revision == 4);
  CHECK(ledger::to_json(r).find('\n') == std::string::npos);
  CHECK_THROWS_AS(ledger::record_from_json("{\"revision\": 1, \"outcome\": \"maybe\"}", "x"), Error);
  CHECK_THROWS_WITH_AS(ledger::record_from_json(R"({"revision": 1, "outcome": "failed", "kind": "undo"})", "r"),
                       "r: unknown kind 'undo'", Error);
  CHECK(ledger::record_from_json(R"({"revision": 1, "outcome": "failed"})", "r").kind == ledger::Kind::deploy);
  // Found by tests/fuzz/fuzz_ledger_record: a field of another type escaped as a
  // nlohmann exception, which Ledger::events() does not skip.
  CHECK_THROWS_AS(ledger::event_from_json("{\"type\": \"unlock\", \"who\": 0}", "e"), Error);
  CHECK(ledger::event_from_json(ledger::to_json(ledger::Event{"unlock", "ops", "now", "m"}), "e").who == "ops");
  // And a float out of an integer's range was cast to it (undefined behaviour).
  CHECK_THROWS_WITH_AS(ledger::record_from_json(R"({"revision": 1e300, "outcome": "failed"})", "r"),
                       "r: 'revision' is out of range", Error);
  CHECK_THROWS_WITH_AS(
      ledger::record_from_json(R"({"revision": 1, "outcome": "failed", "instances": [{"port": -1e10}]})", "r"),
      "r: 'port' is out of range", Error);
  CHECK(ledger::record_from_json(R"({"revision": 2.0, "outcome": "failed"})", "r").revision == 2);
  CHECK_THROWS_WITH_AS(
      ledger::record_from_json(R"({"revision": 1, "outcome": "failed", "layers": [{"digest": "sha256:l1"}]})", "r"),
      "r: 'digest' is not a digest: 'sha256:l1'", Error);
  CHECK_THROWS_WITH_AS(
      ledger::record_from_json(R"({"revision": 1, "outcome": "failed", "layers": [{"size": 1e19}]})", "r"),
      "r: 'size' is out of range", Error);
  CHECK(text::parse_rfc3339_ms(text::rfc3339_ms(1700000000123)) == 1700000000123);
  CHECK(text::parse_rfc3339_ms("2023-11-14T22:13:20Z") == 1700000000000);
  CHECK_FALSE(text::parse_rfc3339_ms("yesterday").has_value());
}

// A record as ecp has always written it (keys sorted, one line; a layer without
// a diff_id): it reads, and writes back byte for byte, so old ledgers stay readable.
TEST_CASE("ecp::ledger::Record JSON is stable") {
  const std::string a = "sha256:" + std::string(64, 'a'), b = "sha256:" + std::string(64, 'b'),
                    c = "sha256:" + std::string(64, 'c'), d = "sha256:" + std::string(64, 'd');
  const std::string line =
      R"({"app":"hello","change_id":"CHG-1","config_digest":")" + c +
      R"(","env":"prod","finished":"2026-12-05T18:00:01.000Z","from_revision":6,"image":"hello:1","image_digest":")" +
      a + R"(","instances":[{"index":0,"location":"local","port":8080,"slot":"b"}],"kind":"rollback","layers":[)" +
      R"({"diff_id":")" + d + R"(","digest":")" + b +
      R"(","media_type":"application/vnd.oci.image.layer.v1.tar+gzip","size":42},)" + R"({"diff_id":"","digest":")" +
      d + R"(","media_type":"application/vnd.oci.image.layer.v1.tar","size":7}],"message":"","outcome":"succeeded",)" +
      R"("revision":7,"rollback_to":3,"strategy":"blue-green","target":"local","when":"2026-12-05T18:00:00.000Z","who":"ops"})";
  auto r = ledger::record_from_json(line, "r7");
  CHECK(ledger::to_json(r) == line);
  CHECK(r.kind == ledger::Kind::rollback);
  CHECK(r.outcome == ledger::Outcome::succeeded);
  REQUIRE(r.layers.size() == 2);
  CHECK(r.layers[0].descriptor.digest.to_string() == b);
  CHECK(r.layers[0].diff_id.to_string() == d);
  CHECK_FALSE(r.layers[1].diff_id.valid());
}
