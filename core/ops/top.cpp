#include "core/ops/top.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/ops/deploy_context.hpp"
#include "core/ops/target_spec.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

namespace {

// The targets to sample, each with an environment of the project that names it
// ("" when none does: the backend is opened for the app alone).
std::vector<std::pair<std::string, std::string>> scope(const Project& p, const TopOptions& o) {
  const auto& d = p.descriptor;
  auto env_of = [&](const std::string& target) {
    for (const auto& e : d.environments)
      if (e.target == target) return e.name;
    return std::string();
  };
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const std::string& target) {
    for (const auto& [t, e] : out)
      if (t == target) return;
    out.emplace_back(target, env_of(target));
  };
  if (!o.target.empty()) {
    if (!descriptor::find_target(p.targets, o.target)) {
      auto names = descriptor::target_names(p.targets);
      fail(ErrorKind::usage, "there is no target '{}' (there are: {})", o.target, fmt::join(names, ", "));
    }
    add(o.target);
  } else if (o.all) {
    for (const auto& t : descriptor::target_names(p.targets))
      if (t != descriptor::builtin_target || !env_of(t).empty()) add(t);
  } else {
    for (const auto& e : d.environments) add(e.target);
  }
  return out;
}

std::unique_ptr<backend::Backend> open_for_top(const Project& p, const std::string& target) {
  return open_target_wide(p.targets, *descriptor::find_target(p.targets, target), p.descriptor.app, "top");
}

void add(TopResult& r, const std::string& target, backend::Metrics m) {
  for (auto& l : m.locations) r.locations.push_back({target, std::move(l)});
  for (auto& i : m.instances) r.instances.push_back({target, std::move(i)});
  for (auto& u : m.unreachable) r.unreachable.push_back(fmt::format("{}: {}", target, u));
  for (auto& n : m.notes) r.notes.push_back(fmt::format("{}: {}", target, n));
}

}  // namespace

void sort_busiest(std::vector<TopLocation>& locations, std::vector<TopInstance>& instances) {
  std::stable_sort(locations.begin(), locations.end(), [](const auto& a, const auto& b) {
    if (a.metrics.cpu_percent != b.metrics.cpu_percent) return a.metrics.cpu_percent > b.metrics.cpu_percent;
    return a.metrics.memory_used > b.metrics.memory_used;
  });
  std::stable_sort(instances.begin(), instances.end(), [](const auto& a, const auto& b) {
    if (a.metrics.cpu_percent != b.metrics.cpu_percent) return a.metrics.cpu_percent > b.metrics.cpu_percent;
    return a.metrics.rss > b.metrics.rss;
  });
}

TopResult top(const TopOptions& o) {
  if (int given = !o.env.empty() + !o.target.empty() + o.all; given > 1)
    fail(ErrorKind::usage, "give one of --env, --target and --all");
  if (o.limit < 0) fail(ErrorKind::usage, "-n {}: give a number of rows (0: all)", o.limit);
  TopResult r;
  Project project = load_project(o.project);
  if (!o.env.empty()) {
    TargetContext ctx = open_target(std::move(project), o.env);
    if (!ctx.backend->capabilities().metrics)
      fail(ErrorKind::usage, "target '{}' (plugin {}) gives no CPU and memory figures", ctx.target.name,
           ctx.target.plugin);
    add(r, ctx.target.name, ctx.backend->metrics(o.sample, false));
  } else {
    for (const auto& [target, env] : scope(project, o)) {
      auto b = env.empty() ? open_for_top(project, target) : open_target(project, env).backend;
      if (!b->capabilities().metrics) {
        r.notes.push_back(fmt::format("{}: its plugin gives no CPU and memory figures", target));
        continue;
      }
      add(r, target, b->metrics(o.sample, true));
    }
  }
  sort_busiest(r.locations, r.instances);
  r.locations_total = static_cast<int>(r.locations.size());
  r.instances_total = static_cast<int>(r.instances.size());
  if (o.limit > 0) {
    if (r.locations.size() > static_cast<std::size_t>(o.limit)) r.locations.resize(o.limit);
    if (r.instances.size() > static_cast<std::size_t>(o.limit)) r.instances.resize(o.limit);
  }
  return r;
}

}  // namespace ecp::ops
