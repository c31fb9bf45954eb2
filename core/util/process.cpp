// run(): posix_spawn with pipes, one poll() loop feeding stdin and draining
// stdout/stderr, honouring the timeout and the interrupt flag.
#include "core/util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/util/error.hpp"
#include "core/util/process_spawn.hpp"

namespace ecp::process {
namespace {

using Clock = std::chrono::steady_clock;

void append(std::string& buf, const char* data, std::size_t n, std::size_t max, const char* what,
            const std::string& prog) {
  if (buf.size() + n > max) fail(ErrorKind::io, "{}: more than {} bytes on {}", prog, max, what);
  buf.append(data, n);
}

// Hands complete lines of `pending` to on_line, keeping the unfinished tail.
void emit_lines(std::string& pending, const Options& o, std::string& out, std::string_view chunk) {
  if (!o.on_line) {
    out.append(chunk);
    return;
  }
  pending.append(chunk);
  std::size_t start = 0;
  for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(pending.data() + start, nl - start);
    o.on_line(line);
    if (o.capture_lines) out.append(line).append("\n");
  }
  pending.erase(0, start);
}

}  // namespace

std::string Result::last_line() const {
  for (const std::string* s : {&err, &out}) {
    std::string_view v = *s;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ' || v.back() == '\r')) v.remove_suffix(1);
    if (v.empty()) continue;
    auto nl = v.rfind('\n');
    return std::string(nl == std::string_view::npos ? v : v.substr(nl + 1));
  }
  return "";
}

Result run(const std::vector<std::string>& argv, const Options& o) {
  if (argv.empty()) fail(ErrorKind::internal, "process::run: empty argv");
  detail::Spawn sp = detail::spawn(argv, o, detail::Pipes{!o.stdin_data.empty(), o.stdout_file.empty(),
                                                         !o.merge_stderr, {}});
  Result r;
  std::string pending;
  std::size_t in_off = 0;
  if (sp.in >= 0) ::fcntl(sp.in, F_SETFL, O_NONBLOCK);
  auto start = Clock::now();
  auto deadline = o.timeout.count() > 0 ? start + o.timeout : Clock::time_point::max();
  bool killed = false, reaped = false, cancelled = false;
  Clock::time_point kill_at{}, reaped_at{};
  int status = 0;
  char buf[65536];
  for (;;) {
    pollfd fds[3];
    int n = 0;
    if (sp.in >= 0) fds[n++] = {sp.in, POLLOUT, 0};
    if (sp.out >= 0) fds[n++] = {sp.out, POLLIN, 0};
    if (sp.err >= 0) fds[n++] = {sp.err, POLLIN, 0};
    if (!reaped && ::waitpid(sp.pid, &status, WNOHANG) == sp.pid) {
      reaped = true;
      reaped_at = Clock::now();
    }
    if (n == 0 && reaped) break;
    // A grandchild may keep our pipes open after the child is gone; give it a moment.
    if (reaped && Clock::now() - reaped_at > std::chrono::milliseconds(300)) break;
    int rc = ::poll(fds, static_cast<nfds_t>(n), n == 0 ? 10 : 50);
    auto now = Clock::now();
    if (o.cancellable && interrupted() && !shielded() && !killed) {
      detail::terminate(sp.pid, o.new_process_group, SIGTERM);
      killed = cancelled = true;
      kill_at = now + std::chrono::seconds(2);
    }
    if (now > deadline && !killed) {
      detail::terminate(sp.pid, o.new_process_group, SIGTERM);
      killed = r.timed_out = true;
      kill_at = now + std::chrono::seconds(2);
    }
    if (killed && now > kill_at && !reaped) detail::terminate(sp.pid, o.new_process_group, SIGKILL);
    if (rc <= 0) continue;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == sp.in) {
        ssize_t w = ::write(sp.in, o.stdin_data.data() + in_off, o.stdin_data.size() - in_off);
        if (w > 0) in_off += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off == o.stdin_data.size()) {
          ::close(sp.in);  // done, or the child closed its end (EPIPE)
          sp.in = -1;
        }
        continue;
      }
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        ::close(fds[i].fd);
        (fds[i].fd == sp.out ? sp.out : sp.err) = -1;
        continue;
      }
      if (fds[i].fd == sp.out) {
        if (r.out.size() + static_cast<std::size_t>(got) > o.max_output)
          append(r.out, buf, static_cast<std::size_t>(got), o.max_output, "stdout", argv[0]);
        emit_lines(pending, o, r.out, std::string_view(buf, static_cast<std::size_t>(got)));
      } else {
        append(r.err, buf, static_cast<std::size_t>(got), o.max_output, "stderr", argv[0]);
      }
    }
  }
  for (int fd : {sp.in, sp.out, sp.err})
    if (fd >= 0) ::close(fd);
  if (!pending.empty() && o.on_line) {
    o.on_line(pending);
    if (o.capture_lines) r.out += pending;
  }
  if (!reaped) {
    while (::waitpid(sp.pid, &status, 0) < 0 && errno == EINTR) {
      if (o.cancellable && interrupted() && !shielded() && !killed) {
        detail::terminate(sp.pid, o.new_process_group, SIGKILL);
        killed = cancelled = true;
      }
    }
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  if (cancelled) fail(ErrorKind::interrupted, "interrupted while running {}", argv[0]);
  return r;
}

std::optional<std::filesystem::path> find_program(std::string_view name) {
  if (name.find('/') != std::string_view::npos) {
    if (::access(std::string(name).c_str(), X_OK) == 0) return std::filesystem::path(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    auto colon = p.find(':');
    std::string dir(p.substr(0, colon));
    if (dir.empty()) dir = ".";
    auto candidate = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate, ec)) return candidate;
    if (colon == std::string_view::npos) break;
    p.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

}  // namespace ecp::process
