// Client: the endpoint (scheme, TLS), authenticated requests, and manifests.
// Blob transfers are in client_blobs.cpp.
#include "core/registry/client.hpp"

#include <time.h>

#include <algorithm>
#include <cstdlib>

#include "core/oci/media_types.hpp"
#include "core/oci/reference.hpp"
#include "core/registry/error.hpp"
#include "core/registry/origin.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"

namespace ecp::registry {
namespace stdfs = std::filesystem;
namespace {

std::string api_host(const std::string& registry) {
  return registry == oci::default_registry ? "registry-1.docker.io" : registry;
}

const std::string accept_manifests = fmt::format("Accept: {}, {}, {}, {}", oci::media::oci_manifest,
                                                 oci::media::oci_index, oci::media::docker_manifest,
                                                 oci::media::docker_manifest_list);

}  // namespace

std::vector<stdfs::path> certs_d_folders() {
  std::vector<stdfs::path> out;
  if (const char* e = std::getenv("ECP_CERTS_D"); e && *e) {
    std::string_view s(e);
    for (std::size_t start = 0; start <= s.size();) {
      auto end = std::min(s.find(':', start), s.size());
      if (end > start) out.emplace_back(std::string(s.substr(start, end - start)));
      start = end + 1;
    }
    return out;
  }
  return {"/etc/containers/certs.d", "/etc/docker/certs.d"};
}

TlsConfig tls_config(const Endpoint& ep) {
  TlsConfig tls;
  auto add_ca = [&](const stdfs::path& p) {
    try {
      tls.extra_ca_pem += fs::read_file(p, 16u << 20) + "\n";
    } catch (const Error& e) {
      fail(ErrorKind::validation, "registry {}: cannot read the CA file: {}", ep.registry, e.what());
    }
  };
  for (const auto& f : ep.ca_files) add_ca(f);
  std::error_code ec;
  for (const auto& base : certs_d_folders()) {
    auto dir = base / ep.registry;
    if (!stdfs::is_directory(dir, ec)) continue;
    std::vector<stdfs::path> files;
    for (const auto& e : stdfs::directory_iterator(dir, ec)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (f.extension() == ".crt") add_ca(f);
      if (f.extension() == ".cert" && tls.client_cert.empty()) {
        auto key = f;
        key.replace_extension(".key");
        if (!stdfs::exists(key, ec))
          fail(ErrorKind::validation, "registry {}: {} has no matching {}", ep.registry, f.string(), key.string());
        tls.client_cert = f.string();
        tls.client_key = key.string();
      }
    }
    log::debug("registry {}: TLS material from {}", ep.registry, dir.string());
  }
  tls.skip_verify = !ep.tls_verify;
  return tls;
}

oci::Descriptor Manifest::descriptor() const {
  oci::Descriptor d;
  d.media_type = media_type;
  d.digest = digest;
  d.size = static_cast<std::int64_t>(bytes.size());
  return d;
}

Client::Client(Endpoint endpoint, Credentials credentials) : endpoint_(std::move(endpoint)) {
  if (!endpoint_.tls_verify)
    log::warn("registry {}: {}: its certificate is not checked and plain HTTP is allowed", endpoint_.registry,
              endpoint_.tls_verify_source);
  http_ = std::make_unique<Http>(tls_config(endpoint_), endpoint_.deadline);
  auth_ = std::make_unique<Authenticator>(*http_, endpoint_.registry, std::move(credentials));
}

Client::~Client() = default;

std::string Client::base_url() {
  ping();
  return scheme_ + "://" + api_host(endpoint_.registry);
}

std::vector<std::string> Client::scopes(const std::string& repo) const {
  return {repository_scope(repo, push_.load())};
}

void Client::ping() {
  std::lock_guard g(ping_mutex_);
  if (pinged_) return;
  ErrorInfo info{endpoint_.registry, "", "GET /v2/ (ping)", 0, {}, "", false, {}};
  std::vector<std::string> schemes;
  if (endpoint_.insecure)
    schemes = {"http"};
  else if (!endpoint_.tls_verify)
    schemes = {"https", "http"};  // skopeo's --tls-verify=false: HTTPS unchecked, else plain HTTP
  else if (oci::is_loopback_registry(endpoint_.registry))
    // Docker's rule: a registry on this machine may speak plain HTTP. Probing
    // it first spares a TLS setup (loading the CA store) for local registries;
    // a TLS port answers the probe with 400 or a reset, and then gets HTTPS.
    schemes = {"http", "https"};
  else
    schemes = {"https"};
  HttpResponse r;
  with_retries(endpoint_.retry, [&] {
    HttpResponse first;
    for (std::size_t k = 0; k < schemes.size(); ++k) {
      HttpRequest req;
      req.url = schemes[k] + "://" + api_host(endpoint_.registry) + "/v2/";
      r = http_->perform(req);
      scheme_ = schemes[k];
      bool registry_answer = r.status == 200 || r.status == 401;
      bool nobody_there = r.status == 0 && (r.curl_code == 7 || r.curl_code == 28);  // refused, timeout
      if (registry_answer || nobody_there || k + 1 == schemes.size()) break;
      log::debug("registry {}: not a registry on plain HTTP (HTTP {}); trying HTTPS", endpoint_.registry, r.status);
      first = r;
    }
    // No TLS there either: a plain-HTTP registry whose probe failed by chance. Report that (retryable).
    if (schemes.size() > 1 && r.status == 0 && r.tls_handshake_failed && first.status == 0) {
      r = first;
      scheme_ = schemes.front();
    }
    if (r.status == 0) {
      info.transport = r.error;
      info.retryable = r.retryable_failure() && r.curl_code != 60;  // 60: certificate verification
      throw RegistryError(info, r.curl_code == 60 ? "pass the registry's CA with --ca-file, the targets file's "
                                                    "'ca', or a certs.d folder"
                                                  : "");
    }
    if (r.status == 200 || r.status == 401) return;
    info.status = r.status;
    info.errors = parse_error_body(r.body);
    info.retryable = retryable_status(r.status);
    info.retry_after = parse_retry_after(r.header("retry-after"), static_cast<long long>(::time(nullptr)));
    throw RegistryError(info, r.status == 404 ? "this is not an OCI distribution (v2) registry" : "");
  });
  auth_->set_challenge(r.status == 401 ? parse_challenges(r.header("www-authenticate")) : std::vector<Challenge>{});
  pinged_ = true;
}

void Client::check_credentials() {
  ping();
  auto scheme = auth_->scheme();
  with_retries(endpoint_.retry, [&] {
    if (scheme == "bearer") {
      auth_->verify();
    } else if (scheme == "basic") {
      send("login (GET /v2/)", "", {}, [&] {
        HttpRequest req;
        req.url = scheme_ + "://" + api_host(endpoint_.registry) + "/v2/";
        return req;
      }, {200});
    }
  });
}

HttpResponse Client::send(const std::string& operation, const std::string& repo,
                          const std::vector<std::string>& scopes, const std::function<HttpRequest()>& make,
                          std::initializer_list<long> ok) {
  ping();
  const std::string origin = base_url();
  for (int round = 0;; ++round) {
    HttpRequest req = make();
    // The credentials are the registry's: Http adds them only to URLs of its origin.
    if (same_origin(req.url, origin)) req.authorization = auth_->authorization(scopes);
    req.authorization_origin = origin;
    HttpResponse r = http_->perform(req);
    // Only the registry's own 401 may change how ecp authenticates: another
    // origin's challenge could name a realm that would collect the credentials.
    bool registry_answered = same_origin(r.url, origin);
    if (r.status == 401 && round == 0 && registry_answered && auth_->unauthorized(scopes, r)) continue;
    if (r.status != 0 && std::find(ok.begin(), ok.end(), r.status) != ok.end()) return r;
    ErrorInfo info{endpoint_.registry, repo, operation, r.status, parse_error_body(r.body), r.error, false, {}};
    info.retryable = r.status == 0 ? r.retryable_failure() : retryable_status(r.status);
    info.retry_after = parse_retry_after(r.header("retry-after"), static_cast<long long>(::time(nullptr)));
    std::string hint;
    if ((r.status == 401 || r.status == 403) && !registry_answered)
      hint = fmt::format("{} answered, not the registry: the credentials for {} are not sent to another origin",
                         parse_origin(r.url) ? parse_origin(r.url)->to_string() : r.url, endpoint_.registry);
    else if (r.status == 401)
      hint = auth_->has_credentials() ? "the credentials were rejected"
                                      : fmt::format("credentials are needed: run 'ecp login {}'", endpoint_.registry);
    else if (r.status == 403)
      hint = "the credentials do not grant this access";
    throw RegistryError(std::move(info), hint);
  }
}

std::string Client::location(const HttpResponse& r, const std::string& repo, const std::string& operation) {
  std::string value = r.header("location");
  auto url = resolve_url(r.url.empty() ? base_url() + "/v2/" : r.url, value);
  if (url && parse_origin(*url)) return *url;
  // Status 0: the refusal is ecp's, and the message gives it rather than the status.
  ErrorInfo info{endpoint_.registry, repo, operation, 0, {}, "", false, {}};
  info.transport = fmt::format("its Location '{}' is not an http or https URL", value);
  throw RegistryError(std::move(info), "refused: ecp sends nothing there");
}

std::optional<oci::Descriptor> Client::head_manifest(const std::string& repo, const std::string& reference) {
  std::optional<oci::Descriptor> out;
  with_retries(endpoint_.retry, [&] {
    auto r = send("HEAD manifest " + reference, repo, scopes(repo), [&] {
      HttpRequest req;
      req.method = "HEAD";
      req.url = base_url() + "/v2/" + repo + "/manifests/" + reference;
      req.headers.push_back(accept_manifests);
      return req;
    }, {200, 404});
    if (r.status == 404) return;
    oci::Descriptor d;
    d.media_type = r.header("content-type");
    if (auto dg = oci::Digest::try_parse(r.header("docker-content-digest"))) d.digest = *dg;
    d.size = std::atoll(r.header("content-length").c_str());
    out = d;
  });
  return out;
}

Manifest Client::get_manifest(const std::string& repo, const std::string& reference) {
  Manifest m;
  with_retries(endpoint_.retry, [&] {
    auto r = send("GET manifest " + reference, repo, scopes(repo), [&] {
      HttpRequest req;
      req.url = base_url() + "/v2/" + repo + "/manifests/" + reference;
      req.headers.push_back(accept_manifests);
      req.max_body = std::size_t(4) << 20;  // the distribution spec's manifest limit
      return req;
    }, {200});
    m.bytes = std::move(r.body);
    m.media_type = r.header("content-type");
    if (auto semi = m.media_type.find(';'); semi != std::string::npos) m.media_type.resize(semi);
    m.digest = oci::Sha256::of(m.bytes);
    auto claimed = oci::Digest::try_parse(r.header("docker-content-digest"));
    auto wanted = oci::Digest::try_parse(reference);
    for (const auto& d : {wanted, claimed})
      if (d && *d != m.digest)
        throw RegistryError(ErrorInfo{endpoint_.registry, repo, "GET manifest " + reference, 0, {},
                                      fmt::format("digest mismatch: expected {}, the bytes hash to {}",
                                                  d->to_string(), m.digest.to_string()),
                                      false, {}},
                            "refused: the manifest is corrupt or was tampered with");
  });
  return m;
}

oci::Digest Client::put_manifest(const std::string& repo, const std::string& reference, const std::string& bytes,
                                 const std::string& media_type) {
  auto digest = oci::Sha256::of(bytes);
  with_retries(endpoint_.retry, [&] {
    auto r = send("PUT manifest " + reference, repo, scopes(repo), [&] {
      HttpRequest req;
      req.method = "PUT";
      req.url = base_url() + "/v2/" + repo + "/manifests/" + reference;
      req.headers.push_back("Content-Type: " + media_type);
      req.body = bytes;
      return req;
    }, {200, 201});
    auto claimed = oci::Digest::try_parse(r.header("docker-content-digest"));
    if (claimed && *claimed != digest)
      throw RegistryError(ErrorInfo{endpoint_.registry, repo, "PUT manifest " + reference, r.status, {},
                                    "", false, {}},
                          fmt::format("the registry stored digest {} for a manifest whose digest is {}",
                                      claimed->to_string(), digest.to_string()));
  });
  return digest;
}

}  // namespace ecp::registry
