#pragma once
// Internal to core/registry's Http: the TLS options of one libcurl handle.
#include <curl/curl.h>

#include <string>

#include "core/registry/http.hpp"

namespace ecp::registry::detail {

// Verified TLS (unless the user opted out), with the extra CAs (`ca_blob`, which
// `blob` points at) and a client certificate (a file, or PEM text through `cert`
// and `key`) when there are any; the proxy when one is set.
void set_tls_options(CURL* h, const TlsConfig& tls, std::string& ca_blob, curl_blob& blob, curl_blob& cert,
                     curl_blob& key);
// tls-server-name: `out_url` names `server_name` instead of the URL's host, so
// that libcurl sends it as SNI and checks the certificate against it; the
// returned CONNECT_TO list (the caller frees it) sends the connection to the
// original host and port. nullptr when `url` is not an http(s) URL.
curl_slist* sni_redirect(const std::string& url, const std::string& server_name, std::string& out_url);

}  // namespace ecp::registry::detail
