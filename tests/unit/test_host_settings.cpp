#include <doctest/doctest.h>

#include <string>

#include "core/descriptor/parse.hpp"
#include "core/ops/target_spec.hpp"
#include "core/util/error.hpp"
#include "plugins/host/host_settings.hpp"

using namespace ecp;
using namespace ecp::plugins::host;

namespace {

struct Parsed {
  descriptor::TargetsFile file;
  Diagnostics problems;  // the host plugin's, through the built-in table's validator
};

Parsed parse(const std::string& text) {
  auto r = descriptor::parse_targets_text(text, "t.yaml");
  Parsed p{r.targets, ops::check_target_settings(r.targets)};
  return p;
}

HostSettings settings_of(const Parsed& p, std::string_view name) {
  return host_settings(ops::target_spec(p.file, *descriptor::find_target(p.file, name)));
}

const Diagnostic* find_in(const Diagnostics& ds, std::string_view needle) {
  for (const auto& d : ds)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("ecp::plugins::host::host_settings reads the host plugin's section") {
  auto p = parse(
      "targets:\n  vms:\n    plugin: host\n    hosts: [\"ssh://root@10.0.0.1:2222\", ssh://10.0.0.2]\n"
      "    root: /srv/ecp\n    gateway: {host: local, port: 8000, nginx: [\"client_max_body_size 8m\"]}\n"
      "  here: {plugin: host, gateway: \"ssh://root@10.0.0.9\"}\n");
  REQUIRE(p.problems.empty());
  auto s = settings_of(p, "vms");
  REQUIRE(s.hosts.size() == 2);
  CHECK(s.hosts[0].user == "root");
  CHECK(s.hosts[0].port == 2222);
  CHECK(s.hosts[1].user.empty());
  CHECK(s.hosts[1].port == 22);
  CHECK(s.root == "/srv/ecp");
  CHECK(s.gateway->text == "local");
  CHECK(s.gateway->host == "127.0.0.1");
  CHECK(s.gateway_port == 8000);
  CHECK(s.gateway_nginx == std::vector<std::string>{"client_max_body_size 8m;"});
  auto here = settings_of(p, "here");
  CHECK(here.hosts.empty());
  CHECK(here.gateway->host == "10.0.0.9");
  CHECK(here.gateway_port == 80);
  CHECK(here.local_root.ends_with("/targets/here"));
}

TEST_CASE("ecp::plugins::host::host_settings reports problems where they are written") {
  auto p = parse(R"(targets:
  lab:
    plugin: host
    hosts: ssh://root@h
    socket: unix:///x
    root: relative
  gw:
    plugin: host
    gateway: {port: "80", nginx: ["a { b"], hots: x}
  two:
    plugin: host
    hosts: [ssh://a, "root@b", ssh://c:0]
    gateway: {host: local, port: 99999}
)");
  struct Want {
    const char* needle;
    int line;
    int column;
  };
  for (auto w :
       {Want{"targets.lab.hosts: expected a list (e.g. [\"ssh://root@10.0.0.1\"]), got the value 'ssh://root@h'", 4,
             12},
        Want{"targets.lab: unknown key 'socket'; valid keys: hosts, root, gateway", 5, 5},
        Want{"targets.lab.root: 'relative' must be an absolute folder", 6, 11},
        Want{"targets.gw.gateway: missing 'host'", 9, 14},
        Want{"targets.gw.gateway.port: expected a number, got the string '80' (remove the quotes)", 9, 21},
        Want{"targets.gw.gateway.nginx[0]: 'a { b' must be one nginx directive", 9, 35},
        Want{"targets.gw.gateway: unknown key 'hots'; did you mean 'host'?", 9, 45},
        Want{"targets.two.hosts[1]: 'root@b' is not an ssh address", 12, 22},
        Want{"targets.two.hosts[2]: 'ssh://c:0' has an invalid port", 12, 32},
        Want{"targets.two.gateway.port: must be between 1 and 65535, got 99999", 13, 34}}) {
    const Diagnostic* d = find_in(p.problems, w.needle);
    CHECK_MESSAGE(d, w.needle);
    if (!d) continue;
    CHECK_MESSAGE(d->line == w.line, w.needle);
    CHECK_MESSAGE(d->column == w.column, w.needle);
    CHECK(d->file == "t.yaml");
  }
  CHECK(p.problems.size() == 10);
  // Opening the backend anyway fails with the same messages, file:line:col first.
  try {
    settings_of(p, "lab");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::validation);
    CHECK(std::string(e.what()).find("t.yaml:4:12: error: targets.lab.hosts: expected a list") != std::string::npos);
  }
}

TEST_CASE("ecp::plugins::host::parse_endpoint") {
  auto h = parse_endpoint("ssh://root@10.0.0.1:2222");
  REQUIRE(h);
  CHECK(h->user == "root");
  CHECK(h->host == "10.0.0.1");
  CHECK(h->port == 2222);
  h = parse_endpoint("ssh://[::1]");
  REQUIRE(h);
  CHECK(h->host == "::1");
  CHECK(h->port == 22);
  std::string why;
  CHECK_FALSE(parse_endpoint("root@host", &why));
  CHECK(why.find("ssh://[user@]host[:port]") != std::string::npos);
  CHECK_FALSE(parse_endpoint("ssh://host:70000"));
  CHECK_FALSE(parse_endpoint("ssh://host:"));
  CHECK_FALSE(parse_endpoint("ssh://"));
  CHECK_FALSE(parse_endpoint("ssh://host/path"));
  CHECK_FALSE(parse_endpoint("ssh://@host"));
}
