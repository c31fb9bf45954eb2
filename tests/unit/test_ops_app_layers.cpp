#include <doctest/doctest.h>

#include "core/ops/app_layers.hpp"
#include "core/util/error.hpp"

using namespace ecp;
using ops::app_layer_indexes;
using Indexes = std::vector<std::size_t>;

namespace {

oci::Digest layer(const std::string& name) { return oci::Sha256::of(name); }

oci::History entry(const std::string& by, bool empty = false, const std::string& created = "2026-01-01T00:00:00Z") {
  return oci::History{created, by, "", "", empty};
}

oci::History ecp_entry(const std::string& name, const std::string& created = "2026-01-01T00:00:00Z") {
  return entry("ecp build: " + name + " layer of hello (jar)", false, created);
}

// An image of two base layers and the three a jar build makes.
oci::ImageConfig jar_image() {
  oci::ImageConfig c;
  c.diff_ids = {layer("base 1"), layer("base 2"), layer("dependencies"), layer("application"), layer("app")};
  return c;
}

std::string error_of(const oci::ImageConfig& c, std::size_t layers) {
  try {
    app_layer_indexes(c, layers, "hello:1");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::validation);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("ecp::ops::app_layer_indexes by the label ecp.layers") {
  auto c = jar_image();
  c.config.labels["ecp.layers"] =
      ops::app_layers_label_value({layer("dependencies"), layer("application"), layer("app")});
  SUBCASE("the recorded layers, whatever the history says") {
    CHECK(app_layer_indexes(c, 5, "hello:1") == Indexes{2, 3, 4});
    c.history = {entry("ecp build: app layer of base (jar)"), ecp_entry("app")};  // lies: ignored
    CHECK(app_layer_indexes(c, 5, "hello:1") == Indexes{2, 3, 4});
  }
  SUBCASE("a base layer with the same bytes as an app layer is not taken") {
    c.diff_ids[0] = layer("app");
    CHECK(app_layer_indexes(c, 5, "hello:1") == Indexes{2, 3, 4});
  }
  SUBCASE("a layer added on top after the build is refused") {
    c.diff_ids.push_back(layer("added"));
    // The recorded layers are no longer the top ones: the first that differs is named.
    CHECK(error_of(c, 6).find("layer 4 of 6 is " + layer("application").to_string() + ", not the app layer " +
                              layer("dependencies").to_string()) != std::string::npos);
  }
  SUBCASE("a damaged label is refused") {
    c.config.labels["ecp.layers"] = layer("app").to_string() + ",sha256:xyz";
    CHECK(error_of(c, 5).find("holds 'sha256:xyz', which is not a layer digest") != std::string::npos);
    c.config.labels["ecp.layers"] = "";
    CHECK(error_of(c, 5).find("holds ''") != std::string::npos);
    c.config.labels["ecp.layers"] = layer("app").to_string() + "," + layer("app").to_string();
    CHECK(error_of(c, 5).find("names layer " + layer("app").to_string() + " twice") != std::string::npos);
  }
  SUBCASE("more layers than the image has") {
    c.diff_ids = {layer("app")};
    CHECK(error_of(c, 1).find("names 3 layers, the image has 1") != std::string::npos);
  }
  SUBCASE("diff_ids that do not match the layers") {
    CHECK(error_of(c, 4).find("4 layers but 5 diff_ids") != std::string::npos);
  }
}

TEST_CASE("ecp::ops::app_layer_indexes of images older ecp versions built (no label)") {
  auto c = jar_image();
  auto ours = std::vector<oci::History>{ecp_entry("dependencies"), ecp_entry("application"), ecp_entry("app")};
  SUBCASE("a base without history: the top entries count from the top") {
    c.history = ours;
    CHECK(app_layer_indexes(c, 5, "hello:1") == Indexes{2, 3, 4});
  }
  SUBCASE("a base whose history has empty_layer entries, and more entries than layers") {
    c.history = {entry("ADD rootfs"), entry("ENV A=1", true), entry("RUN x"), entry("RUN y"), entry("CMD sh", true)};
    c.history.insert(c.history.end(), ours.begin(), ours.end());
    c.history.push_back(entry("umoci config", true));
    CHECK(app_layer_indexes(c, 5, "hello:1") == Indexes{2, 3, 4});
  }
  SUBCASE("a base ecp built: its own entries are not this build's") {
    c.history = {ecp_entry("html", "2025-01-01T00:00:00Z"), ecp_entry("app", "2025-01-01T00:00:00Z")};
    c.history.insert(c.history.end(), ours.begin(), ours.end());
    CHECK(app_layer_indexes(c, 5, "hello:1") == Indexes{2, 3, 4});
    // Even built at the same time: the base repeats the name "app".
    c.history = {ecp_entry("html"), ecp_entry("app")};
    c.history.insert(c.history.end(), ours.begin(), ours.end());
    CHECK(app_layer_indexes(c, 5, "hello:1") == Indexes{2, 3, 4});
  }
  SUBCASE("a layer another tool added on top cannot be told: refused") {
    c.history = ours;
    c.history.push_back(entry("umoci insert"));
    CHECK(error_of(c, 5).find("build it again with this version of ecp") != std::string::npos);
  }
  SUBCASE("more entries than layers") {
    c.history = ours;
    CHECK(error_of(c, 2).find("its history names 3 layers of ecp build, the image has 2") != std::string::npos);
  }
  SUBCASE("labelled by ecp, history gone") {
    c.config.labels["ecp.app"] = "hello";
    CHECK(error_of(c, 5).find("neither a label ecp.layers nor its history") != std::string::npos);
  }
}

TEST_CASE("ecp::ops::app_layer_indexes of an image ecp did not build: every layer") {
  auto c = jar_image();
  c.history = {entry("ADD rootfs"), entry("RUN x", true)};
  CHECK(app_layer_indexes(c, 5, "busybox:1") == Indexes{0, 1, 2, 3, 4});
  CHECK(ops::app_layers_label_value({layer("a"), layer("b")}) == layer("a").to_string() + "," + layer("b").to_string());
}
