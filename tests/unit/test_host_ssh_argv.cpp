#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "plugins/host/agent.hpp"
#include "plugins/host/host_backend.hpp"

using namespace ecp;
using namespace ecp::plugins::host;
using Argv = std::vector<std::string>;

TEST_CASE("ecp::plugins::host agent argv") {
  auto a = agent_argv("/srv/ecp", "status", {"/srv/ecp", "hello", "dev"});
  REQUIRE(a.size() == 9);
  CHECK(a[0] == "sh");
  CHECK(a[2] == "[ -f \"$1\" ] || exit 97; exec sh \"$@\"");
  CHECK(a[4] == agent_path("/srv/ecp"));
  CHECK(a[5] == "status");
  CHECK(agent_path("/srv/ecp").starts_with("/srv/ecp/.ecp/agent-"));
  CHECK(agent_version().size() == 16);
  auto i = agent_install_argv("/srv/ecp", "42");
  CHECK(i.back() == agent_path("/srv/ecp"));
}

TEST_CASE("ecp::plugins::host parsers") {
  auto s = parse_status("h1", "10.0.0.1",
                        "instance\ta\t0\t3\t8080\t4242\trunning\t1700000000\t0\n"
                        "instance\ta\t1\t2\t8081\t0\tcrashed\t1700000001\t5\ncurrent\t3\n");
  REQUIRE(s.instances.size() == 2);
  CHECK(s.instances[0].ref == backend::InstanceRef{"h1", "a", 0});
  CHECK(s.instances[0].revision == 3);
  CHECK(s.instances[0].pid == 4242);
  CHECK(s.instances[0].state == backend::InstanceState::running);
  CHECK(s.instances[0].since == "2023-11-14T22:13:20Z");
  CHECK(s.instances[1].state == backend::InstanceState::crashed);
  CHECK(s.instances[1].restarts == 5);
  CHECK(s.current.at("h1") == 3);
  auto l = parse_state_list("ledger/r000001.json 3\nabcledger/r000002.json 0\nx 2\n\n\n");
  REQUIRE(l.size() == 3);
  CHECK(l[0] == std::pair<std::string, std::string>{"ledger/r000001.json", "abc"});
  CHECK(l[1].second.empty());
  CHECK(l[2].second == "\n\n");
  CHECK_THROWS_AS(parse_state_list("k 10\nshort"), Error);
  auto m = parse_top("h1", "10.0.0.1",
                     "host\t37.5\t4\t8000000\t2000000\t1.25\n"
                     "instance\tweb\tprod\ta\t1\t4242\t150.0\t20480\t2\t1700000000\trunning\n"
                     "instance\tapi\tdev\tb\t0\t0\t0.0\t0\t7\t0\tcrashed\n"
                     "garbage\n");
  REQUIRE(m.locations.size() == 1);
  CHECK(m.locations[0].location == "h1");
  CHECK(m.locations[0].cpu_percent == doctest::Approx(37.5));
  CHECK(m.locations[0].cpus == 4);
  CHECK(m.locations[0].memory_total == 8000000LL * 1024);
  CHECK(m.locations[0].memory_used == 6000000LL * 1024);
  CHECK(m.locations[0].load1 == doctest::Approx(1.25));
  REQUIRE(m.instances.size() == 2);
  CHECK(m.instances[0].app == "web");
  CHECK(m.instances[0].ref == backend::InstanceRef{"h1", "a", 1});
  CHECK(m.instances[0].cpu_percent == doctest::Approx(150.0));
  CHECK(m.instances[0].rss == 20480LL * 1024);
  CHECK(m.instances[0].since == "2023-11-14T22:13:20Z");
  CHECK(m.instances[1].cpu_percent < 0);  // no process: no figures, not zero
  CHECK(m.instances[1].rss < 0);
  CHECK(m.instances[1].restarts == 7);
  CHECK(m.instances[1].state == backend::InstanceState::crashed);
  auto old_kernel = parse_top("h1", "", "host\t1.0\t1\t8000000\t-1\t0.5\n");
  CHECK(old_kernel.locations[0].memory_total == 8000000LL * 1024);
  CHECK(old_kernel.locations[0].memory_used == -1);
}

TEST_CASE("ecp::plugins::host agent script") {
  // The embedded script parses in dash, and shellcheck (where installed) is happy.
  fs::TempDir d;
  auto path = d.path() / "agent.sh";
  fs::write_file_atomic(path, agent_script());
  for (const char* sh : {"dash", "sh"})
    if (process::find_program(sh)) CHECK(process::run({sh, "-n", path.string()}).ok());
  if (process::find_program("shellcheck")) {
    auto r = process::run({"shellcheck", "-s", "sh", path.string()});
    INFO(r.out);
    CHECK(r.ok());
  }
}
