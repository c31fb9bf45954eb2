#include <doctest/doctest.h>

#include <set>
#include <string>

#include "plugins/host/agent.hpp"
#include "plugins/host/agent_verbs.hpp"

using namespace ecp;
using namespace ecp::plugins::host;

namespace {

using Words = std::vector<std::string>;
const AgentPlace place{"/srv/ecp", "web", "prod"};
const backend::InstanceRef b1{"ssh://h1", "b", 1};

Words words(const AgentCommand& c) {
  Words w{c.verb};
  w.insert(w.end(), c.args.begin(), c.args.end());
  return w;
}

// One of each builder: what the host backend can send.
std::vector<AgentCommand> every_builder() {
  std::vector<AgentLayer> layers = {{"aa", "dd", "gzip"}};
  return {verbs::hello("/r"),
          verbs::blobs_missing("/r", {"aa"}),
          verbs::blob_put("/r", "aa", 1, false),
          verbs::blob_put("/r", "dd", 2, true),
          verbs::install_plan(place, "sha256:11", layers),
          verbs::install(place, 3, "sha256:11", "sha256:22", {}, layers),
          verbs::switch_current(place, 3),
          verbs::start(place, b1, 3, 8101, 10),
          verbs::stop(place, b1, 10),
          verbs::status(place),
          verbs::prune(place, {3, 2}),
          verbs::purge(place),
          verbs::hosted("/r"),
          verbs::degrade(place),
          verbs::undegrade(place),
          verbs::boot_hook("/r"),
          verbs::exec(place, b1, {"sh", "-c", "echo hi"}),
          verbs::logs(place, b1, 50, true),
          verbs::state_get(place, "lock.json"),
          verbs::state_list(place, "ledger/"),
          verbs::state_put(place, "ledger/r000003.json"),
          verbs::state_cas(place, "lock.json", "", true),
          verbs::retire(place, b1, 120, 10),
          verbs::keep(place, b1),
          verbs::gw_apply(place, "a=90,b=10"),
          verbs::gw_weights(place),
          verbs::gw_log(place, 1700000000123),
          verbs::gw_failed(place),
          verbs::top("/r", std::chrono::milliseconds(1000), nullptr),
          verbs::probe(std::chrono::milliseconds(500), "/health", "10.0.0.1", {8080})};
}

}  // namespace

