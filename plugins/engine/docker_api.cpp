#include "plugins/engine/docker_api.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "core/registry/http.hpp"
#include "core/util/log.hpp"
#include "core/util/process.hpp"

namespace ecp::plugins::engine {
namespace {

constexpr std::string_view max_version = "1.41";

struct Transfer {
  const Request* req = nullptr;
  Response* res = nullptr;
  std::exception_ptr error;
  bool too_big = false;
  CURL* curl = nullptr;
};

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    t->res->headers.clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  t->res->headers.emplace_back(std::move(name), std::string(value));
  return size * n;
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  try {
    if (t->req->sink) {
      // Only a 2xx body streams to the sink; an error body is kept for its message.
      long status = 0;
      curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 200 && status < 300) {
        t->req->sink(std::string_view(data, len));
        return len;
      }
    }
    if (t->res->body.size() + len > t->req->max_body) {
      t->too_big = true;
      return 0;
    }
    t->res->body.append(data, len);
  } catch (...) {
    t->error = std::current_exception();
    return 0;
  }
  return len;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  try {
    return t->req->reader(buffer, size * n);
  } catch (...) {
    t->error = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  try {
    process::check_interrupted();
  } catch (...) {
    t->error = std::current_exception();
    return 1;
  }
  return 0;
}

// No answer at all to a request that can be sent again (nothing of it was
// streamed): the engine went away, e.g. it restarts.
class Unanswered : public EngineError {
 public:
  using EngineError::EngineError;
};

bool engine_gone(CURLcode rc) {
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_GOT_NOTHING || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR;
}

}  // namespace

std::string Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return "";
}

std::string engine_message(const std::string& body) {
  auto j = Json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  std::string b = body.substr(0, 300);
  while (!b.empty() && (b.back() == '\n' || b.back() == '\r')) b.pop_back();
  return b;
}

bool name_conflict(const Response& r) {
  // dockerd answers 409; podman 4 answers 500 "... that name is already in use".
  return r.status == 409 || (r.status == 500 && r.body.find("already in use") != std::string::npos);
}

DockerApi::DockerApi(EngineAddress address) : address_(std::move(address)) { registry::init_curl(); }
DockerApi::~DockerApi() = default;

Response DockerApi::perform(const Request& req, bool versioned) {
  CURL* c = curl_easy_init();
  if (!c) fail(ErrorKind::internal, "libcurl: cannot create a handle");
  struct Cleanup {
    CURL* c;
    curl_slist* h = nullptr;
    ~Cleanup() {
      curl_slist_free_all(h);
      curl_easy_cleanup(c);
    }
  } cleanup{c};
  Response res;
  Transfer t{&req, &res, nullptr, false, c};
  std::string url = address_.base_url + (versioned ? "/v" + version_ : "") + req.path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (!address_.unix_path.empty()) curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, address_.unix_path.c_str());
  if (!address_.cert.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, address_.cert.c_str());
    curl_easy_setopt(c, CURLOPT_SSLKEY, address_.key.c_str());
  }
  if (!address_.ca.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, address_.ca.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // the engine is never reached through a proxy
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  if (req.timeout.count() > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
  for (const auto& h : req.headers) cleanup.h = curl_slist_append(cleanup.h, h.c_str());
  if (!req.content_type.empty())
    cleanup.h = curl_slist_append(cleanup.h, ("Content-Type: " + req.content_type).c_str());
  if (req.reader) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    cleanup.h = curl_slist_append(cleanup.h, "Expect:");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, cleanup.h);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  CURLcode rc = curl_easy_perform(c);
  if (t.error) std::rethrow_exception(t.error);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res.status);
  if (t.too_big)
    throw EngineError(ErrorKind::io,
                      fmt::format("engine {}: {} {}: the answer is larger than {} bytes", address_.text, req.method,
                                  req.path, req.max_body),
                      res.status, "");
  if (rc != CURLE_OK) {
    bool timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    auto message = fmt::format("engine {}: {} {}: {}", address_.text, req.method, req.path,
                               timed_out ? fmt::format("no answer within {} s", req.timeout.count() / 1000.0)
                                         : std::string(curl_easy_strerror(rc)));
    // An engine with --tlsverify ends the handshake on a certificate its CA did not sign.
    if (!address_.cert.empty() && !timed_out && res.status == 0)
      message += fmt::format(" (TLS with the client certificate {}: does the engine's CA sign it?)", address_.cert);
    if (engine_gone(rc) && res.status == 0 && !req.reader) throw Unanswered(ErrorKind::io, message, 0, "");
    throw EngineError(ErrorKind::io, message, 0, "");
  }
  return res;
}

