// check_layers with hostile layers made here: each case is the smallest tar
// (or pair of tars, bottom first) an attacker or a real base image would ship.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <limits>
#include <string>
#include <vector>

#include "core/image/expansion.hpp"
#include "core/image/layer_check.hpp"
#include "core/util/error.hpp"
#include "test_image_helpers.hpp"

using namespace ecp;
using namespace ecp::image;
using namespace image_test;

namespace {

using Layer = std::vector<RawEntry>;

// The error check_layers gives for `layers` (bottom first), "" when they pass.
std::string check_error(const std::vector<Layer>& layers, LayerRoot root = LayerRoot::host) {
  fs::TempDir tmp;
  std::vector<LayerFile> files;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    auto file = tmp.path() / ("layer" + std::to_string(i) + ".tar");
    fs::write_file_atomic(file, raw_tar(layers[i]));
    files.push_back({file, "layer " + std::to_string(i)});
  }
  try {
    check_layers(files, root);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::build);
    return e.what();
  }
  return {};
}
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("check_layers: ecp's own layers on a host") {
  auto host = [](std::vector<Layer> l) { return check_error(l, LayerRoot::host); };
  CHECK(host({{{"app/", AE_IFDIR},
               {"app/x"},
               {"./app/y"},
               {"app/l", AE_IFLNK, "x"},
               {"app/sub/up", AE_IFLNK, "../x"},
               {"app/h", AE_IFREG, "app/x", true}}})
            .empty());
  CHECK(has(host({{{"../../etc/passwd"}}}), "layer 0: entry '../../etc/passwd' leaves the image root"));
  CHECK(has(host({{{"app/../../x"}}}), "leaves"));
  CHECK(has(host({{{"/etc/passwd"}}}), "absolute path"));
  CHECK(has(host({{{"app/l", AE_IFLNK, "/etc/passwd"}}}), "symlink 'app/l' has an absolute target (/etc/passwd)"));
  // The release folder is app/: a link to the image root's etc is out of it.
  CHECK(has(host({{{"app/l", AE_IFLNK, "../etc"}}}), "points outside"));
  CHECK(has(host({{{"app/h", AE_IFREG, "../etc/passwd", true}}}), "hard link"));
  CHECK(has(host({{{"app/h", AE_IFREG, "etc/passwd", true}}}), "hard link 'app/h' points outside"));
  CHECK(has(host({{{"app/d", AE_IFLNK, "."}, {"app/d/x"}}}), "'app/d/x' is reached through the symlink 'app/d'"));
  CHECK(has(host({{{"app/dev", AE_IFCHR}}}), "device node"));
  CHECK(has(host({{{"app/.wh.x"}}}), "whiteout"));
  CHECK(has(host({{{"app/a", AE_IFLNK, "b"}, {"app/b", AE_IFLNK, "a"}}}), "loop"));
}

TEST_CASE("check_layers: links are followed across layers, not read lexically") {
  auto host = [](std::vector<Layer> l) { return check_error(l, LayerRoot::host); };
  // A chain made by two layers: app/a -> b, then app/b -> ../../x: out.
  CHECK(has(host({{{"app/a", AE_IFLNK, "b"}}, {{"app/b", AE_IFLNK, "../../x"}}}), "layer 1: symlink 'app/b'"));
  // ".." through a link: app/up -> d/.. is the release folder while d is a
  // folder; once the next layer makes d -> ".", it is the folder above it.
  CHECK(has(host({{{"app/d", AE_IFDIR}, {"app/up", AE_IFLNK, "d/.."}}, {{"app/d", AE_IFLNK, "."}}}),
            "symlink 'app/up' resolves outside the image root (d/..)"));
  CHECK(host({{{"app/d", AE_IFDIR}, {"app/up", AE_IFLNK, "d/.."}}}).empty());
  // A link from the layer below is written through by the next one.
  CHECK(
      has(host({{{"app/conf", AE_IFLNK, "lib"}}, {{"app/conf/x"}}}), "layer 1: entry 'app/conf/x' is reached through"));
  CHECK(has(host({{{"app/lib", AE_IFLNK, "conf"}}, {{"app/h", AE_IFREG, "app/lib/x", true}}}),
            "hard link 'app/h' reaches its target app/lib/x through the symlink 'app/lib'"));
  // A later regular folder replaces the link: writing under it is fine.
  CHECK(host({{{"app/conf", AE_IFLNK, "lib"}}, {{"app/conf", AE_IFDIR}, {"app/conf/x"}}}).empty());
}

