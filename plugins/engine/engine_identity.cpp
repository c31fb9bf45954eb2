// Who the engine that holds the ledger vouches for (ecp's access rules and audit
// log, issue 16):
//   over ssh://    the user (and certificate principals) its host's sshd
//                  authenticated, asked through the same ControlMaster;
//   tcp:// + TLS   the CN of the client certificate ecp presented, once the
//                  engine answered over it and refused a client without one:
//                  a dockerd started with --tlsverify accepts only
//                  certificates its CA signed;
//   a unix socket  this machine's user, unverified (the socket's permissions
//                  are the engine's only check).
#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "plugins/engine/engine_backend.hpp"
#include "plugins/ssh/ssh_identity.hpp"

namespace ecp::plugins::engine {
namespace {

// The subject CN of the PEM certificate at `path`; "" when it has none.
std::string certificate_cn(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "re"), &std::fclose);
  if (!f) fail(ErrorKind::io, "cannot read the TLS client certificate {}", path);
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) fail(ErrorKind::validation, "{} is not a PEM certificate", path);
  char cn[256] = {};
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  return n > 0 ? std::string(cn, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

backend::Identity EngineBackend::identity() {
  if (identity_) return *identity_;
  Engine& e = engine(ledger_location());
  if (e.ssh) {
    process::Options options;
    options.timeout = std::chrono::seconds(30);
    auto who = ssh::whoami_command();
    auto r = e.ssh->run(who.argv, options);
    if (!r.ok())
      fail(ErrorKind::io, "engine {}: cannot ask who this SSH session is: {}", e.location,
           r.last_line().empty() ? fmt::format("exit {}", r.exit_code) : r.last_line());
    return *(identity_ = ssh::identity_from_whoami(r.out, who.marker, e.location));
  }
  const auto& a = api(e.location).address();
  if (a.cert.empty()) return *(identity_ = Backend::identity());
  // The engine took the certificate before its CN counts (throws why it did not).
  api(e.location).version();
  backend::Identity id;
  id.user = certificate_cn(a.cert);
  if (id.user.empty()) fail(ErrorKind::validation, "the TLS client certificate {} names no CN", a.cert);
  // The CN counts only where the engine asks for a certificate its CA signed:
  // one that answers a client without any (dockerd --tls without --tlsverify)
  // would have taken a certificate anyone made.
  EngineAddress bare = a;
  bare.cert.clear();
  bare.key.clear();
  if (DockerApi(bare).ping(std::chrono::seconds(10))) {
    log::warn(
        "engine {} answers clients without a certificate (dockerd --tls without --tlsverify): {}, the CN of {}, "
        "is not verified",
        e.location, id.user, a.cert);
    id.method = "unverified";
    return *(identity_ = id);
  }
  id.method = "tls certificate";
  id.verified = true;
  return *(identity_ = id);
}

}  // namespace ecp::plugins::engine
