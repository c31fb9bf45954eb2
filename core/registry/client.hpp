#pragma once
// A client of one registry (the OCI distribution API, v2): manifests and blobs,
// with authentication, TLS, retries and resumable uploads. Every method is
// thread safe; parallel calls share the connection pool and the token cache.
// Failures throw RegistryError naming the registry, repository and operation.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/oci/descriptor.hpp"
#include "core/registry/auth.hpp"
#include "core/registry/blob_source.hpp"
#include "core/registry/http.hpp"
#include "core/registry/retry.hpp"

namespace ecp::registry {

struct Endpoint {
  std::string registry;   // host[:port] as in the reference ("docker.io" means Docker Hub)
  bool insecure = false;  // plain HTTP (the targets file's per-registry "insecure: true")
  // --tls-verify=false (skopeo's flag): HTTPS without checking the certificate,
  // then plain HTTP when the registry speaks no TLS.
  bool tls_verify = true;
  std::string tls_verify_source = "--tls-verify=false";  // who turned the checks off, for the warning
  std::vector<std::string> ca_files;  // extra CAs: --ca-file, the targets file's "ca"
  RetryPolicy retry;
  DeadlinePolicy deadline;                           // of each request (--timeout)
  std::int64_t chunk_size = std::int64_t(32) << 20;  // larger blobs go in PATCHes of this size
};

// The certs.d folders searched for HOST[:PORT]/*.crt (CAs) and client.cert +
// client.key: $ECP_CERTS_D (':'-separated) when set, else /etc/containers/certs.d
// and /etc/docker/certs.d.
std::vector<std::filesystem::path> certs_d_folders();
// The TLS settings of an endpoint: its ca_files plus the certs.d material.
TlsConfig tls_config(const Endpoint& endpoint);

struct Manifest {
  std::string bytes;
  std::string media_type;
  oci::Digest digest;  // sha256 of bytes (verified)
  oci::Descriptor descriptor() const;
};

struct UploadOptions {
  std::vector<std::string> mount_from;  // repositories of this registry that may hold the blob
  std::function<void(std::int64_t done)> progress;
  RetryNotice on_retry;
};

enum class UploadOutcome { mounted, uploaded };

class Client {
 public:
  Client(Endpoint endpoint, Credentials credentials);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::string& registry() const { return endpoint_.registry; }
  const Endpoint& endpoint() const { return endpoint_; }
  // Ask for push access in tokens (pull only by default).
  void set_push(bool push) { push_ = push; }

  // GET /v2/: picks the scheme, learns the auth challenge. Done once; the other
  // methods call it. Loopback registries fall back to plain HTTP when they do
  // not speak TLS (docker's rule for 127.0.0.0/8).
  void ping();
  // Verifies the credentials (ecp login). Throws RegistryError (auth) when rejected.
  void check_credentials();
  // "basic", "bearer", or "" when the registry asks for no credentials.
  std::string auth_scheme() {
    ping();
    return auth_->scheme();
  }
  std::string base_url();

  // The blob's size, or nullopt when the repository does not have it.
  std::optional<std::int64_t> head_blob(const std::string& repo, const oci::Digest& digest);
  // Streams the blob into `sink`, resuming with a Range request after a broken
  // transfer, so the sink sees every byte once, in order, from `offset` on.
  // Not verified here; its size sizes the deadline.
  void get_blob(const std::string& repo, const oci::Descriptor& blob,
                const std::function<void(const char*, std::size_t)>& sink,
                const std::function<void(std::int64_t)>& progress = {}, std::int64_t offset = 0);
  // Mounts from another repository when one of options.mount_from has the
  // blob, else uploads: POST, then one PUT, or PATCHes of chunk_size and a PUT;
  // after a failure the upload resumes at the offset the registry reports.
  UploadOutcome upload_blob(const std::string& repo, const oci::Descriptor& blob, const BlobSource& source,
                            const UploadOptions& options = {});

  std::optional<oci::Descriptor> head_manifest(const std::string& repo, const std::string& reference);
  // Verifies the bytes against a digest reference and Docker-Content-Digest.
  Manifest get_manifest(const std::string& repo, const std::string& reference);
  // The repository's tags (GET /v2/REPO/tags/list), every page: the Link
  // header's next page is followed on the registry's own origin, at most 100
  // pages of at most 4 MiB each.
  std::vector<std::string> list_tags(const std::string& repo);
  // PUT; verifies the digest the registry computed. Returns the manifest's digest.
  oci::Digest put_manifest(const std::string& repo, const std::string& reference, const std::string& bytes,
                           const std::string& media_type);

  // One authenticated request: adds Authorization when the URL is on the
  // registry's origin (an upload Location or redirect elsewhere gets none),
  // renews a token once on the registry's 401, and throws RegistryError unless
  // the status is one of `ok`.
  HttpResponse send(const std::string& operation, const std::string& repo, const std::vector<std::string>& scopes,
                    const std::function<HttpRequest()>& make, std::initializer_list<long> ok);
  std::vector<std::string> scopes(const std::string& repo) const;
  // The Location header of `r` as an absolute URL (resolved against the URL
  // that answered). Throws RegistryError (not retryable) when it names another
  // scheme than http or https: ecp sends nothing there.
  std::string location(const HttpResponse& r, const std::string& repo, const std::string& operation);

 private:
  Endpoint endpoint_;
  std::unique_ptr<Http> http_;
  std::unique_ptr<Authenticator> auth_;
  std::mutex ping_mutex_;
  bool pinged_ = false;
  std::string scheme_;
  std::atomic<bool> push_{false};
};

}  // namespace ecp::registry
