#pragma once
// The `ssh_config:` key of a target reached over ssh (host, engine): the
// OpenSSH client configuration its connections use (`ssh -F`), so that
// `ssh://alias` hosts, ProxyJump bastions and per-host keys work as they do
// for `ssh alias`. A relative path is read from the targets file's folder.
#include <optional>
#include <string>

#include "plugins/settings_reader.hpp"

namespace ecp::plugins::ssh {

// The key's path when the section has it (a file that exists), else nullopt;
// problems are reported through `r`.
std::optional<std::string> ssh_config_key(SettingsReader& r, const Json& section);

}  // namespace ecp::plugins::ssh
