// users[].user.exec: the client.authentication.k8s.io ExecCredential protocol.
// The plugin runs as an argv vector (never through a shell) with
// KUBERNETES_EXEC_INFO describing the request; it answers an ExecCredential on
// stdout. Its stderr goes to the user's terminal only when it fails.
#include <fmt/format.h>

#include "core/util/process.hpp"
#include "core/util/text.hpp"
#include "plugins/kubernetes/kube_api.hpp"

namespace ecp::plugins::kubernetes {

ExecAnswer run_exec_plugin(const ExecConfig& exec) {
  Json info = {{"apiVersion", exec.api_version}, {"kind", "ExecCredential"}, {"spec", {{"interactive", false}}}};
  process::Options opt;
  opt.env = exec.env;
  opt.env.emplace_back("KUBERNETES_EXEC_INFO", info.dump());
  opt.timeout = std::chrono::seconds(60);
  opt.max_output = 1 << 20;
  std::vector<std::string> argv{exec.command};
  argv.insert(argv.end(), exec.args.begin(), exec.args.end());
  process::Result r;
  try {
    r = process::run(argv, opt);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    fail(ErrorKind::auth, "{}: cannot run '{}': {}{}", exec.where, exec.command, e.what(),
         exec.install_hint.empty() ? "" : "\n" + exec.install_hint);
  }
  if (r.timed_out) fail(ErrorKind::auth, "{}: '{}' gave no credential within 60 s", exec.where, exec.command);
  if (!r.ok())
    fail(ErrorKind::auth, "{}: '{}' failed (exit {}): {}", exec.where, exec.command, r.exit_code, r.last_line());
  auto j = Json::parse(r.out, nullptr, false);
  if (!j.is_object() || j.value("kind", "") != "ExecCredential")
    fail(ErrorKind::auth, "{}: '{}' did not print an ExecCredential", exec.where, exec.command);
  if (j.value("apiVersion", "") != exec.api_version)
    fail(ErrorKind::auth, "{}: '{}' answered apiVersion '{}', not the '{}' it was asked for", exec.where, exec.command,
         j.value("apiVersion", ""), exec.api_version);
  const Json status = j.value("status", Json::object());
  if (!status.is_object()) fail(ErrorKind::auth, "{}: the ExecCredential's status is not an object", exec.where);
  ExecAnswer a;
  a.token = status.value("token", "");
  a.client_cert_pem = status.value("clientCertificateData", "");
  a.client_key_pem = status.value("clientKeyData", "");
  if (a.token.empty() && (a.client_cert_pem.empty() || a.client_key_pem.empty()))
    fail(ErrorKind::auth, "{}: the ExecCredential has neither a token nor a client certificate and key", exec.where);
  if (auto ts = status.value("expirationTimestamp", ""); !ts.empty()) {
    auto ms = text::parse_rfc3339_ms(ts);
    if (!ms) fail(ErrorKind::auth, "{}: expirationTimestamp '{}' is not an RFC 3339 time", exec.where, ts);
    a.expires_ms = *ms;
  }
  return a;
}

}  // namespace ecp::plugins::kubernetes
