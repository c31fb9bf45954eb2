#pragma once
// A client of the Docker Engine API (dockerd, and podman's Docker-compatible
// service) over libcurl: a unix socket, or tcp:// with TLS and client certificates
// (DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set). No docker or podman CLI.
//
// Every request has a deadline, bodies of answers are read up to a bound, and an
// answer outside 2xx throws EngineError with the HTTP status and the engine's own
// `message`. The API version is negotiated once (/_ping, /version): the lower of
// the server's and 1.41, the version whose documents ecp follows.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.hpp"

namespace ecp::plugins::engine {

using Json = nlohmann::json;
using Duration = std::chrono::milliseconds;

// An answer outside 2xx (status > 0) or no answer at all (status 0).
class EngineError : public Error {
 public:
  EngineError(ErrorKind kind, std::string message, long status, std::string engine_message)
      : Error(kind, std::move(message)), status_(status), engine_message_(std::move(engine_message)) {}
  long status() const { return status_; }
  const std::string& engine_message() const { return engine_message_; }

 private:
  long status_;
  std::string engine_message_;
};

// Where the engine is: unix:///path or tcp://host:port (+ TLS files).
struct EngineAddress {
  std::string text;           // as given, for messages
  std::string unix_path;      // set for unix://
  std::string base_url;       // http://localhost or http(s)://host:port
  std::string ca, cert, key;  // tcp with TLS: DOCKER_CERT_PATH/{ca,cert,key}.pem
};

// Parses unix:///path, /path, tcp://host:port. `tls_dir` non-empty: https with
// the certificates there. Throws Error(validation) on anything else.
EngineAddress parse_engine_address(std::string_view text, const std::string& tls_dir = "");

struct Request {
  Request() = default;
  Request(std::string m, std::string p) : method(std::move(m)), path(std::move(p)) {}
  std::string method = "GET";
  std::string path;  // "/containers/json?all=1", without the /vX.Y prefix
  std::vector<std::string> headers;
  std::string body;  // sent as is (JSON requests set Content-Type themselves)
  // A streamed body (e.g. a tar file): returns the bytes written into the buffer, 0 at the end.
  std::function<std::size_t(char*, std::size_t)> reader;
  std::string content_type;
  // Receives the body of a 2xx answer as it comes (logs, load progress); without
  // it the body is kept, at most max_body bytes.
  std::function<void(std::string_view)> sink;
  std::size_t max_body = std::size_t(16) << 20;
  Duration timeout = std::chrono::seconds(60);  // 0: none (followed logs end with an interrupt)
  // When an engine that answered before stops answering (it restarts), wait for
  // it and send again; false: fail at once (a health probe: the restart is news).
  bool wait_for_restart = true;
};

struct Response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase
  std::string header(std::string_view name) const;
};

class DockerApi {
 public:
  explicit DockerApi(EngineAddress address);
  ~DockerApi();
  DockerApi(const DockerApi&) = delete;
  DockerApi& operator=(const DockerApi&) = delete;

  const EngineAddress& address() const { return address_; }
  // "1.41" after the first request.
  std::string version();
  // Does the engine answer /_ping within `timeout`?
  bool ping(Duration timeout);

  // Sends the request; throws EngineError unless the answer is 2xx (or one of `ok`).
  Response call(Request request, std::vector<long> ok = {});
  // How long a request waits for an engine that answered before and then stopped
  // answering (a restart) before it fails; 0: it fails at once.
  void set_restart_wait(Duration d) { restart_wait_ = d; }
  // JSON in, JSON out (null body: nothing sent; empty answer: null).
  Json json(const std::string& method, const std::string& path, const Json& body = nullptr,
            Duration timeout = std::chrono::seconds(60));

 private:
  Response perform(const Request& request, bool versioned);
  void negotiate();
  bool wait_back(const Error& why);
  EngineAddress address_;
  std::mutex mu_;
  std::string version_;
  Duration restart_wait_{0};
  std::atomic<bool> gone_{false};  // a wait ran out: fail at once from now on
  std::atomic<int> waiting_{0};
};

// Did a create fail because the name exists (the one atomic primitive ecp uses)?
bool name_conflict(const Response& r);

// The engine's `message` of an error body ({"message": "..."}), else the body itself.
std::string engine_message(const std::string& body);

// The engine to use when none is configured: DOCKER_HOST, else the first of
// /var/run/docker.sock, /run/podman/podman.sock that answers /_ping.
EngineAddress default_engine_address();

}  // namespace ecp::plugins::engine
