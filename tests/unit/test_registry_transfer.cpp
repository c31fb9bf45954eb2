#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "core/oci/manifest.hpp"
#include "core/registry/blob_locations.hpp"
#include "core/registry/transfer.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

using namespace ecp;
using namespace ecp::registry;

namespace {

oci::Descriptor blob(const std::string& content, std::string media_type) {
  return {std::move(media_type), oci::Sha256::of(content), static_cast<std::int64_t>(content.size()), {}, {}, {}, {}};
}

std::string manifest_json(const std::string& config, const std::vector<std::string>& layers) {
  oci::Manifest m;
  m.config = blob(config, std::string(oci::media::oci_config));
  for (const auto& l : layers) m.layers.push_back(blob(l, std::string(oci::media::oci_layer_gzip)));
  return oci::to_json(m);
}

}  // namespace

TEST_CASE("ecp::registry::build_graph") {
  SUBCASE("a manifest: its config and layers, each digest once") {
    auto bytes = manifest_json("cfg", {"l1", "l2", "l1"});
    auto top = blob(bytes, std::string(oci::media::oci_manifest));
    auto g = build_graph(top, bytes, [](const oci::Descriptor&) -> std::string { FAIL("no child to fetch"); return {}; });
    REQUIRE(g.manifests.size() == 1);
    CHECK(g.top().descriptor == top);
    REQUIRE(g.blobs.size() == 3);
    CHECK(g.blobs[0].digest == oci::Sha256::of("cfg"));
    CHECK(g.blobs[1].digest == oci::Sha256::of("l1"));
    CHECK(g.blobs[2].digest == oci::Sha256::of("l2"));
    CHECK(g.blob_bytes() == 7);
  }
  SUBCASE("an index: children first, the index last, shared blobs once") {
    std::map<oci::Digest, std::string> store;
    oci::Index index;
    for (auto* arch : {"amd64", "arm64"}) {
      auto bytes = manifest_json(std::string("cfg-") + arch, {"shared", std::string("own-") + arch});
      auto d = blob(bytes, std::string(oci::media::oci_manifest));
      d.platform = oci::Platform{arch, "linux", "", "", {}};
      store[d.digest] = bytes;
      index.manifests.push_back(d);
    }
    auto bytes = oci::to_json(index);
    auto top = blob(bytes, std::string(oci::media::oci_index));
    int fetched = 0;
    auto g = build_graph(top, bytes, [&](const oci::Descriptor& d) {
      ++fetched;
      return store.at(d.digest);
    });
    CHECK(fetched == 2);
    REQUIRE(g.manifests.size() == 3);
    CHECK(g.manifests[0].descriptor.digest == index.manifests[0].digest);
    CHECK(g.manifests[1].descriptor.digest == index.manifests[1].digest);
    CHECK(g.top().descriptor.digest == top.digest);
    CHECK(g.blobs.size() == 5);  // 2 configs, "shared" once, 2 own layers
  }
  SUBCASE("bytes that are not a manifest are a validation error") {
    auto top = blob("[1]", std::string(oci::media::oci_manifest));
    CHECK_THROWS_AS(build_graph(top, "[1]", [](const oci::Descriptor&) { return std::string(); }), Error);
  }
}

TEST_CASE("ecp::registry::BlobLocations") {
  fs::TempDir dir;
  auto file = dir.path() / "sub" / "blob-locations";
  auto a = oci::Sha256::of("a"), b = oci::Sha256::of("b");
  {
    BlobLocations l(file);
    CHECK(l.find("reg:5000", a).empty());
    l.add("reg:5000", "team/one", a);
    l.add("reg:5000", "team/two", a);
    l.add("reg:5000", "team/one", a);  // known: not recorded twice
    l.add("other:5000", "team/three", a);
    l.add("reg:5000", "team/one", b);
    CHECK(l.find("reg:5000", a) == std::vector<std::string>{"team/two", "team/one"});  // most recent first
  }
  BlobLocations again(file);  // read back from the file
  CHECK(again.find("reg:5000", a) == std::vector<std::string>{"team/two", "team/one"});
  CHECK(again.find("other:5000", a) == std::vector<std::string>{"team/three"});
  CHECK(again.find("reg:5000", b) == std::vector<std::string>{"team/one"});
  BlobLocations none{std::filesystem::path()};
  none.add("reg", "x", a);
  CHECK(none.find("reg", a) == std::vector<std::string>{"x"});
}
