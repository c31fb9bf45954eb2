// The built-in table and the lookup of external plugins.
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "core/backend/backend.hpp"
#include "core/backend/external.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "core/util/text.hpp"

namespace ecp::backend {

void Table::add(std::string name, Factory factory, Validator validator) {
  entries_[std::move(name)] = Entry{std::move(factory), std::move(validator)};
}

const Factory* Table::find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second.factory;
}

const Validator* Table::validator(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() || !it->second.validator ? nullptr : &it->second.validator;
}

std::vector<std::string> Table::names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

Table& builtin_table() {
  static Table table;
  return table;
}

std::unique_ptr<Backend> open_backend(const TargetSpec& target, const AppSpec& app) {
  if (const Factory* f = builtin_table().find(target.plugin)) return (*f)(target, app);
  std::string program = "ecp-plugin-" + target.plugin;
  auto path = process::find_program(program);
  if (!path) {
    std::string builtins = text::join(builtin_table().names(), ", ");
    fail(ErrorKind::validation,
         "target '{}': plugin '{}' is neither built in ({}) nor an executable {} on PATH", target.name,
         target.plugin, builtins.empty() ? "none registered" : builtins, program);
  }
  return std::make_unique<ExternalBackend>(*path, target, app);
}

Identity Backend::identity() {
  Identity id;
  const char* user = std::getenv("USER");
  if (user == nullptr || *user == '\0') user = std::getenv("LOGNAME");
  if (user != nullptr && *user != '\0') {
    id.user = user;
  } else if (const passwd* pw = ::getpwuid(::getuid())) {
    id.user = pw->pw_name;
  } else {
    id.user = "uid " + std::to_string(::getuid());
  }
  id.method = "unverified";
  return id;
}

}  // namespace ecp::backend

namespace ecp::backend {

std::vector<std::string> Backend::exec_argv(const InstanceRef& instance, const std::vector<std::string>&, bool) {
  fail(ErrorKind::usage,
       "ecp exec runs on host targets (and local); this target's plugin cannot run a command in {}: use the "
       "platform's own (docker exec, kubectl exec)",
       instance.name());
}

}  // namespace ecp::backend

namespace ecp::backend {

Metrics Backend::metrics(Duration, bool) {
  fail(ErrorKind::usage, "this target's plugin gives no CPU and memory figures (ecp top)");
}

std::vector<HostedEnv> Backend::hosted() {
  fail(ErrorKind::usage, "this target's plugin cannot pause apps (ecp degrade, ecp restore)");
}

std::vector<std::string> Backend::degrade(const std::string&) {
  hosted();
  return {};
}

void Backend::undegrade() { hosted(); }

}  // namespace ecp::backend
