#include <doctest/doctest.h>

#include "core/ops/deploy.hpp"
#include "core/util/error.hpp"

using namespace ecp;

TEST_CASE("ecp::ops::plan_from_json") {
  ops::DeployPlan p;
  p.app = "hello";
  p.env = "prod";
  p.strategy = strategy::Type::canary;
  p.next_revision = 4;
  p.from_revision = 3;
  p.image_digest = "sha256:aa";
  p.config_digest = "sha256:cc";
  oci::Descriptor layer;
  layer.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  layer.digest = oci::Sha256::of("layer");
  layer.size = 42;
  p.layers = {oci::layer_ref(layer, oci::Sha256::of("tar")), oci::layer_ref(layer, {})};
  p.instances = {{"ssh://root@10.0.0.1", "b", 0, 8081, 3, 4, ops::InstanceAction::replace}};
  p.config = {{"GREETING", config::Change::changed, "hi", "hello"}};

  SUBCASE("what plan writes, apply reads back") {
    auto text = ops::plan_to_json(p);
    CHECK(ops::plan_to_json(ops::plan_from_json(text, "plan.json")) == text);
  }
  auto message = [](const std::string& text) {
    try {
      ops::plan_from_json(text, "plan.json");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::validation);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Found by tests/fuzz/fuzz_plan: a schema of another type escaped as a nlohmann
  // exception (an internal error), and an out-of-range float was cast to int (UB).
  SUBCASE("a damaged plan is a validation error naming the file") {
    CHECK(message(R"({"schema": "1"})").starts_with("plan.json: "));
    CHECK(message(R"({"schema": 2})") == "plan.json: unsupported plan schema");
    std::string base = R"({"schema":1,"app":"a","env":"e","strategy":"recreate","image_digest":"","config_digest":"",)";
    CHECK(message(base + R"("next_revision": 1e300})") == "plan.json: 'next_revision' is out of range");
    CHECK(message(base + R"("next_revision": 1, "batch": -3e9})") == "plan.json: 'batch' is out of range");
    CHECK(message(base + R"("next_revision": 1, "layers": [{"size": 1e19}]})") == "plan.json: 'size' is out of range");
    CHECK(message(base + R"("next_revision": 1, "layers": [{"diff_id": "sha256:d1"}]})") ==
          "plan.json: 'diff_id' is not a digest: 'sha256:d1'");
    CHECK(message(base + R"("next_revision": 1, "instances": [{"port": "80"}]})").starts_with("plan.json: "));
    CHECK(message(base + "}").starts_with("plan.json: "));  // next_revision is required
    CHECK(ops::plan_from_json(base + R"("next_revision": 2.0, "batch": 2})", "plan.json").batch == 2);
  }
  SUBCASE("a name ecp does not know is a validation error naming the field") {
    std::string base = R"({"schema":1,"app":"a","env":"e","image_digest":"","config_digest":"","next_revision":1,)";
    CHECK(message(base + R"("strategy": "blue_green"})") == "plan.json: unknown strategy 'blue_green'");
    CHECK(message(base + R"("strategy": "rolling", "kind": "undo"})") == "plan.json: unknown kind 'undo'");
    CHECK(message(base + R"("strategy": "rolling", "instances": [{"action": "keep"}, {"action": "jump"}]})") ==
          "plan.json: unknown instances[1].action 'jump'");
    CHECK(message(base + R"("strategy": "rolling", "config": [{"key": "A", "change": "moved"}]})") ==
          "plan.json: unknown config[0].change 'moved'");
    auto read = ops::plan_from_json(base + R"("strategy": "blue-green", "kind": "rollback"})", "plan.json");
    CHECK(read.strategy == strategy::Type::blue_green);
    CHECK(read.kind == ledger::Kind::rollback);
  }
}
