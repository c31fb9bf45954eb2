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

// One run() from spawn to exit: the pipes, what the child wrote so far, and whether
// it was stopped (timeout, interrupt) on the way.
class Run {
 public:
  Run(const std::vector<std::string>& argv, const Options& o)
      : argv_(argv),
        o_(o),
        sp_(detail::spawn(argv, o, detail::Pipes{!o.stdin_data.empty(), o.stdout_file.empty(), !o.merge_stderr, {}})) {
    if (sp_.in >= 0) ::fcntl(sp_.in, F_SETFL, O_NONBLOCK);
    auto start = Clock::now();
    deadline_ = o.timeout.count() > 0 ? start + o.timeout : Clock::time_point::max();
  }

  // One turn of the poll loop: feeds stdin, drains stdout and stderr, stops the
  // child when due. False once it is gone and its pipes are closed.
  bool poll_once() {
    pollfd fds[3];
    int n = 0;
    if (sp_.in >= 0) fds[n++] = {sp_.in, POLLOUT, 0};
    if (sp_.out >= 0) fds[n++] = {sp_.out, POLLIN, 0};
    if (sp_.err >= 0) fds[n++] = {sp_.err, POLLIN, 0};
    if (!reaped_ && ::waitpid(sp_.pid, &status_, WNOHANG) == sp_.pid) {
      reaped_ = true;
      reaped_at_ = Clock::now();
    }
    if (n == 0 && reaped_) return false;
    // A grandchild may keep our pipes open after the child is gone; give it a moment.
    if (reaped_ && Clock::now() - reaped_at_ > std::chrono::milliseconds(300)) return false;
    int rc = ::poll(fds, static_cast<nfds_t>(n), n == 0 ? 10 : 50);
    stop_when_due(Clock::now());
    if (rc <= 0) return true;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == sp_.in) {
        feed_stdin();
      } else {
        drain(fds[i].fd);
      }
    }
    return true;
  }

  // Closes the pipes, hands on the last unfinished line, waits for the exit.
  Result finish() {
    for (int fd : {sp_.in, sp_.out, sp_.err})
      if (fd >= 0) ::close(fd);
    if (!pending_.empty() && o_.on_line) {
      o_.on_line(pending_);
      if (o_.capture_lines) r_.out += pending_;
    }
    if (!reaped_) {
      while (::waitpid(sp_.pid, &status_, 0) < 0 && errno == EINTR) {
        if (o_.cancellable && interrupted() && !shielded() && !killed_) {
          detail::terminate(sp_.pid, o_.new_process_group, SIGKILL);
          killed_ = cancelled_ = true;
        }
      }
    }
    if (WIFEXITED(status_)) r_.exit_code = WEXITSTATUS(status_);
    if (WIFSIGNALED(status_)) r_.signal = WTERMSIG(status_);
    if (cancelled_) fail(ErrorKind::interrupted, "interrupted while running {}", argv_[0]);
    return r_;
  }

 private:
  // SIGTERM on an interrupt or at the deadline; SIGKILL two seconds later.
  void stop_when_due(Clock::time_point now) {
    if (o_.cancellable && interrupted() && !shielded() && !killed_) {
      detail::terminate(sp_.pid, o_.new_process_group, SIGTERM);
      killed_ = cancelled_ = true;
      kill_at_ = now + std::chrono::seconds(2);
    }
    if (now > deadline_ && !killed_) {
      detail::terminate(sp_.pid, o_.new_process_group, SIGTERM);
      killed_ = r_.timed_out = true;
      kill_at_ = now + std::chrono::seconds(2);
    }
    if (killed_ && now > kill_at_ && !reaped_) detail::terminate(sp_.pid, o_.new_process_group, SIGKILL);
  }

  void feed_stdin() {
    ssize_t w = ::write(sp_.in, o_.stdin_data.data() + in_off_, o_.stdin_data.size() - in_off_);
    if (w > 0) in_off_ += static_cast<std::size_t>(w);
    if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off_ == o_.stdin_data.size()) {
      ::close(sp_.in);  // done, or the child closed its end (EPIPE)
      sp_.in = -1;
    }
  }

  void drain(int fd) {
    ssize_t got = ::read(fd, buf_, sizeof buf_);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (got <= 0) {
      ::close(fd);
      (fd == sp_.out ? sp_.out : sp_.err) = -1;
      return;
    }
    auto n = static_cast<std::size_t>(got);
    if (fd == sp_.out) {
      if (r_.out.size() + n > o_.max_output) append(r_.out, buf_, n, o_.max_output, "stdout", argv_[0]);
      emit_lines(pending_, o_, r_.out, std::string_view(buf_, n));
    } else {
      append(r_.err, buf_, n, o_.max_output, "stderr", argv_[0]);
    }
  }

  const std::vector<std::string>& argv_;
  const Options& o_;
  detail::Spawn sp_;
  Result r_;
  std::string pending_;  // stdout after its last newline, for on_line
  std::size_t in_off_ = 0;
  Clock::time_point deadline_;
  bool killed_ = false, reaped_ = false, cancelled_ = false;
  Clock::time_point kill_at_{}, reaped_at_{};
  int status_ = 0;
  char buf_[65536];
};

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
  Run child(argv, o);
  while (child.poll_once()) {
  }
  return child.finish();
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
