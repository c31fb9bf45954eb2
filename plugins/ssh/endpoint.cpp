#include "plugins/ssh/endpoint.hpp"

#include <fmt/format.h>

#include <charconv>

namespace ecp::plugins::ssh {
namespace {

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view text, std::string* why) {
  auto fail = [&](std::string_view what) -> std::optional<Endpoint> {
    if (why) *why = fmt::format("'{}' {}; write ssh://[user@]host[:port]", text, what);
    return std::nullopt;
  };
  if (!text.starts_with("ssh://")) return fail("is not an ssh address");
  Endpoint h;
  h.text = std::string(text);
  std::string_view rest = text.substr(6);
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    h.user = std::string(rest.substr(0, at));
    rest = rest.substr(at + 1);
    if (h.user.empty()) return fail("has an empty user before '@'");
    for (char c : h.user)
      if (!host_char(c) && c != '$') return fail("has an invalid user name");
  }
  std::string_view port;
  if (rest.starts_with("[")) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return fail("has an unclosed '['");
    h.host = std::string(rest.substr(1, close - 1));
    for (char c : h.host)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
        return fail("has an invalid IPv6 address");
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return fail("has text after the address");
      port = rest.substr(1);
      if (port.empty()) return fail("has an empty port");
    }
  } else {
    auto colon = rest.find(':');
    h.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) return fail("has an empty port");
    }
    for (char c : h.host)
      if (!host_char(c)) return fail(c == '/' ? "has a path; only a host is allowed" : "has an invalid host name");
  }
  if (h.host.empty()) return fail("has no host");
  if (!port.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535)
      return fail("has an invalid port (1..65535)");
    h.port = p;
  }
  return h;
}

}  // namespace ecp::plugins::ssh
