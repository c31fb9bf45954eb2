#include "plugins/ssh/ssh_config_key.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace ecp::plugins::ssh {

std::optional<std::string> ssh_config_key(SettingsReader& r, const Json& section) {
  const Json* v = r.get(section, "ssh_config");
  if (!v) return std::nullopt;
  auto text = r.text(*v, "ssh_config");
  if (!text) return std::nullopt;
  std::filesystem::path p(*text);
  if (p.is_relative() && !r.settings().file().empty()) p = std::filesystem::path(r.settings().file()).parent_path() / p;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) {
    r.error("ssh_config", fmt::format("{} is not a file here ({})", quote_value(*text), p.string()));
    return std::nullopt;
  }
  return p.lexically_normal().string();
}

}  // namespace ecp::plugins::ssh
