#include "core/registry/http_tls.hpp"

#include <fmt/format.h>

#include "core/registry/origin.hpp"

namespace ecp::registry::detail {

void set_tls_options(CURL* h, const TlsConfig& tls, std::string& ca_blob, curl_blob& blob, curl_blob& cert,
                     curl_blob& key) {
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, tls.skip_verify ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, tls.skip_verify ? 0L : 2L);
  if (!ca_blob.empty()) {
    blob.data = ca_blob.data();
    blob.len = ca_blob.size();
    blob.flags = CURL_BLOB_NOCOPY;  // lives as long as the Http
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
    if (tls.only_extra_ca) curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
  }
  if (!tls.client_cert.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, tls.client_cert.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, tls.client_key.c_str());
  } else if (!tls.client_cert_pem.empty()) {
    cert = {const_cast<char*>(tls.client_cert_pem.data()), tls.client_cert_pem.size(), CURL_BLOB_NOCOPY};
    key = {const_cast<char*>(tls.client_key_pem.data()), tls.client_key_pem.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (!tls.proxy.empty()) curl_easy_setopt(h, CURLOPT_PROXY, tls.proxy.c_str());
}

curl_slist* sni_redirect(const std::string& url, const std::string& server_name, std::string& out_url) {
  auto o = parse_origin(url);
  if (!o) return nullptr;
  std::string scheme_end = "://";
  auto at = url.find(scheme_end);
  auto host_start = at + scheme_end.size();
  auto host_end = url.find_first_of("/?#", host_start);
  std::string port = std::to_string(o->port);
  out_url = url.substr(0, host_start) + server_name + ":" + port +
            (host_end == std::string::npos ? std::string() : url.substr(host_end));
  std::string host = o->host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return curl_slist_append(nullptr, fmt::format("{}:{}:{}:{}", server_name, port, host, port).c_str());
}

}  // namespace ecp::registry::detail
