#include "plugins/host/http_probe.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>

#include "core/registry/http.hpp"

namespace ecp::plugins::host {
namespace {

// The answer's body is not needed: it is read and dropped, up to 64 KiB (a
// health page that streams forever is cut there, and its status stands).
constexpr std::size_t body_limit = 64 * 1024;

struct Body {
  std::size_t seen = 0;
};

std::size_t drop(char*, std::size_t size, std::size_t n, void* user) {
  auto* b = static_cast<Body*>(user);
  b->seen += size * n;
  return b->seen > body_limit ? 0 : size * n;
}

}  // namespace

ProbeResult http_probe(const std::string& host, int port, const std::string& path, std::chrono::milliseconds timeout) {
  registry::init_curl();
  std::unique_ptr<CURL, void (*)(CURL*)> c(curl_easy_init(), curl_easy_cleanup);
  if (!c) return {false, "libcurl: cannot create a handle"};
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string url = fmt::format("http://{}:{}{}", h, port, path.empty() ? "/" : path);
  char error[CURL_ERROR_SIZE] = {};
  Body body;
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_PROXY, "");  // an instance is checked where it runs, never through a proxy
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c.get(), CURLOPT_USERAGENT, "ecp-health");
  curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 0L);
  // No path: a TCP connect is the whole check.
  if (path.empty()) curl_easy_setopt(c.get(), CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, drop);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(c.get());
  long status = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
  if (path.empty())
    return rc == CURLE_OK ? ProbeResult{true, "TCP connect"}
                          : ProbeResult{false, error[0] ? error : curl_easy_strerror(rc)};
  if (status == 0 || (rc != CURLE_OK && rc != CURLE_WRITE_ERROR))
    return {false, error[0] ? std::string(error) : std::string(curl_easy_strerror(rc))};
  return {status >= 200 && status < 400, fmt::format("HTTP {}", status)};
}

}  // namespace ecp::plugins::host
