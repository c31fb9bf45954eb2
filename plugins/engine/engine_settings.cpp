#include "plugins/engine/engine_settings.hpp"

#include "core/util/error.hpp"
#include "plugins/engine/docker_api.hpp"

namespace ecp::plugins::engine {

EngineSettings parse_engine_settings(const nlohmann::json& section,
                                     const std::function<std::string(std::string_view field)>& where) {
  EngineSettings s;
  if (section.is_null()) return s;
  if (!section.is_object()) fail(ErrorKind::validation, "{}: an engine target is a mapping", where(""));
  if (auto it = section.find("socket"); it != section.end() && !it->is_null()) {
    if (!it->is_string()) fail(ErrorKind::validation, "{}: socket: expected unix:///PATH or tcp://HOST:PORT", where("socket"));
    s.socket = it->get<std::string>();
    if (!s.socket.empty()) {
      try {
        parse_engine_address(s.socket);
      } catch (const Error& e) {
        fail(ErrorKind::validation, "{}: {}", where("socket"), e.what());
      }
    }
  }
  return s;
}

}  // namespace ecp::plugins::engine
