#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>

#include "core/image/layer.hpp"
#include "core/util/error.hpp"
#include "test_image_helpers.hpp"

using namespace ecp;
using namespace ecp::image;
using namespace image_test;

namespace {

// The same small app tree; `variant` changes everything that must not matter:
// mtimes, permission bits beyond "executable or not", owners, creation order.
void make_tree(const stdfs::path& root, int variant) {
  long t = variant ? 1700000000 : 1000;
  unsigned file = variant ? 0600 : 0644, exe = variant ? 0700 : 0755;
  if (variant) write(root / "lib/b.jar", "bbbb", file, t + 5);
  write(root / "bin/entrypoint.sh", "#!/bin/sh\nexec true\n", exe, t);
  write(root / "lib/a.jar", std::string(300000, 'a'), file, t + 1);
  if (!variant) write(root / "lib/b.jar", "bbbb", file, t + 5);
  write(root / "conf/with space.conf", "x=1\n", file, t);
  write(root / "conf/ünïcødé.txt", "u\n", file, t);
  write(root / "conf/new\nline", "n\n", file, t);
  write(root / ("conf/" + std::string(180, 'l')), "long\n", file, t);
  stdfs::create_directories(root / "data");
  stdfs::create_symlink("../lib/a.jar", root / "bin/app.jar");
  if (variant) {
    ::chmod((root / "data").c_str(), 0700);
    if (::geteuid() == 0)
      for (auto& e : stdfs::recursive_directory_iterator(root)) ::lchown(e.path().c_str(), 1234, 4321);
  }
}

Layer build(const Store& store, const stdfs::path& root, LayerOptions o = {}) {
  std::vector<LayerEntry> entries;
  add_tree(entries, root, "/app", root);
  return write_layer(store, entries, o);
}

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::build);
    return e.what();
  }
  FAIL("expected an error");
  return {};
}

}  // namespace

TEST_CASE("ecp::image::write_layer is reproducible") {
  fs::TempDir tmp;
  make_tree(tmp.path() / "one/app", 0);
  make_tree(tmp.path() / "two/elsewhere", 1);
  Store s1(tmp.path() / "s1"), s2(tmp.path() / "s2");
  for (auto c : {Compression::gzip, Compression::zstd, Compression::none}) {
    CAPTURE(oci::media::to_string(c));
    LayerOptions o;
    o.compression = c;
    o.epoch = 1234567890;
    auto a = build(s1, tmp.path() / "one/app", o);
    auto b = build(s2, tmp.path() / "two/elsewhere", o);
    CHECK(a.descriptor == b.descriptor);
    CHECK(a.diff_id == b.diff_id);
    CHECK(a.descriptor.media_type == oci::media::oci_layer(c));
    CHECK(a.descriptor.size == s1.blob_size(a.descriptor.digest));
    // diff_id is the digest of the uncompressed tar.
    CHECK(oci::Sha256::of(layer_tar(s1, a.descriptor)) == a.diff_id);
  }
  SUBCASE("a different epoch or level gives a different layer") {
    LayerOptions o;
    auto base = build(s1, tmp.path() / "one/app", o);
    o.epoch = 1;
    CHECK(build(s1, tmp.path() / "one/app", o).diff_id != base.diff_id);
    o.epoch = 0;
    o.level = 3;  // ISA-L's levels 1 and 2 can give the same bytes; 3 differs
    auto l2 = build(s1, tmp.path() / "one/app", o);
    CHECK(l2.diff_id == base.diff_id);
    CHECK(l2.descriptor.digest != base.descriptor.digest);
  }
}

