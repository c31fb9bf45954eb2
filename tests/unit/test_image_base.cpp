#include <doctest/doctest.h>
#include <sys/stat.h>

#include "core/image/image.hpp"
#include "core/image/layer_check.hpp"
#include "core/image/tar_file.hpp"
#include "core/oci/json.hpp"
#include "core/util/error.hpp"
#include "test_image_helpers.hpp"

using namespace ecp;
using namespace ecp::image;
using namespace image_test;

namespace {

// A docker-archive with one uncompressed layer holding `tar`.
void write_docker_archive(const stdfs::path& file, const std::string& tar, bool corrupt_config = false) {
  auto diff = oci::Sha256::of(tar);
  auto config = oci::ImageConfig();
  config.diff_ids = {corrupt_config ? oci::Sha256::of("other") : diff};
  auto config_json = oci::to_json(config);
  TarFile out(file.string());
  out.add("layer/layer.tar", tar);
  out.add("cfg.json", config_json);
  out.add("manifest.json", R"([{"Config":"cfg.json","RepoTags":["base:1"],"Layers":["layer/layer.tar"]}])");
  out.commit();
}

BaseImage build_and_read(const stdfs::path& tmp, const std::string& spec_suffix, bool docker) {
  Store src(tmp / "src");
  write(tmp / "tree/bin/tool", "#!/bin/sh\n", 0755);
  std::vector<LayerEntry> entries;
  add_tree(entries, tmp / "tree", "/", tmp / "tree");
  auto layer = write_layer(src, entries);
  BaseImage scratch = read_base(src, "scratch");
  auto cfg = scratch.config;
  cfg.config.set_env("PATH", "/bin");
  auto img = write_image(src, scratch, cfg, {{layer, {}}});
  if (docker)
    export_docker_archive(src, img, tmp / "base.tar", "base:1");
  else
    export_oci_layout(src, img, tmp / "layout", "base:1");
  Store dst(tmp / "dst");
  return read_base(
      dst,
      (docker ? "docker-archive:" + (tmp / "base.tar").string() : "oci:" + (tmp / "layout").string()) + spec_suffix);
}

// The layout's only manifest, and the path of a blob in it.
oci::Manifest layout_manifest(const stdfs::path& layout) {
  auto index = oci::Index::from_json(fs::read_file(layout / "index.json"));
  return oci::Manifest::from_json(fs::read_file(layout / "blobs/sha256" / index.manifests[0].digest.hex()));
}

// read_base of the layout into a fresh store: the build error it gives ("" when it passes).
std::string layout_error(const stdfs::path& tmp) {
  Store fresh(tmp / "fresh");
  try {
    read_base(fresh, "oci:" + (tmp / "layout").string());
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::build);
    return e.what();
  }
  return {};
}

bool has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("ecp::image::read_base reads nothing but regular blobs of their declared size") {
  fs::TempDir tmp;
  build_and_read(tmp.path(), "", false);
  auto blobs = tmp.path() / "layout/blobs";
  auto m = layout_manifest(tmp.path() / "layout");
  auto layer = blobs / "sha256" / m.layers[0].digest.hex();
  SUBCASE("a symlink to /dev/zero, or anywhere out of blobs/") {
    stdfs::remove(layer);
    stdfs::create_symlink("/dev/zero", layer);
    CHECK(has(layout_error(tmp.path()), "is a symlink out of the layout's blobs/ folder (to /dev/zero); refused"));
    stdfs::remove(layer);
    stdfs::create_symlink("../../../dst/blobs/sha256/" + m.layers[0].digest.hex(), layer);
    CHECK(has(layout_error(tmp.path()), "is a symlink out of the layout's blobs/ folder"));
  }
  SUBCASE("a symlink inside blobs/ is followed") {
    stdfs::create_directories(blobs / "shared");
    stdfs::rename(layer, blobs / "shared/layer");
    stdfs::create_symlink("../shared/layer", layer);
    CHECK(layout_error(tmp.path()).empty());
  }
  SUBCASE("a fifo is refused without waiting for a writer") {
    stdfs::remove(layer);
    REQUIRE(::mkfifo(layer.c_str(), 0644) == 0);
    CHECK(has(layout_error(tmp.path()), "is not a regular file; refused"));
  }
  SUBCASE("a blob longer than its descriptor says is not read past it") {
    fs::write_file_atomic(layer, fs::read_file(layer) + "more");
    CHECK(has(layout_error(tmp.path()),
              fmt::format("has {} bytes, its descriptor says {}", m.layers[0].size + 4, m.layers[0].size)));
  }
  SUBCASE("a config claiming 10^15 bytes is refused before it is opened") {
    m.config.size = 1000000000000000;
    auto bytes = oci::to_json(m);
    auto digest = oci::Sha256::of(bytes);
    fs::write_file_atomic(blobs / "sha256" / digest.hex(), bytes);
    auto index = oci::Index::from_json(fs::read_file(tmp.path() / "layout/index.json"));
    index.manifests[0].digest = digest;
    index.manifests[0].size = static_cast<std::int64_t>(bytes.size());
    fs::write_file_atomic(tmp.path() / "layout/index.json", oci::to_json(index));
    stdfs::remove(blobs / "sha256" / m.config.digest.hex());  // nothing is there to read
    auto e = layout_error(tmp.path());
    CHECK(has(e, "claims 1000000000000000 bytes; ecp reads configs of up to 8 MiB"));
    CHECK(has(e, digest.to_string()));
  }
}

