#include <fmt/format.h>

#include <cstdio>

#include "cli/release_flags.hpp"
#include "core/ops/logs.hpp"
#include "core/util/error.hpp"

namespace ecp::cli {

void add_logs(CommandTree& t) {
  auto o = std::make_shared<ops::LogsOptions>();
  auto* cmd = t.add(&t.root, "logs", "Print the output of an environment's instances (-f: follow)",
                    [&g = t.globals, o](Output& out) {
                      o->project = project_of(g);
                      bool interrupted = ops::logs(*o, [&out](const std::string& instance, std::string_view line) {
                        if (out.json()) {
                          out.event("log_line", {{"instance", instance}, {"line", line}});
                        } else {
                          fmt::print(stdout, "[{}] {}\n", instance, line);
                          std::fflush(stdout);
                        }
                      });
                      out.result({{"interrupted", interrupted}});
                      return interrupted ? exit_code(ErrorKind::interrupted) : 0;
                    });
  add_env_flag(cmd, *o);
  cmd->add_flag("-f,--follow", o->follow, "Keep printing new lines until interrupted");
  cmd->add_option("-n,--lines", o->lines, "Start with the last N lines of each instance (default 100)")
      ->type_name("N");
  cmd->add_option("--instance", o->instance, "Only this instance (a-0, or a-0@HOST)")->type_name("NAME");
}

}  // namespace ecp::cli
