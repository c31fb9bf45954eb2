#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "core/descriptor/parse.hpp"
#include "core/descriptor/validate.hpp"
#include "core/ops/validate.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

using namespace ecp;
using namespace ecp::descriptor;

namespace {

Descriptor parsed(const std::string& text) {
  auto r = parse_descriptor_text(text, "ecp.yaml");
  REQUIRE_MESSAGE(r.ok(), (r.diagnostics.empty() ? "" : format_diagnostic(r.diagnostics[0])));
  return r.descriptor;
}

TargetsFile targets(const std::string& text) {
  auto r = parse_targets_text(text, "ecp-targets.yaml");
  REQUIRE(r.ok());
  return r.targets;
}

const Diagnostic* find_in(const Diagnostics& ds, std::string_view needle) {
  for (const auto& d : ds)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("ecp::descriptor::validate environments and targets") {
  auto d = parsed("app: a\ntype: jar\nenvironments:\n  dev: {}\n  prod:\n    target: lab-vm\n");
  SUBCASE("without a targets file only local exists") {
    auto ds = validate(d, TargetsFile{});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message.find("unknown target 'lab-vm'") != std::string::npos);
    CHECK(ds[0].message.find("no targets file") != std::string::npos);
    CHECK(ds[0].line == 6);
    CHECK(ds[0].column == 13);
    CHECK(ds[0].field == "environments.prod.target");
  }
  SUBCASE("a close target name is suggested") {
    auto ds = validate(d, targets("targets:\n  lab-vms: {plugin: host}\n"));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message.find("did you mean 'lab-vms'?") != std::string::npos);
  }
  SUBCASE("a known target is fine") {
    CHECK(validate(d, targets("targets:\n  lab-vm: {plugin: host}\n")).empty());
  }
  SUBCASE("an incomplete targets file gives no unknown-target errors") {
    TargetsFile t;
    t.file = "broken.yaml";
    t.complete = false;
    CHECK(validate(d, t).empty());
  }
}

TEST_CASE("ecp::descriptor::validate health and ports") {
  SUBCASE("health.port must name a port") {
    auto ds = validate(parsed("app: a\ntype: jar\nrun:\n  ports: {http: 80}\n  health: {port: htp}\n"), {});
    const Diagnostic* e = find_in(ds, "'htp' is not a port name from run.ports; did you mean 'http'?");
    REQUIRE(e);
    CHECK(e->line == 5);
    CHECK(e->column == 18);
  }
  SUBCASE("a number or the only port works") {
    CHECK(validate(parsed("app: a\ntype: jar\nrun:\n  ports: {http: 80}\n  health: {port: 8081}\n"), {}).empty());
    auto d = parsed("app: a\ntype: jar\nrun:\n  ports: {http: 80}\n  health: {path: /}\n");
    CHECK(validate(d, {}).empty());
    CHECK(health_port(d.run) == 80);
  }
  SUBCASE("several ports need health.port") {
    auto ds = validate(parsed("app: a\ntype: jar\nrun:\n  ports: {a: 80, b: 81}\n  health: {path: /}\n"), {});
    CHECK(find_in(ds, "run.ports has several ports (a, b)"));
  }
  SUBCASE("health without ports") {
    CHECK(find_in(validate(parsed("app: a\ntype: jar\nrun:\n  health: {path: /}\n"), {}), "needs a port"));
  }
  SUBCASE("a timeout as long as the interval is a warning") {
    auto ds = validate(parsed("app: a\ntype: jar\nrun:\n  ports: {h: 80}\n  health: {interval: 2s, timeout: 2s}\n"), {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].severity == Severity::warning);
  }
  SUBCASE("liveness only where the target restarts instances") {
    auto d = parsed(
        "app: a\ntype: jar\nrun:\n  ports: {http: 80}\n  health: {path: /, liveness: true}\n"
        "environments:\n  dev: {target: vm}\n  prod: {target: k8s}\n");
    auto ds = validate(d, targets("targets:\n  vm: {plugin: host}\n  k8s: {plugin: kubernetes}\n"));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message.find("environment 'dev' releases to target 'vm' (plugin host), which does not restart") !=
          std::string::npos);
    CHECK(ds[0].line == 5);
  }
  SUBCASE("one mistake is reported once") {
    auto r = parse_descriptor_text("app: a\ntype: jar\nrun:\n  ports: {http: 70000}\n  health: {port: http}\n", "ecp.yaml");
    CHECK_FALSE(r.ok());
    CHECK(validate(r.descriptor, {}).empty());
  }
}

