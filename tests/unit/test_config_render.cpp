#include <doctest/doctest.h>

#include <map>

#include "core/config/properties.hpp"
#include "core/config/render.hpp"
#include "core/config/resolve.hpp"
#include "core/oci/digest.hpp"
#include "core/util/error.hpp"

using namespace ecp::config;

namespace {

// Resolves secrets from a table, so tests never touch the environment.
class TableResolver : public SecretResolver {
 public:
  std::map<std::string, std::string> table;
  std::string resolve(const SecretRef& ref, const SecretContext& where) const override {
    auto it = table.find(ref.text);
    if (it == table.end())
      ecp::fail(ecp::ErrorKind::validation, "{}: {}: cannot resolve", to_string(where.origin), ref.text);
    return it->second;
  }
};

Origin at(const std::string& file, int line, const std::string& layer) { return Origin{file, line, 1, layer}; }

Inputs sample() {
  Inputs in;
  in.env = "prod";
  in.keys = {KeySpec{"GREETING", "hello", false, false, "", at("ecp.yaml", 10, "default")},
             KeySpec{"PORT", "8080", false, false, "", at("ecp.yaml", 11, "default")},
             KeySpec{"DB_HOST", std::nullopt, true, false, "", at("ecp.yaml", 12, "default")},
             KeySpec{"DB_PASSWORD", std::nullopt, false, true, "", at("ecp.yaml", 13, "default")}};
  in.layers = {
      Layer{"environments.prod.config",
            {Value{"GREETING", "hi prod", at("ecp.yaml", 30, "environment prod")}},
            Undeclared::keep},
      Layer{"env/prod.yaml",
            {Value{"PORT", "9090", at("env/prod.yaml", 1, "env/prod.yaml")},
             Value{"DB_PASSWORD", "secret:env:PW", at("env/prod.yaml", 2, "env/prod.yaml")}},
            Undeclared::warn},
      Layer{"target lab",
            {Value{"DB_HOST", "db.lab", at("targets.yaml", 5, "target lab")},
             Value{"OTHER_APPS_KEY", "x", at("targets.yaml", 6, "target lab")}},
            Undeclared::skip},
      Layer{"--set", {Value{"PORT", "7070", Origin{"--set", 0, 0, "--set"}}}, Undeclared::warn},
  };
  return in;
}

}  // namespace

TEST_CASE("ecp::config::resolve applies the layers in order") {
  auto r = resolve(sample());
  CHECK(r.ok());
  REQUIRE(r.entries.size() == 4);
  CHECK(r.entries[0].key == "DB_HOST");  // sorted by key
  CHECK(r.find("GREETING")->text == "hi prod");
  CHECK(r.find("GREETING")->origin.line == 30);
  CHECK(r.find("GREETING")->replaced.size() == 1);
  CHECK(r.find("PORT")->text == "7070");
  CHECK(r.find("PORT")->origin.file == "--set");
  CHECK(r.find("PORT")->replaced.size() == 2);
  CHECK(r.find("DB_HOST")->text == "db.lab");
  CHECK(r.find("DB_PASSWORD")->secret);
  REQUIRE(r.find("DB_PASSWORD")->ref);
  CHECK(r.find("DB_PASSWORD")->ref->name == "PW");
  CHECK_FALSE(r.find("GREETING")->secret);
  CHECK(r.find("OTHER_APPS_KEY") == nullptr);  // a target's undeclared keys are for other apps
}

TEST_CASE("ecp::config::resolve reports problems") {
  SUBCASE("a required key without a value") {
    auto in = sample();
    in.layers.erase(in.layers.begin() + 2);  // no target layer, so no DB_HOST
    auto r = resolve(in);
    REQUIRE_FALSE(r.ok());
    CHECK(r.diagnostics[0].line == 12);
    CHECK(r.diagnostics[0].message.find("'DB_HOST' is required") != std::string::npos);
  }
  SUBCASE("a secret key with a plain value is a warning") {
    auto in = sample();
    in.layers[3].values.push_back(Value{"DB_PASSWORD", "plain", Origin{"--set", 0, 0, "--set"}});
    auto r = resolve(in);
    CHECK(r.ok());
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].severity == ecp::Severity::warning);
    CHECK(r.diagnostics[0].message.find("declared secret") != std::string::npos);
    CHECK(r.find("DB_PASSWORD")->secret);  // still masked everywhere
  }
  SUBCASE("a malformed reference, even one overridden later") {
    auto in = sample();
    in.layers[1].values.push_back(Value{"GREETING", "secret:nope:x", at("env/prod.yaml", 3, "env/prod.yaml")});
    auto r = resolve(in);
    REQUIRE_FALSE(r.ok());
    CHECK(r.diagnostics[0].line == 3);
    CHECK(r.diagnostics[0].message.find("invalid secret reference") != std::string::npos);
  }
  SUBCASE("an undeclared key warns unless the layer says otherwise") {
    auto in = sample();
    in.layers[1].values.push_back(Value{"TYPO", "1", at("env/prod.yaml", 4, "env/prod.yaml")});
    in.layers[0].values.push_back(Value{"INLINE", "1", at("ecp.yaml", 31, "environment prod")});
    auto r = resolve(in);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].line == 4);
    CHECK(r.find("TYPO"));
    CHECK(r.find("INLINE"));
  }
}

