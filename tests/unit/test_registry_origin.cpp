#include <doctest/doctest.h>

#include "core/registry/deadline.hpp"
#include "core/registry/origin.hpp"

using namespace ecp::registry;

TEST_CASE("ecp::registry::parse_origin") {
  SUBCASE("default ports: 80 for http, 443 for https") {
    auto o = parse_origin("https://registry.example.com/v2/");
    REQUIRE(o);
    CHECK(o->scheme == "https");
    CHECK(o->host == "registry.example.com");
    CHECK(o->port == 443);
    CHECK(parse_origin("http://registry.example.com")->port == 80);
    CHECK(o->to_string() == "https://registry.example.com:443");
  }
  SUBCASE("scheme and host are case-insensitive; path, query and user info are not part of it") {
    auto o = parse_origin("HTTPS://User:Pw@Registry.EXAMPLE.com:5000/v2/x?_state=AbC#f");
    REQUIRE(o);
    CHECK(o->scheme == "https");
    CHECK(o->host == "registry.example.com");
    CHECK(o->port == 5000);
  }
  SUBCASE("IPv6: brackets dropped, one spelling per address") {
    auto o = parse_origin("http://[::1]:5000/v2/");
    REQUIRE(o);
    CHECK(o->host == "::1");
    CHECK(o->port == 5000);
    CHECK(o->to_string() == "http://[::1]:5000");
    CHECK(parse_origin("http://[0:0:0:0:0:0:0:1]:5000/")->host == "::1");
    CHECK(parse_origin("https://[2001:DB8::A]/")->host == "2001:db8::a");
  }
  SUBCASE("only http and https: other schemes, relative and broken URLs have no origin") {
    CHECK_FALSE(parse_origin("file:///etc/passwd"));
    CHECK_FALSE(parse_origin("gopher://127.0.0.1:70/1"));
    CHECK_FALSE(parse_origin("ftp://example.com/"));
    CHECK_FALSE(parse_origin("/v2/uploads/1"));
    CHECK_FALSE(parse_origin("registry.example.com:5000/v2/"));
    CHECK_FALSE(parse_origin("http://"));
    CHECK_FALSE(parse_origin("http://host:99999/"));
    CHECK_FALSE(parse_origin(""));
  }
}

TEST_CASE("ecp::registry::same_origin") {
  struct Case {
    const char* a;
    const char* b;
    bool same;
  };
  const Case cases[] = {
      // The same origin, spelled differently.
      {"https://r.example.com/v2/", "https://r.example.com:443/v2/a/blobs/uploads/1?x=y", true},
      {"http://r.example.com:80/v2/", "HTTP://R.Example.Com/", true},
      {"http://[::1]:5000/v2/", "http://[0::1]:5000/x", true},
      {"http://127.0.0.1:5000", "http://127.0.0.1:5000/v2/", true},
      // Another port, host or scheme is another origin.
      {"http://127.0.0.1:5000/v2/", "http://127.0.0.1:5001/v2/", false},
      {"http://127.0.0.1:5000/", "http://localhost:5000/", false},
      {"http://r.example.com/", "https://r.example.com/", false},
      {"https://r.example.com/", "https://r.example.com:8443/", false},
      {"https://r.example.com/", "https://r.example.com.evil.net/", false},
      {"https://r.example.com/", "https://evil.net/?https://r.example.com/", false},
      {"https://r.example.com/", "https://r.example.com@evil.net/", false},
      {"http://[::1]:5000/", "http://127.0.0.1:5000/", false},
      // A URL that is not http(s) matches nothing, not even itself.
      {"file:///x", "file:///x", false},
      {"https://r.example.com/", "gopher://r.example.com:443/", false},
      {"", "", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    CHECK(same_origin(c.a, c.b) == c.same);
    CHECK(same_origin(c.b, c.a) == c.same);
  }
}

TEST_CASE("ecp::registry::resolve_url") {
  const std::string base = "http://127.0.0.1:5000/v2/app/blobs/uploads/";
  CHECK(resolve_url(base, "/v2/app/blobs/uploads/abc?_state=x") ==
        "http://127.0.0.1:5000/v2/app/blobs/uploads/abc?_state=x");
  CHECK(resolve_url(base, "abc") == "http://127.0.0.1:5000/v2/app/blobs/uploads/abc");
  CHECK(resolve_url(base, "http://127.0.0.1:6000/up/1") == "http://127.0.0.1:6000/up/1");
  // A network-path reference keeps the scheme and changes the host: another origin.
  auto other = resolve_url(base, "//storage.example.com/b/1");
  REQUIRE(other);
  CHECK(*other == "http://storage.example.com/b/1");
  CHECK_FALSE(same_origin(base, *other));
  // Other schemes resolve, so that parse_origin can refuse them by name.
  auto gopher = resolve_url(base, "gopher://127.0.0.1:70/1");
  REQUIRE(gopher);
  CHECK_FALSE(parse_origin(*gopher));
}

TEST_CASE("ecp::registry::DeadlinePolicy") {
  DeadlinePolicy p;
  CHECK(p.for_bytes(0) == std::chrono::seconds(60));
  CHECK(p.for_bytes(64 << 20) == std::chrono::seconds(60 + 1024));
  CHECK(p.for_bytes(-5) == std::chrono::seconds(60));
  // A hostile declared size does not overflow into a short (or negative) deadline.
  CHECK(p.for_bytes(std::int64_t(1) << 62) > std::chrono::hours(24 * 365));
  CHECK(p.describe(0).starts_with("60 s (60 s + 1 s per 64 KiB"));
  p.fixed = std::chrono::milliseconds(3000);
  CHECK(p.for_bytes(std::int64_t(1) << 40) == std::chrono::seconds(3));
  CHECK(p.describe(1 << 20) == "3 s (--timeout)");
}
