// `ecp exec --env E [--instance a-0] -- CMD...`: ecp replaces itself with the
// command, run on the instance's host in its environment (core/ops/exec.hpp):
// the terminal, the signals and the exit status are the command's.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/release_flags.hpp"
#include "core/ops/exec.hpp"
#include "core/util/error.hpp"

namespace ecp::cli {

void add_exec(CommandTree& t) {
  auto o = std::make_shared<ops::ExecOptions>();
  auto* cmd =
      t.add(&t.root, "exec", "Run a command in an instance's environment, on its host, container or pod (-- CMD...)",
            [&g = t.globals, o](Output& out) -> int {
              if (out.json())
                fail(ErrorKind::usage, "ecp exec hands the terminal to the command: it has no JSON output");
              o->project = project_of(g);
              o->tty = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1;
              auto plan = ops::plan_exec(*o);
              out.info(fmt::format("running in {}", plan.instance));
              std::fflush(stdout);
              std::fflush(stderr);
              std::vector<char*> argv;
              for (auto& a : plan.argv) argv.push_back(a.data());
              argv.push_back(nullptr);
              ::execvp(argv[0], argv.data());
              // kubectl (or ssh) missing here is the user's to fix, not a bug of ecp's.
              int e = errno;
              fail(e == ENOENT ? ErrorKind::usage : ErrorKind::internal, "cannot run {}: {}{}", plan.argv[0],
                   std::strerror(e), e == ENOENT ? " (is it installed, and on PATH?)" : "");
            });
  add_env_flag(cmd, *o);
  cmd->add_option("--instance", o->instance, "The instance (a-0, or a-0@HOST); default: the first that runs")
      ->type_name("NAME");
  cmd->add_option("command", o->command, "The command and its arguments, after --")->required();
}

}  // namespace ecp::cli
