// posix_spawn with file actions and a clean signal state, plus the interrupt flag.
#include "core/util/process_spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/util/error.hpp"

extern char** environ;

namespace ecp::process {
namespace {

volatile sig_atomic_t g_signal = 0;
std::atomic<int> g_shields{0};
std::mutex g_scope_mutex;
int g_scope_depth = 0;
struct sigaction g_old_int {}, g_old_term {};

void on_signal(int sig) { g_signal = sig; }

// Writing to a child that exited must be an error (EPIPE), not ecp's death.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    if (::sigaction(SIGPIPE, nullptr, &sa) == 0 && sa.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
  });
}

struct Actions {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  Actions() {
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
  }
  ~Actions() {
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
  }
};

void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) fail(ErrorKind::io, "cannot create a pipe: {}", std::strerror(errno));
}

std::vector<std::string> child_env(const Options& o) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto name = kv.substr(0, kv.find('='));
    bool drop = false;
    for (const auto& u : o.unset_env) drop = drop || name == u;
    for (const auto& [k, v] : o.env) drop = drop || name == k;
    if (!drop) env.emplace_back(kv);
  }
  for (const auto& [k, v] : o.env) env.push_back(k + "=" + v);
  return env;
}

}  // namespace

namespace detail {

Spawn spawn(const std::vector<std::string>& argv, const Options& o, const Pipes& pipes) {
  ignore_sigpipe_once();
  Actions a;
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  auto close_all = [&] {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      if (fd >= 0) ::close(fd);
  };
  try {
    if (pipes.in) {
      make_pipe(in);
      posix_spawn_file_actions_adddup2(&a.fa, in[0], 0);
    } else if (!o.stdin_file.empty()) {
      posix_spawn_file_actions_addopen(&a.fa, 0, o.stdin_file.c_str(), O_RDONLY, 0);
    } else {
      posix_spawn_file_actions_addopen(&a.fa, 0, "/dev/null", O_RDONLY, 0);
    }
    if (pipes.out) {
      make_pipe(out);
      posix_spawn_file_actions_adddup2(&a.fa, out[1], 1);
    } else {
      posix_spawn_file_actions_addopen(&a.fa, 1, o.stdout_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    if (o.merge_stderr) {
      posix_spawn_file_actions_adddup2(&a.fa, 1, 2);
    } else if (pipes.err) {
      make_pipe(err);
      posix_spawn_file_actions_adddup2(&a.fa, err[1], 2);
    } else if (!pipes.stderr_file.empty()) {
      posix_spawn_file_actions_addopen(&a.fa, 2, pipes.stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
  } catch (...) {
    close_all();
    throw;
  }
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&a.fa, o.cwd.c_str());
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&a.attr, &none);
  posix_spawnattr_setsigdefault(&a.attr, &defaults);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (o.new_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&a.attr, 0);
  }
  posix_spawnattr_setflags(&a.attr, flags);

  std::vector<char*> cargv;
  for (const auto& s : argv) cargv.push_back(const_cast<char*>(s.c_str()));
  cargv.push_back(nullptr);
  auto env = child_env(o);
  std::vector<char*> cenv;
  for (auto& s : env) cenv.push_back(s.data());
  cenv.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0].c_str(), &a.fa, &a.attr, cargv.data(), cenv.data());
  if (rc != 0) {
    close_all();
    fail(ErrorKind::io, "cannot run '{}': {}", argv[0], std::strerror(rc));
  }
  for (int fd : {in[0], out[1], err[1]})
    if (fd >= 0) ::close(fd);
  return Spawn{pid, in[1], out[0], err[0]};
}

void terminate(pid_t pid, bool group, int sig) {
  if (pid <= 0) return;
  if (group && ::kill(-pid, sig) == 0) return;
  ::kill(pid, sig);
}

}  // namespace detail

InterruptScope::InterruptScope() {
  std::lock_guard lock(g_scope_mutex);
  if (g_scope_depth++ > 0) return;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() and waitpid() return EINTR and see the flag
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
}

InterruptScope::~InterruptScope() {
  std::lock_guard lock(g_scope_mutex);
  if (--g_scope_depth > 0) return;
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
}

bool interrupted() { return g_signal != 0; }
int interrupt_signal() { return g_signal; }
void reset_interrupt() { g_signal = 0; }
void check_interrupted() {
  if (interrupted() && !shielded())
    fail(ErrorKind::interrupted, "interrupted by {}", g_signal == SIGINT ? "SIGINT" : "SIGTERM");
}

Shield::Shield() { ++g_shields; }
Shield::~Shield() { --g_shields; }
bool shielded() { return g_shields.load() > 0; }

}  // namespace ecp::process
