#include <doctest/doctest.h>

#include "core/config/secrets.hpp"
#include "core/ops/deploy_config.hpp"

using namespace ecp;
using ops::DeployConfig;

namespace {
DeployConfig make_config(std::vector<std::pair<std::string, std::string>> values, std::vector<std::string> secrets) {
  DeployConfig c;
  c.values = std::move(values);
  c.secret_keys = std::move(secrets);
  return c;
}
bool masked(const std::string& shown, const std::string& real) { return shown == config::mask(real); }
}  // namespace

// deploy --dry-run (config_changes) and config diff --against deployed
// (config::diff) must show a change alike: one masking rule.
TEST_CASE("ecp::ops::config_changes masks as config::diff does") {
  // The deployed side knows the secrets ecp.yaml declares; the next side also
  // those given as a secret reference.
  auto deployed = make_config({{"A", "1"}, {"GONE", "old-secret"}, {"REF", "plain-before"}, {"SAME", "x"}, {"TOKEN", "t1"}},
                         {"GONE", "TOKEN"});
  auto next = make_config({{"A", "2"}, {"NEW", "n"}, {"REF", "from-a-ref"}, {"SAME", "x"}, {"TOKEN", "t2"}}, {"REF", "TOKEN"});
  auto changes = ops::config_changes(deployed, next);
  REQUIRE(changes.size() == 5);  // SAME is unchanged, so not listed
  CHECK(changes[0].key == "A");
  CHECK(changes[0].change == config::Change::changed);
  CHECK(changes[0].before == "1");
  CHECK(changes[0].after == "2");
  // A declared secret the environment no longer sets: masked, not shown in clear.
  CHECK(changes[1].key == "GONE");
  CHECK(changes[1].change == config::Change::removed);
  CHECK(masked(changes[1].before, "old-secret"));
  CHECK(changes[1].after.empty());
  CHECK(changes[2].key == "NEW");
  CHECK(changes[2].change == config::Change::added);
  CHECK(changes[2].after == "n");
  // Secret on one side only: masked on both, so the plain side gives nothing away.
  CHECK(changes[3].key == "REF");
  CHECK(masked(changes[3].before, "plain-before"));
  CHECK(masked(changes[3].after, "from-a-ref"));
  CHECK(changes[4].key == "TOKEN");
  CHECK(masked(changes[4].before, "t1"));
  CHECK(masked(changes[4].after, "t2"));

}

TEST_CASE("ecp::ops::config_changes: nothing deployed yet") {
  auto changes = ops::config_changes(DeployConfig{}, make_config({{"B", "2"}, {"A", "1"}, {"S", "s"}}, {"S"}));
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].key == "A");  // sorted by key
  CHECK(changes[0].change == config::Change::added);
  CHECK(changes[1].key == "B");
  CHECK(masked(changes[2].after, "s"));
}
