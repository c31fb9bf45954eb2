#include "plugins/kubernetes/kube_api.hpp"

#include <fmt/format.h>

#include "core/registry/http.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "core/util/process.hpp"
#include "core/util/text.hpp"

namespace ecp::plugins::kubernetes {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds request_deadline{30000};
// A watch event is one object on one line; an answer's body is bounded the same way.
constexpr std::size_t max_event_bytes = std::size_t(32) << 20;

// A watch sink throws this to end the transfer when on_event says stop.
struct StopWatch {};

ErrorKind kind_of(long status) {
  switch (status) {
    case 0:
      return ErrorKind::io;
    case 401:
      return ErrorKind::auth;
    case 403:
      return ErrorKind::permission;
    case 400:
    case 422:
      return ErrorKind::validation;
    default:
      return ErrorKind::deploy_failed;
  }
}

}  // namespace

std::string status_message(const std::string& body) {
  auto j = Json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  return std::string(text::trim(body.substr(0, 400)));
}

std::string core_path(const std::string& ns, std::string_view resource, const std::string& name) {
  return fmt::format("/api/v1/namespaces/{}/{}{}{}", ns, resource, name.empty() ? "" : "/", name);
}

std::string apps_path(const std::string& ns, std::string_view resource, const std::string& name) {
  return fmt::format("/apis/apps/v1/namespaces/{}/{}{}{}", ns, resource, name.empty() ? "" : "/", name);
}

std::string lease_path(const std::string& ns, const std::string& name) {
  return fmt::format("/apis/coordination.k8s.io/v1/namespaces/{}/leases{}{}", ns, name.empty() ? "" : "/", name);
}

std::string ingress_path(const std::string& ns, const std::string& name) {
  return fmt::format("/apis/networking.k8s.io/v1/namespaces/{}/ingresses{}{}", ns, name.empty() ? "" : "/", name);
}

struct KubeApi::Sent {
  long status = 0;
  std::string body;
  std::string error;
};

KubeApi::KubeApi(ClusterAccess access) : access_(std::move(access)) {}
KubeApi::~KubeApi() = default;

std::shared_ptr<registry::Http> KubeApi::http() {
  std::lock_guard g(mu_);
  if (!http_) {
    registry::TlsConfig tls;
    tls.extra_ca_pem = access_.ca_pem;
    tls.only_extra_ca = !access_.ca_pem.empty();
    tls.skip_verify = access_.insecure;
    tls.server_name = access_.tls_server_name;
    tls.proxy = access_.proxy_url;
    tls.client_cert_pem = access_.client_cert_pem;
    tls.client_key_pem = access_.client_key_pem;
    if (exec_answer_ && !exec_answer_->client_cert_pem.empty()) {
      tls.client_cert_pem = exec_answer_->client_cert_pem;
      tls.client_key_pem = exec_answer_->client_key_pem;
    }
    http_ = std::make_shared<registry::Http>(tls);
  }
  return http_;
}

std::string KubeApi::authorization() {
  std::unique_lock g(mu_);
  if (access_.exec) {
    auto now = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (!exec_answer_ || (exec_answer_->expires_ms > 0 && exec_answer_->expires_ms <= now + 10000)) {
      bool had_cert = exec_answer_ && !exec_answer_->client_cert_pem.empty();
      exec_answer_ = run_exec_plugin(*access_.exec);
      if (had_cert || !exec_answer_->client_cert_pem.empty()) http_.reset();  // a new client certificate
    }
    if (!exec_answer_->token.empty()) return "Bearer " + exec_answer_->token;
    return {};
  }
  if (!access_.token.empty()) return "Bearer " + access_.token;
  if (!access_.username.empty()) return "Basic " + text::base64_encode(access_.username + ":" + access_.password);
  return {};
}

void KubeApi::refresh_credential() {
  std::lock_guard g(mu_);
  if (access_.exec) exec_answer_.reset();
  if (!access_.token_file.empty()) {
    try {
      access_.token = std::string(text::trim(fs::read_file(access_.token_file, 1 << 20)));
    } catch (const Error& e) {
      log::debug("kubernetes: re-reading {} failed: {}", access_.token_file, e.what());
    }
  }
}

KubeApi::Sent KubeApi::send(const std::string& method, const std::string& path, const std::string& body,
                            std::string_view content_type, milliseconds deadline,
                            const std::function<void(const char*, std::size_t)>& sink, bool idle) {
  for (int attempt = 0;; ++attempt) {
    process::check_interrupted();
    std::string auth = authorization();
    registry::HttpRequest req;
    req.method = method;
    req.url = access_.server + path;
    req.authorization = auth;
    req.authorization_origin = access_.server;
    req.headers.push_back("Accept: application/json");
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.body = body;
      req.headers.push_back("Content-Type: " + std::string(content_type));
    }
    req.deadline = deadline;
    req.allow_idle = idle;
    req.sink = sink;
    req.max_body = std::size_t(32) << 20;
    ++requests_;
    auto client = http();
    auto resp = client->perform(req);
    log::debug("kubernetes: {} {} -> {}", method, path, resp.status);
    bool retry_auth = resp.status == 401 && attempt == 0 && (access_.exec || !access_.token_file.empty());
    if (retry_auth) {
      refresh_credential();
      continue;
    }
    return {resp.status, std::move(resp.body), resp.error};
  }
}

