#include "core/ops/deploy_context.hpp"

#include <git2.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "core/descriptor/values.hpp"
#include "core/ops/push.hpp"
#include "core/ops/target_spec.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {
namespace {

std::string env_or(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string git_user() {
  git_libgit2_init();
  git_config* cfg = nullptr;
  std::string out;
  if (git_config_open_default(&cfg) == 0) {
    git_buf name{}, email{};
    bool has_name = git_config_get_string_buf(&name, cfg, "user.name") == 0;
    bool has_email = git_config_get_string_buf(&email, cfg, "user.email") == 0;
    if (has_name) out = name.ptr;
    if (has_email) out += (out.empty() ? "" : " ") + std::string("<") + email.ptr + ">";
    git_buf_dispose(&name);
    git_buf_dispose(&email);
    git_config_free(cfg);
  }
  git_libgit2_shutdown();
  return out;
}

}  // namespace

std::string who() {
  if (auto w = env_or("ECP_WHO"); !w.empty()) return w;
  if (!env_or("GITHUB_ACTIONS").empty()) return "github:" + env_or("GITHUB_ACTOR", "unknown");
  if (!env_or("GITLAB_CI").empty()) return "gitlab:" + env_or("GITLAB_USER_LOGIN", "unknown");
  if (!env_or("JENKINS_URL").empty()) return "jenkins:" + env_or("BUILD_USER_ID", env_or("USER", "unknown"));
  if (!env_or("CI").empty()) return "ci:" + env_or("USER", "unknown");
  if (auto g = git_user(); !g.empty()) return g;
  if (auto u = env_or("USER", env_or("LOGNAME")); !u.empty()) return u;
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return "uid " + std::to_string(::getuid());
}

std::string lock_holder() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{} on {} (pid {})", who(), host, ::getpid());
}

Duration parse_duration_arg(const std::string& text, const std::string& what) {
  std::string why;
  auto d = descriptor::parse_duration(text, &why);
  if (!d) fail(ErrorKind::usage, "{} '{}': {}", what, text, why.empty() ? "not a duration (e.g. 30s, 2m)" : why);
  return *d;
}

Duration lock_lease() {
  auto v = env_or("ECP_LOCK_LEASE");
  return v.empty() ? Duration(std::chrono::seconds(60)) : parse_duration_arg(v, "ECP_LOCK_LEASE");
}

TargetContext open_target(const ValidateOptions& files, const std::string& env) {
  return open_target(load_project(files), env, 0);
}

TargetContext open_target(Project project, const std::string& env, int base_port) {
  TargetContext c;
  c.project = std::move(project);
  const auto& d = c.project.descriptor;
  const auto* e = descriptor::find_environment(d, env);
  if (!e) {
    std::string names = text::join(d.environments, ", ", [](const auto& x) { return x.name; });
    fail(ErrorKind::usage, "{} has no environment '{}' (it has: {})", d.file, env, names.empty() ? "none" : names);
  }
  c.env = *e;
  const auto* t = descriptor::find_target(c.project.targets, e->target);
  if (!t) fail(ErrorKind::validation, "environment '{}' names target '{}', which is not defined", env, e->target);
  c.target = *t;

  // The target as plain data for the backend: its plugin reads its own section.
  c.target_spec = target_spec(c.project.targets, *t);
  if (const auto* reg = descriptor::find_registry(c.project.targets, t->registry))
    c.registry_repository = registry_repository(*reg, d.app);

  // The app as far as running it goes.
  auto& a = c.app;
  a.app = d.app;
  a.env = env;
  a.preview_header = e->strategy.header;
  a.priority = d.priority;
  a.type = std::string(descriptor::to_string(d.type));
  int main_port = d.run.ports.empty() ? 8080 : d.run.ports.front().number;
  a.base_port = base_port > 0 ? base_port : main_port;
  if (d.run.health) {
    a.health.path = d.run.health->path;
    a.health.interval = d.run.health->interval;
    a.health.timeout = d.run.health->timeout;
    a.health.retries = d.run.health->retries;
    a.health.liveness = d.run.health->liveness;
    if (auto hp = descriptor::health_port(d.run)) a.health.port_delta = *hp - main_port;
  }
  a.resources.cpu_millis = d.run.resources.cpu_millis.value_or(0);
  a.resources.memory_bytes = static_cast<std::int64_t>(d.run.resources.memory_bytes.value_or(0));
  a.user = d.run.user;
  const auto& circuit = d.run.circuit;
  if (circuit.max_fails) a.circuit.max_fails = *circuit.max_fails;
  if (circuit.fail_timeout) a.circuit.fail_timeout = *circuit.fail_timeout;
  a.circuit.retry_on = circuit.retry_on;
  if (circuit.tries) a.circuit.tries = *circuit.tries;
  if (circuit.timeout) a.circuit.timeout = *circuit.timeout;
  if (auto k = env_or("ECP_KEEP_RELEASES"); !k.empty()) a.keep_releases = std::max(1, std::atoi(k.c_str()));
  if (auto g = env_or("ECP_STOP_GRACE"); !g.empty()) a.stop_grace = parse_duration_arg(g, "ECP_STOP_GRACE");

  c.backend = backend::open_backend(c.target_spec, a);
  c.ledger = std::make_unique<ledger::Ledger>(c.backend->state());
  return c;
}

std::vector<backend::InstanceSpec> desired_instances(TargetContext& ctx, int replicas, int revision,
                                                     const std::string& slot) {
  std::vector<backend::InstanceSpec> out;
  for (const auto& loc : ctx.backend->locations())
    for (int i = 0; i < replicas; ++i) {
      backend::InstanceSpec s;
      s.ref = {loc, slot, i};
      s.revision = revision;
      s.port = backend::instance_port(ctx.app, s.ref);
      out.push_back(s);
    }
  return out;
}

}  // namespace ecp::ops
