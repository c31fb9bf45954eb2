#pragma once
// Where registry credentials may go. Credentials (Basic, or a registry's
// Bearer token) belong to the origin they were given for: its scheme, host and
// port (RFC 6454). Every request that could carry them asks same_origin first
// (http.cpp, on every hop), so an upload Location, a blob redirect or a token
// realm on another host or port never receives the registry's Authorization.
// Only http and https are origins: any other scheme (file, gopher, ...) is no
// URL ecp sends a request to.
#include <optional>
#include <string>
#include <string_view>

namespace ecp::registry {

struct Origin {
  std::string scheme;  // "http" or "https"
  std::string host;    // lowercase; an IPv6 address without brackets, in its shortest form
  int port = 0;        // as written, else 80 (http) or 443 (https)
  bool operator==(const Origin&) const = default;
  // "https://host:443", "http://[::1]:5000".
  std::string to_string() const;
};

// The origin of an absolute http or https URL, read by libcurl's URL parser
// (the parser of the code that then connects, so both agree on the host);
// nullopt for another scheme, a relative or a malformed URL.
std::optional<Origin> parse_origin(std::string_view url);

// Both URLs are http(s) and name the same scheme, host and port.
bool same_origin(std::string_view a, std::string_view b);

// `reference` (a Location header, which may be relative) as an absolute URL,
// resolved against `base`; nullopt when it is malformed. The scheme is not
// checked here: parse_origin says whether ecp may go there.
std::optional<std::string> resolve_url(std::string_view base, std::string_view reference);

}  // namespace ecp::registry