TEST_CASE("check_layers: what real base images carry, in a container's root") {
  auto base = [](std::vector<Layer> l) { return check_error(l, LayerRoot::container); };
  CHECK(base({{{"./", AE_IFDIR},
               {"/", AE_IFDIR},
               {"bin/busybox"},
               {"bin/sh", AE_IFLNK, "/bin/busybox"},
               {"etc/alternatives/java", AE_IFLNK, "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"},
               {"usr/bin/java", AE_IFLNK, "/etc/alternatives/java"},
               {"lib", AE_IFLNK, "usr/lib"},
               {"lib/x86_64-linux-gnu/libc.so.6"},
               {"usr/lib/deep", AE_IFLNK, "../../../../../usr/share"},
               {"usr/bin/perl5", AE_IFREG, "usr/bin/perl", true},
               {"dev/null", AE_IFCHR},
               {"run/initctl", AE_IFIFO}},
              {{"etc/.wh.motd"},
               {"var/cache/.wh..wh..opq"},
               {"lib/x86_64-linux-gnu/libz.so"},
               {".wh..wh.plnk/", AE_IFDIR},  // aufs metadata in old images
               {".wh..wh.plnk/12.34"}}})
            .empty());
  // Through an absolute link that is "/" of the container: still inside.
  CHECK(base({{{"opt", AE_IFLNK, "/"}}, {{"opt/etc/x"}}}).empty());
  CHECK(has(base({{{"../../etc/passwd"}}}), "leaves the image root"));
  CHECK(has(base({{{"etc/x", AE_IFREG, "../../etc/shadow", true}}}), "hard link 'etc/x' points outside"));
  CHECK(has(base({{{"etc/.wh.."}}}), "whiteout 'etc/.wh..' names no entry"));
  CHECK(has(base({{{"a", AE_IFLNK, "b"}, {"b", AE_IFLNK, "a"}}, {{"a/x"}}}), "symlink loop"));
}

TEST_CASE("check_layers: whiteouts remove links, opaque folders hide the layers below") {
  auto base = [](std::vector<Layer> l) { return check_error(l, LayerRoot::container); };
  Layer loop = {{"d/a", AE_IFLNK, "b"}, {"d/b", AE_IFLNK, "a"}};
  CHECK(has(base({loop, {{"d/a/x"}}}), "layer 1: entry 'd/a/x' is reached through a symlink loop"));
  CHECK(base({loop, {{"d/.wh.a"}, {"d/a/x"}}}).empty());
  CHECK(base({loop, {{"d/.wh..wh..opq"}, {"d/a/x"}}}).empty());
  // Opaque hides the lower layers only, not links of its own layer.
  CHECK(has(base({{{"d/.wh..wh..opq"}, {"d/a", AE_IFLNK, "b"}, {"d/b", AE_IFLNK, "a"}, {"d/a/x"}}}), "loop"));
  // A whiteout of the folder holding the links removes them too.
  CHECK(base({loop, {{".wh.d"}, {"d/a/x"}}}).empty());
  // A whiteout reached through a link applies where the link points.
  CHECK(base({loop, {{"e", AE_IFLNK, "/d"}, {"e/.wh.a"}, {"d/a/x"}}}).empty());
}

TEST_CASE("check_layers: a compression bomb in a base layer is refused at its header") {
  fs::TempDir tmp;
  auto blob = tmp.path() / "bomb.tar";
  for (auto c : {Compression::gzip, Compression::zstd}) {
    CAPTURE(oci::media::to_string(c));
    // It claims 1 GiB and holds none of it: the refusal comes from the header alone.
    fs::write_file_atomic(blob, compressed(c, tar_header("zeros", std::int64_t(1) << 30)));
    try {
      check_layers({{blob, "base image b layer sha256:x"}}, LayerRoot::container);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::build);
      CHECK(has(e.what(), "base image b layer sha256:x: refused: its "));
      CHECK(has(e.what(), fmt::format("expand to more than {} (a compression bomb?)", expansion_floor)));
    }
    // Under the floor, any ratio is fine: 1 MiB of zeros compresses about 1000 times.
    fs::write_file_atomic(blob, compressed(c, zeros_tar("zeros", 1 << 20)));
    CHECK_NOTHROW(check_layers({{blob, "small"}}, LayerRoot::container));
  }
}

TEST_CASE("ExpansionGuard passes bytes on up to expansion_limit, then refuses") {
  CHECK(expansion_limit(0) == expansion_floor);
  CHECK(expansion_limit(std::int64_t(10) << 20) == std::max(expansion_floor, std::int64_t(1000) << 20));
  CHECK(expansion_limit(std::int64_t(1) << 62) == std::numeric_limits<std::int64_t>::max());
  struct Counter : ByteSink {
    std::int64_t n = 0;
    void write(const void*, std::size_t size) override { n += static_cast<std::int64_t>(size); }
  } counter;
  ExpansionGuard guard(counter, 1000, "layer L");
  std::string mib(1 << 20, '\0');
  for (std::int64_t i = 0; i < (expansion_floor >> 20); ++i) guard.write(mib.data(), mib.size());
  CHECK(counter.n == expansion_floor);
  try {
    guard.write(mib.data(), 1);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::build);
    CHECK(has(e.what(), "layer L: refused: its 1000 compressed bytes expand to more than"));
  }
  CHECK(counter.n == expansion_floor);  // the byte past the limit was not passed on
}
