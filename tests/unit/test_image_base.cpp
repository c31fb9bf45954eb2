#include <doctest/doctest.h>

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

struct RawEntry {
  RawEntry(const char* n, unsigned t = AE_IFREG, std::string tg = "", bool hl = false)
      : name(n), type(t), target(std::move(tg)), hardlink(hl) {}
  std::string name;
  unsigned type;
  std::string target;  // symlink target, or hard link target when hardlink is set
  bool hardlink;
};

// A tar written without any of ecp's checks, for feeding hostile input.
std::string raw_tar(const std::vector<RawEntry>& entries) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open2(
      a, &out, nullptr,
      [](struct archive*, void* self, const void* d, size_t n) -> la_ssize_t {
        static_cast<std::string*>(self)->append(static_cast<const char*>(d), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr, nullptr);
  for (const auto& r : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_copy_pathname(e, r.name.c_str());
    archive_entry_set_filetype(e, r.type);
    archive_entry_set_perm(e, 0644);
    if (r.type == AE_IFLNK) archive_entry_copy_symlink(e, r.target.c_str());
    if (r.hardlink) archive_entry_copy_hardlink(e, r.target.c_str());
    archive_write_header(a, e);
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string check_error(const std::string& tar, LayerCheckOptions o = {}) {
  fs::TempDir tmp;
  fs::write_file_atomic(tmp.path() / "layer.tar", tar);
  try {
    check_layer(tmp.path() / "layer.tar", "test layer", o);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::build);
    return e.what();
  }
  return {};
}

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
  if (docker) export_docker_archive(src, img, tmp / "base.tar", "base:1");
  else export_oci_layout(src, img, tmp / "layout", "base:1");
  Store dst(tmp / "dst");
  return read_base(dst, (docker ? "docker-archive:" + (tmp / "base.tar").string() : "oci:" + (tmp / "layout").string()) +
                            spec_suffix);
}

}  // namespace

TEST_CASE("ecp::image::check_layer") {
  CHECK(check_error(raw_tar({{"app/", AE_IFDIR}, {"app/x"}, {"./app/y"}, {"app/l", AE_IFLNK, "x"},
                             {"app/sub/up", AE_IFLNK, "../x"}, {"app/h", AE_IFREG, "app/x", true}}))
            .empty());
  CHECK(check_error(raw_tar({{"../../etc/passwd"}})).find("'../../etc/passwd' leaves the image root") !=
        std::string::npos);
  CHECK(check_error(raw_tar({{"app/../../x"}})).find("leaves") != std::string::npos);
  CHECK(check_error(raw_tar({{"/etc/passwd"}})).find("absolute path") != std::string::npos);
  CHECK(check_error(raw_tar({{"app/l", AE_IFLNK, "/etc/passwd"}})).find("absolute target") != std::string::npos);
  CHECK(check_error(raw_tar({{"app/l", AE_IFLNK, "/etc/passwd"}}), {.allow_absolute_symlinks = true}).empty());
  CHECK(check_error(raw_tar({{"app/l", AE_IFLNK, "../../etc"}})).find("points outside") != std::string::npos);
  CHECK(check_error(raw_tar({{"app/h", AE_IFREG, "../etc/passwd", true}})).find("hard link") != std::string::npos);
  CHECK(check_error(raw_tar({{"app/d", AE_IFLNK, "."}, {"app/d/x"}})).find("through the symlink") !=
        std::string::npos);
  CHECK(check_error("not a tar at all, just some text that is long enough to not be empty").find("not a readable") !=
        std::string::npos);
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
    auto m = oci::Manifest::from_json(
        fs::read_file(tmp.path() / "layout/blobs/sha256" / index.manifests[0].digest.hex()));
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
  SUBCASE("a docker-archive with a path traversal or an absolute symlink is refused") {
    for (auto tar : {raw_tar({{"../../etc/passwd"}}), raw_tar({{"bin/sh", AE_IFLNK, "/bin/busybox"}})}) {
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
