// The release's configuration through the configuration operations: the same
// text and digest `ecp config render` gives, so what a release records is what
// the user can check.
#include "core/ops/deploy_config.hpp"

#include <algorithm>
#include <map>

#include "core/config/properties.hpp"
#include "core/config/render.hpp"
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

DeployConfig render_deploy_config(const ValidateOptions& files, const Project& project, const std::string& env) {
  ConfigOptions co;
  co.project = files;
  auto r = render_config(project, co, env, config::SystemSecretResolver{});
  DeployConfig c;
  c.text = config::properties_text(r, true);
  c.digest = r.digest;
  for (const auto& v : r.values) {
    c.values.emplace_back(v.key, v.value);
    if (v.secret) c.secret_keys.push_back(v.key);
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

std::vector<ConfigChange> config_changes(const std::string& deployed, const DeployConfig& next) {
  auto before = parse_text(deployed);
  std::map<std::string, std::string> after(next.values.begin(), next.values.end());
  auto shown = [&](const std::string& key, const std::string& v) {
    bool secret = std::find(next.secret_keys.begin(), next.secret_keys.end(), key) != next.secret_keys.end();
    return secret ? config::mask(v) : v;
  };
  std::vector<ConfigChange> out;
  for (const auto& [k, v] : after) {
    auto it = before.find(k);
    if (it == before.end()) out.push_back({k, "added", "", shown(k, v)});
    else if (it->second != v) out.push_back({k, "changed", shown(k, it->second), shown(k, v)});
  }
  for (const auto& [k, v] : before)
    if (!after.count(k)) out.push_back({k, "removed", shown(k, v), ""});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

}  // namespace ecp::ops
