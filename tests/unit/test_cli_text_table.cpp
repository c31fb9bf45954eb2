#include <doctest/doctest.h>

#include "cli/text_table.hpp"

using ecp::cli::TextTable;

TEST_CASE("a table's columns are as wide as their widest cell; numbers align right") {
  TextTable t({{"REV", true}, {"IMAGE"}, {"WHO"}});
  t.add({"7", "hello:1.0", "ci"});
  t.add({"12", "hello-with-a-long-name:2.0", "someone@example.com"});
  t.note("health check failed");
  auto lines = t.lines();
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "REV  IMAGE                       WHO");
  CHECK(lines[1] == "  7  hello:1.0                   ci");
  CHECK(lines[2] == " 12  hello-with-a-long-name:2.0  someone@example.com");
  // A note is indented to the second column and does not widen the first.
  CHECK(lines[3] == "     health check failed");
}

TEST_CASE("an empty table prints nothing; missing cells are empty; multibyte cells count by character") {
  TextTable empty({{"A"}});
  CHECK(empty.lines().empty());
  TextTable t({{"NAME"}, {"SIZE", true}, {"NOTE"}});
  t.add({"é", "1"});
  t.add({"abcde", "10", "x"});
  auto lines = t.lines();
  CHECK(lines[1] == "é         1");
  CHECK(lines[2] == "abcde    10  x");
  CHECK_THROWS(t.add({"a", "b", "c", "d"}));
  TextTable narrow({{"A"}, {"B", true}}, 1);
  narrow.add({"xyz", "1"});
  CHECK(narrow.lines() == std::vector<std::string>{"A   B", "xyz 1"});
}
