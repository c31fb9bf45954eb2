#include "core/registry/auth.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "core/oci/json.hpp"
#include "core/registry/error.hpp"
#include "core/util/log.hpp"

namespace ecp::registry {
namespace {

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
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

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string t(text);
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  if (t.size() % 4 != 0) fail(ErrorKind::validation, "invalid base64 text");
  std::string out(3 * t.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(t.data()),
                          static_cast<int>(t.size()));
  if (n < 0) fail(ErrorKind::validation, "invalid base64 text");
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t pad = 0;
  if (!t.empty() && t.back() == '=') ++pad;
  if (t.size() > 1 && t[t.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
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
    return "Basic " + base64_encode(credentials_.username + ":" + credentials_.password);
  }
  if (challenge_.scheme != "bearer") return {};
  std::string key = join(scopes, " ");
  auto it = tokens_.find(key);
  if (it == tokens_.end() || std::chrono::steady_clock::now() >= it->second.expires)
    it = tokens_.insert_or_assign(key, fetch_token(scopes)).first;
  return "Bearer " + it->second.value;
}

bool Authenticator::unauthorized(const std::vector<std::string>& scopes, const HttpResponse& response) {
  std::lock_guard g(mutex_);
  tokens_.erase(join(scopes, " "));
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
    req.body = "grant_type=refresh_token&client_id=ecp&service=" + url_encode(service) +
               "&refresh_token=" + url_encode(credentials_.identity_token);
    if (!scopes.empty()) req.body += "&scope=" + url_encode(join(scopes, " "));
  } else {
    std::string query;
    if (!service.empty()) query += "service=" + url_encode(service);
    for (const auto& s : scopes) query += (query.empty() ? "" : "&") + std::string("scope=") + url_encode(s);
    if (!credentials_.username.empty()) query += (query.empty() ? "" : "&") + std::string("account=") + url_encode(credentials_.username);
    req.url = realm + (query.empty() ? "" : (realm.find('?') == std::string::npos ? "?" : "&") + query);
    if (!credentials_.empty())
      req.headers.push_back("Authorization: Basic " + base64_encode(credentials_.username + ":" + credentials_.password));
  }
  info.operation = fmt::format("token request to {} for {}", realm, scopes.empty() ? "login" : join(scopes, " "));
  HttpResponse r = http_.perform(req);
  if (r.status == 0) {
    info.transport = r.error;
    info.retryable = true;
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
  log::debug("registry {}: got a token for {}", registry_, join(scopes, " "));
  return t;
}

}  // namespace ecp::registry