TEST_CASE("ecp::plugins::host::verbs build each agent verb's words") {
  CHECK(words(verbs::hello("/r")) == Words{"hello", "/r"});
  CHECK(words(verbs::blobs_missing("/r", {"aa", "bb"})) == Words{"blobs-missing", "/r", "aa", "bb"});
  CHECK(words(verbs::blob_put("/r", "aa", 123, false)) == Words{"blob-put", "/r", "aa", "123"});
  CHECK(words(verbs::blob_put("/r", "dd", 456, true)) == Words{"tar-put", "/r", "dd", "456"});
  std::vector<AgentLayer> layers = {{"aa", "dd", "gzip"}, {"bb", "ee", "zstd"}};
  CHECK(words(verbs::install_plan(place, "sha256:11", layers)) ==
        Words{"install-plan", "/srv/ecp", "web", "prod", "sha256:11", "aa:dd", "bb:ee"});
  CHECK(words(verbs::install(place, 7, "sha256:11", "sha256:22", {}, layers)) ==
        Words{"install", "/srv/ecp", "web", "prod", "7", "sha256:11", "sha256:22", "-", "0", "0", "normal", "-",
              "aa:gzip:dd", "bb:zstd:ee"});
  CHECK(words(verbs::install(place, 7, "sha256:11", "sha256:22", {"nobody", {500, 67108864}, "low", "/health"}, {})) ==
        Words{"install", "/srv/ecp", "web", "prod", "7", "sha256:11", "sha256:22", "nobody", "500", "67108864", "low",
              "/health"});
  CHECK(words(verbs::switch_current(place, 7)) == Words{"switch", "/srv/ecp", "web", "prod", "7"});
  CHECK(words(verbs::start(place, b1, 7, 8181, 10)) ==
        Words{"start", "/srv/ecp", "web", "prod", "b", "1", "7", "8181", "10"});
  CHECK(words(verbs::stop(place, b1, 10)) == Words{"stop", "/srv/ecp", "web", "prod", "b", "1", "10"});
  CHECK(words(verbs::status(place)) == Words{"status", "/srv/ecp", "web", "prod"});
  CHECK(words(verbs::hosted("/srv/ecp")) == Words{"hosted", "/srv/ecp"});
  CHECK(words(verbs::degrade(place)) == Words{"degrade", "/srv/ecp", "web", "prod"});
  CHECK(words(verbs::undegrade(place)) == Words{"undegrade", "/srv/ecp", "web", "prod"});
  CHECK(words(verbs::prune(place, {7, 6})) == Words{"prune", "/srv/ecp", "web", "prod", "7", "6"});
  CHECK(words(verbs::prune(place, {})) == Words{"prune", "/srv/ecp", "web", "prod"});
  CHECK(words(verbs::purge(place)) == Words{"purge", "/srv/ecp", "web", "prod"});
  CHECK(words(verbs::boot_hook("/srv/ecp")) == Words{"boot-hook", "/srv/ecp"});
  CHECK(words(verbs::exec(place, b1, {"sh", "-c", "echo 'hi'"})) ==
        Words{"exec", "/srv/ecp", "web", "prod", "b", "1", "sh", "-c", "echo 'hi'"});
  CHECK(words(verbs::logs(place, b1, 100, false)) == Words{"logs", "/srv/ecp", "web", "prod", "b", "1", "100", "0"});
  CHECK(words(verbs::logs(place, b1, 5, true)).back() == "1");
  CHECK(words(verbs::state_get(place, "lock.json")) == Words{"state-get", "/srv/ecp", "web", "prod", "lock.json"});
  CHECK(words(verbs::state_list(place, "ledger/")) == Words{"state-list", "/srv/ecp", "web", "prod", "ledger/"});
  CHECK(words(verbs::state_put(place, "ledger/r1.json")) ==
        Words{"state-put", "/srv/ecp", "web", "prod", "ledger/r1.json"});
  CHECK(words(verbs::state_cas(place, "lock.json", "", true)) ==
        Words{"state-cas", "/srv/ecp", "web", "prod", "lock.json", "absent", "put"});
  CHECK(words(verbs::state_cas(place, "lock.json", "ab12", false)) ==
        Words{"state-cas", "/srv/ecp", "web", "prod", "lock.json", "ab12", "remove"});
  CHECK(words(verbs::retire(place, b1, 600, 10)) == Words{"retire", "/srv/ecp", "web", "prod", "b", "1", "600", "10"});
  CHECK(words(verbs::keep(place, b1)) == Words{"keep", "/srv/ecp", "web", "prod", "b", "1"});
  CHECK(words(verbs::gw_apply(place, "a=90,b=10")) == Words{"gw-apply", "/srv/ecp", "web", "prod", "a=90,b=10"});
  CHECK(words(verbs::gw_weights(place)) == Words{"gw-weights", "/srv/ecp", "web", "prod"});
  // Unix seconds with milliseconds: the access log's $msec.
  CHECK(words(verbs::gw_log(place, 1700000000007)) == Words{"gw-log", "/srv/ecp", "web", "prod", "1700000000.007"});
  CHECK(words(verbs::gw_failed(place)) == Words{"gw-failed", "/srv/ecp", "web", "prod"});
  CHECK(words(verbs::top("/srv/ecp", std::chrono::milliseconds(1000), nullptr)) == Words{"top", "/srv/ecp", "1000"});
  CHECK(words(verbs::top("/srv/ecp", std::chrono::milliseconds(500), &place)) ==
        Words{"top", "/srv/ecp", "500", "web", "prod"});
  CHECK(words(verbs::probe(std::chrono::milliseconds(1500), "/health", "10.0.0.1", {8080, 8081})) ==
        Words{"probe", "1500", "/health", "10.0.0.1", "8080", "8081"});
}

TEST_CASE("ecp::plugins::host::agent_verbs is the agent's whole case statement") {
  std::string_view script = agent_script();
  std::set<std::string> in_table, built;
  for (const auto& v : agent_verbs()) {
    in_table.insert(std::string(v.name));
    // Each verb is a branch of agent.sh's `case $verb in`: "NAME)" or "NAME | OTHER)".
    std::string name(v.name);
    bool found = script.find("\n" + name + ")\n") != std::string_view::npos ||
                 script.find("\n" + name + " | ") != std::string_view::npos ||
                 script.find(" | " + name + ")\n") != std::string_view::npos;
    CHECK_MESSAGE(found, name);
  }
  for (const auto& c : every_builder()) {
    CHECK_MESSAGE(in_table.count(c.verb) == 1, c.verb);
    built.insert(c.verb);
  }
  for (const auto& v : agent_verbs())
    CHECK_MESSAGE(v.internal != (built.count(std::string(v.name)) == 1),
                  "a builder for every verb ecp sends: ", v.name);
  // And no branch of agent.sh is missing from the table.
  std::size_t branches = 0;
  for (std::size_t p = script.find("\ncase $verb in\n"); p != std::string_view::npos;) {
    p = script.find(")\n", p + 1);
    if (p == std::string_view::npos) break;
    auto start = script.rfind('\n', p) + 1;
    std::string_view label = script.substr(start, p - start);
    if (label == "*") break;
    if (label.empty() || label.front() == ' ' || label.find_first_of("#=($\"'") != std::string_view::npos) continue;
    branches += label.find(" | ") != std::string_view::npos ? 2 : 1;  // column 0: a verb (or two)
  }
  CHECK(branches == agent_verbs().size());
}

TEST_CASE("ecp::plugins::host::agent_argv runs a command of the installed agent") {
  auto a = agent_argv("/srv/ecp", verbs::status(place).verb, verbs::status(place).args);
  REQUIRE(a.size() == 9);
  CHECK(a[0] == "sh");
  CHECK(a[4] == agent_path("/srv/ecp"));
  CHECK(Words(a.begin() + 5, a.end()) == words(verbs::status(place)));
}
