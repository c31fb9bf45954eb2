#include <fmt/format.h>

#include "cli/release_flags.hpp"
#include "core/ops/approvals.hpp"
#include "core/util/text.hpp"

namespace ecp::cli {

void add_approve(CommandTree& t) {
  auto o = std::make_shared<ops::ApproveOptions>();
  auto* cmd =
      t.add(&t.root, "approve",
            "Approve an image and configuration for release to an environment (four eyes: not by the releaser)",
            [&g = t.globals, o](Output& out) {
              o->project = project_of(g);
              auto r = ops::approve(*o);
              const auto& a = r.approval;
              out.text(fmt::format("{} approved {} with configuration {} for {}/{} until {}", a.approver,
                                   a.image_digest, a.config_digest, r.app, r.env, text::rfc3339_ms(a.expires_ms)));
              out.result({{"app", r.app},
                          {"env", r.env},
                          {"target", r.target},
                          {"approver", a.approver},
                          {"method", a.method},
                          {"image_digest", a.image_digest},
                          {"config_digest", a.config_digest},
                          {"expires", text::rfc3339_ms(a.expires_ms)},
                          {"comment", a.comment}});
              return 0;
            });
  add_env_flag(cmd, *o);
  cmd->add_option("--revision-of", o->revision_of,
                  "The image another environment runs (ENV) or ran at revision N (ENV:N)")
      ->type_name("ENV[:N]");
  cmd->add_option("--image", o->image, "The image digest approved, instead of --revision-of")->type_name("DIGEST");
  cmd->add_option("--config", o->config,
                  "The configuration digest approved (default: what ecp.yaml renders for the environment now)")
      ->type_name("DIGEST");
  cmd->add_option("--comment", o->comment, "A note kept with the approval and in the audit log")->type_name("TEXT");
}

}  // namespace ecp::cli
