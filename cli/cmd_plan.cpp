#include <fmt/format.h>

#include <cstdio>

#include "cli/release_flags.hpp"
#include "cli/yaml_out.hpp"
#include "core/ops/plan.hpp"

namespace ecp::cli {

void add_plan(CommandTree& t) {
  auto o = std::make_shared<ops::DeployOptions>();
  auto file = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "plan", "Compute a release plan (and save it for 'ecp apply'); changes nothing",
                    [&g = t.globals, o, file](Output& out) {
                      o->project = project_of(g);
                      if (g.output == "yaml") {
                        // The objects a kubernetes target would get, like `helm template`.
                        o->dry_run = o->manifests = true;
                        auto r = ops::deploy(*o);
                        std::fputs(to_yaml_stream(r.manifests).c_str(), stdout);
                        return 0;
                      }
                      auto p = ops::plan(*o, *file);
                      print_plan(out, p);
                      if (!file->empty()) out.info(fmt::format("wrote {}; apply it with: ecp apply {}", *file, *file));
                      out.result({{"plan", ops::plan_json(p)}, {"file", *file}});
                      return 0;
                    });
  add_env_flag(cmd, *o);
  cmd->add_option("--image", o->image,
                  "An image of ecp's store (APP:TAG or sha256:...); default: as ecp build names it")
      ->type_name("IMAGE");
  cmd->add_option("--revision", o->revision, "Plan the image of ledger revision N")->type_name("REVISION");
  cmd->add_option("--strategy", o->strategy, "Override ecp.yaml's strategy: recreate or rolling")
      ->type_name("STRATEGY:{recreate,rolling}");
  add_override_flags(cmd, o->overrides);
  cmd->add_option("--out", *file, "Write the plan to FILE (JSON) for 'ecp apply'")->type_name("FILE");
  cmd->add_flag("--reveal-secrets", o->reveal_secrets,
                "With -o yaml: the config Secret with the secrets' values (for kubectl or podman kube play), "
                "not their references");
}

void add_apply(CommandTree& t) {
  auto o = std::make_shared<ops::ApplyOptions>();
  auto file = std::make_shared<std::string>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "apply", "Carry out a plan from 'ecp plan --out'; refuses a stale plan",
                    [&g = t.globals, o, file, wait](Output& out) {
                      wire_release(*o, g, *wait, out);
                      o->plan_file = *file;
                      return finish(out, ops::apply(*o));
                    });
  cmd->add_option("PLAN", *file, "The plan file")->required();
  add_release_flags(cmd, *o, *wait);
}

}  // namespace ecp::cli
