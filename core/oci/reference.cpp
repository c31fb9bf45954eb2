#include "core/oci/reference.hpp"

#include <algorithm>

#include "core/util/error.hpp"

namespace ecp::oci {
namespace {

bool alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return alnum_lower(c) || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool word(char c) { return alnum(c) || c == '_'; }

// path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
bool valid_path_component(std::string_view s) {
  std::size_t i = 0;
  auto run = [&] {
    std::size_t start = i;
    while (i < s.size() && alnum_lower(s[i])) ++i;
    return i > start;
  };
  if (!run()) return false;
  while (i < s.size()) {
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
    if (!run()) return false;
  }
  return true;
}

// domain-component := [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]
bool valid_domain_component(std::string_view s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return alnum(c) || c == '-'; });
}

// host [":" port], host being dotted components or a bracketed IPv6 address.
bool valid_domain(std::string_view d) {
  std::string_view host = d;
  if (d.starts_with('[')) {
    auto close = d.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    auto inner = d.substr(1, close - 1);
    if (!std::all_of(inner.begin(), inner.end(), [](char c) {
          return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        }))
      return false;
    host = {};
    d = d.substr(close + 1);
    if (d.empty()) return true;
    if (d.front() != ':') return false;
  } else {
    auto colon = d.find(':');
    host = d.substr(0, colon);
    d = colon == std::string_view::npos ? std::string_view() : d.substr(colon);
    std::size_t start = 0;
    for (;;) {
      auto dot = host.find('.', start);
      if (!valid_domain_component(host.substr(start, dot - start))) return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (d.empty()) return true;
  auto port = d.substr(1);  // after ':'
  return !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), digit);
}

bool all_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return digit(c) || (c >= 'a' && c <= 'f'); });
}

}  // namespace

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || !word(tag.front())) return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) { return word(c) || c == '.' || c == '-'; });
}

Reference parse_reference(std::string_view text) {
  auto bad = [&](std::string_view why) -> Reference {
    fail(ErrorKind::validation, "invalid image reference '{}': {}", text, why);
  };
  if (text.empty()) return bad("it is empty");
  if (all_hex64(text)) return bad("a 64-character hexadecimal string is an image ID, not a reference");

  Reference r;
  std::string_view rest = text;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    auto d = Digest::try_parse(rest.substr(at + 1));
    if (!d) return bad("the digest after '@' must be sha256:<64 lowercase hex digits>");
    r.digest = *d;
    rest = rest.substr(0, at);
  }
  // A ':' after the last '/' starts the tag; one before it is a registry port.
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(rest.substr(colon + 1));
    if (!valid_tag(r.tag))
      return bad("the tag must be 1-128 letters, digits, '_', '.' or '-' and not start with '.' or '-'");
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return bad("the repository name is missing");

  // docker's splitDockerDomain.
  auto first = rest.find('/');
  std::string_view domain;
  std::string_view path = rest;
  if (first != std::string_view::npos) {
    auto head = rest.substr(0, first);
    bool lower = std::none_of(head.begin(), head.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (head.find_first_of(".:") != std::string_view::npos || head == "localhost" || !lower) {
      domain = head;
      path = rest.substr(first + 1);
    }
  }
  if (domain.empty() || domain == "index.docker.io") {
    r.registry = std::string(default_registry);
  } else {
    if (!valid_domain(domain)) return bad(fmt::format("'{}' is not a valid registry host[:port]", domain));
    r.registry = std::string(domain);
  }
  if (r.registry == default_registry && path.find('/') == std::string_view::npos)
    r.repository = "library/" + std::string(path);
  else
    r.repository = std::string(path);

  if (std::any_of(r.repository.begin(), r.repository.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return bad("the repository name must be lowercase");
  std::string_view repo = r.repository;
  for (std::size_t start = 0;;) {
    auto end = repo.find('/', start);
    auto comp = repo.substr(start, end - start);
    if (!valid_path_component(comp))
      return bad(comp.empty() ? std::string("empty path component")
                              : fmt::format("'{}' is not a valid path component (lowercase letters and digits, "
                                            "separated by '.', '_', '__' or '-')",
                                            comp));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (r.name().size() > 255) return bad("the name is longer than 255 characters");
  return r;
}

std::string Reference::name() const { return registry + "/" + repository; }

std::string Reference::to_string() const {
  std::string s = name();
  if (!tag.empty()) s += ":" + tag;
  if (digest.valid()) s += "@" + digest.to_string();
  return s;
}

std::string Reference::identifier() const {
  if (digest.valid()) return digest.to_string();
  return tag.empty() ? std::string(default_tag) : tag;
}

Reference Reference::with_default_tag() const {
  Reference r = *this;
  if (r.tag.empty() && !r.digest.valid()) r.tag = std::string(default_tag);
  return r;
}

Reference Reference::with_tag(std::string_view t) const {
  Reference r = *this;
  r.tag = std::string(t);
  r.digest = Digest();
  return r;
}

bool is_loopback_registry(std::string_view registry) {
  std::string_view host = registry;
  if (host.starts_with('[')) {
    host = host.substr(0, host.find(']') + 1);
    return host == "[::1]";
  }
  host = host.substr(0, host.find(':'));
  if (host == "localhost") return true;
  // 127.0.0.0/8: four dotted numbers, the first 127.
  if (!host.starts_with("127.")) return false;
  int parts = 2;  // "127." is the first dot
  for (std::size_t i = 4; i < host.size(); ++i) {
    if (host[i] == '.') {
      if (host[i - 1] == '.') return false;
      ++parts;
    } else if (!digit(host[i])) {
      return false;
    }
  }
  return parts == 4 && host.back() != '.';
}

}  // namespace ecp::oci
