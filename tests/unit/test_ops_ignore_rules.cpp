#include <doctest/doctest.h>

#include "core/ops/ignore_rules.hpp"

using ecp::ops::IgnoreRules;

TEST_CASE("ecp::ops::IgnoreRules, gitignore's syntax for .ecpignore") {
  SUBCASE("editor and system litter by default") {
    auto r = IgnoreRules::parse("");
    CHECK(r.ignored("app/conf/app.properties.swp"));
    CHECK(r.ignored("app/html/index.html~"));
    CHECK(r.ignored("app/.DS_Store"));
    CHECK_FALSE(r.ignored("app/lib/application.jar"));
    CHECK_FALSE(IgnoreRules::parse("!*.swp\n").ignored("app/conf/x.swp"));
  }
  SUBCASE("names at any depth, anchored paths, folders, **") {
    auto r = IgnoreRules::parse(
        "# local state\n"
        "*.db\n"
        "app/data/*\n"
        "!app/data/seed.json\n"
        "tmp/\n"
        "app/**/cache\n"
        "/app/notes.txt\n");
    CHECK(r.ignored("app/data/local.db"));
    CHECK(r.ignored("app/lib/x.db"));
    CHECK(r.ignored("app/data/upload.bin"));
    CHECK_FALSE(r.ignored("app/data/seed.json"));
    CHECK(r.ignored("app/html/tmp/a.html"));  // a folder named tmp, at any depth
    CHECK_FALSE(r.ignored("app/html/tmp"));   // ... a file named tmp is not one
    CHECK(r.ignored("app/cache/x"));
    CHECK(r.ignored("app/a/b/cache/x"));
    CHECK(r.ignored("app/notes.txt"));
    CHECK_FALSE(r.ignored("app/html/notes.txt"));  // anchored: only at the top
    CHECK_FALSE(r.ignored("app/html/index.html"));
  }
  SUBCASE("nothing inside a left-out folder comes back") {
    auto r = IgnoreRules::parse("app/data/\n!app/data/seed.json\n");
    CHECK(r.ignored("app/data/seed.json"));
  }
  SUBCASE("comments, blank lines, escapes, CRLF") {
    auto r = IgnoreRules::parse("\r\n# x\r\n\\#keep\r\n  \nbuild.log   \r\n");
    CHECK(r.ignored("app/#keep"));
    CHECK(r.ignored("app/logs/build.log"));
    CHECK_FALSE(r.ignored("app/x"));
  }
}