TEST_CASE("ecp::config::render resolves secrets and masks them in text") {
  TableResolver secrets;
  secrets.table["secret:env:PW"] = "hunter2";
  auto rendered = render(resolve(sample()), secrets, "app");
  REQUIRE(rendered.values.size() == 4);
  auto revealed = properties_text(rendered, true);
  CHECK(revealed == "DB_HOST=db.lab\nDB_PASSWORD=hunter2\nGREETING=hi prod\nPORT=7070\n");
  auto masked = properties_text(rendered, false);
  CHECK(masked.find("hunter2") == std::string::npos);
  CHECK(masked.find("DB_PASSWORD=" + mask("hunter2") + "\n") != std::string::npos);
  auto origins = properties_with_origins(rendered, false);
  CHECK(origins.find("# env/prod.yaml:2:1 (env/prod.yaml), from secret:env:PW\nDB_PASSWORD=") != std::string::npos);
  CHECK(origins.find("# --set\nPORT=7070\n") != std::string::npos);
  CHECK(origins.find("hunter2") == std::string::npos);
}

TEST_CASE("ecp::config::render collects every problem") {
  auto in = sample();
  in.layers[1].values.push_back(Value{"TOKEN", "secret:env:TOKEN", at("env/prod.yaml", 5, "env/prod.yaml")});
  TableResolver none;
  try {
    render(resolve(in), none, "app");
    FAIL("no error");
  } catch (const ecp::Error& e) {
    std::string msg = e.what();
    CHECK(e.kind() == ecp::ErrorKind::validation);
    CHECK(msg.find("2 problems") != std::string::npos);
    CHECK(msg.find("env/prod.yaml:2:1: secret:env:PW") != std::string::npos);
    CHECK(msg.find("env/prod.yaml:5:1: secret:env:TOKEN") != std::string::npos);
  }
}

TEST_CASE("ecp::config::config_digest") {
  auto values = [](std::map<std::string, std::string> m) {
    std::vector<RenderedValue> out;
    for (auto& [k, v] : m) out.push_back({k, v, false, "", {}});
    return out;
  };
  auto a = values({{"B", "2"}, {"A", "line\nbreak"}, {"C", "é=\\"}});
  auto d = config_digest(a);
  CHECK(d.rfind("sha256:", 0) == 0);
  CHECK(d.size() == 7 + 64);
  // without secrets: exactly the bytes of the rendered file, keys sorted
  std::string file = property_line("A", "line\nbreak") + property_line("B", "2") + property_line("C", "é=\\");
  CHECK(d == ecp::oci::Sha256::of(file).to_string());
  SUBCASE("any change of a byte changes it") {
    CHECK(config_digest(values({{"B", "2 "}, {"A", "line\nbreak"}, {"C", "é=\\"}})) != d);
    CHECK(config_digest(values({{"B", "2"}, {"A", "line\nbreak"}, {"C", "é=\\"}, {"D", ""}})) != d);
  }
  SUBCASE("a secret counts by its reference, never by its value") {
    TableResolver s1, s2;
    s1.table["secret:env:PW"] = "one";
    s2.table["secret:env:PW"] = "two";
    auto r = resolve(sample());
    auto r1 = render(r, s1, "app"), r2 = render(r, s2, "app");
    // The same reference: the same digest (the release's keyed fingerprint tells the change).
    CHECK(r1.digest == r2.digest);
    CHECK(r1.digest == config_digest(r1.values));
    auto refs = reference_text(r1);
    CHECK(r1.digest == ecp::oci::Sha256::of(refs).to_string());
    CHECK(refs.find("DB_PASSWORD=secret:env:PW\n") != std::string::npos);
    CHECK(refs.find("one") == std::string::npos);
    CHECK(r1.digest != ecp::oci::Sha256::of(properties_text(r1, true)).to_string());
    // Another reference: another digest.
    auto in = sample();
    in.layers[1].values.push_back(Value{"DB_PASSWORD", "secret:env:PW2", at("env/prod.yaml", 9, "env/prod.yaml")});
    s1.table["secret:env:PW2"] = "one";
    CHECK(render(resolve(in), s1, "app").digest != r1.digest);
  }
  SUBCASE("a value declared secret and written literally: neither the value nor where it is written") {
    RenderedValue v{"PIN", "1234", true, "", at("ecp.yaml", 12, "ecp.yaml")};
    CHECK(reference_value(v) == "<secret>");
  }
}
