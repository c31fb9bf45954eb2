#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/oci/reference.hpp"
#include "core/util/error.hpp"

using namespace ecp;
using ecp::oci::parse_reference;

namespace {
const std::string hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

void check_invalid(const std::string& text) {
  CAPTURE(text);
  try {
    parse_reference(text);
    FAIL("expected a validation error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::validation);
    CHECK(std::string(e.what()).find("invalid image reference") != std::string::npos);
  }
}
}  // namespace

TEST_CASE("ecp::oci::parse_reference") {
  SUBCASE("docker.io and library/ are the defaults") {
    auto r = parse_reference("alpine");
    CHECK(r.registry == "docker.io");
    CHECK(r.repository == "library/alpine");
    CHECK(r.tag.empty());
    CHECK_FALSE(r.digest.valid());
    CHECK(r.identifier() == "latest");
    CHECK(r.with_default_tag().to_string() == "docker.io/library/alpine:latest");
    CHECK(parse_reference("team/app:1").to_string() == "docker.io/team/app:1");
    CHECK(parse_reference("docker.io/alpine:3").repository == "library/alpine");
    CHECK(parse_reference("index.docker.io/team/app").registry == "docker.io");
  }
  SUBCASE("a first component with '.' or ':' or 'localhost' is a registry") {
    auto r = parse_reference("127.0.0.1:5000/hello-jar:abc");
    CHECK(r.registry == "127.0.0.1:5000");
    CHECK(r.repository == "hello-jar");
    CHECK(r.tag == "abc");
    CHECK(parse_reference("localhost/app").registry == "localhost");
    CHECK(parse_reference("localhost:5000/a/b/c:t").repository == "a/b/c");
    CHECK(parse_reference("ghcr.io/org/app").registry == "ghcr.io");
    CHECK(parse_reference("[::1]:5000/app:1").registry == "[::1]:5000");
    // Not a registry: no dot, no port, lowercase, not localhost.
    CHECK(parse_reference("registry/app").registry == "docker.io");
    CHECK(parse_reference("registry/app").repository == "registry/app");
    // "localhost:5000" alone is a name with a tag, as docker reads it.
    auto lp = parse_reference("localhost:5000");
    CHECK(lp.repository == "library/localhost");
    CHECK(lp.tag == "5000");
  }
  SUBCASE("digests, with or without a tag") {
    auto r = parse_reference("example.com/app@sha256:" + hex);
    CHECK(r.digest.hex() == hex);
    CHECK(r.tag.empty());
    CHECK(r.identifier() == "sha256:" + hex);
    auto both = parse_reference("example.com/app:1.0@sha256:" + hex);
    CHECK(both.tag == "1.0");
    CHECK(both.identifier() == "sha256:" + hex);
    CHECK(both.to_string() == "example.com/app:1.0@sha256:" + hex);
    CHECK(both.with_tag("2").to_string() == "example.com/app:2");
  }
  SUBCASE("path components allow ., _, __ and runs of -") {
    CHECK(parse_reference("team/a.b_c__d---e").repository == "team/a.b_c__d---e");
    // An uppercase first component is a registry host (docker's rule), so this parses.
    CHECK(parse_reference("UPPER/case").registry == "UPPER");
    CHECK(oci::valid_tag("v1.0_rc-2"));
    CHECK(oci::valid_tag("_x"));
    CHECK_FALSE(oci::valid_tag(".x"));
    CHECK_FALSE(oci::valid_tag("a/b"));
  }
  SUBCASE("bad references are validation errors") {
    for (std::string bad : std::vector<std::string>{"", "Upper/Case", "app/Case", "example.com/App", "app:", "app:-x", "app:" + std::string(129, 'a'), "app@sha256:abc",
          "app@md5:" + hex, "a//b", "/app", "app/", "a___b", "a..b", "-app", "example.com:port/app",
          "exa_mple.com:5000/app", "example.com/", hex, "a b", "[::1/app", "app:tag@"})
      check_invalid(bad);
  }
  SUBCASE("names longer than 255 characters are refused") {
    check_invalid("example.com/" + std::string(250, 'a'));
    CHECK(parse_reference("example.com/" + std::string(200, 'a')).repository.size() == 200);
  }
}

TEST_CASE("ecp::oci::is_loopback_registry") {
  CHECK(oci::is_loopback_registry("localhost"));
  CHECK(oci::is_loopback_registry("localhost:5000"));
  CHECK(oci::is_loopback_registry("127.0.0.1:5000"));
  CHECK(oci::is_loopback_registry("127.1.2.3"));
  CHECK(oci::is_loopback_registry("[::1]:5000"));
  CHECK_FALSE(oci::is_loopback_registry("127.0.0.1.example.com"));
  CHECK_FALSE(oci::is_loopback_registry("128.0.0.1:5000"));
  CHECK_FALSE(oci::is_loopback_registry("docker.io"));
  CHECK_FALSE(oci::is_loopback_registry("localhost.example.com"));
  CHECK_FALSE(oci::is_loopback_registry("[::2]:5000"));
}
