#include "plugins/kubernetes/kubeconfig.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/text.hpp"
#include "core/util/yaml.hpp"

namespace ecp::plugins::kubernetes {
namespace {

namespace stdfs = std::filesystem;

// One named entry of clusters:, users: or contexts:, and the file it came from.
struct Named {
  yaml::NodePtr body;  // the cluster / user / context map
  std::string file;
  int line = 0;
};

struct Merged {
  std::map<std::string, Named> clusters, users, contexts;
  std::string current_context, current_file;
  std::vector<std::string> files;
};

[[noreturn]] void bad(const std::string& file, int line, const std::string& message) {
  if (line > 0) fail(ErrorKind::validation, "{}:{}: {}", file, line, message);
  fail(ErrorKind::validation, "{}: {}", file, message);
}

std::string scalar(const yaml::Node& map, std::string_view key, const std::string& file, const std::string& where) {
  const auto* e = map.find(key);
  if (e == nullptr || e->value->kind == yaml::Kind::null) return {};
  if (e->value->kind != yaml::Kind::scalar)
    bad(file, e->line, fmt::format("{}{}: expected a string, got {}", where, key, yaml::kind_name(e->value->kind)));
  return e->value->value;
}

void read_list(const yaml::Node& root, std::string_view section, std::string_view body_key, const std::string& file,
               std::map<std::string, Named>& into) {
  const auto* e = root.find(section);
  if (e == nullptr || e->value->kind == yaml::Kind::null) return;
  if (e->value->kind != yaml::Kind::sequence)
    bad(file, e->line, fmt::format("{}: expected a list, got {}", section, yaml::kind_name(e->value->kind)));
  for (std::size_t i = 0; i < e->value->items.size(); ++i) {
    const auto& item = *e->value->items[i];
    std::string where = fmt::format("{}[{}]: ", section, i);
    if (item.kind != yaml::Kind::map)
      bad(file, item.line, where + "expected a map with name: and " + std::string(body_key) + ":");
    std::string name = scalar(item, "name", file, where);
    if (name.empty()) bad(file, item.line, where + "has no name");
    const auto* body = item.find(body_key);
    if (body == nullptr || body->value->kind != yaml::Kind::map)
      bad(file, item.line, fmt::format("{}'{}' has no {}: map", where, name, body_key));
    into.try_emplace(name, Named{body->value, file, item.line});  // the first file wins
  }
}

void read_file_into(const std::string& file, Merged& m) {
  std::string text = fs::read_file(file, yaml::max_bytes);
  Diagnostics ds;
  auto doc = yaml::parse(text, file, ds);
  for (const auto& d : ds)
    if (d.severity == Severity::error) fail(ErrorKind::validation, "{}", format_diagnostic(d));
  if (doc.empty || !doc.root) return;
  if (doc.root->kind != yaml::Kind::map) bad(file, doc.root->line, "is not a kubeconfig (expected a map)");
  read_list(*doc.root, "clusters", "cluster", file, m.clusters);
  read_list(*doc.root, "users", "user", file, m.users);
  read_list(*doc.root, "contexts", "context", file, m.contexts);
  if (m.current_context.empty()) {
    m.current_context = scalar(*doc.root, "current-context", file, "");
    m.current_file = file;
  }
  m.files.push_back(file);
}

// A path in a kubeconfig: relative to the file that holds it.
std::string path_in(const Named& n, const std::string& p) {
  if (p.empty() || stdfs::path(p).is_absolute()) return p;
  if (p.starts_with("~/"))
    if (const char* home = std::getenv("HOME")) return std::string(home) + p.substr(1);
  return (stdfs::path(n.file).parent_path() / p).lexically_normal().string();
}

// `FIELD-data` (base64) or `FIELD` (a file): the PEM text, "" when neither is set.
std::string pem(const Named& n, std::string_view field, const std::string& where) {
  std::string data = scalar(*n.body, std::string(field) + "-data", n.file, where);
  if (!data.empty()) {
    std::string decoded;
    try {
      decoded = text::base64_decode(data);
    } catch (const Error&) {
      decoded.clear();
    }
    if (decoded.empty()) bad(n.file, n.line, fmt::format("{}{}-data: not base64", where, field));
    return decoded;
  }
  std::string file = path_in(n, scalar(*n.body, field, n.file, where));
  if (file.empty()) return {};
  try {
    return fs::read_file(file, 1 << 20);
  } catch (const Error& e) {
    bad(n.file, n.line, fmt::format("{}{}: {}", where, field, e.what()));
  }
}

ExecConfig read_exec(const Named& user, const yaml::Node& exec, const std::string& where) {
  ExecConfig x;
  x.where = where + "exec";
  x.api_version = scalar(exec, "apiVersion", user.file, where + "exec.");
  x.command = scalar(exec, "command", user.file, where + "exec.");
  x.install_hint = scalar(exec, "installHint", user.file, where + "exec.");
  if (x.command.empty()) bad(user.file, exec.line, where + "exec.command: is missing");
  if (x.api_version != "client.authentication.k8s.io/v1" && x.api_version != "client.authentication.k8s.io/v1beta1")
    bad(user.file, exec.line,
        fmt::format("{}exec.apiVersion: '{}' is not client.authentication.k8s.io/v1 or v1beta1", where, x.api_version));
  // A command without a '/' is looked up in PATH; one with a '/' is relative to the file.
  if (x.command.find('/') != std::string::npos) x.command = path_in(user, x.command);
  if (const auto* a = exec.find("args"); a && a->value->kind == yaml::Kind::sequence)
    for (const auto& item : a->value->items) x.args.push_back(item->value);
  if (const auto* e = exec.find("env"); e && e->value->kind == yaml::Kind::sequence)
    for (const auto& item : e->value->items) {
      if (item->kind != yaml::Kind::map) bad(user.file, item->line, where + "exec.env: expected name: and value:");
      x.env.emplace_back(scalar(*item, "name", user.file, where + "exec.env."),
                         scalar(*item, "value", user.file, where + "exec.env."));
    }
  return x;
}

void read_user(const Named& user, const std::string& where, ClusterAccess& a) {
  const auto& u = *user.body;
  if (u.find("auth-provider"))
    bad(user.file, user.line, where + "auth-provider: is not supported (kubectl dropped it too); use an exec plugin");
  a.token = scalar(u, "token", user.file, where);
  a.token_file = path_in(user, scalar(u, "tokenFile", user.file, where));
  if (a.token.empty() && !a.token_file.empty()) {
    try {
      a.token = std::string(text::trim(fs::read_file(a.token_file, 1 << 20)));
    } catch (const Error& e) {
      bad(user.file, user.line, fmt::format("{}tokenFile: {}", where, e.what()));
    }
  }
  a.client_cert_pem = pem(user, "client-certificate", where);
  a.client_key_pem = pem(user, "client-key", where);
  if (a.client_cert_pem.empty() != a.client_key_pem.empty())
    bad(user.file, user.line, where + "has a client certificate without its key, or a key without its certificate");
  a.username = scalar(u, "username", user.file, where);
  a.password = scalar(u, "password", user.file, where);
  if (const auto* e = u.find("exec"); e && e->value->kind == yaml::Kind::map)
    a.exec = read_exec(user, *e->value, where);
}

void read_cluster(const Named& c, const std::string& where, ClusterAccess& a) {
  const auto& n = *c.body;
  a.server = scalar(n, "server", c.file, where);
  if (a.server.empty()) bad(c.file, c.line, where + "server: is missing");
  if (!a.server.starts_with("https://") && !a.server.starts_with("http://"))
    bad(c.file, c.line, fmt::format("{}server: '{}' is not an https:// URL", where, a.server));
  while (a.server.size() > 8 && a.server.back() == '/') a.server.pop_back();
  a.ca_pem = pem(c, "certificate-authority", where);
  std::string insecure = scalar(n, "insecure-skip-tls-verify", c.file, where);
  a.insecure = insecure == "true";
  if (a.insecure && !a.ca_pem.empty())
    bad(c.file, c.line, where + "names a certificate authority and insecure-skip-tls-verify: true; pick one");
  a.tls_server_name = scalar(n, "tls-server-name", c.file, where);
  a.proxy_url = scalar(n, "proxy-url", c.file, where);
}

std::string names(const std::map<std::string, Named>& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out.empty() ? std::string("none") : text::join(out, ", ");
}

// Inside a pod: the service account's token, CA and namespace.
std::optional<ClusterAccess> in_cluster() {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port) return std::nullopt;
  const char* dir_env = std::getenv("ECP_KUBERNETES_SERVICE_ACCOUNT_DIR");  // tests only
  stdfs::path dir = dir_env && *dir_env ? dir_env : "/var/run/secrets/kubernetes.io/serviceaccount";
  if (!stdfs::exists(dir / "token")) return std::nullopt;
  ClusterAccess a;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  a.server = fmt::format("https://{}:{}", h, port);
  a.token_file = (dir / "token").string();
  a.token = std::string(text::trim(fs::read_file(a.token_file, 1 << 20)));
  a.ca_pem = fs::read_file(dir / "ca.crt", 1 << 20);
  if (stdfs::exists(dir / "namespace")) a.ns = std::string(text::trim(fs::read_file(dir / "namespace", 4096)));
  a.source = "in-cluster service account (" + dir.string() + ")";
  return a;
}

}  // namespace

