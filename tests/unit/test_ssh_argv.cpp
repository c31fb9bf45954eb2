#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "plugins/ssh/ssh_argv.hpp"

using namespace ecp;
using namespace ecp::plugins::ssh;
using Argv = std::vector<std::string>;

TEST_CASE("ecp::plugins::ssh::shell_quote") {
  CHECK(shell_quote("plain/path-1.0_x:y@z%+=,") == "plain/path-1.0_x:y@z%+=,");
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$(rm -rf /)") == "'$(rm -rf /)'");
  CHECK(shell_quote("a\nb") == "'a\nb'");
  CHECK_THROWS_AS(shell_quote(std::string("a\0b", 3)), Error);
  SUBCASE("a real shell reads every hostile word back byte for byte") {
    Argv words = {"a b", "it's", "\"dq\"", "$HOME",  "`id`",   "$(id)", "a;b&&c|d", "*",  "~",
                  "-n",  "\\",   "\t\nx",  "é ü 中", "!event", "{a,b}", "'",        "''", "#comment"};
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

TEST_CASE("ecp::plugins::ssh argv") {
  SshConfig c;
  c.control_path = "/tmp/ecp-ssh-x/0";
  c.endpoint = {"ssh://deploy@10.0.0.5:2222", "deploy", "10.0.0.5", 2222};
  const Argv common = {"-o", "BatchMode=yes",
                       "-o", "ConnectTimeout=10",
                       "-o", "ServerAliveInterval=5",
                       "-o", "ServerAliveCountMax=3",
                       "-o", "LogLevel=ERROR",
                       "-o", "Ciphers=^aes128-gcm@openssh.com,aes256-gcm@openssh.com",
                       "-o", "ControlPath=/tmp/ecp-ssh-x/0",
                       "-p", "2222",
                       "-l", "deploy"};
  auto expect = [&](Argv head, Argv tail) {
    Argv a = {"ssh"};
    a.insert(a.end(), head.begin(), head.end());
    a.insert(a.end(), common.begin(), common.end());
    a.push_back("--");
    a.push_back("10.0.0.5");
    a.insert(a.end(), tail.begin(), tail.end());
    return a;
  };
  CHECK(ssh_master_argv(c) == expect({"-M", "-N", "-T", "-o", "ControlMaster=yes", "-o", "ControlPersist=no"}, {}));
  CHECK(ssh_check_argv(c) == expect({"-O", "check"}, {}));
  SUBCASE("a persistent master goes to the background once connected") {
    c.persist = "60s";
    CHECK(ssh_master_argv(c) ==
          expect({"-M", "-N", "-f", "-T", "-o", "ControlMaster=yes", "-o", "ControlPersist=60s"}, {}));
  }
  CHECK(ssh_exit_argv(c) == expect({"-O", "exit"}, {}));
  CHECK(ssh_forward_argv(c, "/home/u/.ecp/run/e/0.sock", "/var/run/docker.sock") ==
        expect({"-O", "forward", "-L", "/home/u/.ecp/run/e/0.sock:/var/run/docker.sock"}, {}));
  CHECK(ssh_cancel_argv(c, "/l.sock", "/r.sock") == expect({"-O", "cancel", "-L", "/l.sock:/r.sock"}, {}));
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

TEST_CASE("ecp::plugins::ssh::forward_path_problem") {
  CHECK(forward_path_problem("/var/run/docker.sock").empty());
  CHECK(forward_path_problem("/run/user/1000/podman/podman.sock").empty());
  CHECK(forward_path_problem("run/docker.sock").find("absolute") != std::string::npos);
  // ssh reads "-L a:b:c" as a TCP forward: a ':' would change what is forwarded.
  CHECK(forward_path_problem("/run/a:b.sock").find("':'") != std::string::npos);
  CHECK_FALSE(forward_path_problem("/run/a b.sock").empty());
  CHECK_FALSE(forward_path_problem("/run/a\nb.sock").empty());
  CHECK_FALSE(forward_path_problem("/" + std::string(107, 'x')).empty());
}
