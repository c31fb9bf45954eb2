#include <doctest/doctest.h>

#include <string>

#include "core/descriptor/parse.hpp"
#include "core/util/fs.hpp"

using namespace ecp;
using namespace ecp::descriptor;

namespace {

const char* const good = R"(schema: 1
app: hello
group: demo
type: jar
version: 1.0.0
build:
  base: registry.lab:5000/base/jdk:17
  root: app
  labels: {team: web}
run:
  ports: {http: 8080, admin: 9090}
  health:
    path: /health
    port: http
    interval: 10s
    timeout: 2s
    retries: 3
  resources: {cpu: 500m, memory: 512Mi}
  user: "1000:1000"
config:
  GREETING: hello
  LISTEN_PORT: {default: "8080"}
  DB_PASSWORD: {secret: true, required: true}
  EMPTY:
environments:
  dev:
    target: local
    config: {GREETING: hi}
  prod:
    target: lab-vms
    replicas: 3
    strategy: {type: canary, steps: [5, 25, 50, 100], pause: 1m}
    approvals: {required: 2, from: [release-managers], ttl: 12h}
  qa:
)";

// The first diagnostic whose message contains `needle`, or nullptr.
const Diagnostic* find(const Diagnostics& ds, std::string_view needle) {
  for (const auto& d : ds)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}

std::string dump(const Diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) s += format_diagnostic(d) + "\n";
  return s;
}

// Parses `text` and returns the single diagnostic matching `needle`, checking its place.
void expect_error(const std::string& text, std::string_view needle, int line, int column) {
  auto r = parse_descriptor_text(text, "ecp.yaml");
  CHECK_FALSE(r.ok());
  const Diagnostic* d = find(r.diagnostics, needle);
  INFO("looking for '" << needle << "' in:\n" << dump(r.diagnostics));
  REQUIRE(d != nullptr);
  CHECK(d->severity == Severity::error);
  CHECK(d->file == "ecp.yaml");
  CHECK(d->line == line);
  CHECK(d->column == column);
}

}  // namespace

TEST_CASE("ecp::descriptor::parse_descriptor_text reads a complete descriptor") {
  auto r = parse_descriptor_text(good, "ecp.yaml");
  INFO(dump(r.diagnostics));
  REQUIRE(r.ok());
  CHECK(r.diagnostics.empty());
  const Descriptor& d = r.descriptor;
  CHECK(d.app == "hello");
  CHECK(d.group == "demo");
  CHECK(d.type == AppType::jar);
  CHECK(d.version == "1.0.0");
  CHECK(d.build.base.kind == BaseKind::registry);
  CHECK(d.build.labels.at("team") == "web");
  REQUIRE(d.run.ports.size() == 2);
  CHECK(d.run.ports[0].name == "http");
  CHECK(d.run.ports[1].number == 9090);
  CHECK(d.run.ports[1].location.line == 11);
  REQUIRE(d.run.health);
  CHECK(health_port(d.run) == 8080);
  CHECK(d.run.health->interval == std::chrono::seconds(10));
  CHECK(d.run.resources.cpu_millis == 500);
  CHECK(d.run.resources.memory_bytes == 512ull << 20);
  CHECK(d.run.user == "1000:1000");
  REQUIRE(d.config.size() == 4);
  CHECK(d.config[0].default_value == "hello");
  CHECK(d.config[0].location.line == 21);
  CHECK(d.config[0].location.column == 3);
  CHECK(d.config[1].default_value == "8080");
  CHECK(d.config[2].secret);
  CHECK(d.config[2].required);
  CHECK_FALSE(d.config[3].default_value);
  REQUIRE(d.environments.size() == 3);
  const Environment& dev = d.environments[0];
  CHECK(dev.strategy.type == strategy::Type::recreate);
  REQUIRE(dev.config.size() == 1);
  CHECK(dev.config[0].key == "GREETING");
  CHECK(dev.config[0].value == "hi");
  CHECK(dev.config[0].location.line == 28);
  CHECK(dev.config[0].location.column == 14);
  const Environment& prod = d.environments[1];
  CHECK(prod.replicas == 3);
  CHECK(prod.strategy.type == strategy::Type::canary);
  CHECK(prod.strategy.steps == std::vector<int>{5, 25, 50, 100});
  CHECK(prod.strategy.pause == std::chrono::minutes(1));
  CHECK(prod.approvals.required == 2);
  CHECK(prod.approvals.from == std::vector<std::string>{"release-managers"});
  CHECK(prod.approvals.ttl == std::chrono::hours(12));
  CHECK(d.environments[2].target == "local");  // "qa:" alone takes every default
  CHECK(locate(d.locations, "environments.prod.replicas", d.file).line == 31);
}

