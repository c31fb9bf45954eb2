// build.base and ssh host addresses. Part of values.hpp.
#include <fmt/format.h>

#include <charconv>

#include "core/descriptor/values.hpp"

namespace ecp::descriptor {
namespace {

template <typename T>
std::optional<T> bad(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return std::nullopt;
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

}  // namespace

std::optional<BaseImage> parse_base_image(std::string_view text, std::string* why) {
  constexpr std::string_view hint = "use scratch, oci:PATH[:tag], docker-archive:FILE or an image reference";
  BaseImage b;
  b.text = std::string(text);
  if (text == "scratch") return b;
  if (text.starts_with("oci:")) {
    std::string_view rest = text.substr(4);
    auto colon = rest.rfind(':');
    auto slash = rest.rfind('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
      b.tag = std::string(rest.substr(colon + 1));
      rest = rest.substr(0, colon);
      if (b.tag.empty()) return bad<BaseImage>(why, fmt::format("'{}' has an empty tag after ':'", text));
    }
    if (rest.empty()) return bad<BaseImage>(why, fmt::format("'{}' names no folder; write oci:PATH[:tag]", text));
    b.kind = BaseKind::oci_layout;
    b.path = std::string(rest);
    return b;
  }
  if (text.starts_with("docker-archive:")) {
    if (text.size() == 15)
      return bad<BaseImage>(why, fmt::format("'{}' names no file; write docker-archive:FILE", text));
    b.kind = BaseKind::docker_archive;
    b.path = std::string(text.substr(15));
    return b;
  }
  if (auto problem = reference_problem(text))
    return bad<BaseImage>(why, fmt::format("'{}' {}; {}", text, *problem, hint));
  b.kind = BaseKind::registry;
  return b;
}

std::optional<HostAddress> parse_host_address(std::string_view text, std::string* why) {
  auto fail = [&](std::string_view what) {
    return bad<HostAddress>(why, fmt::format("'{}' {}; write ssh://[user@]host[:port]", text, what));
  };
  if (!text.starts_with("ssh://")) return fail("is not an ssh address");
  HostAddress h;
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

}  // namespace ecp::descriptor