void DockerApi::negotiate() {
  // The server's version from /_ping's header (dockerd, podman), else /version.
  Request ping;
  ping.path = "/_ping";
  ping.timeout = std::chrono::seconds(15);
  auto r = perform(ping, false);
  std::string server = r.header("api-version");
  if (server.empty()) {
    Request v;
    v.path = "/version";
    auto vr = perform(v, false);
    auto j = Json::parse(vr.body, nullptr, false);
    if (j.is_object() && j.contains("ApiVersion")) server = j["ApiVersion"].get<std::string>();
  }
  if (server.empty()) server = "1.24";
  auto as_pair = [](std::string_view s) {
    int a = 0, b = 0;
    std::sscanf(std::string(s).c_str(), "%d.%d", &a, &b);
    return std::pair{a, b};
  };
  version_ = as_pair(server) < as_pair(max_version) ? server : std::string(max_version);
}

std::string DockerApi::version() {
  std::lock_guard l(mu_);
  if (version_.empty()) negotiate();
  return version_;
}

bool DockerApi::ping(Duration timeout) {
  Request p;
  p.path = "/_ping";
  p.timeout = timeout;
  try {
    return perform(p, false).status == 200;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    return false;
  }
}

bool DockerApi::wait_back(const Error& why) {
  if (restart_wait_.count() <= 0 || gone_) return false;
  // One line per outage, however many threads (the lock's renewer) wait.
  if (waiting_++ == 0)
    log::warn("{}; waiting up to {} s for the engine to answer again", why.what(),
              std::chrono::duration_cast<std::chrono::seconds>(restart_wait_).count());
  struct Done {
    std::atomic<int>& n;
    ~Done() { --n; }
  } done{waiting_};
  auto deadline = std::chrono::steady_clock::now() + restart_wait_;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ping(std::chrono::seconds(2))) return true;
    for (int i = 0; i < 4; ++i) {
      process::check_interrupted();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  gone_ = true;
  return false;
}

Response DockerApi::call(Request request, std::vector<long> ok) {
  version();
  Response r;
  try {
    r = perform(request, true);
  } catch (const Unanswered& e) {
    // The engine answered before (version() did): it restarts, or it is gone.
    if (!request.wait_for_restart || !wait_back(e)) throw;
    log::info("engine {} answers again", address_.text);
    r = perform(request, true);
  }
  if ((r.status >= 200 && r.status < 300) || std::find(ok.begin(), ok.end(), r.status) != ok.end()) return r;
  std::string msg = engine_message(r.body);
  ErrorKind kind = r.status == 401 || r.status == 403 ? ErrorKind::permission : ErrorKind::io;
  throw EngineError(
      kind, fmt::format("engine {}: {} {}: HTTP {}: {}", address_.text, request.method, request.path, r.status, msg),
      r.status, msg);
}

Json DockerApi::json(const std::string& method, const std::string& path, const Json& body, Duration timeout) {
  Request r;
  r.method = method;
  r.path = path;
  r.timeout = timeout;
  if (!body.is_null()) {
    r.body = body.dump();
    r.content_type = "application/json";
  }
  auto res = call(std::move(r));
  if (res.body.empty()) return nullptr;
  auto j = Json::parse(res.body, nullptr, false);
  if (j.is_discarded())
    fail(ErrorKind::io, "engine {}: {} {}: the answer is not JSON: {}", address_.text, method, path,
         res.body.substr(0, 200));
  return j;
}

}  // namespace ecp::plugins::engine
