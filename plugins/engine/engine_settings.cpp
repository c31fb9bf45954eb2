#include "plugins/engine/engine_settings.hpp"

#include "core/util/error.hpp"
#include "plugins/engine/docker_api.hpp"
#include "plugins/settings_reader.hpp"

namespace ecp::plugins::engine {

void read_engine_settings(const backend::Settings& section, EngineSettings& s, Diagnostics& out) {
  SettingsReader r(section, out);
  const Json& n = section.value();
  r.check_keys(n, "", {"socket", "gateway"});
  if (const Json* g = r.get(n, "gateway")) read_gateway_settings(r, *g, s);
  const Json* v = r.get(n, "socket");
  if (!v) return;
  auto text = r.text(*v, "socket");
  if (!text) return;
  try {
    parse_engine_address(*text);
    s.socket = *text;
  } catch (const Error& e) {
    r.error("socket", e.what());
  }
}

EngineSettings engine_settings(const backend::TargetSpec& target) {
  EngineSettings s;
  Diagnostics problems;
  read_engine_settings(target.settings, s, problems);
  backend::fail_on_errors(target.name, problems);
  return s;
}

}  // namespace ecp::plugins::engine