TEST_CASE("ecp::image::write_layer normalises entries") {
  fs::TempDir tmp;
  auto root = tmp.path() / "app";
  make_tree(root, 1);
  Store store(tmp.path() / "store");
  LayerOptions o;
  o.epoch = 86400;
  auto layer = build(store, root, o);
  std::vector<std::string> order;
  auto tar = read_tar(layer_tar(store, layer.descriptor), &order);

  CHECK(std::is_sorted(order.begin(), order.end()));
  CHECK(order.front() == "app/");
  for (auto& [name, e] : tar) {
    CAPTURE(name);
    CHECK(e.uid == 0);
    CHECK(e.gid == 0);
    CHECK_FALSE(e.has_uname);
    CHECK(e.mtime == 86400);
  }
  CHECK(tar.at("app/bin/").mode == 0775);  // group 0 as the owner (OpenShift)
  CHECK(tar.at("app/data/").type == AE_IFDIR);
  CHECK(tar.at("app/data/").mode == 0775);
  CHECK(tar.at("app/bin/entrypoint.sh").mode == 0775);
  CHECK(tar.at("app/lib/a.jar").mode == 0664);
  CHECK(tar.at("app/lib/a.jar").content == std::string(300000, 'a'));
  CHECK(tar.at("app/bin/app.jar").type == AE_IFLNK);
  CHECK(tar.at("app/bin/app.jar").content == "../lib/a.jar");
  CHECK(tar.at("app/conf/ünïcødé.txt").content == "u\n");
  CHECK(tar.at("app/conf/new\nline").content == "n\n");
  CHECK(tar.at("app/conf/with space.conf").content == "x=1\n");
  CHECK(tar.at("app/conf/" + std::string(180, 'l')).content == "long\n");
  CHECK(std::count(layer.files.begin(), layer.files.end(), "/app/lib/a.jar") == 1);

  SUBCASE("parents are emitted, uid/gid can be chosen, in-memory entries work") {
    LayerOptions u;
    u.uid = 1000;
    u.gid = 2000;
    auto l = write_layer(store,
                         {LayerEntry::bytes("/app/conf/gen.properties", "k=v\n", 0640),
                          LayerEntry::symlink("/app/current", "conf"), LayerEntry::directory("/app/data", 0700)},
                         u);
    auto t = read_tar(layer_tar(store, l.descriptor));
    CHECK(t.size() == 5);
    CHECK(t.at("app/").uid == 1000);
    CHECK(t.at("app/conf/gen.properties").gid == 2000);
    CHECK(t.at("app/conf/gen.properties").mode == 0640);
    CHECK(t.at("app/data/").mode == 0700);
  }
  SUBCASE("paths leaving the image root and conflicting entries are refused") {
    CHECK(error_of([&] { write_layer(store, {LayerEntry::bytes("/app/../../x", "")}); }).find("leaves") !=
          std::string::npos);
    error_of([&] { write_layer(store, {LayerEntry::bytes("/a", "1"), LayerEntry::bytes("/a", "2")}); });
    error_of([&] { write_layer(store, {LayerEntry::bytes("/a", "1"), LayerEntry::bytes("/a/b", "2")}); });
  }
}

