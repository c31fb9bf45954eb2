// Child: a long-lived child ecp talks to line by line (external plugins).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "core/util/process_spawn.hpp"

namespace ecp::process {

Child::Child(const std::vector<std::string>& argv, const Options& options, const std::filesystem::path& stderr_file) {
  if (argv.empty()) fail(ErrorKind::internal, "process::Child: empty argv");
  Options o = options;
  o.merge_stderr = false;
  auto sp = detail::spawn(argv, o, detail::Pipes{true, true, stderr_file.empty(), stderr_file});
  pid_ = sp.pid;
  in_ = sp.in;
  out_ = sp.out;
  err_ = sp.err;
  if (err_ >= 0) ::fcntl(err_, F_SETFL, O_NONBLOCK);
}

Child::~Child() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  for (int fd : {in_, out_, err_})
    if (fd >= 0) ::close(fd);
}

bool Child::write(std::string_view data) {
  while (!data.empty()) {
    if (in_ < 0) return false;
    ssize_t n = ::write(in_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // EPIPE: the child is gone or closed stdin
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Child::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

void Child::pump_stderr(int wait_ms) {
  if (err_ < 0) return;
  pollfd p{err_, POLLIN, 0};
  if (wait_ms > 0 && ::poll(&p, 1, wait_ms) <= 0) return;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(err_, buf, sizeof buf);
    if (n > 0) {
      if (err_buf_.size() < (1u << 20)) err_buf_.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      ::close(err_);
      err_ = -1;
    }
    return;
  }
}

std::optional<std::string> Child::read_line(Milliseconds timeout) {
  timed_out_ = false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    if (auto nl = out_buf_.find('\n'); nl != std::string::npos) {
      std::string line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      return line;
    }
    if (out_eof_ || out_ < 0) {
      if (out_buf_.empty()) return std::nullopt;
      std::string line = std::move(out_buf_);
      out_buf_.clear();
      return line;
    }
    check_interrupted();
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      timed_out_ = true;
      return std::nullopt;
    }
    pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    int rc = ::poll(fds, err_ >= 0 ? 2 : 1, 100);
    if (rc <= 0) continue;
    if (err_ >= 0 && fds[1].revents) pump_stderr(0);
    if (fds[0].revents) {
      ssize_t n = ::read(out_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        out_eof_ = true;
        continue;
      }
      out_buf_.append(buf, static_cast<std::size_t>(n));
    }
  }
}

std::string Child::stderr_text() {
  pump_stderr(0);
  return err_buf_;
}

bool Child::running() {
  if (reaped_ || pid_ <= 0) return false;
  int st = 0;
  if (::waitpid(pid_, &st, WNOHANG) == pid_) {
    reaped_ = true;
    status_ = st;
    return false;
  }
  return true;
}

int Child::wait(Milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    pump_stderr(0);
    if (timeout.count() > 0 && std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      timeout = Milliseconds{0};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pump_stderr(0);
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

void Child::kill(int sig) {
  if (running()) ::kill(pid_, sig);
}

}  // namespace ecp::process