TEST_CASE("ecp::descriptor::parse_descriptor_text bad input") {
  SUBCASE("empty file") {
    expect_error("", "the file is empty", 1, 1);
    expect_error("# only a comment\n\n", "the file is empty", 1, 1);
  }
  SUBCASE("YAML syntax error") {
    expect_error("app: [hello\ntype: jar\n", "YAML syntax error: end of sequence flow not found", 2, 5);
    expect_error("app: a\ntype: jar\nrun: x: y\n", "YAML syntax error: illegal map value", 3, 7);
  }
  SUBCASE("tabs used for indentation, every line reported") {
    auto r = parse_descriptor_text("app: a\nrun:\n\tuser: x\n  ports:\n \t x: 1\n", "ecp.yaml");
    REQUIRE(r.diagnostics.size() == 2);
    CHECK(r.diagnostics[0].line == 3);
    CHECK(r.diagnostics[0].column == 1);
    CHECK(r.diagnostics[1].line == 5);
    CHECK(r.diagnostics[1].column == 2);
    CHECK(r.diagnostics[0].message.find("tab") != std::string::npos);
  }
  SUBCASE("a tab after a key is no indentation") {
    CHECK(parse_descriptor_text("app:\thello\ntype: jar\n", "ecp.yaml").ok());
  }
  SUBCASE("duplicate keys name both lines") {
    expect_error("app: a\ntype: jar\napp: b\n", "duplicate key 'app' on line 3 (first defined on line 1)", 3, 1);
    auto r = parse_descriptor_text("app: a\ntype: jar\nrun:\n  ports:\n    http: 80\n    http: 81\n", "ecp.yaml");
    const Diagnostic* d = find(r.diagnostics, "duplicate key 'http'");
    REQUIRE(d);
    CHECK(d->field == "run.ports.http");
    CHECK(d->line == 6);
    CHECK(d->column == 5);
  }
  SUBCASE("a list where a map belongs") {
    expect_error("app: a\ntype: jar\nrun:\n  - ports\n", "run: expected a map", 4, 3);
    expect_error("- app: a\n", "the top level must be a map", 1, 1);
    expect_error("app: a\ntype: jar\nenvironments: [dev, prod]\n", "environments: expected a map", 3, 15);
  }
  SUBCASE("a file over 1 MiB is refused") {
    std::string big(10 << 20, '#');
    expect_error(big, "ecp reads files of up to 1 MiB", 1, 1);
    fs::TempDir dir;
    fs::write_file_atomic(dir.path() / "ecp.yaml", big);
    auto r = parse_descriptor(dir.path() / "ecp.yaml");
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].message.find("10485760 bytes") != std::string::npos);
    CHECK(r.diagnostics[0].line == 1);
  }
  SUBCASE("non-UTF-8 bytes") {
    expect_error("app: a\ntype: jar\ngroup: caf\xE9\n", "invalid UTF-8 (byte 0xE9)", 3, 11);
    expect_error("app: \xC0\xAF\n", "invalid UTF-8", 1, 6);           // overlong '/'
    expect_error("app: \xED\xA0\x80\n", "invalid UTF-8", 1, 6);       // a surrogate
    expect_error(std::string("app: a\0z\ntype: jar\n", 19), "NUL byte", 1, 7);
  }
  SUBCASE("unknown type lists the valid ones") {
    expect_error("app: a\ntype: war\n", "unknown type 'war' (did you mean 'jar'?); valid types: jar, nginx, tomcat", 2, 7);
    expect_error("app: a\ntype: [jar]\n", "type: expected a single value, got a list", 2, 7);
  }
  SUBCASE("invalid app names") {
    expect_error("app: my app\ntype: jar\n", "must not contain spaces", 1, 6);
    expect_error("app: Hello\ntype: jar\n", "must be lowercase ('hello')", 1, 6);
    expect_error("app: ../etc\ntype: jar\n", "not a path", 1, 6);
  }
  SUBCASE("missing and empty required fields") {
    expect_error("# hi\ntype: jar\n", "missing required key 'app'", 2, 1);
    expect_error("app: a\n", "missing required key 'type'", 1, 1);
    expect_error("app:\ntype: jar\n", "app: is empty", 1, 1);
  }
  SUBCASE("negative replicas") {
    expect_error("app: a\ntype: jar\nenvironments:\n  dev: {replicas: -1}\n", "replicas: must be 0 or more, got -1", 4, 19);
  }
  SUBCASE("numbers too large for their field") {
    expect_error("app: a\ntype: jar\nenvironments:\n  dev: {replicas: 99999999999999999999}\n",
                 "replicas: 99999999999999999999 is too large (at most 2147483647)", 4, 19);
    expect_error("app: a\ntype: jar\nenvironments:\n  dev: {replicas: -99999999999999999999}\n",
                 "must be 0 or more", 4, 19);
  }
  SUBCASE("port out of range") {
    expect_error("app: a\ntype: jar\nrun:\n  ports: {http: 70000}\n", "must be between 1 and 65535, got 70000", 4, 17);
    expect_error("app: a\ntype: jar\nrun:\n  ports: {http: 0}\n", "run.ports.http", 4, 17);
  }
  SUBCASE("schema other than 1") { expect_error("schema: 2\napp: a\ntype: jar\n", "unsupported schema 2", 1, 9); }
  SUBCASE("more than one document") {
    expect_error("app: a\ntype: jar\n---\napp: b\n", "only one YAML document", 3, 1);
  }
}

