#include <doctest/doctest.h>

#include "core/config/values_yaml.hpp"

using namespace ecp::config;

namespace {
bool mentions(const ParsedValues& r, std::string_view text) {
  for (const auto& d : r.diagnostics)
    if (d.message.find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("ecp::config::parse_values_yaml reads a flat map") {
  auto r = parse_values_yaml(
      "# values for prod\n"
      "GREETING: Hello from prod\n"
      "LISTEN_PORT: 8080\n"
      "ENABLED: true\n"
      "EMPTY: ''\n"
      "\"QUOTED\": \"a: b # c\"\n"
      "app.name: Grüße 🚀\n"
      "MULTI: |\n"
      "  line one\n"
      "  line two=2\n",
      "env/prod.yaml", "env/prod.yaml");
  REQUIRE(r.ok());
  REQUIRE(r.values.size() == 7);
  CHECK(r.values[0].key == "GREETING");
  CHECK(r.values[0].text == "Hello from prod");
  CHECK(r.values[0].origin.file == "env/prod.yaml");
  CHECK(r.values[0].origin.line == 2);
  CHECK(r.values[0].origin.column == 1);
  CHECK(r.values[1].text == "8080");
  CHECK(r.values[2].text == "true");
  CHECK(r.values[3].text == "");
  CHECK(r.values[4].text == "a: b # c");
  CHECK(r.values[5].key == "app.name");
  CHECK(r.values[5].text == "Grüße 🚀");
  CHECK(r.values[6].text == "line one\nline two=2\n");
}

TEST_CASE("ecp::config::parse_values_yaml: an empty file has no values") {
  auto r = parse_values_yaml("# nothing yet\n", "f.yaml", "L");
  CHECK(r.ok());
  CHECK(r.values.empty());
}

TEST_CASE("ecp::config::parse_values_yaml: a key defined twice names both lines") {
  auto r = parse_values_yaml("A: 1\nB: 2\nA: 3\n", "env/dev.yaml", "L");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].line == 3);
  CHECK(r.diagnostics[0].file == "env/dev.yaml");
  CHECK(mentions(r, "on line 1 and on line 3"));
  CHECK(r.values.size() == 2);
}

TEST_CASE("ecp::config::parse_values_yaml reports what is not a flat map") {
  SUBCASE("nested map") {
    auto r = parse_values_yaml("A: 1\nDB:\n  host: x\nB: 2\n", "f", "L");
    CHECK(mentions(r, "'DB': expected a value, got a map"));
    REQUIRE(r.values.size() == 2);
    CHECK(r.values[1].key == "B");
  }
  SUBCASE("list value") {
    auto r = parse_values_yaml("A: [1, 2]\n", "f", "L");
    CHECK(mentions(r, "got a list"));
  }
  SUBCASE("root is a list") {
    auto r = parse_values_yaml("- a\n- b\n", "f", "L");
    CHECK(mentions(r, "expected a map of KEY: value, got a list"));
  }
  SUBCASE("root is a scalar") {
    auto r = parse_values_yaml("hello\n", "f", "L");
    CHECK(mentions(r, "got a single value"));
  }
  SUBCASE("no value") {
    auto r = parse_values_yaml("A:\nB: ~\n", "f", "L");
    CHECK(r.diagnostics.size() == 2);
    CHECK(mentions(r, "'A' has no value"));
    CHECK(r.values.empty());
  }
  SUBCASE("invalid key") {
    auto r = parse_values_yaml("my-key: 1\n", "f", "L");
    CHECK(mentions(r, "invalid key 'my-key'"));
  }
  SUBCASE("two documents") {
    auto r = parse_values_yaml("A: 1\n---\nB: 2\n", "f", "L");
    CHECK(mentions(r, "only one YAML document is allowed"));
  }
  SUBCASE("syntax error with its line") {
    auto r = parse_values_yaml("A: 1\nB: [1, 2\nC: 3\n", "f", "L");
    REQUIRE_FALSE(r.ok());
    CHECK(mentions(r, "YAML syntax error"));
    CHECK(r.diagnostics[0].line >= 2);
  }
  SUBCASE("alias") {
    auto r = parse_values_yaml("A: &x 1\nB: *x\n", "f", "L");
    REQUIRE_FALSE(r.ok());
    CHECK(mentions(r, "aliases (*name) are not supported"));
    CHECK(r.diagnostics[0].line == 2);
    CHECK(r.diagnostics[0].column == 4);
  }
  SUBCASE("a key that is not a string") {
    auto r = parse_values_yaml("? [a, b]\n: 1\n", "f", "L");
    CHECK(mentions(r, "a key must be a string, not a list"));
  }
}

// What the shared YAML reader refuses in every file, a values file refuses too.
TEST_CASE("ecp::config::parse_values_yaml: the YAML reader's limits") {
  SUBCASE("too large") {
    auto r = parse_values_yaml(std::string((std::size_t(1) << 20) + 1, '#'), "f", "L");
    CHECK(mentions(r, "up to 1 MiB"));
  }
  SUBCASE("a NUL byte, at its place") {
    auto r = parse_values_yaml(std::string("A: 1\nB: x\0y\n", 12), "f", "L");
    REQUIRE_FALSE(r.ok());
    CHECK(mentions(r, "NUL byte"));
    CHECK(r.diagnostics[0].line == 2);
    CHECK(r.diagnostics[0].column == 5);
  }
  SUBCASE("invalid UTF-8") {
    auto r = parse_values_yaml("A: caf\xE9\n", "f", "L");
    CHECK(mentions(r, "invalid UTF-8"));
    CHECK(r.values.empty());
  }
  SUBCASE("tab indentation") {
    auto r = parse_values_yaml("A: 1\n\tB: 2\n", "f", "L");
    CHECK(mentions(r, "a tab is used for indentation"));
  }
  SUBCASE("columns count characters, not bytes") {
    auto r = parse_values_yaml("ÄÖ: [x]\nGrüße: 1\n", "f", "L");
    REQUIRE(r.diagnostics.size() == 2);
    CHECK(mentions(r, "'ÄÖ': expected a value, got a list"));
    CHECK(r.diagnostics[0].line == 1);
    CHECK(r.diagnostics[0].column == 5);
    CHECK(mentions(r, "invalid key 'Grüße'"));
    CHECK(r.diagnostics[1].line == 2);
  }
}
