#pragma once
// A target's own section of the targets file, as written: every key but the
// neutral ones (plugin, registry, config) as JSON, plus where each field is. core/
// never interprets it; each plugin reads its section into its own struct and
// reports problems at the line and column the user wrote them.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/util/diagnostic.hpp"

namespace ecp::backend {

using Json = nlohmann::json;

class Settings {
 public:
  Settings() = default;  // {} from nowhere: the built-in "local" target
  // `prefix` names the section in messages ("targets.web"); `positions` are keyed by
  // field paths relative to the section ("" = the section itself).
  Settings(Json value, std::string file, std::string prefix, FieldPositions positions);

  // An object; scalars are strings, except plain whole numbers and true/false.
  const Json& value() const { return value_; }
  const std::string& file() const { return file_; }
  // "targets.web" + "hosts[1]" -> "targets.web.hosts[1]".
  std::string path(std::string_view field) const;
  // "FILE:LINE:COL" of the field's value (or its nearest recorded parent's), else FILE.
  std::string where(std::string_view field) const;
  // The field's position, or its nearest recorded parent's; nullptr when none is.
  const FieldPosition* position(std::string_view field) const;
  bool quoted(std::string_view field) const;

  // Diagnostics a plugin's validator returns. error(): at the value, "PATH: MESSAGE".
  // key_error(): at the key of `field` (an unknown key), "PARENT PATH: MESSAGE".
  Diagnostic error(std::string_view field, std::string_view message) const;
  Diagnostic key_error(std::string_view field, std::string_view message) const;

 private:
  Json value_ = Json::object();
  std::string file_;
  std::string prefix_;
  FieldPositions positions_;
};

// The parent of a field path: "gateway.port" -> "gateway", "hosts[1]" -> "hosts", "hosts" -> "".
std::string_view parent_field(std::string_view field);

// Throws Error(validation) listing every error in `ds` ("the settings of target 'web'
// are not valid: ..."); does nothing when there is none.
void fail_on_errors(std::string_view target, const Diagnostics& ds);

}  // namespace ecp::backend
