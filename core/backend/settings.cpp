#include "core/backend/settings.hpp"

#include <fmt/format.h>

#include "core/util/error.hpp"

namespace ecp::backend {

Settings::Settings(Json value, std::string file, std::string prefix, FieldPositions positions)
    : value_(std::move(value)), file_(std::move(file)), prefix_(std::move(prefix)), positions_(std::move(positions)) {
  if (!value_.is_object()) value_ = Json::object();
}

std::string_view parent_field(std::string_view field) {
  auto cut = field.find_last_of(".[");
  return cut == std::string_view::npos ? std::string_view() : field.substr(0, cut);
}

std::string Settings::path(std::string_view field) const {
  if (field.empty()) return prefix_;
  if (prefix_.empty()) return std::string(field);
  return fmt::format("{}{}{}", prefix_, field.front() == '[' ? "" : ".", field);
}

const FieldPosition* Settings::position(std::string_view field) const {
  for (;;) {
    if (auto it = positions_.find(field); it != positions_.end()) return &it->second;
    if (field.empty()) return nullptr;
    field = parent_field(field);
  }
}

std::string Settings::where(std::string_view field) const {
  const FieldPosition* p = position(field);
  if (!p || p->line <= 0) return file_;
  return fmt::format("{}:{}:{}", file_, p->line, p->column);
}

bool Settings::quoted(std::string_view field) const {
  auto it = positions_.find(field);
  return it != positions_.end() && it->second.quoted;
}

Diagnostic Settings::error(std::string_view field, std::string_view message) const {
  const FieldPosition* p = position(field);
  std::string at = path(field);
  return Diagnostic{file_,
                    p ? p->line : 0,
                    p ? p->column : 0,
                    Severity::error,
                    at,
                    at.empty() ? std::string(message) : fmt::format("{}: {}", at, message)};
}

Diagnostic Settings::key_error(std::string_view field, std::string_view message) const {
  auto it = positions_.find(field);
  if (it == positions_.end() || it->second.key_line <= 0) return error(parent_field(field), message);
  std::string parent = path(parent_field(field));
  return Diagnostic{file_,
                    it->second.key_line,
                    it->second.key_column,
                    Severity::error,
                    path(field),
                    parent.empty() ? std::string(message) : fmt::format("{}: {}", parent, message)};
}

void fail_on_errors(std::string_view target, const Diagnostics& ds) {
  std::string listing;
  for (const auto& d : ds)
    if (d.severity == Severity::error) listing += "\n" + format_diagnostic(d);
  if (!listing.empty()) fail(ErrorKind::validation, "the settings of target '{}' are not valid:{}", target, listing);
}

}  // namespace ecp::backend
