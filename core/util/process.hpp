#pragma once
// Running other programs: always an argv vector through posix_spawn, never a shell
// string. Children get their own process group by default, so a Ctrl-C at the
// terminal reaches ecp only: ecp decides what to stop and in which order (a deploy
// rolls back first), instead of its ssh connections dying under it.
//
// Interrupts: InterruptScope turns SIGINT/SIGTERM into a flag. While the flag is up,
// run() kills its child and throws Error(interrupted) - unless a Shield is alive
// (a rollback in progress must finish its commands).
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecp::process {

using Milliseconds = std::chrono::milliseconds;

struct Options {
  // Added to (or replacing in) the inherited environment, "NAME" -> value.
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> unset_env;  // removed from the inherited environment
  std::filesystem::path cwd;           // empty: ecp's
  std::string stdin_data;              // written to the child's stdin, then closed
  std::filesystem::path stdin_file;    // or: the child reads this file (no copy through ecp)
  std::filesystem::path stdout_file;   // not empty: stdout appends to this file instead of being captured
  bool merge_stderr = false;           // stderr goes where stdout goes
  Milliseconds timeout{0};             // 0: none. On expiry: SIGTERM, SIGKILL 2 s later, timed_out set
  bool new_process_group = true;
  bool cancellable = true;                          // an interrupt kills the child and throws Error(interrupted)
  std::size_t max_output = std::size_t(256) << 20;  // per stream; more is an Error(io)
  // Called with each complete stdout line (without "\n") as it arrives; the line is
  // still captured unless capture_lines is false.
  std::function<void(std::string_view)> on_line;
  bool capture_lines = true;
};

struct Result {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0; }
  // The last non-empty line of stderr (else stdout), for error messages.
  std::string last_line() const;
};

// Runs argv[0] (looked up in PATH when it has no '/') and waits for it. Throws
// Error(io) when it cannot be started; a non-zero exit is a Result, not an error.
Result run(const std::vector<std::string>& argv, const Options& options = {});

// PATH lookup; nullopt when no executable of that name exists.
std::optional<std::filesystem::path> find_program(std::string_view name);

// A running child whose stdin and stdout ecp talks to line by line (plugins, ssh
// masters). stderr is collected in the background and available at any time.
class Child {
 public:
  // Starts argv with pipes on stdin, stdout and stderr (stderr_file: append there).
  Child(const std::vector<std::string>& argv, const Options& options = {},
        const std::filesystem::path& stderr_file = {});
  ~Child();  // kills (SIGKILL) and reaps a child that is still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // Writes all of `data` to the child's stdin; false when the child closed it.
  bool write(std::string_view data);
  void close_stdin();
  // The next stdout line (without "\n"); nullopt at EOF or when `timeout` passes
  // (timed_out() tells which). Throws Error(interrupted) on an interrupt.
  std::optional<std::string> read_line(Milliseconds timeout);
  bool timed_out() const { return timed_out_; }
  std::string stderr_text();
  // Waits for the exit, up to `timeout` (0: forever), then kills. Returns the exit
  // code, or -1 for a signal.
  int wait(Milliseconds timeout = Milliseconds{0});
  void kill(int sig);
  bool running();

 private:
  void pump_stderr(int wait_ms);
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_buf_, err_buf_;
  bool out_eof_ = false, timed_out_ = false;
  int status_ = -1;
  bool reaped_ = false;
};

// SIGINT/SIGTERM set a flag for as long as the scope lives (then the old handlers
// come back). Nesting is allowed.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

bool interrupted();
// The signal that raised the flag (SIGINT or SIGTERM), 0 when none.
int interrupt_signal();
// Throws Error(interrupted) when the flag is up and no Shield is alive.
void check_interrupted();
// Clears the flag (tests; a command that handled the interrupt).
void reset_interrupt();

// While any Shield lives, interrupts do not cancel run() or read_line().
class Shield {
 public:
  Shield();
  ~Shield();
  Shield(const Shield&) = delete;
  Shield& operator=(const Shield&) = delete;
};
bool shielded();

// Who this process is among the processes of its machine: the kernel's boot ID
// and the PID namespace ("BOOT-ID/pid:[INODE]"). Two processes with the same
// identity see the same PIDs, so one can tell whether the other's PID still
// runs; a host name is not enough (containers and clones share names). ""
// when /proc does not say.
std::string pid_space();
// True only when `pid` certainly runs nowhere in this PID space (ESRCH).
bool pid_gone(int pid);

}  // namespace ecp::process
