#pragma once
// Registry authentication, driven by the WWW-Authenticate challenge of GET /v2/:
// none, Basic, or the Bearer token flow (the distribution token spec: GET the
// realm with service and scope, Basic credentials when there are some; or the
// OAuth2 refresh-token POST for identity tokens). Tokens are cached per set of
// scopes until shortly before they expire, and dropped on a 401.
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/registry/http.hpp"

namespace ecp::registry {

struct Challenge {
  std::string scheme;                         // lowercase: "basic", "bearer"
  std::map<std::string, std::string> params;  // lowercase keys: realm, service, scope, error
  std::string param(const std::string& key) const;
};

// Parses a WWW-Authenticate value (RFC 7235: several challenges, quoted strings
// with \-escapes, commas inside quotes). Unparsable input gives what parsed so far.
std::vector<Challenge> parse_challenges(std::string_view header);

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;  // an OAuth2 refresh token (docker config "identitytoken")
  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

// "repository:NAME:pull" or "repository:NAME:pull,push".
std::string repository_scope(std::string_view repository, bool push);

class Authenticator {
 public:
  Authenticator(Http& http, std::string registry, Credentials credentials);

  // The challenge of the registry's /v2/ (none when it answered 200).
  void set_challenge(const std::vector<Challenge>& challenges);
  bool has_credentials() const { return !credentials_.empty(); }
  const Credentials& credentials() const { return credentials_; }

  // The Authorization header value for a request needing `scopes`, or "" for
  // none. Fetches a token when needed (may throw RegistryError).
  std::string authorization(const std::vector<std::string>& scopes);
  // After a 401: forgets the token for `scopes` and takes a new challenge from
  // the response. True when another try could succeed.
  bool unauthorized(const std::vector<std::string>& scopes, const HttpResponse& response);
  // Checks the credentials against the challenge (ecp login): a token request,
  // or, for Basic, nothing (the caller's GET /v2/ does it). Throws RegistryError.
  void verify();
  std::string scheme() const;

 private:
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  Token fetch_token(const std::vector<std::string>& scopes);
  Http& http_;
  std::string registry_;
  Credentials credentials_;
  std::mutex mutex_;
  Challenge challenge_;
  std::map<std::string, Token> tokens_;  // key: scopes joined by ' '
  std::map<std::string, int> refreshed_;  // key -> 401 refreshes done
};

}  // namespace ecp::registry
