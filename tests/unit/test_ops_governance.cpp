#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/ledger/audit.hpp"
#include "core/ops/approvals.hpp"
#include "core/ops/failover.hpp"
#include "core/ops/governance.hpp"
#include "core/ops/status.hpp"
#include "core/ops/top.hpp"
#include "tests/unit/memory_store.hpp"

using namespace ecp;

namespace {

descriptor::Access access() {
  descriptor::Access a;
  a.present = true;
  a.location = {"ecp-targets.yaml", 7, 3};
  a.groups = {{"release-managers", {"alice", "deploy"}}, {"ops", {"bob"}}};
  a.environments = {"prod"};
  a.rules = {{"prod", "release", {"release-managers"}, {"ecp-targets.yaml", 14, 7}},
             {"prod", "unlock", {"ops", "release-managers"}, {"ecp-targets.yaml", 15, 7}}};
  return a;
}

backend::Identity cert(std::string principal) { return {"root", {std::move(principal)}, "ssh certificate", true}; }

}  // namespace

TEST_CASE("ecp::ops::access_problem: groups of identities per environment and action") {
  auto a = access();
  CHECK(ops::access_problem(a, "prod", "release", cert("alice")) == "");
  CHECK(ops::access_problem(a, "prod", "release", cert("bob")) ==
        "bob, root (ssh certificate) may not release in prod: ecp-targets.yaml:14:7 allows release-managers only");
  CHECK(ops::access_problem(a, "prod", "unlock", cert("bob")) == "");
  // An action the environment's rules do not name: nobody.
  CHECK(ops::access_problem(a, "prod", "rollback", cert("alice")) ==
        "alice, root (ssh certificate) may not rollback in prod: access.environments.prod has no 'rollback' rule "
        "(ecp-targets.yaml:7:3)");
  // The SSH user counts too (a key without a certificate).
  CHECK(ops::access_problem(a, "prod", "release", {"deploy", {}, "ssh user", true}) == "");
  CHECK(ops::access_problem(a, "prod", "release", {"mallory", {}, "unverified", false}) ==
        "mallory (unverified) may not release in prod: ecp-targets.yaml:14:7 allows release-managers only");
  // Environments access: does not list, and no access: at all, are open.
  CHECK(ops::access_problem(a, "dev", "release", cert("mallory")) == "");
  CHECK(ops::access_problem(descriptor::Access{}, "prod", "release", cert("mallory")) == "");
}

TEST_CASE("ecp::ledger::AuditLog: append-only, hash-chained, verified") {
  testing::MemoryStore store;
  ledger::AuditLog log(store);
  ledger::AuditEntry e;
  e.type = "release";
  e.app = "web";
  e.env = "prod";
  e.actor = {"alice", "ssh certificate", "github:mallory"};
  auto first = log.append(e);
  CHECK(first.seq == 1);
  CHECK(first.prev == "");
  CHECK(first.hash == ledger::audit_hash(first));
  e.type = "denied";
  auto second = log.append(e);
  CHECK(second.seq == 2);
  CHECK(second.prev == first.hash);
  auto r = log.read();
  REQUIRE(r.entries.size() == 2);
  CHECK(r.entries[1] == second);
  CHECK(r.problems.empty());
  // An entry is never rewritten: the store refuses a create over it.
  CHECK_FALSE(store.put_if(ledger::audit_key(1), "{}", std::nullopt));

  SUBCASE("an edited entry") {
    auto j = nlohmann::json::parse(*store.get(ledger::audit_key(1)));
    j["actor"]["verified"] = "bob";
    store.put(ledger::audit_key(1), j.dump());
    auto bad = log.read();
    REQUIRE(bad.problems.size() == 1);
    CHECK(bad.problems[0] ==
          "audit/0000000001.json: its content does not match its hash (changed after it was written)");
  }
  SUBCASE("an entry re-hashed after editing: the next one's chain breaks") {
    auto edited = first;
    edited.message = "nothing happened";
    edited.hash = ledger::audit_hash(edited);
    store.put(ledger::audit_key(1), ledger::audit_json(edited).dump());
    auto bad = log.read();
    REQUIRE(bad.problems.size() == 1);
    CHECK(bad.problems[0] == "audit/0000000002.json: the entry before it is not the one it was written after");
  }
  SUBCASE("an entry taken out") {
    log.append(e);
    store.remove_if(ledger::audit_key(2), *store.get(ledger::audit_key(2)));
    auto bad = log.read();
    REQUIRE(bad.problems.size() == 1);
    CHECK(bad.problems[0] == "audit/0000000003.json: entries 2 to 2 are missing");
  }
}

