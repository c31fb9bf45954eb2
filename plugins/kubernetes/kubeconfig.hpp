#pragma once
// kubeconfig, read as kubectl reads it, down to what one connection needs.
//
// Which files: the target's `kubeconfig:` alone when it names one (kubectl's
// --kubeconfig); else every file of KUBECONFIG (':'-separated), merged; else
// ~/.kube/config; else, inside a pod, the service account's token and CA
// (KUBERNETES_SERVICE_HOST/PORT). Merging follows client-go: the first file that
// defines a cluster, user or context name wins, and the first non-empty
// current-context wins. Relative paths in a file are relative to that file.
//
// Errors name the file, the context and the field ("~/.kube/config: context
// 'prod': user 'ci': client-key-data: not base64"), and are Error(validation).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ecp::plugins::kubernetes {

// users[].user.exec: a client.authentication.k8s.io ExecCredential plugin.
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 (or v1beta1)
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string install_hint;
  std::string where;  // "FILE: user 'NAME': exec", for messages
};

// Everything needed to talk to one cluster as one user, in one namespace.
struct ClusterAccess {
  std::string server;  // https://host:port[/prefix]
  std::string ca_pem;  // the cluster's CA; "" = the system store
  bool insecure = false;
  std::string tls_server_name;
  std::string proxy_url;
  std::string token;       // a bearer token (token:, or the file's content)
  std::string token_file;  // re-read when the token is refused (a rotated service-account token)
  std::string client_cert_pem, client_key_pem;
  std::string username, password;
  std::optional<ExecConfig> exec;
  std::string ns;       // the context's namespace ("" = not set)
  std::string context;  // the context used ("" in-cluster)
  std::string user;     // the context's user entry ("" in-cluster): who the client says it is
  std::string source;   // where it came from: "FILE, context NAME" or "in-cluster service account"
};

struct KubeconfigQuery {
  std::string kubeconfig;  // the target's kubeconfig: (absolute, or relative to base_dir); "" = the default chain
  std::string context;     // the target's context: ("" = current-context)
  std::string base_dir;    // what a relative kubeconfig: is relative to (the targets file's folder)
};

// Reads and resolves; throws Error(validation) naming the file, context and field.
ClusterAccess load_cluster_access(const KubeconfigQuery& query);

// The files KUBECONFIG names, or ~/.kube/config; empty when none exists.
std::vector<std::string> default_kubeconfig_files();

}  // namespace ecp::plugins::kubernetes
