#include <doctest/doctest.h>

#include "core/registry/auth.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

using namespace ecp;
using namespace ecp::registry;

TEST_CASE("ecp::registry::parse_challenges") {
  SUBCASE("a Bearer challenge with realm, service and scope") {
    auto cs = parse_challenges(
        R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push")");
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].scheme == "bearer");
    CHECK(cs[0].param("realm") == "https://auth.example.com/token");
    CHECK(cs[0].param("service") == "registry.example.com");
    CHECK(cs[0].param("scope") == "repository:a/b:pull,push");  // the comma inside quotes stays
    CHECK(cs[0].param("missing").empty());
  }
  SUBCASE("Basic, scheme and keys case-insensitive, spaces around '=' and ','") {
    auto cs = parse_challenges(R"(BASIC Realm = "ecp test" , charset="UTF-8")");
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].scheme == "basic");
    CHECK(cs[0].param("realm") == "ecp test");
    CHECK(cs[0].param("charset") == "UTF-8");
  }
  SUBCASE("several challenges, quoted escapes, token values") {
    auto cs = parse_challenges(R"(Basic realm="a \"quoted\" realm", Bearer realm=https://t/x,error=insufficient_scope)");
    REQUIRE(cs.size() == 2);
    CHECK(cs[0].param("realm") == R"(a "quoted" realm)");
    CHECK(cs[1].scheme == "bearer");
    CHECK(cs[1].param("realm") == "https://t/x");
    CHECK(cs[1].param("error") == "insufficient_scope");
  }
  SUBCASE("empty and broken headers give what parsed") {
    CHECK(parse_challenges("").empty());
    auto cs = parse_challenges(R"(Bearer realm="unterminated)");
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].param("realm") == "unterminated");
  }
}

TEST_CASE("ecp::text::url_encode and registry scopes") {
  CHECK(text::url_encode("repository:a/b:pull,push") == "repository%3Aa%2Fb%3Apull%2Cpush");
  CHECK(text::url_encode("Az09-_.~") == "Az09-_.~");
  CHECK(text::url_encode("a b") == "a%20b");
  CHECK(repository_scope("team/app", false) == "repository:team/app:pull");
  CHECK(repository_scope("team/app", true) == "repository:team/app:pull,push");
}
