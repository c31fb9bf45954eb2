#include "core/ops/build_interrupt.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "core/util/error.hpp"
#include "core/util/log.hpp"

namespace ecp::ops {
namespace {

constexpr int watched[] = {SIGINT, SIGTERM, SIGHUP};

// The access mode of an open file descriptor, from /proc/self/fdinfo ("flags: 0100002").
bool open_for_writing(int fd) {
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(fd));
  std::string key;
  while (info >> key) {
    if (key == "flags:") {
      std::string octal;
      info >> octal;
      long flags = std::strtol(octal.c_str(), nullptr, 8);
      return (flags & O_ACCMODE) != O_RDONLY;
    }
    info.ignore(4096, '\n');
  }
  return false;
}

// Unlinks every regular file this process has open for writing, except the
// standard streams (stdout may be redirected to a file the user wants).
int remove_open_temporaries() {
  int removed = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  int self = ::dirfd(d);
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long fd = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || end == e->d_name || fd <= 2 || fd == self) continue;
    struct stat st {};
    if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink == 0) continue;
    if (!open_for_writing(static_cast<int>(fd))) continue;
    char target[4096];
    auto link = std::string("/proc/self/fd/") + e->d_name;
    ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    if (::unlink(target) == 0) ++removed;
  }
  ::closedir(d);
  return removed;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  sigemptyset(&set_);
  for (int sig : watched) {
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    sigaddset(&set_, sig);
  }
  if (int rc = ::pthread_sigmask(SIG_BLOCK, &set_, &old_mask_); rc != 0)
    fail(ErrorKind::internal, "cannot block signals: {}", std::strerror(rc));
  signal_fd_.reset(::signalfd(-1, &set_, SFD_CLOEXEC));
  wake_fd_.reset(::eventfd(0, EFD_CLOEXEC));
  if (!signal_fd_ || !wake_fd_) {
    int e = errno;
    signal_fd_.reset();
    wake_fd_.reset();
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    fail(ErrorKind::internal, "cannot watch for signals: {}", std::strerror(e));
  }
  watcher_ = std::thread([this] { watch(); });
}

InterruptGuard::~InterruptGuard() {
  std::uint64_t one = 1;
  if (::write(wake_fd_.get(), &one, sizeof one) < 0) {
    // An eventfd write cannot fail here; the join below would hang if it did.
    std::abort();
  }
  watcher_.join();
  signal_fd_.reset();
  wake_fd_.reset();
  // A signal that arrived after the watcher stopped is delivered now, as usual.
  ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

void InterruptGuard::remove_on_interrupt(const std::filesystem::path& dir) {
  std::lock_guard lock(mutex_);
  dirs_.push_back(dir);
}

void InterruptGuard::watch() {
  pollfd fds[2] = {{signal_fd_.get(), POLLIN, 0}, {wake_fd_.get(), POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    signalfd_siginfo info {};
    if (fds[0].revents && ::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info))
      on_signal(static_cast<int>(info.ssi_signo));
  }
}

void InterruptGuard::on_signal(int sig) {
  int removed = remove_open_temporaries();
  {
    std::lock_guard lock(mutex_);
    std::error_code ec;
    for (const auto& d : dirs_) std::filesystem::remove_all(d, ec);
  }
  log::warn("interrupted ({}): removed {} temporary file{}; nothing was tagged", ::strsignal(sig), removed,
            removed == 1 ? "" : "s");
  // Die of the signal itself, so the caller sees how the build ended.
  ::signal(sig, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  ::pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
  ::raise(sig);
  ::_exit(128 + sig);
}

}  // namespace ecp::ops
