#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "core/descriptor/parse.hpp"

using namespace ecp;
using namespace ecp::descriptor;

namespace {

const Diagnostic* find_in(const Diagnostics& ds, std::string_view needle) {
  for (const auto& d : ds)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}

std::string listing(const Diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) s += format_diagnostic(d) + "\n";
  return s;
}

}  // namespace

TEST_CASE("ecp::descriptor::parse_targets_text reads every plugin's settings") {
  auto r = parse_targets_text(R"(schema: 1
targets:
  lab-vms:
    plugin: host
    hosts: [ "ssh://root@10.0.0.1:22", "ssh://10.0.0.2" ]
    root: /srv/ecp
    gateway: "ssh://root@10.0.0.9"
    registry: lab
    config: {DB_HOST: db.lab}
  podman:
    plugin: engine
    socket: unix:///run/podman/podman.sock
  k8s:
    plugin: kubernetes
    kubeconfig: ~/.kube/config
    context: lab
    namespace: apps
  nomad:
    plugin: nomad
    address: http://nomad:4646
    retries: 3
registries:
  lab:
    url: registry.lab:5000
    insecure: true
    ca: /etc/ecp/lab-ca.pem
)", "ecp-targets.yaml");
  INFO(listing(r.diagnostics));
  REQUIRE(r.ok());
  CHECK(r.targets.complete);
  const TargetsFile& t = r.targets;
  REQUIRE(t.targets.size() == 4);
  const Target* vms = find_target(t, "lab-vms");
  REQUIRE(vms);
  // The plugin's own keys pass through as written, with where each one is.
  CHECK(*vms->settings == nlohmann::json::parse(R"({"hosts":["ssh://root@10.0.0.1:22","ssh://10.0.0.2"],
                                                   "root":"/srv/ecp","gateway":"ssh://root@10.0.0.9"})"));
  CHECK(vms->settings_at.at("hosts[1]").line == 5);
  CHECK(vms->settings_at.at("hosts[1]").column == 40);  // the opening quote
  CHECK(vms->settings_at.at("gateway").quoted);
  CHECK(vms->settings_at.at("root").key_column == 5);
  CHECK(vms->settings_at.at("").key_line == 3);
  CHECK(vms->registry == "lab");
  REQUIRE(vms->config.size() == 1);
  CHECK(vms->config[0].value == "db.lab");
  CHECK(vms->config[0].location.line == 9);
  CHECK(find_target(t, "podman")->settings->at("socket") == "unix:///run/podman/podman.sock");
  CHECK(find_target(t, "k8s")->settings->at("namespace") == "apps");
  const Target* nomad = find_target(t, "nomad");
  CHECK(nomad->settings->at("address") == "http://nomad:4646");
  CHECK(nomad->settings->at("retries") == 3);  // a plain whole number
  REQUIRE(t.registries.size() == 1);
  CHECK(t.registries[0].insecure);
  CHECK(find_target(t, "local")->builtin);
  CHECK(find_target(t, "elsewhere") == nullptr);
  CHECK(target_names(t) == std::vector<std::string>{"local", "lab-vms", "podman", "k8s", "nomad"});
}

TEST_CASE("ecp::descriptor::parse_targets_text reports problems") {
  auto r = parse_targets_text(R"(targets:
  lab:
    plugin: host
    hosts: ssh://root@h
    socket: unix:///x
    root: relative
    registry: mirror
  pod:
    plugin: engine
    sokcet: unix:///x
  nothing: {}
  Bad_Name: {plugin: host}
  ext:
    plugin: custom
    list: [1, 2]
registries:
  main:
    url: https://registry.lab
    insecure: "no"
  other: {}
)", "t.yaml");
  INFO(listing(r.diagnostics));
  CHECK_FALSE(r.targets.complete);
  struct Want {
    const char* needle;
    int line;
    int column;
  };
  // The plugins' own keys (hosts, socket, root, list) are theirs to check:
  // test_host_settings.cpp checks the host plugin's messages on this file.
  for (auto w : {Want{"unknown registry 'mirror'", 7, 15}, Want{"targets.nothing: missing 'plugin'", 11, 12},
                 Want{"'Bad_Name' is not a valid target name", 12, 3}, Want{"write the host without a scheme", 18, 10},
                 Want{"expected true or false", 19, 15}, Want{"registries.other: missing 'url'", 20, 10}}) {
    const Diagnostic* d = find_in(r.diagnostics, w.needle);
    CHECK_MESSAGE(d, w.needle);
    if (!d) continue;
    CHECK_MESSAGE(d->line == w.line, w.needle);
    CHECK_MESSAGE(d->column == w.column, w.needle);
    CHECK(d->file == "t.yaml");
  }
  CHECK(r.diagnostics.size() == 6);
}

TEST_CASE("ecp::descriptor::parse_targets_text edge cases") {
  SUBCASE("an empty targets file is no error") {
    auto r = parse_targets_text("# nothing yet\n", "t.yaml");
    CHECK(r.ok());
    CHECK(r.targets.targets.empty());
  }
  SUBCASE("a syntax error makes the file incomplete") {
    auto r = parse_targets_text("targets: {a: [\n", "t.yaml");
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.targets.complete);
  }
  SUBCASE("a missing file is a diagnostic") {
    auto r = parse_targets("/nonexistent/ecp-targets.yaml");
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].message == "no such file");
    CHECK_FALSE(r.targets.complete);
  }
}
