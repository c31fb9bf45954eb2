#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "core/ops/git_source.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

using namespace ecp;
namespace stdfs = std::filesystem;

namespace {
// Test fixture commands use fixed strings and a TempDir path, no user data.
void sh(const std::string& cmd) { REQUIRE(std::system(cmd.c_str()) == 0); }
std::string git(const stdfs::path& dir) {
  return "git -C '" + dir.string() + "' -c user.name=t -c user.email=t@example.com ";
}
}  // namespace

TEST_CASE("ecp::ops::git_describe") {
  fs::TempDir tmp;
  auto repo = tmp.path() / "repo";
  auto proj = repo / "proj";
  stdfs::create_directories(proj / "app");
  fs::write_file_atomic(proj / "app" / "a.txt", "one\n");
  fs::write_file_atomic(proj / "app" / "run.sh", "#!/bin/sh\n", 0755);
  stdfs::create_symlink("a.txt", proj / "app" / "link");
  sh("git init -q '" + repo.string() + "'");

  SUBCASE("not a repository before the first commit") { CHECK_FALSE(ops::git_describe(proj).in_repo); }

  sh(git(repo) + "add -A && " + git(repo) + "commit -q -m one --date=@1700000000");
  // Committer time is what counts; pin it through the environment.
  auto info = ops::git_describe(proj);
  REQUIRE(info.in_repo);
  CHECK(info.commit.size() == 40);
  CHECK_FALSE(info.dirty);
  CHECK(info.default_tag() == info.commit.substr(0, 12));

  SUBCASE("a changed or new file makes it dirty") {
    fs::write_file_atomic(proj / "app" / "a.txt", "two\n");
    auto d = ops::git_describe(proj);
    CHECK(d.dirty);
    CHECK(d.default_tag() == info.commit.substr(0, 12) + "-dirty");
    CHECK(d.revision() == info.commit + "-dirty");
  }
  SUBCASE("a change outside the project folder does not") {
    fs::write_file_atomic(repo / "elsewhere.txt", "x");
    CHECK_FALSE(ops::git_describe(proj).dirty);
  }
  SUBCASE("export writes the committed tree, not the work tree") {
    fs::write_file_atomic(proj / "app" / "a.txt", "changed\n");
    auto out = tmp.path() / "out";
    auto e = ops::git_export(proj, info.commit, out);
    CHECK(e.commit == info.commit);
    CHECK(fs::read_file(out / "app" / "a.txt") == "one\n");
    CHECK(stdfs::is_symlink(out / "app" / "link"));
    CHECK(stdfs::read_symlink(out / "app" / "link") == "a.txt");
    auto perms = stdfs::status(out / "app" / "run.sh").permissions();
    CHECK((perms & stdfs::perms::owner_exec) != stdfs::perms::none);
    CHECK(fs::read_file(proj / "app" / "a.txt") == "changed\n");  // work tree untouched
  }
  SUBCASE("an unknown ref is a usage error") {
    CHECK_THROWS_AS(ops::git_export(proj, "no-such-ref", tmp.path() / "x"), Error);
  }
}
