#include <doctest/doctest.h>

#include "core/config/properties.hpp"
#include "core/util/error.hpp"

using namespace ecp::config;

namespace {

// Writes KEY=value lines and reads them back as autoconfig.sh would.
std::string round_trip(const std::string& value) {
  auto parsed = parse_properties(property_line("K", value), "f", "layer");
  REQUIRE(parsed.ok());
  REQUIRE(parsed.values.size() == 1);
  return parsed.values[0].text;
}

}  // namespace

TEST_CASE("ecp::config::escape_value") {
  CHECK(escape_value("plain") == "plain");
  CHECK(escape_value("a=b:c#d!e") == "a=b:c#d!e");  // only the first "=" splits, so none needs escaping
  CHECK(escape_value("line1\nline2") == "line1\\nline2");
  CHECK(escape_value("back\\slash") == "back\\\\slash");
  CHECK(escape_value(" lead") == "\\ lead");
  CHECK(escape_value("a b ") == "a b ");
  CHECK(escape_value("\t\r\f") == "\\t\\r\\f");
  CHECK_THROWS_AS(escape_value(std::string("a\0b", 3)), ecp::Error);
}

TEST_CASE("ecp::config::parse_properties round-trips what property_line writes") {
  for (std::string v : {"", "x", "Grüße, 世界 🚀", "a=b=c", "key=value\nsecond=line", "  two leading blanks",
                        "trailing blanks  ", "ends with a backslash\\", "\\\\double", "\\n is not a newline",
                        "tab\tcr\rff\f", "# not a comment", "! not either", "crlf\r\n", "\n", "=", "\\"}) {
    CAPTURE(v);
    CHECK(round_trip(v) == v);
  }
}

TEST_CASE("ecp::config::parse_properties reads autoconfig.sh's format") {
  std::string text =
      "# a comment\n"
      "  ! another\n"
      "\n"
      "A=1\n"
      "  B \t= two words \n"
      "C=first \\\n"
      "    second\n"
      "D=x\\=y\\:z\\#\\!\\ \n"
      "E=crlf\r\n"
      "dotted.key=v\n"
      "F=\n"
      "G=at the end\\";
  auto r = parse_properties(text, "app.properties", "L");
  REQUIRE(r.ok());
  REQUIRE(r.values.size() == 8);
  CHECK(r.values[0].key == "A");
  CHECK(r.values[0].text == "1");
  CHECK(r.values[0].origin.line == 4);
  CHECK(r.values[0].origin.layer == "L");
  CHECK(r.values[1].key == "B");
  CHECK(r.values[1].text == "two words ");
  CHECK(r.values[2].text == "first second");
  CHECK(r.values[2].origin.line == 6);
  CHECK(r.values[3].text == "x=y:z#! ");
  CHECK(r.values[4].text == "crlf");
  CHECK(r.values[5].key == "dotted.key");
  CHECK(r.values[6].text == "");
  CHECK(r.values[7].text == "at the end");
}

TEST_CASE("ecp::config::parse_properties: a key defined twice names both lines") {
  auto r = parse_properties("A=1\nB=2\n\nA=3\n", "env/prod.properties", "L");
  REQUIRE(r.diagnostics.size() == 1);
  const auto& d = r.diagnostics[0];
  CHECK(d.severity == ecp::Severity::error);
  CHECK(d.file == "env/prod.properties");
  CHECK(d.line == 4);
  CHECK(d.message.find("'A'") != std::string::npos);
  CHECK(d.message.find("line 1") != std::string::npos);
  CHECK(d.message.find("line 4") != std::string::npos);
}

TEST_CASE("ecp::config::parse_properties reports bad lines") {
  SUBCASE("no '='") {
    auto r = parse_properties("A=1\njust words\n", "f", "L");
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].line == 2);
    CHECK(r.diagnostics[0].message.find("KEY=VALUE") != std::string::npos);
  }
  SUBCASE("invalid key") {
    auto r = parse_properties("1A=1\nmy-key=2\n", "f", "L");
    CHECK(r.diagnostics.size() == 2);
    CHECK(r.values.empty());
  }
  SUBCASE("unsupported escape") {
    auto r = parse_properties("A=\\u00e9\n", "f", "L");
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].message.find("unsupported escape \\u") != std::string::npos);
  }
  SUBCASE("NUL byte") {
    auto r = parse_properties(std::string("A=\0\n", 4), "f", "L");
    CHECK_FALSE(r.ok());
  }
}
