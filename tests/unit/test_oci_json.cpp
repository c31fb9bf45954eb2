#include <doctest/doctest.h>

#include "core/oci/image_config.hpp"
#include "core/oci/manifest.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

using namespace ecp;
using namespace ecp::oci;

namespace {

const std::string d1 = "sha256:" + std::string(64, 'a');
const std::string d2 = "sha256:" + std::string(64, 'b');

void expect_validation_error(auto&& f) {
  try {
    f();
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::validation);
  }
}

}  // namespace

TEST_CASE("ecp::oci::Manifest JSON") {
  SUBCASE("is canonical: sorted keys, no whitespace, whatever the input looked like") {
    std::string pretty = R"({
      "layers": [ { "size": 7, "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ")" +
                         d2 + R"(" } ],
      "config": { "digest": ")" +
                         d1 + R"(", "size": 3, "mediaType": "application/vnd.oci.image.config.v1+json" },
      "schemaVersion": 2,
      "annotations": { "z": "1", "a": "2" }
    })";
    auto m = Manifest::from_json(pretty);
    auto out = to_json(m);
    CHECK(
        out ==
        R"({"annotations":{"a":"2","z":"1"},"config":{"digest":")" + d1 +
            R"(","mediaType":"application/vnd.oci.image.config.v1+json","size":3},"layers":[{"digest":")" + d2 +
            R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":7}],"mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2})");
    CHECK(to_json(Manifest::from_json(out)) == out);
    CHECK(Manifest::from_json(out) == m);
  }
  SUBCASE("reads a Docker schema 2 manifest") {
    auto m = Manifest::from_json(
        R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":")" +
        d1 + R"(","size":1},"layers":[]})");
    CHECK(m.media_type == media::docker_manifest);
    CHECK(media::to_oci(m.config.media_type) == media::oci_config);
  }
  SUBCASE("refuses what is not a manifest") {
    expect_validation_error([] { Manifest::from_json("{"); });
    expect_validation_error([] { Manifest::from_json(R"({"schemaVersion":1,"config":{},"layers":[]})"); });
    expect_validation_error([] {
      Manifest::from_json(
          R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:12","size":1},"layers":[]})");
    });
    expect_validation_error([] {
      Manifest::from_json(R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + d1 +
                          R"(","size":-1},"layers":[]})");
    });
    expect_validation_error([] {
      Manifest::from_json(
          R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","config":{"mediaType":"x","digest":")" +
          d1 + R"(","size":1},"layers":[]})");
    });
  }
}

TEST_CASE("ecp::oci::Index JSON") {
  Index i;
  Descriptor d;
  d.media_type = std::string(media::oci_manifest);
  d.digest = Digest::parse(d1);
  d.size = 10;
  d.annotations[std::string(media::ref_name_annotation)] = "app:1";
  d.platform = Platform{"amd64", "linux", "", "", {}};
  i.manifests.push_back(d);
  auto text = to_json(i);
  CHECK(text.find(' ') == std::string::npos);
  CHECK(text.find(R"("platform":{"architecture":"amd64","os":"linux"})") != std::string::npos);
  CHECK(Index::from_json(text) == i);
  expect_validation_error([] { Index::from_json(R"({"schemaVersion":2})"); });
}

TEST_CASE("ecp::oci sizes a reader would trust are capped before anything is read") {
  auto manifest = [](std::int64_t config_size) {
    return R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" + d1 +
           R"(","size":)" + std::to_string(config_size) + R"(},"layers":[]})";
  };
  auto index = [](const char* media_type, std::int64_t size) {
    return std::string(R"({"schemaVersion":2,"manifests":[{"mediaType":")") + media_type + R"(","digest":")" + d1 +
           R"(","size":)" + std::to_string(size) + "}]}";
  };
  CHECK(Manifest::from_json(manifest(max_config_bytes)).config.size == max_config_bytes);
  try {
    Manifest::from_json(manifest(1000000000000000));
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::validation);
    CHECK(std::string(e.what()) == "invalid image manifest: its config " + d1 +
                                       " claims 1000000000000000 bytes; ecp reads configs of up to 8 MiB");
  }
  CHECK(Index::from_json(index("application/vnd.oci.image.manifest.v1+json", max_manifest_bytes)).manifests.size() ==
        1);
  expect_validation_error(
      [&] { Index::from_json(index("application/vnd.oci.image.manifest.v1+json", max_manifest_bytes + 1)); });
  expect_validation_error(
      [&] { Index::from_json(index("application/vnd.oci.image.index.v1+json", max_manifest_bytes + 1)); });
  // What ecp never reads (an artifact a tool attached) may be of any size.
  CHECK(Index::from_json(index("application/vnd.example.sbom", std::int64_t(1) << 40)).manifests.size() == 1);
}

