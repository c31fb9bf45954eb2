#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "core/image/image.hpp"
#include "core/oci/manifest.hpp"
#include "core/util/error.hpp"
#include "test_image_helpers.hpp"

using namespace ecp;
using namespace ecp::image;
using namespace image_test;

namespace {

std::size_t count_files(const stdfs::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (stdfs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

// A one-layer image written straight into the store and tagged.
Image small_image(const Store& store, const std::string& tag, const std::string& content) {
  auto layer = write_layer(store, {LayerEntry::bytes("/app/x", content)});
  BaseImage scratch;
  scratch.spec = "scratch";
  auto img = write_image(store, scratch, scratch.config, {{layer, {}}});
  store.tag(tag, img.descriptor);
  return img;
}

ErrorKind kind_of(auto&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("expected an error");
  return ErrorKind::internal;
}

}  // namespace

TEST_CASE("ecp::image::Store blobs") {
  fs::TempDir tmp;
  Store store(tmp.path() / "store");
  CHECK(fs::read_file(tmp.path() / "store/oci-layout") == R"({"imageLayoutVersion":"1.0.0"})");
  CHECK(oci::Index::from_json(fs::read_file(tmp.path() / "store/index.json")).manifests.empty());

  SUBCASE("put, has, read") {
    auto d = store.put_blob("hello", "text/plain");
    CHECK(d.digest == oci::Sha256::of("hello"));
    CHECK(d.size == 5);
    CHECK(store.has_blob(d.digest));
    CHECK(store.read_blob(d.digest) == "hello");
    CHECK_FALSE(store.has_blob(oci::Sha256::of("other")));
  }
  SUBCASE("a corrupt blob is detected when read") {
    auto d = store.put_blob("hello", "text/plain");
    fs::write_file_atomic(store.blob_path(d.digest), "hellO");
    CHECK(kind_of([&] { store.read_blob(d.digest); }) == ErrorKind::io);
  }
  SUBCASE("an abandoned writer leaves nothing behind") {
    {
      BlobWriter w(store);
      w.write("partial", 7);
    }
    CHECK(count_files(store.dir() / "blobs/sha256") == 0);
    CHECK(count_files(store.private_dir() / "tmp") == 0);
  }
  SUBCASE("a digest mismatch is a build error and stores nothing") {
    BlobWriter w(store);
    w.write("abc", 3);
    CHECK(kind_of([&] { w.commit("x", oci::Sha256::of("abd")); }) == ErrorKind::build);
    CHECK_FALSE(store.has_blob(oci::Sha256::of("abc")));
    CHECK(count_files(store.dir() / "blobs/sha256") == 0);
  }
  SUBCASE("a folder that is not a layout is refused") {
    write(tmp.path() / "other/file", "x");
    CHECK(kind_of([&] { Store s(tmp.path() / "other"); }) == ErrorKind::io);
  }
}

TEST_CASE("ecp::image::Store tags") {
  fs::TempDir tmp;
  Store store(tmp.path() / "store");
  auto one = small_image(store, "hello:1", "one");
  auto two = small_image(store, "hello:2", "two");
  CHECK(store.resolve("hello:1") == std::optional(one.descriptor));
  CHECK_FALSE(store.resolve("hello:3"));
  REQUIRE(store.tags().size() == 2);
  CHECK(store.tags()[1].name == "hello:2");

  SUBCASE("tagging again moves the tag") {
    store.tag("hello:1", two.descriptor);
    CHECK(store.tags().size() == 2);
    CHECK(store.resolve("hello:1")->digest == two.descriptor.digest);
  }
  SUBCASE("untag") {
    CHECK(store.untag("hello:1"));
    CHECK_FALSE(store.untag("hello:1"));
    CHECK(store.tags().size() == 1);
  }
  SUBCASE("load_image by tag and by digest") {
    auto img = load_image(store, "hello:2");
    CHECK(img.manifest.layers.size() == 1);
    CHECK(img.config.diff_ids.size() == 1);
    CHECK(load_image(store, two.descriptor.digest.to_string()).manifest == img.manifest);
    CHECK(kind_of([&] { load_image(store, "nope:1"); }) == ErrorKind::usage);
  }
  SUBCASE("bad tag names are refused") {
    CHECK(kind_of([&] { store.tag("-bad", one.descriptor); }) == ErrorKind::validation);
    CHECK(kind_of([&] { store.tag("a b", one.descriptor); }) == ErrorKind::validation);
    CHECK(kind_of([&] { store.tag("", one.descriptor); }) == ErrorKind::validation);
  }
  SUBCASE("index.json is a valid OCI index naming the tags") {
    auto index = oci::Index::from_json(fs::read_file(store.dir() / "index.json"));
    CHECK(index.manifests.at(0).annotations.at("org.opencontainers.image.ref.name") == "hello:1");
  }
}

TEST_CASE("ecp::image::Store::gc") {
  fs::TempDir tmp;
  auto store = std::make_unique<Store>(tmp.path() / "store");
  auto keep = small_image(*store, "keep:1", "kept");
  auto drop = small_image(*store, "drop:1", "dropped");
  auto loose = store->put_blob("loose", "text/plain");
  write(store->private_dir() / "tmp/blob-stale", "stale");
  REQUIRE(store->untag("drop:1"));

  SUBCASE("removes what nothing reachable refers to") {
    auto r = store->gc();
    CHECK(r.blobs_removed == 4);  // loose + drop's manifest, config, layer
    CHECK(r.blobs_kept == 3);
    CHECK(r.bytes_freed > 0);
    CHECK_FALSE(store->has_blob(loose.digest));
    CHECK_FALSE(store->has_blob(drop.descriptor.digest));
    CHECK_FALSE(store->has_blob(drop.manifest.layers[0].digest));
    CHECK(store->has_blob(keep.descriptor.digest));
    CHECK(store->has_blob(keep.manifest.config.digest));
    CHECK(store->has_blob(keep.manifest.layers[0].digest));
    CHECK(count_files(store->private_dir() / "tmp") == 0);
    CHECK(load_image(*store, "keep:1").config == keep.config);
    // The cache no longer offers the dropped layer.
    auto again = write_layer(*store, {LayerEntry::bytes("/app/x", "dropped")});
    CHECK_FALSE(again.cached);
  }
  SUBCASE("refuses while another Store has the layout open") {
    Store other(tmp.path() / "store");
    CHECK(kind_of([&] { store->gc(); }) == ErrorKind::io);
    CHECK(store->has_blob(loose.digest));
  }
}

TEST_CASE("ecp::image::Store is safe for parallel layer writers") {
  fs::TempDir tmp;
  Store store(tmp.path() / "store");
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      try {
        small_image(store, "app:" + std::to_string(i), std::string(100000 + i, static_cast<char>('a' + i)));
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& e : errors) CHECK_FALSE(e);
  CHECK(store.tags().size() == 8);
  for (int i = 0; i < 8; ++i) CHECK(load_image(store, "app:" + std::to_string(i)).manifest.layers.size() == 1);
}

TEST_CASE("ecp::image::Store opened by several processes at once") {
  fs::TempDir tmp;
  auto dir = tmp.path() / "store";
  SUBCASE("a store another ecp is making (blobs, no oci-layout yet) opens") {
    stdfs::create_directories(dir / "blobs" / "sha256");
    fs::write_file_atomic(dir / ".oci-layout.tmp-abc123", "");
    Store store(dir);
    CHECK(fs::read_file(dir / "oci-layout") == R"({"imageLayoutVersion":"1.0.0"})");
  }
  SUBCASE("a folder with anything else in it is refused") {
    stdfs::create_directories(dir);
    fs::write_file_atomic(dir / "notes.txt", "mine");
    CHECK(kind_of([&] { Store store(dir); }) == ErrorKind::io);
    CHECK_FALSE(stdfs::exists(dir / "oci-layout"));
  }
  SUBCASE("eight threads opening one new store all succeed") {
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&] {
        try {
          Store store(dir);
          ++ok;
        } catch (const Error&) {
        }
      });
    for (auto& t : threads) t.join();
    CHECK(ok == 8);
  }
}