TEST_CASE("ecp::image::add_tree refuses what cannot go into an image") {
  fs::TempDir tmp;
  auto root = tmp.path() / "app";
  write(root / "lib/a.jar", "a");
  std::vector<LayerEntry> out;
  SUBCASE("an absolute symlink") {
    stdfs::create_symlink("/etc/passwd", root / "lib/passwd");
    CHECK(error_of([&] { add_tree(out, root, "/app", root); }).find("lib/passwd") != std::string::npos);
  }
  SUBCASE("a relative symlink climbing out") {
    stdfs::create_symlink("../../outside", root / "lib/up");
    CHECK(error_of([&] { add_tree(out, root, "/app", root); }).find("lib/up") != std::string::npos);
  }
  SUBCASE("a chain that escapes through another symlink") {
    stdfs::create_directories(root / "x");
    stdfs::create_symlink("..", root / "x/parent");        // root/x/parent -> root: inside
    stdfs::create_symlink("parent/..", root / "x/sneak");  // lexically root/x, really root/..
    CHECK(error_of([&] { add_tree(out, root, "/app", root); }).find("sneak") != std::string::npos);
  }
  SUBCASE("a symlink loop") {
    stdfs::create_symlink("loop2", root / "loop1");
    stdfs::create_symlink("loop1", root / "loop2");
    CHECK(error_of([&] { add_tree(out, root, "/app", root); }).find("loop") != std::string::npos);
  }
  SUBCASE("a fifo") {
    ::mkfifo((root / "lib/pipe").c_str(), 0644);
    CHECK(error_of([&] { add_tree(out, root, "/app", root); }).find("lib/pipe: is a fifo") != std::string::npos);
  }
  SUBCASE("a socket") {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    auto path = (root / "s.sock").string();
    REQUIRE(path.size() < sizeof addr.sun_path);
    std::copy(path.begin(), path.end(), addr.sun_path);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    CHECK(error_of([&] { add_tree(out, root, "/app", root); }).find("is a socket") != std::string::npos);
    ::close(fd);
  }
  SUBCASE("symlinks that stay inside are kept, dangling or not") {
    stdfs::create_symlink("lib/a.jar", root / "ok");
    stdfs::create_symlink("lib/missing", root / "dangling");
    add_tree(out, root, "/app", root);
    CHECK(std::count_if(out.begin(), out.end(), [](auto& e) { return e.type == LayerEntry::Type::symlink; }) == 2);
  }
  SUBCASE("a filter picks paths relative to the tree") {
    write(root / "lib/b.jar", "b");
    write(root / "conf/x", "x");
    add_tree(out, root, "/app", root, [](const stdfs::path& rel, bool) { return *rel.begin() == "lib"; });
    std::vector<std::string> paths;
    for (auto& e : out) paths.push_back(e.path);
    CHECK(paths == std::vector<std::string>{"/app", "/app/lib", "/app/lib/a.jar", "/app/lib/b.jar"});
  }
}

TEST_CASE("ecp::image::write_layer cache") {
  fs::TempDir tmp;
  auto root = tmp.path() / "app";
  write(root / "lib/a.jar", "version-1", 0644, 5000);
  Store store(tmp.path() / "store");
  auto first = build(store, root);
  CHECK_FALSE(first.cached);
  auto again = build(store, root);
  CHECK(again.cached);
  CHECK(again.descriptor == first.descriptor);
  CHECK(again.diff_id == first.diff_id);

  SUBCASE("rewriting in place with the old size and mtime keeps the cached layer") {
    {
      FILE* f = std::fopen((root / "lib/a.jar").c_str(), "r+");
      REQUIRE(f);
      std::fputs("VERSION-9", f);
      std::fclose(f);
    }
    set_mtime(root / "lib/a.jar", 5000);
    auto l = build(store, root);
    CHECK(l.cached);
    CHECK(l.descriptor.digest == first.descriptor.digest);
    SUBCASE("and a new mtime makes it read again") {
      set_mtime(root / "lib/a.jar", 5001);
      auto l2 = build(store, root);
      CHECK_FALSE(l2.cached);
      CHECK(l2.diff_id != first.diff_id);
      CHECK(read_tar(layer_tar(store, l2.descriptor)).at("app/lib/a.jar").content == "VERSION-9");
    }
  }
  SUBCASE("other settings miss the cache") {
    LayerOptions o;
    o.compression = Compression::zstd;
    CHECK_FALSE(build(store, root, o).cached);
    o.use_cache = false;
    CHECK_FALSE(build(store, root, o).cached);
  }
  SUBCASE("a cache entry whose blob is gone is ignored") {
    stdfs::remove(store.blob_path(first.descriptor.digest));
    auto l = build(store, root);
    CHECK_FALSE(l.cached);
    CHECK(l.descriptor == first.descriptor);
    CHECK(store.has_blob(first.descriptor.digest));
  }
}
