#pragma once
// HTTP over libcurl for registry traffic. One Http object per registry endpoint
// keeps a pool of easy handles and one share handle (connections, DNS, TLS
// sessions), so the requests of a push, from any thread, reuse warm connections.
// TLS is always verified; extra CAs are trusted besides the system store.
// Proxies come from the environment (libcurl's http_proxy/https_proxy/no_proxy).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecp::registry {

struct TlsConfig {
  std::string extra_ca_pem;  // PEM certificates trusted besides the system store
  std::string client_cert;   // a PEM client certificate file (certs.d client.cert), optional
  std::string client_key;    // its key file
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
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
};

struct HttpResponse {
  long status = 0;        // 0: no HTTP response, see curl_code and error
  int curl_code = 0;      // CURLcode
  std::string error;      // libcurl's description of a failure
  bool tls_handshake_failed = false;  // the server did not speak TLS (e.g. plain HTTP)
  std::vector<std::pair<std::string, std::string>> headers;  // of the final response, names lowercase
  std::string body;
  std::int64_t received = 0;  // body bytes passed to the sink

  // The first header of that (lowercase) name, or "".
  std::string header(std::string_view name) const;
  std::vector<std::string> all_headers(std::string_view name) const;
};

class Http {
 public:
  explicit Http(TlsConfig tls = {});
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // Thread safe. Never throws for HTTP or network failures (see HttpResponse);
  // rethrows what a reader or sink threw.
  HttpResponse perform(const HttpRequest& request);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The system's default CA bundle as libcurl knows it, read once ("" when none).
const std::string& system_ca_bundle();

}  // namespace ecp::registry
