#pragma once
// The health check ecp runs against an instance: an HTTP/1.1 GET of the health
// path (healthy on 2xx and 3xx), or a bare TCP connect when there is no path.
#include <chrono>
#include <string>

namespace ecp::plugins::host {

struct ProbeResult {
  bool healthy = false;
  std::string detail;  // "HTTP 200", "HTTP 503", "connection refused", "timed out"
};

ProbeResult http_probe(const std::string& host, int port, const std::string& path, std::chrono::milliseconds timeout);

}  // namespace ecp::plugins::host
