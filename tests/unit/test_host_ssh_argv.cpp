#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "plugins/host/agent.hpp"
#include "plugins/host/host_backend.hpp"
#include "plugins/host/ssh_argv.hpp"

using namespace ecp;
using namespace ecp::plugins::host;
using Argv = std::vector<std::string>;

TEST_CASE("ecp::plugins::host::shell_quote") {
  CHECK(shell_quote("plain/path-1.0_x:y@z%+=,") == "plain/path-1.0_x:y@z%+=,");
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$(rm -rf /)") == "'$(rm -rf /)'");
  CHECK(shell_quote("a\nb") == "'a\nb'");
  CHECK_THROWS_AS(shell_quote(std::string("a\0b", 3)), Error);
  SUBCASE("a real shell reads every hostile word back byte for byte") {
    Argv words = {"a b", "it's", "\"dq\"", "$HOME", "`id`", "$(id)", "a;b&&c|d", "*", "~", "-n", "\\", "\t\nx",
                  "é ü 中", "!event", "{a,b}", "'", "''", "#comment"};
    std::string script = "for w in " + remote_command(words) + "; do printf '%s\\0' \"$w\"; done";
    for (const char* sh : {"sh", "dash", "bash"}) {
      if (!process::find_program(sh)) continue;
      auto r = process::run({sh, "-c", script});
      REQUIRE(r.ok());
      std::string want;
      for (const auto& w : words) want += w + std::string(1, '\0');
      CHECK(r.out == want);
    }
  }
}

TEST_CASE("ecp::plugins::host ssh argv") {
  SshConfig c;
  c.control_path = "/tmp/ecp-ssh-x/0";
  c.endpoint = {"ssh://deploy@10.0.0.5:2222", "deploy", "10.0.0.5", 2222};
  const Argv common = {"-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5", "-o",
                       "ServerAliveCountMax=3", "-o", "LogLevel=ERROR", "-o",
                       "Ciphers=^aes128-gcm@openssh.com,aes256-gcm@openssh.com", "-o", "ControlPath=/tmp/ecp-ssh-x/0",
                       "-p", "2222", "-l", "deploy"};
  auto expect = [&](Argv head, Argv tail) {
    Argv a = {"ssh"};
    a.insert(a.end(), head.begin(), head.end());
    a.insert(a.end(), common.begin(), common.end());
    a.push_back("--");
    a.push_back("10.0.0.5");
    a.insert(a.end(), tail.begin(), tail.end());
    return a;
  };
  CHECK(ssh_master_argv(c) ==
        expect({"-M", "-N", "-T", "-o", "ControlMaster=yes", "-o", "ControlPersist=no"}, {}));
  CHECK(ssh_check_argv(c) == expect({"-O", "check"}, {}));
  SUBCASE("a persistent master goes to the background once connected") {
    c.persist = "60s";
    CHECK(ssh_master_argv(c) ==
          expect({"-M", "-N", "-f", "-T", "-o", "ControlMaster=yes", "-o", "ControlPersist=60s"}, {}));
  }
  CHECK(ssh_exit_argv(c) == expect({"-O", "exit"}, {}));
  CHECK(ssh_command_argv(c, {"sh", "/srv/my app/x.sh", "it's"}) ==
        expect({"-T", "-o", "ControlMaster=no"}, {"sh '/srv/my app/x.sh' 'it'\\''s'"}));
  SUBCASE("no port written: ssh's config decides; no user: ssh's default") {
    c.endpoint = {"ssh://web1", "", "web1", 22};
    auto a = ssh_master_argv(c);
    CHECK(std::find(a.begin(), a.end(), "-p") == a.end());
    CHECK(std::find(a.begin(), a.end(), "-l") == a.end());
  }
  SUBCASE("a host that looks like an option stays a host") {
    c.endpoint = {"ssh://-oProxyCommand=x", "", "-oProxyCommand=x", 22};
    auto a = ssh_command_argv(c, {"true"});
    auto dd = std::find(a.begin(), a.end(), "--");
    REQUIRE(dd != a.end());
    CHECK(*(dd + 1) == "-oProxyCommand=x");
  }
  SUBCASE("an ssh config file") {
    c.config_file = "/etc/ecp/ssh_config";
    auto a = ssh_master_argv(c);
    auto f = std::find(a.begin(), a.end(), "-F");
    REQUIRE(f != a.end());
    CHECK(*(f + 1) == "/etc/ecp/ssh_config");
  }
  CHECK(explicit_port({"ssh://[::1]:2200", "", "::1", 2200}));
  CHECK_FALSE(explicit_port({"ssh://root@[::1]", "root", "::1", 22}));
}

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