TEST_CASE("ecp::descriptor::validate other checks") {
  SUBCASE("dependencies apply to jar only") {
    auto ds = validate(parsed("app: a\ntype: nginx\nbuild: {dependencies: lib/*.jar}\n"), {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message.find("applies to type jar only, not nginx") != std::string::npos);
    CHECK(ds[0].line == 3);
  }
  SUBCASE("undeclared config overrides are warnings") {
    auto ds = validate(parsed("app: a\ntype: jar\nconfig: {GREETING: hi}\nenvironments:\n  dev:\n    config: {GRETING: x}\n"), {});
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].severity == Severity::warning);
    CHECK(ds[0].message.find("did you mean 'GREETING'?") != std::string::npos);
    CHECK(ds[0].line == 6);
    CHECK(ds[0].column == 14);
    CHECK_FALSE(has_errors(ds));
  }
}

TEST_CASE("ecp::ops::validate finds the targets file") {
  fs::TempDir dir;
  auto desc = dir.path() / "ecp.yaml";
  fs::write_file_atomic(desc, "app: a\ntype: jar\nenvironments:\n  prod: {target: lab}\n");
  ops::ValidateOptions o;
  o.descriptor = desc;
  unsetenv("ECP_TARGETS");
  SUBCASE("none: only local, so the target is unknown") {
    auto r = ops::validate(o);
    CHECK_FALSE(r.ok());
    CHECK(r.targets_path.empty());
    CHECK_THROWS_AS(ops::load_project(o), Error);
  }
  SUBCASE("ecp-targets.yaml beside the descriptor") {
    fs::write_file_atomic(dir.path() / "ecp-targets.yaml", "targets:\n  lab: {plugin: host}\n");
    auto r = ops::validate(o);
    CHECK(r.ok());
    CHECK(r.targets_path == (dir.path() / "ecp-targets.yaml").string());
    CHECK(ops::load_project(o).descriptor.app == "a");
  }
  SUBCASE("ECP_TARGETS, then an explicit path, take precedence") {
    fs::write_file_atomic(dir.path() / "ecp-targets.yaml", "targets:\n  lab: {plugin: host}\n");
    fs::write_file_atomic(dir.path() / "env.yaml", "targets:\n  other: {plugin: host}\n");
    setenv("ECP_TARGETS", (dir.path() / "env.yaml").c_str(), 1);
    CHECK(ops::validate(o).targets_path == (dir.path() / "env.yaml").string());
    CHECK_FALSE(ops::validate(o).ok());
    o.targets = dir.path() / "ecp-targets.yaml";
    CHECK(ops::validate(o).ok());
    unsetenv("ECP_TARGETS");
  }
  SUBCASE("a missing targets file says where its name came from") {
    setenv("ECP_TARGETS", (dir.path() / "gone.yaml").c_str(), 1);
    auto r = ops::validate(o);
    unsetenv("ECP_TARGETS");
    const Diagnostic* d = find_in(r.diagnostics, "no such file (named by $ECP_TARGETS)");
    REQUIRE(d);
    CHECK(d->file == (dir.path() / "gone.yaml").string());
    CHECK(d->line == 0);
  }
  SUBCASE("a missing descriptor names its path") {
    o.descriptor = dir.path() / "missing.yaml";
    auto r = ops::validate(o);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].message.find((dir.path() / "missing.yaml").string()) != std::string::npos);
    try {
      ops::load_project(o);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::validation);
      CHECK(std::string(e.what()).find("missing.yaml") != std::string::npos);
    }
  }
}
