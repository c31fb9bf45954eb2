#include <doctest/doctest.h>

#include "core/descriptor/parse.hpp"
#include "core/ops/promote.hpp"

using namespace ecp;

TEST_CASE("ecp::ops::pipeline_problem: each environment takes revisions from the one before it") {
  std::vector<std::string> p = {"dev", "test", "staging", "prod"};
  CHECK(ops::pipeline_problem(p, "staging", "prod") == "");
  CHECK(ops::pipeline_problem(p, "dev", "test") == "");
  CHECK(ops::pipeline_problem(p, "dev", "prod") ==
        "the pipeline [dev, test, staging, prod] promotes to 'prod' from 'staging' only, not from 'dev'");
  CHECK(ops::pipeline_problem(p, "prod", "staging") ==
        "the pipeline [dev, test, staging, prod] promotes to 'staging' from 'test' only, not from 'prod'");
  CHECK(ops::pipeline_problem(p, "test", "dev") ==
        "'dev' is first in the pipeline [dev, test, staging, prod]: it takes releases, not promotions");
  CHECK(ops::pipeline_problem(p, "staging", "lab") ==
        "'lab' is not in the pipeline [dev, test, staging, prod]: nothing is promoted to it");
  CHECK(ops::pipeline_problem(p, "prod", "prod") == "--from and --to are both 'prod'");
  // Without a pipeline, any two environments.
  CHECK(ops::pipeline_problem({}, "lab", "dev") == "");
  CHECK(ops::pipeline_problem({}, "dev", "dev") == "--from and --to are both 'dev'");
}

TEST_CASE("ecp::descriptor: pipeline: names environments of the file, each once") {
  std::string head = "app: a\ntype: jar\nenvironments:\n  dev: {target: local}\n  prod: {target: local}\n";
  auto ok = descriptor::parse_descriptor_text(head + "pipeline: [dev, prod]\n", "ecp.yaml");
  REQUIRE(ok.ok());
  CHECK(ok.descriptor.pipeline == std::vector<std::string>{"dev", "prod"});
  auto bad = descriptor::parse_descriptor_text(head + "pipeline: [dev, qa, dev]\n", "ecp.yaml");
  CHECK_FALSE(bad.ok());
  std::string all;
  for (const auto& d : bad.diagnostics) all += format_diagnostic(d) + "\n";
  INFO(all);
  CHECK(all.find("ecp.yaml:6:17: error: pipeline[1]: 'qa' is not an environment of this file") != std::string::npos);
  CHECK(all.find("pipeline[2]: 'dev' is listed twice") != std::string::npos);
  auto map = descriptor::parse_descriptor_text(head + "pipeline: {dev: prod}\n", "ecp.yaml");
  CHECK_FALSE(map.ok());
}
