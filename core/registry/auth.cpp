#include "core/registry/auth.hpp"

#include <algorithm>
#include <cctype>

#include "core/oci/json.hpp"
#include "core/registry/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::registry {
namespace {

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string Challenge::param(const std::string& key) const {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

std::vector<Challenge> parse_challenges(std::string_view h) {
  std::vector<Challenge> out;
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  auto read_token = [&] {
    std::size_t start = i;
    while (i < h.size() && token_char(h[i])) ++i;
    return std::string(h.substr(start, i - start));
  };
  while (i < h.size()) {
    skip_ws();
    while (i < h.size() && h[i] == ',') {
      ++i;
      skip_ws();
    }
    std::string word = read_token();
    if (word.empty()) break;
    skip_ws();
    if (i < h.size() && h[i] == '=' && !out.empty()) {  // a parameter of the current challenge
      ++i;
      skip_ws();
      std::string value;
      if (i < h.size() && h[i] == '"') {
        for (++i; i < h.size() && h[i] != '"'; ++i) {
          if (h[i] == '\\' && i + 1 < h.size()) ++i;
          value += h[i];
        }
        if (i < h.size()) ++i;  // closing quote
      } else {  // unquoted: up to the next ',' (realms are often unquoted URLs)
        std::size_t start = i;
        while (i < h.size() && h[i] != ',' && h[i] != ' ' && h[i] != '\t') ++i;
        value = std::string(h.substr(start, i - start));
      }
      out.back().params[lower(word)] = value;
      skip_ws();
      if (i < h.size() && h[i] == ',') ++i;
      continue;
    }
    out.push_back(Challenge{lower(word), {}});
  }
  return out;
}

std::string repository_scope(std::string_view repository, bool push) {
  return fmt::format("repository:{}:{}", repository, push ? "pull,push" : "pull");
}

Authenticator::Authenticator(Http& http, std::string registry, Credentials credentials)
    : http_(http), registry_(std::move(registry)), credentials_(std::move(credentials)) {}

void Authenticator::set_challenge(const std::vector<Challenge>& challenges) {
  std::lock_guard g(mutex_);
  challenge_ = {};
  // Prefer Bearer: it scopes access; Basic sends the password with every request.
  for (const auto& c : challenges)
    if (c.scheme == "bearer") challenge_ = c;
  if (challenge_.scheme.empty())
    for (const auto& c : challenges)
      if (c.scheme == "basic") challenge_ = c;
}

std::string Authenticator::scheme() const { return challenge_.scheme; }

std::string Authenticator::authorization(const std::vector<std::string>& scopes) {
  std::lock_guard g(mutex_);
  if (challenge_.scheme == "basic") {
    if (credentials_.username.empty() && credentials_.password.empty()) return {};
    return "Basic " + text::base64_encode(credentials_.username + ":" + credentials_.password);
  }
  if (challenge_.scheme != "bearer") return {};
  std::string key = text::join(scopes, " ");
  auto it = tokens_.find(key);
  if (it == tokens_.end() || std::chrono::steady_clock::now() >= it->second.expires)
    it = tokens_.insert_or_assign(key, fetch_token(scopes)).first;
  return "Bearer " + it->second.value;
}

bool Authenticator::unauthorized(const std::vector<std::string>& scopes, const HttpResponse& response) {
  std::lock_guard g(mutex_);
  tokens_.erase(text::join(scopes, " "));
  auto challenges = parse_challenges(response.header("www-authenticate"));
  for (const auto& c : challenges)
    if (c.scheme == "bearer" || c.scheme == "basic") {
      bool changed = c.scheme != challenge_.scheme;
      challenge_ = c;
      // Bearer: a fresh token may pass. Basic: only when we switched to it.
      return c.scheme == "bearer" || (changed && !credentials_.empty());
    }
  return false;
}

void Authenticator::verify() {
  std::lock_guard g(mutex_);
  if (challenge_.scheme == "bearer") fetch_token({});
}

Authenticator::Token Authenticator::fetch_token(const std::vector<std::string>& scopes) {
  std::string realm = challenge_.param("realm");
  ErrorInfo info{registry_, "", "token request", 0, {}, "", false, {}};
  if (realm.empty()) {
    info.transport = "the Bearer challenge names no realm";
    throw RegistryError(info);
  }
  std::string service = challenge_.param("service");
  HttpRequest req;
  req.headers.push_back("Accept: application/json");
  if (!credentials_.identity_token.empty()) {
    // OAuth2 refresh-token grant (docker's identity tokens).
    req.method = "POST";
    req.url = realm;
    req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    req.body = "grant_type=refresh_token&client_id=ecp&service=" + text::url_encode(service) +
               "&refresh_token=" + text::url_encode(credentials_.identity_token);
    if (!scopes.empty()) req.body += "&scope=" + text::url_encode(text::join(scopes, " "));
  } else {
    std::vector<std::string> params;
    if (!service.empty()) params.push_back("service=" + text::url_encode(service));
    for (const auto& s : scopes) params.push_back("scope=" + text::url_encode(s));
    if (!credentials_.username.empty()) params.push_back("account=" + text::url_encode(credentials_.username));
    std::string query = text::join(params, "&");
    req.url = realm + (query.empty() ? "" : (realm.find('?') == std::string::npos ? "?" : "&") + query);
    // The token protocol's one use of the credentials off the registry: Basic,
    // to the realm the registry named, and only there. Nothing else is sent:
    // the registry's own Authorization (a token) never goes to the realm.
    if (!credentials_.empty()) {
      req.authorization = "Basic " + text::base64_encode(credentials_.username + ":" + credentials_.password);
      req.authorization_origin = realm;
    }
  }
  info.operation = fmt::format("token request to {} for {}", realm, scopes.empty() ? "login" : text::join(scopes, " "));
  HttpResponse r = http_.perform(req);
  if (r.status == 0) {
    info.transport = r.error;
    info.retryable = r.retryable_failure();  // a file:// or gopher:// realm is refused for good
    throw RegistryError(info);
  }
  if (r.status != 200) {
    info.status = r.status;
    info.errors = parse_error_body(r.body);
    info.retryable = retryable_status(r.status);
    throw RegistryError(info, r.status == 401 ? (credentials_.empty() ? "credentials are needed: run 'ecp login'"
                                                                       : "the credentials were rejected")
                                              : "");
  }
  auto j = oci::Json::parse(r.body, nullptr, false);
  Token t;
  if (j.is_object()) {
    if (j.contains("token") && j["token"].is_string()) t.value = j["token"].get<std::string>();
    if (t.value.empty() && j.contains("access_token") && j["access_token"].is_string())
      t.value = j["access_token"].get<std::string>();
  }
  if (t.value.empty()) {
    info.transport = "the token server's answer holds no token";
    throw RegistryError(info);
  }
  long long expires_in = 60;  // the spec's default
  if (j.contains("expires_in") && j["expires_in"].is_number_integer()) expires_in = j["expires_in"].get<long long>();
  // Renew 10 s early (or at half life for short tokens) so a request never carries a dying token.
  long long margin = std::min(10LL, expires_in / 2);
  t.expires = std::chrono::steady_clock::now() + std::chrono::seconds(std::max(1LL, expires_in - margin));
  log::debug("registry {}: got a token for {}", registry_, text::join(scopes, " "));
  return t;
}

}  // namespace ecp::registry