TEST_CASE("ecp::oci::ImageConfig JSON") {
  ImageConfig c;
  c.created = text::rfc3339(0);
  c.config.entrypoint = {"/app/bin/entrypoint.sh"};
  c.config.working_dir = "/app";
  c.config.exposed_ports = {"8080/tcp", "443/tcp"};
  c.config.labels = {{"ecp.app", "hello"}};
  c.config.set_env("PATH", "/bin");
  c.config.set_env("ECP_APP", "hello");
  c.diff_ids = {Digest::parse(d1)};
  c.history = {History{text::rfc3339(0), "ecp layer", "", "", false}};
  auto text = to_json(c);

  SUBCASE("round trips and is canonical") {
    CHECK(ImageConfig::from_json(text) == c);
    CHECK(to_json(ImageConfig::from_json(text)) == text);
    CHECK(text.find(R"("ExposedPorts":{"443/tcp":{},"8080/tcp":{}})") != std::string::npos);
    CHECK(text.find(R"("rootfs":{"diff_ids":[")" + d1 + R"("],"type":"layers"})") != std::string::npos);
  }
  SUBCASE("set_env replaces in place and keeps the order") {
    c.config.set_env("PATH", "/usr/bin");
    CHECK(c.config.env == std::vector<std::string>{"PATH=/usr/bin", "ECP_APP=hello"});
    REQUIRE(c.config.find_env("ECP_APP"));
    CHECK(*c.config.find_env("ECP_APP") == "ECP_APP=hello");
    CHECK(c.config.find_env("ECP") == nullptr);
  }
  SUBCASE("keeps unknown fields of a base image's config and drops nulls") {
    auto base = ImageConfig::from_json(
        R"({"architecture":"arm64","os":"linux","variant":"v8","docker_version":"20.10","config":{"Cmd":null,"Healthcheck":{"Test":["NONE"]},"Env":["A=1"]},"rootfs":{"type":"layers","diff_ids":[]}})");
    CHECK(base.variant == "v8");
    CHECK(base.config.cmd.empty());
    CHECK(base.extra.at("docker_version") == "20.10");
    auto again = to_json(base);
    CHECK(again.find(R"("Healthcheck":{"Test":["NONE"]})") != std::string::npos);
    CHECK(again.find("Cmd") == std::string::npos);
  }
  SUBCASE("refuses configs without rootfs, os or with a bad diff_id") {
    expect_validation_error([] { ImageConfig::from_json(R"({"architecture":"amd64","os":"linux"})"); });
    expect_validation_error(
        [] { ImageConfig::from_json(R"({"architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}})"); });
    expect_validation_error([] {
      ImageConfig::from_json(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["x"]}})");
    });
  }
}

TEST_CASE("ecp::oci::media") {
  CHECK(media::layer_compression(media::oci_layer_gzip) == media::Compression::gzip);
  CHECK(media::layer_compression(media::docker_layer_gzip) == media::Compression::gzip);
  CHECK(media::layer_compression(media::oci_layer_zstd) == media::Compression::zstd);
  CHECK(media::layer_compression(media::oci_layer_tar) == media::Compression::none);
  CHECK(media::to_oci(media::docker_layer_gzip) == media::oci_layer_gzip);
  CHECK(media::is_index(media::docker_manifest_list));
  CHECK_FALSE(media::is_layer(media::oci_config));
  CHECK_THROWS_AS(media::layer_compression(media::oci_manifest), Error);
}
