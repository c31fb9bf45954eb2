#pragma once
// HTTP over libcurl for registry traffic. One Http object per registry endpoint
// keeps a pool of easy handles and one share handle (connections, DNS, TLS
// sessions), so the requests of a push, from any thread, reuse warm connections.
// TLS is always verified; extra CAs are trusted besides the system store.
// Proxies come from the environment (libcurl's http_proxy/https_proxy/no_proxy).
// Only http and https URLs are requested (redirects included), credentials go
// only to their own origin (origin.hpp), and every request has a deadline.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/registry/deadline.hpp"

namespace ecp::registry {

struct TlsConfig {
  std::string extra_ca_pem;  // PEM certificates trusted besides the system store
  // The CAs of extra_ca_pem are the only ones trusted (a Kubernetes cluster's own
  // CA): a certificate the system store would accept is refused.
  bool only_extra_ca = false;
  std::string client_cert;  // a PEM client certificate file (certs.d client.cert), optional
  std::string client_key;   // its key file
  // Or the client certificate and key as PEM text (kubeconfig *-data, exec credentials).
  std::string client_cert_pem;
  std::string client_key_pem;
  // The name the server's certificate is checked against and sent as SNI, when
  // it is not the URL's host (kubeconfig tls-server-name): requests go to the
  // URL's address all the same.
  std::string server_name;
  std::string proxy;         // a proxy URL for every request ("" = the environment's)
  bool skip_verify = false;  // the user opted out of verification for this endpoint only
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value" (an Authorization line is dropped)
  // The credentials, sent only to URLs of the origin they were given for (the
  // same scheme, host and port): on the first request and on every redirect.
  std::string authorization;         // the header's value: "Basic ...", "Bearer ..."
  std::string authorization_origin;  // a URL of that origin
  std::int64_t expected_bytes = 0;   // of the answer's body (a blob GET), for the deadline
  std::string body;                  // sent when `reader` is empty (and method takes a body)
  // A streamed body of exactly body_size bytes: returns bytes written into the
  // buffer (0 only at the end). Exceptions abort the transfer and are rethrown.
  std::function<std::size_t(char*, std::size_t)> reader;
  std::int64_t body_size = -1;
  // Receives the body of a 2xx response; without it the body lands in
  // HttpResponse::body (at most max_body bytes). Non-2xx bodies always land
  // there, for error parsing. Exceptions abort the transfer and are rethrown.
  std::function<void(const char*, std::size_t)> sink;
  // Called once with the status of a 2xx response before its first body byte
  // reaches the sink (a resumed GET learns whether the server honoured Range).
  std::function<void(long)> on_status;
  std::size_t max_body = std::size_t(8) << 20;
  // Bytes of the request body sent so far (called often; callers throttle).
  std::function<void(std::int64_t)> on_sent;
  bool follow_redirects = false;  // for blob GETs that a registry redirects to storage
  // Replaces the DeadlinePolicy for this request (a watch that the server ends
  // after its own timeoutSeconds); 0 = the policy decides.
  std::chrono::milliseconds deadline{0};
  // A stream that may rightly stay silent (a followed log of a quiet pod): no
  // "stalled for a minute" failure; only the deadline (or the caller) ends it.
  bool allow_idle = false;
};

struct HttpResponse {
  long status = 0;        // 0: no HTTP response, see curl_code and error
  int curl_code = 0;      // CURLcode
  std::string url;        // that answered: the request's, or where its redirects led
  std::string error;      // libcurl's description of a failure
  bool tls_handshake_failed = false;  // the server did not speak TLS (e.g. plain HTTP)
  bool refused = false;               // ecp did not send it: not an http(s) URL, or too many redirects
  bool deadline_exceeded = false;     // no complete answer within the request's deadline
  std::vector<std::pair<std::string, std::string>> headers;  // of the final response, names lowercase
  std::string body;
  std::int64_t received = 0;  // body bytes passed to the sink

  // The first header of that (lowercase) name, or "".
  std::string header(std::string_view name) const;
  // No HTTP answer, and another try may get one: a lost connection or a
  // passed deadline (the next try resumes), not a refusal or a TLS failure.
  bool retryable_failure() const { return status == 0 && !refused && !tls_handshake_failed; }
  std::vector<std::string> all_headers(std::string_view name) const;
};

class Http {
 public:
  explicit Http(TlsConfig tls = {}, DeadlinePolicy deadline = {});
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // Thread safe. Never throws for HTTP or network failures (see HttpResponse);
  // rethrows what a reader or sink threw. Follows redirects itself when the
  // request asks, so each hop passes the scheme and origin checks.
  HttpResponse perform(const HttpRequest& request);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// curl_global_init, once per process, for every user of libcurl (the registry
// client and the engine API). Error(internal) when libcurl cannot be opened or
// initialised; the next call tries again.
void init_curl();

// The system's default CA bundle as libcurl knows it, read once ("" when none).
const std::string& system_ca_bundle();

}  // namespace ecp::registry
