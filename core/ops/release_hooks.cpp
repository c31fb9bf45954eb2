#include "core/ops/release_hooks.hpp"

#include <fmt/format.h>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/process.hpp"

namespace ecp::ops {
namespace {

const descriptor::Hook* hook_named(const descriptor::Hooks& hooks, std::string_view name) {
  const std::optional<descriptor::Hook>* h = name == "pre-deploy"    ? &hooks.pre_deploy
                                             : name == "post-deploy" ? &hooks.post_deploy
                                                                     : &hooks.post_rollback;
  return *h ? &**h : nullptr;
}

}  // namespace

void run_hook(const TargetContext& ctx, const ReleaseInput& in, std::string_view name, const HookFacts& facts,
              const DeployEventFn& on_event) {
  const auto* hook = hook_named(ctx.project.descriptor.hooks, name);
  if (!hook) return;
  const auto dir = std::filesystem::absolute(std::filesystem::path(ctx.project.descriptor.file)).parent_path();
  std::vector<std::string> argv = hook->argv;
  // ./scripts/notify is the project's, wherever ecp runs from (-C); a bare name is looked up in PATH.
  if (argv[0].find('/') != std::string::npos && std::filesystem::path(argv[0]).is_relative())
    argv[0] = (dir / argv[0]).lexically_normal().string();
  process::Options po;
  // The hook's output, both streams, reaches the user as it comes.
  po.merge_stderr = true;
  po.on_line = [name](std::string_view line) { log::info("{} hook: {}", name, line); };
  po.cwd = dir;
  po.timeout = hook->timeout;
  po.env = {{"ECP_HOOK", std::string(name)},
            {"ECP_APP", ctx.app.app},
            {"ECP_ENV", ctx.app.env},
            {"ECP_TARGET", ctx.target.name},
            {"ECP_KIND", std::string(ledger::to_string(in.kind))},
            {"ECP_REVISION", std::to_string(facts.revision)},
            {"ECP_FROM_REVISION", std::to_string(facts.from_revision)},
            {"ECP_IMAGE", in.image.reference},
            {"ECP_IMAGE_DIGEST", in.image.digest},
            {"ECP_CONFIG_DIGEST", in.config.digest},
            {"ECP_STRATEGY", std::string(strategy::to_string(in.strategy.type))},
            {"ECP_CHANGE_ID", in.change_id},
            {"ECP_WHO", who()},
            {"ECP_OUTCOME", facts.outcome}};
  if (on_event) on_event({"hook", fmt::format("{} hook: {}", name, argv[0])});
  auto where = fmt::format("{}:{}", hook->location.file, hook->location.line);
  std::string problem;
  try {
    auto r = process::run(argv, po);
    if (r.timed_out)
      problem = fmt::format("did not finish within {} s", hook->timeout.count() / 1000);
    else if (!r.ok())
      problem = r.signal ? fmt::format("was killed by signal {}", r.signal)
                         : fmt::format("exited {}: {}", r.exit_code, r.last_line());
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    problem = e.what();
  }
  if (problem.empty()) return;
  if (name == "pre-deploy")
    fail(ErrorKind::deploy_failed, "{}/{}: the pre-deploy hook ({}, {}) {}; nothing was changed", ctx.app.app,
         ctx.app.env, argv[0], where, problem);
  log::warn("{}/{}: the {} hook ({}, {}) {}; the release's outcome stands", ctx.app.app, ctx.app.env, name, argv[0],
            where, problem);
}

}  // namespace ecp::ops