Json KubeApi::call(const std::string& method, const std::string& path, const Json& body,
                   std::string_view content_type) {
  auto sent = send(method, path, body.is_null() ? std::string() : body.dump(), content_type, request_deadline, {});
  if (sent.status == 0)
    throw KubeError(
        ErrorKind::io,
        fmt::format("the Kubernetes API server {} did not answer {} {}: {}", access_.server, method, path, sent.error),
        0, "");
  if (sent.status < 200 || sent.status > 299) {
    auto j = Json::parse(sent.body, nullptr, false);
    std::string reason = j.is_object() && j.value("reason", Json()).is_string() ? j["reason"].get<std::string>() : "";
    throw KubeError(kind_of(sent.status),
                    fmt::format("{} {}: HTTP {}: {}", method, path, sent.status, status_message(sent.body)),
                    sent.status, reason);
  }
  if (sent.body.empty()) return nullptr;
  auto j = Json::parse(sent.body, nullptr, false);
  if (j.is_discarded())
    throw KubeError(ErrorKind::deploy_failed, fmt::format("{} {}: the answer is not JSON", method, path), sent.status,
                    "");
  return j;
}

std::optional<Json> KubeApi::find(const std::string& path) {
  try {
    return get(path);
  } catch (const KubeError& e) {
    if (e.status() == 404) return std::nullopt;
    throw;
  }
}

Json KubeApi::apply(const std::string& path, const Json& object, bool force) {
  // JSON is YAML: the apply-patch+yaml content type takes it as it is.
  return call("PATCH", path + "?fieldManager=ecp" + (force ? "&force=true" : ""), object,
              "application/apply-patch+yaml");
}

KubeApi::WatchEnd KubeApi::watch(const std::string& path, const std::string& rv, std::chrono::seconds timeout,
                                 const std::function<bool(const WatchEvent&)>& on_event) {
  std::string sep = path.find('?') == std::string::npos ? "?" : "&";
  std::string full = fmt::format("{}{}watch=1&allowWatchBookmarks=true&timeoutSeconds={}{}", path, sep, timeout.count(),
                                 rv.empty() ? "" : "&resourceVersion=" + rv);
  std::string pending;
  bool gone = false, stopped = false;
  auto sink = [&](const char* data, std::size_t n) {
    if (process::interrupted() && !process::shielded()) throw StopWatch{};  // the caller's next check throws
    pending.append(data, n);
    if (pending.size() > max_event_bytes)
      throw KubeError(
          ErrorKind::deploy_failed,
          fmt::format("watch {}: an event longer than {} bytes: not a Kubernetes API server", path, max_event_bytes), 0,
          "");
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (text::trim(line).empty()) continue;
      auto j = Json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      WatchEvent ev{j.value("type", ""), j.value("object", Json::object())};
      if (ev.type == "ERROR") {
        if (ev.object.value("code", 0) == 410) gone = true;
        throw StopWatch{};
      }
      if (!on_event(ev)) {
        stopped = true;
        throw StopWatch{};
      }
    }
  };
  Sent sent;
  try {
    sent = send("GET", full, "", "", milliseconds(timeout) + std::chrono::seconds(15), sink);
  } catch (const StopWatch&) {
    return gone ? WatchEnd::gone : stopped ? WatchEnd::stopped : WatchEnd::ended;
  }
  if (sent.status == 410) return WatchEnd::gone;
  if (sent.status == 0) return WatchEnd::ended;  // the connection broke: the caller watches again from its rv
  if (sent.status < 200 || sent.status > 299)
    throw KubeError(kind_of(sent.status),
                    fmt::format("watch {}: HTTP {}: {}", path, sent.status, status_message(sent.body)), sent.status,
                    "");
  return WatchEnd::ended;
}

void KubeApi::stream(const std::string& path, milliseconds timeout, const std::function<void(std::string_view)>& sink) {
  const bool follow = timeout.count() == 0;
  auto sent = send(
      "GET", path, "", "", follow ? milliseconds(std::int64_t(1) << 40) : timeout,
      [&](const char* d, std::size_t n) { sink(std::string_view(d, n)); }, follow);
  if (sent.status < 200 || sent.status > 299)
    throw KubeError(kind_of(sent.status),
                    fmt::format("GET {}: {}", path, sent.status == 0 ? sent.error : status_message(sent.body)),
                    sent.status, "");
}

}  // namespace ecp::plugins::kubernetes
