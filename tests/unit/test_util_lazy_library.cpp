#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "core/util/error.hpp"
#include "core/util/lazy_library.hpp"

using namespace ecp;

TEST_CASE("util::LazyLibrary finds a function of a library that exists and calls it") {
  util::LazyLibrary libc("libc.so.6", "libc6");
  auto strlen_fn = libc.function<decltype(&::strlen)>("strlen");
  CHECK(strlen_fn("four") == 4);
}

TEST_CASE("util::LazyLibrary names the library and its package when the library is missing") {
  util::LazyLibrary missing("libecp-not-here.so.7", "libecp-not-here7");
  try {
    missing.address("anything");
    FAIL("a missing library was found");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK(what.find("libecp-not-here.so.7") != std::string::npos);
    CHECK(what.find("Debian package libecp-not-here7") != std::string::npos);
  }
  // The failed open is not remembered: a second call tries (and fails) again.
  CHECK_THROWS_AS(missing.address("anything"), Error);
}

TEST_CASE("util::LazyLibrary names the function a library lacks") {
  util::LazyLibrary libc("libc.so.6", "libc6");
  try {
    libc.address("ecp_no_such_function");
    FAIL("a missing function was found");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("no function ecp_no_such_function") != std::string::npos);
  }
}
