// run_credential_helper: posix_spawnp with three pipes and a poll loop, so a
// helper that writes a lot to stderr while we feed stdin cannot deadlock us.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/registry/credentials.hpp"
#include "core/util/error.hpp"

extern char** environ;

namespace ecp::registry {
namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) fail(ErrorKind::internal, "pipe: {}", std::strerror(errno));
  }
  ~Pipe() { close_both(); }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
  void close_both() {
    close_end(0);
    close_end(1);
  }
};

}  // namespace

HelperResult run_credential_helper(std::string_view name, std::string_view verb, std::string_view input) {
  std::string program = "docker-credential-" + std::string(name);
  std::string verb_s(verb);
  Pipe in, out, err;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err.fd[1], 2);
  std::vector<char*> argv{program.data(), verb_s.data(), nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, program.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    fail(ErrorKind::auth, "cannot run the credential helper {}: {} (is it on PATH?)", program, std::strerror(rc));
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);

  // SIGPIPE from a helper that exits without reading stdin must not kill us.
  struct sigaction ign {}, old {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old);
  HelperResult r;
  std::size_t written = 0;
  if (input.empty()) in.close_end(1);
  char buf[4096];
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[3];
    nfds_t n = 0;
    if (in.fd[1] >= 0) fds[n++] = {in.fd[1], POLLOUT, 0};
    if (out.fd[0] >= 0) fds[n++] = {out.fd[0], POLLIN, 0};
    if (err.fd[0] >= 0) fds[n++] = {err.fd[0], POLLIN, 0};
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.fd[1]) {
        ssize_t w = ::write(in.fd[1], input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 || written == input.size()) in.close_end(1);
        continue;
      }
      bool is_out = fds[i].fd == out.fd[0];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (is_out ? r.out : r.err).append(buf, static_cast<std::size_t>(got));
        if (r.out.size() + r.err.size() > (1u << 20)) got = 0;  // a helper should not say that much
      }
      if (got <= 0 && !(got < 0 && errno == EINTR)) (is_out ? out : err).close_end(0);
    }
  }
  in.close_end(1);
  ::sigaction(SIGPIPE, &old, nullptr);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace ecp::registry
