#include <doctest/doctest.h>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"

using namespace ecp;

TEST_CASE("ecp::fs::write_file_atomic") {
  fs::TempDir dir;
  auto p = dir.path() / "f.txt";
  SUBCASE("writes, replaces and sets the mode") {
    fs::write_file_atomic(p, "one");
    CHECK(fs::read_file(p) == "one");
    fs::write_file_atomic(p, "two", 0600);
    CHECK(fs::read_file(p) == "two");
    CHECK((std::filesystem::status(p).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  }
  SUBCASE("leaves no temporary file behind") {
    fs::write_file_atomic(p, "x");
    int n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir.path())) ++n;
    CHECK(n == 1);
  }
  SUBCASE("fails with an io error naming the path when the folder is missing") {
    auto bad = dir.path() / "missing" / "f";
    try {
      fs::write_file_atomic(bad, "x");
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::io);
      CHECK(std::string(e.what()).find(bad.string()) != std::string::npos);
    }
  }
}

TEST_CASE("ecp::fs::read_file") {
  fs::TempDir dir;
  SUBCASE("refuses a folder") { CHECK_THROWS_AS(fs::read_file(dir.path()), Error); }
  SUBCASE("refuses a file over the limit") {
    fs::write_file_atomic(dir.path() / "big", std::string(100, 'x'));
    CHECK_THROWS_AS(fs::read_file(dir.path() / "big", 10), Error);
  }
}