TEST_CASE("ecp::ops::approval_problem: four eyes, both digests, unexpired, from the groups") {
  auto a = access();
  descriptor::Approvals rule;
  rule.required = 1;
  rule.from = {"release-managers"};
  auto ok = [](std::string who) {
    ops::Approval x;
    x.approver = who;
    x.names = {who, "root"};
    x.image_digest = "sha256:img";
    x.config_digest = "sha256:cfg";
    x.expires_ms = 2000;
    return x;
  };
  backend::Identity bob{"bob", {}, "ssh user", true};
  CHECK(ops::approval_problem(rule, a, {ok("alice")}, "sha256:img", "sha256:cfg", bob, 1000) == "");
  CHECK(ops::approval_problem({}, a, {}, "sha256:img", "sha256:cfg", bob, 1000) == "");  // none required
  auto other = ok("alice");
  other.config_digest = "sha256:zzz";
  auto late = ok("deploy");
  late.expires_ms = 1000;
  auto outsider = ok("mallory");
  outsider.names = {"mallory"};
  CHECK(ops::approval_problem(rule, a, {other, late, outsider, ok("bob")}, "sha256:img", "sha256:cfg", bob, 1000) ==
        "needs 1 approval(s) from release-managers of image sha256:img with configuration sha256:cfg; has 0 (not "
        "counted: 1 for another configuration, 1 expired, 1 by the releaser, 1 by people outside release-managers)");
  // One approver counts once; two are needed.
  rule.required = 2;
  CHECK(ops::approval_problem(rule, a, {ok("alice"), ok("alice")}, "sha256:img", "sha256:cfg", bob, 1000)
            .starts_with("needs 2 approval(s) from release-managers"));
  CHECK(ops::approval_problem(rule, a, {ok("alice"), ok("deploy")}, "sha256:img", "sha256:cfg", bob, 1000) == "");
}

TEST_CASE("ecp::ops::approval_problem: two certificates on one SSH user are two people") {
  descriptor::Access a = access();
  descriptor::Approvals rule;
  rule.required = 1;
  ops::Approval alice;
  alice.approver = "alice";
  alice.names = {"alice", "root"};
  alice.image_digest = "sha256:img";
  alice.config_digest = "sha256:cfg";
  alice.expires_ms = 2000;
  CHECK(ops::approval_problem(rule, a, {alice}, "sha256:img", "sha256:cfg", cert("bob"), 1000) == "");
  CHECK(ops::approval_problem(rule, a, {alice}, "sha256:img", "sha256:cfg", cert("alice"), 1000) != "");
}

TEST_CASE("ecp::ledger::AuditLog: stray and damaged keys neither block appending nor hide entries") {
  testing::MemoryStore store;
  ledger::AuditLog log(store);
  ledger::AuditEntry e;
  e.type = "release";
  log.append(e);
  store.put("audit/zzz", "not ours");                           // sorts after every entry
  store.put(ledger::audit_key(2), R"({"seq": 2, "hash": 7})");  // a field of the wrong type
  auto third = log.append(e);
  CHECK(third.seq == 3);
  auto r = log.read();
  CHECK(r.entries.size() == 2);
  REQUIRE(r.problems.size() == 2);
  CHECK(r.problems[0] == "audit/0000000002.json: not an audit entry (damaged)");
  CHECK(r.problems[1] == "audit/zzz: not an audit entry's key (put there by something else)");
}

TEST_CASE("ecp::ops::approval_problem: the releaser's own approval under another certificate does not count") {
  descriptor::Approvals rule;
  rule.required = 1;
  ops::Approval mine;
  mine.approver = "ops-bot";
  mine.names = {"ops-bot", "alice", "root"};  // a second certificate of alice's, principals ops-bot and alice
  mine.method = "ssh certificate";
  mine.image_digest = "sha256:img";
  mine.config_digest = "sha256:cfg";
  mine.expires_ms = 2000;
  CHECK(ops::approval_problem(rule, access(), {mine}, "sha256:img", "sha256:cfg", cert("alice"), 1000) ==
        "needs 1 approval(s) of image sha256:img with configuration sha256:cfg; has 0 (not counted: 1 by the "
        "releaser)");
}

TEST_CASE("ecp::ops::sort_busiest: CPU first, then memory") {
  std::vector<ops::TopLocation> l(3);
  l[0].metrics = {"h1", "", 10, 1, 500, 1000, 0};
  l[1].metrics = {"h2", "", 90, 1, 100, 1000, 0};
  l[2].metrics = {"h3", "", 10, 1, 900, 1000, 0};
  std::vector<ops::TopInstance> i(3);
  i[0].metrics.ref.location = "a";
  i[0].metrics.cpu_percent = -1;  // unknown sorts last
  i[1].metrics.ref.location = "b";
  i[1].metrics.cpu_percent = 5;
  i[1].metrics.rss = 10;
  i[2].metrics.ref.location = "c";
  i[2].metrics.cpu_percent = 5;
  i[2].metrics.rss = 20;
  ops::sort_busiest(l, i);
  CHECK(l[0].metrics.location == "h2");
  CHECK(l[1].metrics.location == "h3");
  CHECK(l[2].metrics.location == "h1");
  CHECK(i[0].metrics.ref.location == "c");
  CHECK(i[1].metrics.ref.location == "b");
  CHECK(i[2].metrics.ref.location == "a");
}

