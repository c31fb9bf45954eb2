#include "core/registry/error.hpp"

#include <time.h>

#include <algorithm>

#include "core/oci/json.hpp"

namespace ecp::registry {
namespace {

std::string format_message(const ErrorInfo& i, std::string_view hint) {
  std::string where = "registry " + i.registry;
  if (!i.repository.empty()) where += ", repository " + i.repository;
  std::string what;
  if (i.status == 0) {
    what = i.transport.empty() ? "no response" : i.transport;
  } else {
    what = fmt::format("HTTP {}", i.status);
    for (const auto& e : i.errors) {
      what += " " + e.code;
      if (!e.message.empty()) what += ": " + e.message;
      if (!e.detail.empty() && e.detail != "null" && e.detail.size() < 300) what += " (" + e.detail + ")";
      if (&e != &i.errors.back()) what += ";";
    }
  }
  std::string msg = fmt::format("{}: {}: {}", where, i.operation, what);
  // distribution's filesystem driver reports ENOSPC as text, or as a Go errno (28 on Linux) in the detail.
  if (msg.find("no space left on device") != std::string::npos ||
      (i.status >= 500 && msg.find("\"Err\":28,") != std::string::npos))
    msg += " (the registry's storage is full)";
  if (!hint.empty()) msg += fmt::format(" ({})", hint);
  return msg;
}

ErrorKind kind_of(const ErrorInfo& i) {
  if (i.status == 401 || i.status == 403) return ErrorKind::auth;
  for (const auto& e : i.errors)
    if (e.code == "UNAUTHORIZED" || e.code == "DENIED") return ErrorKind::auth;
  return ErrorKind::registry;
}

}  // namespace

RegistryError::RegistryError(ErrorInfo info, std::string_view hint)
    : Error(kind_of(info), format_message(info, hint)), info_(std::move(info)) {}

std::string_view RegistryError::code() const {
  return info_.errors.empty() ? std::string_view() : std::string_view(info_.errors.front().code);
}

bool RegistryError::has_code(std::string_view code) const {
  return std::any_of(info_.errors.begin(), info_.errors.end(), [&](const ErrorEntry& e) { return e.code == code; });
}

std::vector<ErrorEntry> parse_error_body(std::string_view body) {
  std::vector<ErrorEntry> out;
  auto j = oci::Json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  auto it = j.find("errors");
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& e : *it) {
    if (!e.is_object()) continue;
    ErrorEntry entry;
    if (auto c = e.find("code"); c != e.end() && c->is_string()) entry.code = c->get<std::string>();
    if (auto m = e.find("message"); m != e.end() && m->is_string()) entry.message = m->get<std::string>();
    if (auto d = e.find("detail"); d != e.end() && !d->is_null())
      entry.detail = d->is_string() ? d->get<std::string>()
                                    : d->dump(-1, ' ', false, oci::Json::error_handler_t::replace);
    if (!entry.code.empty() || !entry.message.empty()) out.push_back(std::move(entry));
  }
  return out;
}

bool retryable_status(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds parse_retry_after(std::string_view value, long long now_epoch) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
  if (value.empty()) return std::chrono::milliseconds(-1);
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::milliseconds(-1);
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  struct tm tm {};
  std::string s(value);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::chrono::milliseconds(-1);
  long long at = timegm(&tm);
  return std::chrono::seconds(std::max(0LL, at - now_epoch));
}

}  // namespace ecp::registry
