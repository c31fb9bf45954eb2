#include "plugins/host/http_probe.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/util/fd.hpp"

namespace ecp::plugins::host {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

ProbeResult http_probe(const std::string& host, int port, const std::string& path, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0)
    return {false, fmt::format("cannot resolve {}: {}", host, ::gai_strerror(rc))};
  std::string last = "no address";
  UniqueFd s;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    UniqueFd c(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (!c) continue;
    int rc = ::connect(c.get(), ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{c.get(), POLLOUT, 0};
      rc = ::poll(&p, 1, remaining_ms(deadline));
      if (rc == 0) {
        last = "connect timed out";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last = std::strerror(err);
        continue;
      }
      rc = 0;
    }
    if (rc != 0) {
      last = std::strerror(errno);
      continue;
    }
    s = std::move(c);
    break;
  }
  ::freeaddrinfo(res);
  if (!s) return {false, fmt::format("{}:{}: {}", host, port, last)};
  if (path.empty()) return {true, "TCP connect"};

  std::string req = fmt::format("GET {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: ecp-health\r\nConnection: close\r\n\r\n",
                                path, host, port);
  std::size_t off = 0;
  while (off < req.size()) {
    pollfd p{s.get(), POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return {false, "timed out sending the request"};
    ssize_t n = ::send(s.get(), req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return {false, std::strerror(errno)};
    }
    off += static_cast<std::size_t>(n);
  }
  std::string head;
  char buf[1024];
  while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
    pollfd p{s.get(), POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return {false, "timed out waiting for the answer"};
    ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return {false, n == 0 ? "connection closed without an answer" : std::strerror(errno)};
    head.append(buf, static_cast<std::size_t>(n));
  }
  // "HTTP/1.1 200 OK"
  int status = 0;
  if (std::sscanf(head.c_str(), "HTTP/%*d.%*d %d", &status) != 1) return {false, "not an HTTP answer"};
  return {status >= 200 && status < 400, fmt::format("HTTP {}", status)};
}

}  // namespace ecp::plugins::host
