#pragma once
// Typed registry failures, modelled on go-containerregistry's transport.Error:
// which registry, repository and operation, the HTTP status, the OCI error codes
// of the body ({"errors":[{"code","message","detail"}]}) and whether trying
// again may help. It is an ecp::Error, so the CLI maps it to an exit code:
// 401/403 are ErrorKind::auth (5), everything else ErrorKind::registry (4).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.hpp"

namespace ecp::registry {

struct ErrorEntry {
  std::string code;     // UNAUTHORIZED, DENIED, MANIFEST_INVALID, BLOB_UNKNOWN, ...
  std::string message;
  std::string detail;   // the "detail" value as compact JSON, when there is one
};

struct ErrorInfo {
  std::string registry;    // host[:port] as written in the reference
  std::string repository;  // empty for registry-wide operations (ping, login)
  std::string operation;   // "HEAD blob sha256:...", "PUT manifest 1.0", ...
  long status = 0;         // HTTP status; 0 when no response came (connection, TLS)
  std::vector<ErrorEntry> errors;
  std::string transport;   // libcurl's message when there was no response
  bool retryable = false;
  std::chrono::milliseconds retry_after{-1};  // from a 429/503 Retry-After header; -1 = none
};

class RegistryError : public Error {
 public:
  explicit RegistryError(ErrorInfo info, std::string_view hint = {});
  const ErrorInfo& info() const { return info_; }
  bool retryable() const { return info_.retryable; }
  long status() const { return info_.status; }
  // The first OCI error code, or "" when the body had none.
  std::string_view code() const;
  bool has_code(std::string_view code) const;

 private:
  ErrorInfo info_;
};

// Parses an OCI error body; anything else (HTML, empty) gives no entries.
std::vector<ErrorEntry> parse_error_body(std::string_view body);

// 408, 429, 500, 502, 503 and 504: a later attempt may succeed.
bool retryable_status(long status);

// The Retry-After header: delta-seconds or an HTTP-date relative to `now_epoch`.
// -1 when missing or unparsable.
std::chrono::milliseconds parse_retry_after(std::string_view value, long long now_epoch);

}  // namespace ecp::registry
