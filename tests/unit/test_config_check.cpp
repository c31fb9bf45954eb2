#include <doctest/doctest.h>

#include <algorithm>

#include "core/config/check.hpp"
#include "core/config/diff.hpp"

using namespace ecp::config;

TEST_CASE("ecp::config::scan_template finds placeholders as autoconfig.sh does") {
  auto s = scan_template(
      "server:\n"
      "  port: ${PORT:-8080}\n"
      "  name: \"${NAME}\" ${A}${B}\n"
      "  literal: $${catalina.base} $$${C}\n"
      "  nginx: $uri $host ${ KEY } $ {X} \"${\" ${( ${\n"
      "  grüße: ${GREETING:-a:b}c}\n",
      "conf/app.yaml.tmpl");
  REQUIRE(s.placeholders.size() == 5);
  CHECK(s.placeholders[0].key == "PORT");
  CHECK(*s.placeholders[0].default_value == "8080");
  CHECK(s.placeholders[0].where.line == 2);
  CHECK(s.placeholders[0].where.column == 9);
  CHECK(s.placeholders[1].key == "NAME");
  CHECK_FALSE(s.placeholders[1].default_value);
  CHECK(s.placeholders[2].key == "A");
  CHECK(s.placeholders[3].key == "B");
  // "$$${C}": autoconfig.sh treats "$${" as the literal, so C is not a placeholder
  CHECK(s.placeholders[4].key == "GREETING");
  CHECK(*s.placeholders[4].default_value == "a:b");
  CHECK(s.placeholders[4].where.column == 10);  // characters, not bytes
  // "${ KEY }" on line 5 is malformed; '"${"', "${(" and a "${" ending the line are text
  REQUIRE(s.diagnostics.size() == 1);
  CHECK(s.diagnostics[0].line == 5);
  CHECK(s.diagnostics[0].column == 21);
  CHECK(s.diagnostics[0].message.find("blanks are not allowed") != std::string::npos);
}

TEST_CASE("ecp::config::scan_template: a placeholder with invalid syntax") {
  for (std::string bad : {"${1PORT}", "${PORT", "${PORT:default}", "${PORT-8080}", "${PORT:-8080", "${}", "${my-key}",
                          "${-x}", "${ PORT}", "${\tPORT:-1}"}) {
    CAPTURE(bad);
    auto s = scan_template("x: " + bad + "\n", "t.tmpl");
    REQUIRE(s.diagnostics.size() == 1);
    CHECK(s.diagnostics[0].severity == ecp::Severity::error);
    CHECK(s.diagnostics[0].line == 1);
    CHECK(s.diagnostics[0].column == 4);
    CHECK(s.diagnostics[0].message.find("is not a placeholder") != std::string::npos);
    CHECK(s.placeholders.empty());
  }
}

namespace {

Resolved env_with(const std::string& name, std::vector<std::pair<std::string, std::string>> values) {
  Resolved r;
  r.env = name;
  for (auto& [k, v] : values) r.entries.push_back(Entry{k, v, std::nullopt, false, Origin{"ecp.yaml", 1, 1, ""}, {}});
  std::sort(r.entries.begin(), r.entries.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
  return r;
}

}  // namespace

TEST_CASE("ecp::config::check lists missing keys per environment with each use") {
  std::vector<Template> templates{
      {"conf/a.tmpl", scan_template("${GREETING}\n${PORT:-80}\n${DB}\n", "conf/a.tmpl")},
      {"conf/b.tmpl", scan_template("x ${GREETING}\n", "conf/b.tmpl")},
  };
  std::vector<KeySpec> keys{{"GREETING", std::nullopt, false, false, "", Origin{"ecp.yaml", 5, 3, ""}},
                            {"UNUSED", "x", false, false, "", Origin{"ecp.yaml", 6, 3, ""}}};
  auto report =
      check(templates, keys, {env_with("dev", {{"GREETING", "hi"}, {"DB", ""}}), env_with("prod", {{"UNUSED", "x"}})});
  CHECK_FALSE(report.ok());
  REQUIRE(report.environments.size() == 2);
  CHECK(report.environments[0].ok());  // an empty value is a value
  const auto& prod = report.environments[1];
  REQUIRE(prod.missing.size() == 2);
  CHECK(prod.missing[0].key == "DB");
  CHECK(prod.missing[1].key == "GREETING");
  REQUIRE(prod.missing[1].uses.size() == 2);
  CHECK(to_string(prod.missing[1].uses[0]) == "conf/a.tmpl:1:1");
  CHECK(to_string(prod.missing[1].uses[1]) == "conf/b.tmpl:1:3");
  // UNUSED is declared but no template uses it: one warning, at the declaration
  REQUIRE(report.diagnostics.size() == 1);
  CHECK(report.diagnostics[0].severity == ecp::Severity::warning);
  CHECK(report.diagnostics[0].line == 6);
  CHECK(report.diagnostics[0].message.find("'UNUSED' is not used") != std::string::npos);
}

TEST_CASE("ecp::config::check: template syntax errors fail the check") {
  std::vector<Template> templates{{"conf/a.tmpl", scan_template("${BAD\n", "conf/a.tmpl")}};
  auto report = check(templates, {}, {env_with("dev", {})});
  CHECK(report.environments[0].ok());
  CHECK_FALSE(report.ok());
}

TEST_CASE("ecp::config::diff compares key by key, secrets masked") {
  Rendered a{"dev", {}, "sha256:a"}, b{"prod", {}, "sha256:b"};
  a.values = {{"A", "1", false, "", {}},
              {"GONE", "x", false, "", {}},
              {"PW", "same", true, "secret:env:PW", {}},
              {"TOKEN", "t1", true, "secret:env:T", {}}};
  b.values = {{"A", "2", false, "", {}},
              {"NEW", "y", false, "", {}},
              {"PW", "same", true, "secret:env:PW", {}},
              {"TOKEN", "t2", true, "secret:env:T", {}}};
  auto d = diff(a, b);
  REQUIRE(d.entries.size() == 5);
  CHECK(d.entries[0].key == "A");
  CHECK(d.entries[0].change == Change::changed);
  CHECK(*d.entries[0].a == "1");
  CHECK(d.entries[1].key == "GONE");
  CHECK(d.entries[1].change == Change::removed);
  CHECK_FALSE(d.entries[1].b);
  CHECK(d.entries[2].key == "NEW");
  CHECK(d.entries[2].change == Change::added);
  CHECK(d.entries[3].key == "PW");
  CHECK(d.entries[3].change == Change::unchanged);
  CHECK(*d.entries[3].a == mask("same"));
  CHECK(d.entries[4].change == Change::changed);
  CHECK(*d.entries[4].a == mask("t1"));
  CHECK(*d.entries[4].b == mask("t2"));
  CHECK_FALSE(d.same());
}
