#include <fmt/format.h>

#include "cli/registry_flags.hpp"
#include "cli/release_flags.hpp"
#include "core/ops/release.hpp"
#include "core/util/error.hpp"

namespace ecp::cli {

void add_release(CommandTree& t) {
  auto o = std::make_shared<ops::ReleaseOptions>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "release", "Build (or reuse), push if needed, deploy and verify: one command for CI",
                    [&g = t.globals, o, wait](Output& out) {
                      wire_release(*o, g, *wait, out);
                      auto r = ops::release(*o);
                      nlohmann::json extra = {{"build", {{"reference", r.build.reference}, {"digest", r.build.digest}}},
                                              {"pushed", r.pushed},
                                              {"verified", r.verified}};
                      int code = finish(out, r.deploy, extra);
                      if (code == 0 && !r.verified) {
                        fmt::print(stderr, "ecp: {} the release succeeded but verification failed: {}\n",
                                   out.red("error:"), out.safe(r.verify_detail));
                        return exit_code(ErrorKind::deploy_failed);
                      }
                      return code;
                    });
  add_env_flag(cmd, *o);
  cmd->add_option("-t,--tag", o->tag, "Image tag (default: git short sha, +-dirty; else version; else latest)");
  add_release_flags(cmd, *o, *wait);
  add_timeout_flag(cmd, o->registry_timeout);  // the base image's pull, the push
}

}  // namespace ecp::cli
