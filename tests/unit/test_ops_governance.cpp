#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/ledger/audit.hpp"
#include "core/ops/governance.hpp"
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
