#include "core/registry/origin.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace ecp::registry {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Url = std::unique_ptr<CURLU, UrlDeleter>;

// Unknown schemes parse too, so that parse_origin, not the parser, says no.
constexpr unsigned parse_flags = CURLU_NON_SUPPORT_SCHEME;

std::optional<std::string> part(CURLU* u, CURLUPart what, unsigned flags = 0) {
  char* p = nullptr;
  if (curl_url_get(u, what, &p, flags) != CURLUE_OK || p == nullptr) return std::nullopt;
  std::string out(p);
  curl_free(p);
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "[0:0::1]" -> "::1": one spelling per IPv6 address. Not an address: as is.
std::string normal_host(std::string host) {
  if (host.size() < 2 || host.front() != '[' || host.back() != ']') return host;
  host = host.substr(1, host.size() - 2);
  in6_addr addr{};
  char text[INET6_ADDRSTRLEN] = {0};
  if (inet_pton(AF_INET6, host.c_str(), &addr) == 1 && inet_ntop(AF_INET6, &addr, text, sizeof text) != nullptr)
    return text;
  return host;
}

}  // namespace

std::string Origin::to_string() const {
  bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", scheme, v6 ? "[" : "", host, v6 ? "]" : "", port);
}

std::optional<Origin> parse_origin(std::string_view url) {
  Url u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, std::string(url).c_str(), parse_flags) != CURLUE_OK)
    return std::nullopt;
  auto scheme = part(u.get(), CURLUPART_SCHEME);
  auto host = part(u.get(), CURLUPART_HOST, CURLU_URLDECODE);
  auto port = part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || !port || host->empty()) return std::nullopt;
  Origin o;
  o.scheme = lower(*scheme);
  if (o.scheme != "http" && o.scheme != "https") return std::nullopt;
  o.host = lower(normal_host(*host));
  if (auto zone = part(u.get(), CURLUPART_ZONEID)) o.host += "%" + *zone;
  o.port = std::atoi(port->c_str());
  if (o.port <= 0 || o.port > 65535) return std::nullopt;
  return o;
}

bool same_origin(std::string_view a, std::string_view b) {
  auto oa = parse_origin(a);
  auto ob = parse_origin(b);
  return oa && ob && *oa == *ob;
}

std::optional<std::string> resolve_url(std::string_view base, std::string_view reference) {
  Url u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, std::string(base).c_str(), parse_flags) != CURLUE_OK)
    return std::nullopt;
  // libcurl resolves a relative reference against the URL already set (RFC 3986, section 5).
  if (curl_url_set(u.get(), CURLUPART_URL, std::string(reference).c_str(), parse_flags) != CURLUE_OK)
    return std::nullopt;
  return part(u.get(), CURLUPART_URL);
}

}  // namespace ecp::registry
