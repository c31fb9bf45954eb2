#include <doctest/doctest.h>

#include "core/registry/registries_conf.hpp"
#include "core/util/error.hpp"

using namespace ecp;
using namespace ecp::registry;

namespace {

// podman's own file, with the keys ecp reads past.
constexpr const char* conf_text = R"(# comment
unqualified-search-registries = [
  "registry.fedoraproject.org",   # a comment in an array
  'docker.io',
]
short-name-mode = "enforcing"

[[registry]]
prefix = "example.com/team"
location = "internal.example.com:5000/mirror-of/team"
insecure = false

[[registry.mirror]]
location = "mirror-a.local/team"
insecure = true

[[registry.mirror]]
location = "mirror-b.local/team"
pull-from-mirror = "tag-only"

[[registry]]
location = "example.com"
mirror-by-digest-only = true
[[registry.mirror]]
location = "digest-mirror.local"

[[registry]]
prefix = "*.blocked.test"
blocked = true

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
)";

}  // namespace

TEST_CASE("registries.conf: the longest prefix wins; mirrors before the location") {
  auto conf = parse_registries_conf(conf_text, "registries.conf");
  REQUIRE(conf.registries.size() == 3);
  auto s = pull_sources(conf, "example.com", "team/app", false);
  REQUIRE(s.size() == 3);
  CHECK(s[0].registry == "mirror-a.local");
  CHECK(s[0].repository == "team/app");
  CHECK(s[0].insecure);
  CHECK(s[0].mirror);
  CHECK(s[1].registry == "mirror-b.local");
  CHECK(s[2].registry == "internal.example.com:5000");
  CHECK(s[2].repository == "mirror-of/team/app");
  CHECK_FALSE(s[2].mirror);
  // By digest: the tag-only mirror is skipped.
  auto d = pull_sources(conf, "example.com", "team/app", true);
  REQUIRE(d.size() == 2);
  CHECK(d[0].registry == "mirror-a.local");
  // A prefix matches at a path boundary only: "team2" is not under "team".
  auto other = pull_sources(conf, "example.com", "team2/app", false);
  REQUIRE(other.size() == 1);  // mirror-by-digest-only: the location alone for a tag
  CHECK(other[0].registry == "example.com");
  CHECK(other[0].repository == "team2/app");
  auto by_digest = pull_sources(conf, "example.com", "team2/app", true);
  REQUIRE(by_digest.size() == 2);
  CHECK(by_digest[0].registry == "digest-mirror.local");
  // No entry: where the reference says.
  auto plain = pull_sources(conf, "quay.io", "x/y", false);
  REQUIRE(plain.size() == 1);
  CHECK(plain[0].registry == "quay.io");
  CHECK_THROWS_WITH_AS(pull_sources(conf, "a.blocked.test", "x", false),
                       doctest::Contains("registries.conf:27: pulls of 'a.blocked.test/x' are blocked"), Error);
  CHECK(insecure_registry(conf, "mirror-a.local"));
  CHECK_FALSE(insecure_registry(conf, "mirror-b.local"));
}

TEST_CASE("registries.conf: errors name the line") {
  auto bad = [](const char* text) {
    try {
      parse_registries_conf(text, "r.conf");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::usage);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(bad("[[registry]]\nlocation = \"x\"\ninsecure = \"yes\"\n") == "r.conf:3: 'insecure' must be true or false");
  CHECK(bad("[[registry]]\nlocation = \"x\n") == "r.conf:2: a string without its closing quote");
  CHECK(bad("[[registry.mirror]]\nlocation = \"x\"\n") == "r.conf:1: [[registry.mirror]] before any [[registry]]");
  CHECK(bad("[[registry]]\ninsecure = true\n") == "r.conf:1: a [[registry]] needs a prefix or a location");
  CHECK(bad("[[registry]]\nprefix = \"a.test/x\"\n") ==
        "r.conf:1: the prefix 'a.test/x' needs a location (only a *.host prefix may go without one)");
  CHECK(bad("x = [1, 2\n") == "r.conf:2: an array without its closing bracket");
  CHECK(bad("[[registry]]\nlocation = \"x\" y\n") == "r.conf:2: unexpected 'y'");
  CHECK(parse_registries_conf("", "empty.conf").registries.empty());
  // Tables and values ecp does not use are read past, inline tables too.
  auto other = parse_registries_conf(
      "[aliases]\n\"x\" = \"y/z\"\n[engine]\nopts = { a = 1, b = \"} {\", c = [1, 2] }\nn = 3\n"
      "[[registry]]\nlocation = \"r.test\"\n",
      "o.conf");
  REQUIRE(other.registries.size() == 1);
  CHECK(other.registries[0].location == "r.test");
  CHECK(bad("x = { a = 1\n") == "r.conf:1: an inline table without its closing brace");
}