std::vector<std::string> default_kubeconfig_files() {
  std::vector<std::string> out;
  if (const char* k = std::getenv("KUBECONFIG"); k && *k) {
    for (const auto& part : text::split(k, ':'))
      if (!part.empty() && stdfs::exists(part)) out.push_back(std::string(part));
    return out;
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    auto p = stdfs::path(home) / ".kube/config";
    if (stdfs::exists(p)) out.push_back(p.string());
  }
  return out;
}

ClusterAccess load_cluster_access(const KubeconfigQuery& q) {
  std::vector<std::string> files;
  if (!q.kubeconfig.empty()) {
    stdfs::path p = q.kubeconfig;
    if (p.is_relative() && !q.base_dir.empty()) p = stdfs::path(q.base_dir) / p;
    if (!stdfs::exists(p)) fail(ErrorKind::validation, "kubeconfig '{}' does not exist", p.string());
    files.push_back(p.string());
  } else {
    files = default_kubeconfig_files();
    if (files.empty()) {
      if (auto a = in_cluster()) return *a;
      fail(ErrorKind::validation,
           "no kubeconfig: set the target's kubeconfig:, KUBECONFIG, or write ~/.kube/config (or run in a pod)");
    }
  }
  Merged m;
  for (const auto& f : files) read_file_into(f, m);
  std::string all = text::join(m.files, ":");
  std::string name = q.context.empty() ? m.current_context : q.context;
  if (name.empty()) fail(ErrorKind::validation, "{}: no current-context, and the target names no context:", all);
  auto c = m.contexts.find(name);
  if (c == m.contexts.end())
    fail(ErrorKind::validation, "{}: context '{}'{} is not defined; the contexts are: {}", all, name,
         q.context.empty() ? " (current-context)" : "", names(m.contexts));
  ClusterAccess a;
  a.context = name;
  a.source = fmt::format("{}, context {}", c->second.file, name);
  std::string cwhere = fmt::format("context '{}': ", name);
  std::string cluster = scalar(*c->second.body, "cluster", c->second.file, cwhere);
  std::string user = scalar(*c->second.body, "user", c->second.file, cwhere);
  a.user = user;
  a.ns = scalar(*c->second.body, "namespace", c->second.file, cwhere);
  auto cl = m.clusters.find(cluster);
  if (cl == m.clusters.end())
    bad(c->second.file, c->second.line,
        fmt::format("{}cluster '{}' is not defined; the clusters are: {}", cwhere, cluster, names(m.clusters)));
  read_cluster(cl->second, fmt::format("{}cluster '{}': ", cwhere, cluster), a);
  if (!user.empty()) {
    auto u = m.users.find(user);
    if (u == m.users.end())
      bad(c->second.file, c->second.line,
          fmt::format("{}user '{}' is not defined; the users are: {}", cwhere, user, names(m.users)));
    read_user(u->second, fmt::format("{}user '{}': ", cwhere, user), a);
  }
  return a;
}

}  // namespace ecp::plugins::kubernetes