TEST_CASE("ecp::image::read_base") {
  fs::TempDir tmp;
  SUBCASE("scratch") {
    Store store(tmp.path() / "s");
    auto b = read_base(store, "scratch");
    CHECK(b.scratch());
    CHECK(b.config.os == "linux");
    CHECK(b.config.architecture == host_architecture());
    CHECK_FALSE(b.manifest_digest);
  }
  SUBCASE("an OCI layout folder, by tag") {
    auto b = build_and_read(tmp.path(), ":base:1", false);
    REQUIRE(b.manifest.layers.size() == 1);
    CHECK(b.manifest_digest);
    CHECK(b.config.config.find_env("PATH"));
    Store dst(tmp.path() / "dst");
    CHECK(dst.has_blob(b.manifest.layers[0].digest));
    CHECK(dst.has_blob(b.manifest.config.digest));
  }
  SUBCASE("an OCI layout folder with one image needs no tag, a wrong tag fails") {
    CHECK(build_and_read(tmp.path(), "", false).manifest.layers.size() == 1);
    CHECK_THROWS_AS(build_and_read(tmp.path(), ":nope", false), Error);
  }
  SUBCASE("a corrupt blob in the layout is refused") {
    build_and_read(tmp.path(), "", false);
    auto index = oci::Index::from_json(fs::read_file(tmp.path() / "layout/index.json"));
    auto m =
        oci::Manifest::from_json(fs::read_file(tmp.path() / "layout/blobs/sha256" / index.manifests[0].digest.hex()));
    auto layer = tmp.path() / "layout/blobs/sha256" / m.layers[0].digest.hex();
    auto data = fs::read_file(layer);
    data[data.size() / 2] ^= 1;
    fs::write_file_atomic(layer, data);
    Store fresh(tmp.path() / "fresh");
    try {
      read_base(fresh, "oci:" + (tmp.path() / "layout").string());
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::build);
      CHECK(std::string(e.what()).find("digest mismatch") != std::string::npos);
    }
    CHECK_FALSE(fresh.has_blob(m.layers[0].digest));
  }
  SUBCASE("a docker-archive, layers kept as they are") {
    auto b = build_and_read(tmp.path(), "", true);
    REQUIRE(b.manifest.layers.size() == 1);
    CHECK(b.manifest.layers[0].media_type == oci::media::oci_layer_tar);
    CHECK(b.manifest.layers[0].digest == b.config.diff_ids[0]);
    CHECK(b.config.config.find_env("PATH"));
    // Again: answered by the cache, same result.
    Store dst(tmp.path() / "dst");
    auto again = read_base(dst, "docker-archive:" + (tmp.path() / "base.tar").string() + ":base:1");
    CHECK(again.manifest == b.manifest);
  }
  SUBCASE("a docker-archive whose layer does not match its diff_id is refused") {
    write_docker_archive(tmp.path() / "bad.tar", raw_tar({{"app/x"}}), true);
    Store store(tmp.path() / "s");
    try {
      read_base(store, "docker-archive:" + (tmp.path() / "bad.tar").string());
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::build);
      CHECK(std::string(e.what()).find("corrupt") != std::string::npos);
    }
  }
  SUBCASE("a docker-archive with a path traversal or a hard link out is refused") {
    for (auto tar : {raw_tar({{"../../etc/passwd"}}), raw_tar({{"etc/x", AE_IFREG, "../../etc/shadow", true}})}) {
      write_docker_archive(tmp.path() / "evil.tar", tar);
      Store store(tmp.path() / "s");
      try {
        read_base(store, "docker-archive:" + (tmp.path() / "evil.tar").string());
        FAIL("expected an error");
      } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::build);
        CHECK(std::string(e.what()).find("layer/layer.tar") != std::string::npos);
      }
    }
  }
  SUBCASE("a docker-archive with what real bases carry is read") {
    // busybox's absolute links, /etc/alternatives, a write through a link, "./".
    write_docker_archive(tmp.path() / "real.tar",
                         raw_tar({{"./", AE_IFDIR},
                                  {"bin/sh", AE_IFLNK, "/bin/busybox"},
                                  {"etc/alternatives/java", AE_IFLNK, "/usr/lib/jvm/java-17/bin/java"},
                                  {"lib", AE_IFLNK, "usr/lib"},
                                  {"lib/x86_64/libc.so"},
                                  {"dev/null", AE_IFCHR}}));
    Store store(tmp.path() / "s");
    CHECK(read_base(store, "docker-archive:" + (tmp.path() / "real.tar").string()).manifest.layers.size() == 1);
  }
  SUBCASE("unknown kinds of base are a usage error") {
    Store store(tmp.path() / "s");
    try {
      read_base(store, "ftp://x");
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::usage);
    }
  }
}

TEST_CASE("ecp::image::split_path_tag") {
  CHECK(split_path_tag("dir") == std::pair<std::string, std::string>{"dir", ""});
  CHECK(split_path_tag("dir:app:1") == std::pair<std::string, std::string>{"dir", "app:1"});
  CHECK(split_path_tag("/a/b:t") == std::pair<std::string, std::string>{"/a/b", "t"});
}
