#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "core/registry/error.hpp"
#include "core/registry/retry.hpp"

using namespace ecp;
using namespace ecp::registry;
using std::chrono::milliseconds;

TEST_CASE("ecp::registry::parse_error_body") {
  auto es = parse_error_body(R"({"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":{"x":1}},
                                            {"code":"BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:ab"}]})");
  REQUIRE(es.size() == 2);
  CHECK(es[0].code == "MANIFEST_INVALID");
  CHECK(es[0].detail == R"({"x":1})");
  CHECK(es[1].code == "BLOB_UNKNOWN");
  CHECK(es[1].detail == "sha256:ab");
  CHECK(parse_error_body("<html>502 Bad Gateway</html>").empty());
  CHECK(parse_error_body("").empty());
  CHECK(parse_error_body(R"({"errors":"no"})").empty());
}

TEST_CASE("ecp::registry::RegistryError") {
  ErrorInfo info;
  info.registry = "reg.example:5000";
  info.repository = "team/app";
  info.operation = "PUT manifest 1.0";
  info.status = 400;
  info.errors = parse_error_body(R"({"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]})");
  SUBCASE("the message names registry, repository, operation, status and code") {
    RegistryError e(info);
    std::string m = e.what();
    CHECK(m == "registry reg.example:5000, repository team/app: PUT manifest 1.0: HTTP 400 MANIFEST_INVALID: "
               "manifest invalid");
    CHECK(e.kind() == ErrorKind::registry);
    CHECK(e.code() == "MANIFEST_INVALID");
    CHECK(e.has_code("MANIFEST_INVALID"));
    CHECK_FALSE(e.has_code("DENIED"));
    CHECK_FALSE(e.retryable());
  }
  SUBCASE("401 and 403 are auth errors (exit 5); a hint is appended") {
    info.status = 401;
    info.errors = parse_error_body(R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
    RegistryError e(info, "run 'ecp login reg.example:5000'");
    CHECK(e.kind() == ErrorKind::auth);
    CHECK(exit_code(e.kind()) == 5);
    CHECK(std::string(e.what()).ends_with("(run 'ecp login reg.example:5000')"));
    info.status = 403;
    CHECK(RegistryError(info).kind() == ErrorKind::auth);
  }
  SUBCASE("a connection failure names libcurl's reason") {
    info.status = 0;
    info.errors.clear();
    info.transport = "Failed to connect to 127.0.0.1 port 1: Connection refused";
    info.retryable = true;
    RegistryError e(info);
    CHECK(std::string(e.what()).find("Connection refused") != std::string::npos);
    CHECK(e.retryable());
    CHECK(exit_code(e.kind()) == 4);
  }
}

TEST_CASE("ecp::registry::retryable_status and parse_retry_after") {
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) CHECK(retryable_status(s));
  for (long s : {200L, 201L, 400L, 401L, 403L, 404L, 405L, 416L, 501L}) CHECK_FALSE(retryable_status(s));
  CHECK(parse_retry_after("3", 0) == milliseconds(3000));
  CHECK(parse_retry_after(" 0 ", 0) == milliseconds(0));
  CHECK(parse_retry_after("", 0) == milliseconds(-1));
  CHECK(parse_retry_after("soon", 0) == milliseconds(-1));
  // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770) == milliseconds(7000));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111999) == milliseconds(0));
}

TEST_CASE("ecp::registry::backoff_delay") {
  RetryPolicy p;
  p.base = milliseconds(100);
  p.cap = milliseconds(1000);
  p.max_retry_after = milliseconds(5000);
  SUBCASE("the ceiling doubles up to the cap; the wait is in [ceiling/2, ceiling]") {
    CHECK(backoff_delay(p, 1, 0.0) == milliseconds(50));
    CHECK(backoff_delay(p, 1, 1.0) == milliseconds(100));
    CHECK(backoff_delay(p, 2, 1.0) == milliseconds(200));
    CHECK(backoff_delay(p, 3, 0.0) == milliseconds(200));
    CHECK(backoff_delay(p, 4, 1.0) == milliseconds(800));
    CHECK(backoff_delay(p, 5, 1.0) == milliseconds(1000));
    CHECK(backoff_delay(p, 50, 1.0) == milliseconds(1000));
  }
  SUBCASE("Retry-After raises the wait, bounded") {
    CHECK(backoff_delay(p, 1, 0.5, milliseconds(2000)) == milliseconds(2000));
    CHECK(backoff_delay(p, 1, 0.5, milliseconds(60000)) == milliseconds(5000));
    CHECK(backoff_delay(p, 5, 1.0, milliseconds(10)) == milliseconds(1000));
  }
}

TEST_CASE("ecp::registry::with_retries") {
  RetryPolicy p;
  p.attempts = 3;
  p.base = milliseconds(1);
  p.cap = milliseconds(2);
  ErrorInfo retryable{"r", "repo", "GET x", 503, {}, "", true, {}};
  ErrorInfo fatal{"r", "repo", "GET x", 400, {}, "", false, {}};
  SUBCASE("retryable errors are tried again until success") {
    int calls = 0, notices = 0;
    with_retries(p, [&] {
      if (++calls < 3) throw RegistryError(retryable);
    }, [&](const RegistryError&, int next, milliseconds) { CHECK(next == ++notices + 1); });
    CHECK(calls == 3);
    CHECK(notices == 2);
  }
  SUBCASE("the budget is bounded: the last error is thrown, no longer retryable") {
    int calls = 0;
    try {
      with_retries(p, [&] {
        ++calls;
        throw RegistryError(retryable);
      });
      FAIL("expected an error");
    } catch (const RegistryError& e) {
      CHECK(calls == 3);
      CHECK_FALSE(e.retryable());
      CHECK(std::string(e.what()).find("gave up after 3 attempts") != std::string::npos);
    }
  }
  SUBCASE("other errors are not retried") {
    int calls = 0;
    CHECK_THROWS_AS(with_retries(p, [&] {
      ++calls;
      throw RegistryError(fatal);
    }), RegistryError);
    CHECK(calls == 1);
  }
}
