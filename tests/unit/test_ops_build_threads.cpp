// ops::build end to end in the unit test binary, so that the ThreadSanitizer
// phase of scripts/test.sh (which runs only this binary) covers the build's own
// threads: layers are built in parallel and compressed on several threads.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/ops/build.hpp"
#include "core/util/fs.hpp"

using namespace ecp;
namespace stdfs = std::filesystem;

namespace {
void write(const stdfs::path& p, const std::string& text, unsigned mode = 0644) {
  stdfs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
  ::chmod(p.c_str(), mode);
}
}  // namespace

TEST_CASE("ecp::ops::build builds its layers on several threads, and again from the cache") {
  fs::TempDir t;
  write(t.path() / "ecp.yaml", R"(schema: 1
app: threads
type: jar
version: 1.0.0
build: {base: scratch, root: app, dependencies: "lib/*.jar"}
run: {ports: {http: 8080}}
environments:
  dev: {target: local}
)");
  auto app = t.path() / "app";
  write(app / "bin/entrypoint.sh", "#!/bin/sh\nexec java -jar /app/lib/application.jar\n", 0755);
  write(app / "conf/autoconfig.properties", "A=1\n");
  // Enough bytes that compression has work for more than one block.
  std::string big;
  for (int i = 0; i < 200000; ++i) big += std::to_string(i * 7919 % 100003) + ",";
  write(app / "lib/application.jar", big);
  for (const char* dep : {"a.jar", "b.jar", "c.jar"})
    write(app / "lib" / dep, std::string(dep) + big.substr(0, 300000));

  ops::BuildOptions o;
  o.project.descriptor = t.path() / "ecp.yaml";
  o.project.targets = "";
  o.store = t.path() / "store";
  auto first = ops::build(o);
  REQUIRE(first.layers.size() >= 2);
  for (const auto& l : first.layers) CHECK_FALSE(l.cached);
  auto second = ops::build(o);
  CHECK(second.digest == first.digest);  // reproducible
  REQUIRE(second.layers.size() == first.layers.size());
  for (const auto& l : second.layers) CHECK(l.cached);
}
