#include <doctest/doctest.h>

#include <fstream>

#include "core/ops/layout_walk.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

using namespace ecp;
namespace stdfs = std::filesystem;

namespace {
void touch(const stdfs::path& p) {
  stdfs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}
}  // namespace

TEST_CASE("ecp::ops::walk_layout") {
  fs::TempDir t;
  auto root = t.path() / "app";
  SUBCASE("files, symlinks and empty folders, sorted; rendered files beside a .tmpl left out") {
    touch(root / "lib/application.jar");
    touch(root / "bin/entrypoint.sh");
    for (const char* n : {"a.conf", "b.conf", "c.conf"}) {
      touch(root / "conf" / n);
      touch(root / "conf" / (std::string(n) + ".tmpl"));
    }
    touch(root / "conf/plain.properties");
    touch(root / "conf/only.tmpl");
    stdfs::create_directories(root / "data");
    stdfs::create_directories(root / "lib/empty");
    stdfs::create_directory_symlink("../lib", root / "bin/libs");
    CHECK(ops::walk_layout(root) == std::vector<std::string>{
                                        "bin/entrypoint.sh", "bin/libs", "conf/a.conf.tmpl", "conf/b.conf.tmpl",
                                        "conf/c.conf.tmpl", "conf/only.tmpl", "conf/plain.properties", "data",
                                        "lib/application.jar", "lib/empty"});
  }
  SUBCASE("an empty layout folder gives nothing") {
    stdfs::create_directories(root);
    CHECK(ops::walk_layout(root).empty());
  }
  SUBCASE("a missing folder is a build error") {
    try {
      ops::walk_layout(root);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::build);
      CHECK(std::string(e.what()).find("cannot read the folder") != std::string::npos);
    }
  }
}
