// The release's configuration through the configuration operations: the same
// text and digest `ecp config render` gives, so what a release records is what
// the user can check.
#include "core/ops/deploy_config.hpp"

#include <algorithm>
#include <map>

#include "core/config/diff.hpp"
#include "core/config/properties.hpp"
#include "core/config/secrets.hpp"
#include "core/ops/config_ops.hpp"

namespace ecp::ops {
namespace {

std::map<std::string, std::string> parse_text(const std::string& text) {
  std::map<std::string, std::string> out;
  // The text was written by ecp; a damaged one still compares by what can be read.
  auto parsed = config::parse_properties(text, "deployed", "deployed");
  for (const auto& v : parsed.values) out[v.key] = v.text;
  return out;
}

}  // namespace

DeployConfig render_deploy_config(const ValidateOptions& files, const Project& project, const std::string& env,
                                  const ConfigOverrides& overrides) {
  ConfigOptions co;
  co.project = files;
  co.values_files.assign(overrides.values_files.begin(), overrides.values_files.end());
  co.set = overrides.set;
  auto r = render_config(project, co, env, config::SystemSecretResolver{});
  DeployConfig c;
  c.text = config::properties_text(r, true);
  c.reference_text = config::reference_text(r);
  c.digest = r.digest;
  for (const auto& v : r.values) {
    c.values.emplace_back(v.key, v.value);
    if (v.secret) c.secret_keys.push_back(v.key);
  }
  for (const auto& f : overrides.values_files) c.overrides.push_back("--values " + f);
  for (const auto& s : overrides.set) {
    auto key = s.substr(0, s.find('='));
    bool secret = std::find(c.secret_keys.begin(), c.secret_keys.end(), key) != c.secret_keys.end();
    c.overrides.push_back("--set " + (secret ? key + "=" + config::mask(s.substr(key.size() + 1)) : s));
  }
  return c;
}

DeployConfig config_from_text(std::string text, std::string digest, std::vector<std::string> secret_keys) {
  DeployConfig c;
  for (const auto& [k, v] : parse_text(text)) c.values.emplace_back(k, v);
  c.text = std::move(text);
  c.digest = std::move(digest);
  c.secret_keys = std::move(secret_keys);
  return c;
}

std::vector<std::string> declared_secrets(const Project& project) {
  std::vector<std::string> keys;
  for (const auto& k : project.descriptor.config)
    if (k.secret) keys.push_back(k.name);
  return keys;
}

config::Rendered as_rendered(const DeployConfig& c, std::string label) {
  config::Rendered r;
  r.env = std::move(label);
  r.digest = c.digest;
  for (const auto& [k, v] : c.values) {
    config::RenderedValue rv;
    rv.key = k;
    rv.value = v;
    rv.secret = std::find(c.secret_keys.begin(), c.secret_keys.end(), k) != c.secret_keys.end();
    r.values.push_back(std::move(rv));
  }
  std::sort(r.values.begin(), r.values.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return r;
}

std::vector<ConfigChange> config_changes(const DeployConfig& deployed, const DeployConfig& next) {
  std::vector<ConfigChange> out;
  for (auto& e : config::diff(as_rendered(deployed, "deployed"), as_rendered(next, "next")).entries)
    if (e.change != config::Change::unchanged) out.push_back({e.key, e.change, e.a.value_or(""), e.b.value_or("")});
  return out;
}

}  // namespace ecp::ops
