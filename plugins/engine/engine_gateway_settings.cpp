// The `gateway` field of an engine target: the nginx container in front of the
// slots (blue-green, canary), checked here with file:line:col errors.
//
//   gateway: {image: registry.example/nginx:1.25, port: 8000, nginx: ["client_max_body_size 50m;"]}
#include <fmt/format.h>

#include "plugins/engine/engine_settings.hpp"
#include "plugins/settings_reader.hpp"

namespace ecp::plugins::engine {
namespace {

// An image reference as the engine takes it: no blanks or control characters
// (the engine judges the rest when it looks the image up).
bool plausible_reference(const std::string& s) {
  if (s.empty() || s.front() == '-') return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '"' || c == '\\') return false;
  return true;
}

void read_directives(SettingsReader& r, const Json& d, GatewaySettings& g) {
  if (!r.is_list(d, "gateway.nginx", "nginx directives, e.g. [\"client_max_body_size 50m;\"]")) return;
  for (std::size_t i = 0; i < d.size(); ++i) {
    std::string item = fmt::format("gateway.nginx[{}]", i);
    auto text = r.text(d[i], item);
    if (!text) continue;
    // One simple directive a line, as on host targets; nginx -t judges the rest.
    if (text->empty() || text->find_first_of("{}\n\r#") != std::string::npos)
      r.error(item, fmt::format("{} must be one nginx directive on one line, without {{, }} or #", quote_value(*text)));
    else
      g.nginx.push_back(text->back() == ';' ? *text : *text + ";");
  }
}

}  // namespace

void read_gateway_settings(SettingsReader& r, const Json& v, EngineSettings& s) {
  if (!r.is_map(v, "gateway", "{image: REF, port: 8000}: an nginx image the engine runs as the gateway")) return;
  r.check_keys(v, "gateway", {"image", "port", "nginx"});
  GatewaySettings g;
  bool ok = true;
  if (const Json* i = r.get(v, "image")) {
    auto text = r.text(*i, "gateway.image");
    if (text && plausible_reference(*text))
      g.image = *text;
    else if (text)
      r.error("gateway.image", fmt::format("{} is not an image reference", quote_value(*text)));
    ok = text && !g.image.empty();
  } else {
    r.error("gateway", "missing 'image' (an nginx image, e.g. docker.io/library/nginx:1.25)");
    ok = false;
  }
  if (const Json* p = r.get(v, "port")) {
    if (auto n = r.integer(*p, "gateway.port", 1, 65535))
      g.port = static_cast<int>(*n);
    else
      ok = false;
  }
  if (const Json* d = r.get(v, "nginx")) read_directives(r, *d, g);
  if (ok) s.gateway = std::move(g);
}

}  // namespace ecp::plugins::engine