TEST_CASE("ecp::ops::place_instances: the fewest instances first, within free memory") {
  using backend::InstanceRef;
  int unplaced = -1;
  // h2 is lost with two instances; h1 runs a-0 and a-1, h3 runs a-0.
  std::vector<InstanceRef> kept = {{"h1", "a", 0}, {"h1", "a", 1}, {"h3", "a", 0}};
  auto p = ops::place_instances({"h1", "h3"}, kept, 2, 100, {}, unplaced);
  REQUIRE(p.size() == 2);
  CHECK((p[0].location == "h3" && p[0].index == 1));  // h3 had fewer
  CHECK((p[1].location == "h1" && p[1].index == 2));  // then a tie: the first listed
  CHECK(unplaced == 0);
  // h3 has room for one more only; h1 none: the second instance fits nowhere.
  p = ops::place_instances({"h1", "h3"}, kept, 2, 100, {{"h1", 50}, {"h3", 150}}, unplaced);
  REQUIRE(p.size() == 1);
  CHECK(p[0].location == "h3");
  CHECK(unplaced == 1);
  // Nothing moving: nothing placed.
  CHECK(ops::place_instances({"h1"}, kept, 0, 0, {}, unplaced).empty());
}

TEST_CASE("ecp::ops::drift_of: what runs against the ledger") {
  using backend::InstanceState;
  auto rec = [](int rev, std::string image, std::string config) {
    ledger::Record r;
    r.revision = rev;
    r.image_digest = std::move(image);
    r.config_digest = std::move(config);
    return r;
  };
  std::vector<ledger::Record> records = {rec(1, "sha256:i1", "sha256:c1"), rec(2, "sha256:i2", "sha256:c2")};
  auto cur = records[1];
  cur.instances = {{"h1", "a", 0, 8080}, {"h2", "a", 0, 8080}, {"h3", "a", 0, 8080}};
  auto running = [](std::string loc, int rev, std::string image = "", std::string slot = "a") {
    backend::InstanceStatus s;
    s.ref = {std::move(loc), std::move(slot), 0};
    s.revision = rev;
    s.state = InstanceState::running;
    s.image_digest = std::move(image);
    return s;
  };
  backend::TargetStatus st;
  st.instances = {running("h1", 2, "sha256:i2"), running("h2", 2), running("h3", 2)};
  CHECK(ops::drift_of(records, cur, st, {}).empty());
  // h1's release was reinstalled with another image; h2 runs revision 1; h3 is
  // gone from the target (not lost: it answered); h4 runs one nobody counts.
  st.instances = {running("h1", 2, "sha256:evil"), running("h2", 1), running("h4", 2)};
  auto d = ops::drift_of(records, cur, st, {});
  std::vector<std::string> what;
  for (const auto& x : d) what.push_back(x.what + " " + x.instance);
  CHECK(what == std::vector<std::string>{"image a-0@h1", "image a-0@h2", "config a-0@h2", "stray a-0@h4",
                                         "missing a-0@h3", "count "});
  CHECK(d[0].actual == "sha256:evil (as installed there)");
  CHECK(d[5].expected == "3 instance(s)");
  CHECK(d[5].actual == "2 running");
  // A lost location is not drift; a pending stop and a canary's slot are not strays.
  st.instances = {running("h1", 2), running("h2", 2), running("h1", 1, "", "b")};
  st.instances.back().stops_at = "2026-12-07T20:00:00Z";
  st.lost = {"h3"};
  CHECK(ops::drift_of(records, cur, st, {}).empty());
  st.instances.back().stops_at.clear();
  CHECK(ops::drift_of(records, cur, st, {{"a", 90}, {"b", 10}}).empty());
  CHECK(ops::drift_of(records, cur, st, {{"a", 100}}).size() == 1);
  // A counted instance that crashed is not running: reported, and counted out.
  st.instances = {running("h1", 2), running("h2", 2)};
  st.instances[1].state = InstanceState::crashed;
  d = ops::drift_of(records, cur, st, {});
  REQUIRE(d.size() == 2);
  CHECK((d[0].what == "missing" && d[0].instance == "a-0@h2" && d[0].actual == "crashed"));
  CHECK((d[1].what == "count" && d[1].expected == "2 instance(s)" && d[1].actual == "1 running"));
}
