#pragma once
// A client of the Kubernetes REST API: libcurl (core/registry's Http: pooled
// persistent connections, a deadline on every request, credentials only to the
// API server's origin) and nlohmann JSON. Only the fixed paths the backend needs
// (v1, apps/v1, coordination.k8s.io/v1, networking.k8s.io/v1); no discovery.
//
// Credentials come from the kubeconfig (kubeconfig.hpp): a bearer token, basic
// auth, a client certificate, or an exec plugin whose ExecCredential is cached
// until its expirationTimestamp and asked again when the server answers 401.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/error.hpp"
#include "plugins/kubernetes/kubeconfig.hpp"

namespace ecp::registry {
class Http;
}

namespace ecp::plugins::kubernetes {

using Json = nlohmann::json;

// An answer outside 2xx, with the v1 Status's reason and message; status 0 = no
// answer at all (the API server is unreachable).
class KubeError : public Error {
 public:
  KubeError(ErrorKind kind, std::string message, long status, std::string reason)
      : Error(kind, std::move(message)), status_(status), reason_(std::move(reason)) {}
  long status() const { return status_; }
  const std::string& reason() const { return reason_; }  // "NotFound", "Conflict", "AlreadyExists", ...

 private:
  long status_;
  std::string reason_;
};

// The credential an exec plugin answered with.
struct ExecAnswer {
  std::string token;
  std::string client_cert_pem, client_key_pem;
  std::int64_t expires_ms = 0;  // 0: no expiry given
};
// Runs the plugin (argv, no shell; KUBERNETES_EXEC_INFO set) and reads its
// ExecCredential; throws Error(auth) naming the kubeconfig entry.
ExecAnswer run_exec_plugin(const ExecConfig& exec);

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK
  Json object;
};

class KubeApi {
 public:
  explicit KubeApi(ClusterAccess access);
  ~KubeApi();
  KubeApi(const KubeApi&) = delete;
  KubeApi& operator=(const KubeApi&) = delete;

  const ClusterAccess& access() const { return access_; }
  // "https://host:6443" for messages.
  const std::string& server() const { return access_.server; }

  // Sends; returns the answer's JSON (null for an empty body). Throws KubeError.
  Json call(const std::string& method, const std::string& path, const Json& body = nullptr,
            std::string_view content_type = "application/json");
  Json get(const std::string& path) { return call("GET", path); }
  // GET, nullopt on 404.
  std::optional<Json> find(const std::string& path);
  // Server-side apply (PATCH application/apply-patch+yaml, fieldManager=ecp). A
  // conflict with another field manager is a KubeError(409) naming the fields and
  // managers, unless `force`.
  Json apply(const std::string& path, const Json& object, bool force);

  // Watches `path` (a list path with its query, e.g. "...?fieldSelector=..."),
  // from resource version `rv`, for at most `timeout` (the server ends it then).
  // `on_event` returns false to stop. Returns how the watch ended.
  enum class WatchEnd { stopped, ended, gone };
  WatchEnd watch(const std::string& path, const std::string& rv, std::chrono::seconds timeout,
                 const std::function<bool(const WatchEvent&)>& on_event);
  // GET of a streamed body (pod logs), each chunk to `sink`; `timeout` 0 = no deadline.
  void stream(const std::string& path, std::chrono::milliseconds timeout,
              const std::function<void(std::string_view)>& sink);

  int requests() const { return requests_.load(); }

 private:
  struct Sent;
  // `idle`: the answer is a stream that may rightly stay silent (a followed log).
  Sent send(const std::string& method, const std::string& path, const std::string& body, std::string_view content_type,
            std::chrono::milliseconds deadline, const std::function<void(const char*, std::size_t)>& sink,
            bool idle = false);
  // Shared: a request in flight keeps the client it started with, should a new
  // client certificate (an exec plugin's) replace it meanwhile.
  std::shared_ptr<registry::Http> http();
  std::string authorization();
  void refresh_credential();  // after a 401: the token file again, or the exec plugin again

  ClusterAccess access_;
  std::mutex mu_;
  std::shared_ptr<registry::Http> http_;
  std::optional<ExecAnswer> exec_answer_;
  std::atomic<int> requests_{0};
};

// "namespaces/NS/..." helpers for the fixed paths.
std::string core_path(const std::string& ns, std::string_view resource, const std::string& name = "");
std::string apps_path(const std::string& ns, std::string_view resource, const std::string& name = "");
std::string lease_path(const std::string& ns, const std::string& name = "");
std::string ingress_path(const std::string& ns, const std::string& name = "");

// The Status message of an error body, else the body itself.
std::string status_message(const std::string& body);

}  // namespace ecp::plugins::kubernetes
