#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/private_key.hpp"

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

TEST_CASE("ecp::fs::read_or_create_key") {
  fs::TempDir dir;
  auto p = dir.path() / "sub" / "k.key";
  SUBCASE("makes a 0600 key once and reads the same one after") {
    auto k = fs::read_or_create_key(p);
    CHECK(k.size() == 32);
    CHECK((std::filesystem::status(p).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    CHECK(fs::read_or_create_key(p) == k);
    CHECK(fs::read_or_create_key(dir.path() / "other.key") != k);
    int n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(p.parent_path())) ++n;
    CHECK(n == 1);  // no temporary file left
  }
  SUBCASE("refuses a key that others may read, a symlink, and a damaged one, without touching it") {
    std::filesystem::create_directories(p.parent_path());
    fs::write_file_atomic(p.parent_path() / "x", "", 0700);
    fs::write_file_atomic(p, std::string(32, 'a'), 0644);
    try {
      fs::read_or_create_key(p);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::permission);
      CHECK(std::string(e.what()).find("chmod 600") != std::string::npos);
    }
    CHECK(fs::read_file(p) == std::string(32, 'a'));
    std::filesystem::remove(p);
    std::filesystem::create_symlink(p.parent_path() / "x", p);
    CHECK_THROWS_AS(fs::read_or_create_key(p), Error);
    std::filesystem::remove(p);
    REQUIRE(::mkfifo(p.c_str(), 0600) == 0);  // refused, not waited on
    CHECK_THROWS_AS(fs::read_or_create_key(p), Error);
    std::filesystem::remove(p);
    fs::write_file_atomic(p, "short", 0600);
    try {
      fs::read_or_create_key(p);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("damaged") != std::string::npos);
    }
  }
}

TEST_CASE("the cache honours ECP_HOME, then XDG_CACHE_HOME, then ~/.cache") {
  auto saved = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  auto home = saved("ECP_HOME"), xdg = saved("XDG_CACHE_HOME"), user = saved("HOME");
  auto restore = [](const char* name, const std::optional<std::string>& v) {
    if (v)
      setenv(name, v->c_str(), 1);
    else
      unsetenv(name);
  };
  setenv("ECP_HOME", "/e", 1);
  setenv("XDG_CACHE_HOME", "/x", 1);
  setenv("HOME", "/h", 1);
  CHECK(ecp::fs::ecp_cache() == "/e/cache");
  unsetenv("ECP_HOME");
  CHECK(ecp::fs::ecp_cache() == "/x/ecp");
  unsetenv("XDG_CACHE_HOME");
  CHECK(ecp::fs::ecp_cache() == "/h/.cache/ecp");
  restore("ECP_HOME", home);
  restore("XDG_CACHE_HOME", xdg);
  restore("HOME", user);
}
