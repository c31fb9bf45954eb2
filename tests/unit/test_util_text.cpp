#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/text.hpp"

using namespace ecp;

TEST_CASE("ecp::text::join") {
  CHECK(text::join(std::vector<std::string>{}, ", ") == "");
  CHECK(text::join(std::vector<std::string>{"a"}, ", ") == "a");
  CHECK(text::join(std::vector<std::string>{"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(text::join(std::vector<std::string_view>{"x", "y"}, "|") == "x|y");
  // An empty item still gets its separators: the list keeps its length.
  CHECK(text::join(std::vector<std::string>{"", "b"}, ";") == ";b");
  std::map<std::string, int> weights{{"a", 90}, {"b", 10}};
  CHECK(text::join(weights, " ", [](const auto& w) { return w.first + "=" + std::to_string(w.second); }) ==
        "a=90 b=10");
}

TEST_CASE("ecp::text::base64") {
  SUBCASE("RFC 4648 section 10 test vectors, both ways") {
    const std::vector<std::pair<std::string, std::string>> vectors{
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
      CAPTURE(plain);
      CHECK(text::base64_encode(plain) == encoded);
      CHECK(text::base64_decode(encoded) == plain);
    }
  }
  SUBCASE("every byte survives") {
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    CHECK(text::base64_decode(text::base64_encode(all)) == all);
    CHECK(text::base64_encode("user:p@ss:word") == "dXNlcjpwQHNzOndvcmQ=");
  }
  SUBCASE("line breaks (base64 without -w0) are skipped") {
    CHECK(text::base64_decode("Zm9v\nYmFy\n") == "foobar");
    CHECK(text::base64_decode("Zm9vYg==\r\n") == "foob");
  }
  SUBCASE("wrong padding, stray characters and '=' inside are refused") {
    for (std::string bad : {"Zg", "Zm8", "abc", "Zg=", "Z===", "====", "a!c=", "Zm9v!", "Zg==Zg==", "Zm 9v", "Zm=v"}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(text::base64_decode(bad), Error);
    }
  }
}

TEST_CASE("ecp::text::rfc3339") {
  CHECK(text::rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(text::rfc3339(1700000000) == "2023-11-14T22:13:20Z");
  CHECK(text::rfc3339(951782400) == "2000-02-29T00:00:00Z");
  CHECK(text::rfc3339(-1) == "1969-12-31T23:59:59Z");
  CHECK(text::rfc3339(4102444800) == "2100-01-01T00:00:00Z");
  CHECK(text::rfc3339_ms(1700000000000) == "2023-11-14T22:13:20Z");
  CHECK(text::rfc3339_ms(1700000000250) == "2023-11-14T22:13:20.250Z");
  CHECK(text::rfc3339_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(text::parse_rfc3339_ms("2023-11-14T22:13:20.25Z") == 1700000000250);
  CHECK(text::parse_rfc3339_ms(text::rfc3339_ms(1700000000123)) == 1700000000123);
  CHECK_FALSE(text::parse_rfc3339_ms("2023-11-14T22:13:20+01:00").has_value());
}