TEST_CASE("ecp::descriptor::parse_descriptor_text collects every problem") {
  auto r = parse_descriptor_text(R"(app: Bad Name
typ: jar
run:
  ports: {http: 70000, web: "8080"}
  helth: {}
  resources: {cpu: 0, memory: 512MB}
environments:
  prod: {replicas: -1, strategy: canry}
)", "ecp.yaml");
  INFO(dump(r.diagnostics));
  for (auto needle : {"app: 'Bad Name'", "unknown key 'typ'; did you mean 'type'?", "missing required key 'type'",
                      "70000", "got the string '8080' (remove the quotes)", "unknown key 'helth'; did you mean 'health'?",
                      "cpu: '0'", "drop the 'B'", "got -1", "unknown strategy 'canry' (did you mean 'canary'?)"})
    CHECK_MESSAGE(find(r.diagnostics, needle), needle);
  CHECK(r.diagnostics.size() == 10);
}

TEST_CASE("ecp::descriptor::parse_descriptor_text YAML details") {
  SUBCASE("columns count characters, not bytes") {
    expect_error("app: a\ntype: jar\nbuild: {labels: {é: x}, root: /abs}\n", "build.root", 3, 31);
  }
  SUBCASE("a byte order mark is skipped") {
    expect_error("\xEF\xBB\xBF" "app: A\ntype: jar\n", "lowercase", 1, 6);
  }
  SUBCASE("anchors and merge keys; explicit keys win") {
    auto r = parse_descriptor_text(R"(app: a
type: jar
environments:
  test: &base {target: local, replicas: 2, strategy: rolling}
  prod:
    <<: *base
    replicas: 5
)", "ecp.yaml");
    INFO(dump(r.diagnostics));
    REQUIRE(r.ok());
    REQUIRE(r.descriptor.environments.size() == 2);
    CHECK(r.descriptor.environments[1].replicas == 5);
    CHECK(r.descriptor.environments[1].strategy.type == strategy::Type::rolling);
  }
  SUBCASE("an alias inside its own anchor is refused") {
    expect_error("app: &a [*a]\n", "alias cannot refer to a node that contains it", 1, 10);
  }
  SUBCASE("alias bombs are refused") {
    std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i <= 9; ++i)
      bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + std::string("*a") + std::to_string(i - 1) +
              ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) +
              ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) +
              ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
    auto r = parse_descriptor_text(bomb, "ecp.yaml");
    CHECK(find(r.diagnostics, "nodes once aliases are expanded"));
  }
  SUBCASE("deep nesting is refused") {
    auto r = parse_descriptor_text(std::string(3000, '[') + std::string(3000, ']'), "ecp.yaml");
    CHECK_FALSE(r.ok());
    CHECK(find(r.diagnostics, "nested"));
  }
  SUBCASE("quoted true is not a boolean") {
    expect_error("app: a\ntype: jar\nconfig:\n  K: {secret: \"true\"}\n", "remove the quotes", 4, 15);
    expect_error("app: a\ntype: jar\nconfig:\n  K: {secret: yes}\n", "expected true or false", 4, 15);
  }
  SUBCASE("unsupported tags") { expect_error("app: !custom a\ntype: jar\n", "unsupported YAML tag", 1, 6); }
  SUBCASE("strategy keys must fit the strategy type") {
    expect_error("app: a\ntype: jar\nenvironments:\n  p: {strategy: {type: rolling, steps: [100]}}\n",
                 "'steps' applies to canary, not rolling", 4, 33);
    expect_error("app: a\ntype: jar\nenvironments:\n  p: {strategy: {type: canary, steps: [10, 50]}}\n",
                 "the last step must be 100", 4, 44);
    expect_error("app: a\ntype: jar\nenvironments:\n  p: {strategy: {batch: 2}}\n", "missing 'type'", 4, 17);
    expect_error("app: a\ntype: jar\nenvironments:\n  p: {strategy: {type: blue-green, analysis: {}}}\n",
                 "'analysis' applies to canary, not blue-green", 4, 36);
    expect_error("app: a\ntype: jar\nenvironments:\n  p: {strategy: {type: rolling, header: X-Canary}}\n",
                 "'header' applies to blue-green and canary, not rolling", 4, 41);
    expect_error("app: a\ntype: jar\nenvironments:\n  p: {strategy: {type: canary, header: \"X Canary\"}}\n",
                 "is not an HTTP header name", 4, 40);
    expect_error("app: a\ntype: jar\nenvironments:\n  p: {strategy: {type: canary, analysis: {max_error_rate: 101}}}\n",
                 "max_error_rate", 4, 59);
  }
  SUBCASE("canary analysis and the preview header") {
    auto r = parse_descriptor_text("app: a\ntype: jar\nenvironments:\n  p:\n    strategy:\n      type: canary\n"
                                   "      header: X-Beta\n      analysis: {max_error_rate: 2, max_p95: 300ms, min_requests: 50}\n",
                                   "ecp.yaml");
    REQUIRE(r.ok());
    const auto& s = r.descriptor.environments.at(0).strategy;
    CHECK(s.header == "X-Beta");
    CHECK(s.analysis.max_error_rate == 2);
    CHECK(s.analysis.max_p95 == std::chrono::milliseconds(300));
    CHECK(s.analysis.min_requests == 50);
    auto d = parse_descriptor_text("app: a\ntype: jar\nenvironments:\n  p: {strategy: canary}\n", "ecp.yaml");
    REQUIRE(d.ok());
    CHECK(d.descriptor.environments.at(0).strategy.header == "X-Canary");
    CHECK(d.descriptor.environments.at(0).strategy.analysis.max_error_rate == 5);
  }
}

TEST_CASE("ecp::descriptor::parse_descriptor reads files") {
  fs::TempDir dir;
  SUBCASE("a missing file is one diagnostic naming it") {
    auto r = parse_descriptor(dir.path() / "nope.yaml");
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].file == (dir.path() / "nope.yaml").string());
    CHECK(r.diagnostics[0].message == "no such file");
  }
  SUBCASE("a folder is refused") {
    auto r = parse_descriptor(dir.path());
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].message.find("folder") != std::string::npos);
  }
  SUBCASE("a good file parses") {
    fs::write_file_atomic(dir.path() / "ecp.yaml", good);
    auto r = parse_descriptor(dir.path() / "ecp.yaml");
    CHECK(r.ok());
    CHECK(r.descriptor.file == (dir.path() / "ecp.yaml").string());
    CHECK(r.descriptor.config[0].location.file == r.descriptor.file);
  }
}
