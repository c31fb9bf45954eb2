// `ecp top`: the busiest hosts and instances (core/ops/top.hpp), once or --watch.
#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "cli/registry_flags.hpp"
#include "cli/text_table.hpp"
#include "cli/watch.hpp"
#include "core/ops/top.hpp"
#include "core/util/clock.hpp"
#include "core/util/text.hpp"

namespace ecp::cli {

namespace {

using Json = nlohmann::json;

std::string percent(double p) { return p < 0 ? "-" : fmt::format("{:.1f}", p); }
std::string bytes(std::int64_t n) { return n < 0 ? "-" : human_bytes(n); }

// "3h12m", "45s": how long an instance's process has run.
std::string age(const std::string& since) {
  auto at = text::parse_rfc3339_ms(since);
  if (!at) return "-";
  auto s = std::max<std::int64_t>(0, (system_clock().unix_ms() - *at) / 1000);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{}h", s / 86400, s % 86400 / 3600);
}

std::string instance_name(const backend::InstanceMetrics& m) {
  return fmt::format("{}/{}/{}-{}", m.app, m.env, m.ref.slot, m.ref.index);
}

void print_top(Output& out, const ops::TopResult& r) {
  for (const auto& u : r.unreachable) out.warn(u);
  for (const auto& n : r.notes) out.info(n);
  TextTable hosts(
      {{"HOST"}, {"TARGET"}, {"ADDRESS"}, {"CPU%", true}, {"MEM USED/TOTAL", true}, {"MEM%", true}, {"LOAD", true}});
  for (const auto& l : r.locations) {
    const auto& m = l.metrics;
    double mem = m.memory_total > 0 && m.memory_used >= 0 ? 100.0 * m.memory_used / m.memory_total : -1;
    hosts.add({m.location, l.target, m.address, percent(m.cpu_percent),
               fmt::format("{}/{}", bytes(m.memory_used), bytes(m.memory_total)), percent(mem),
               m.load1 < 0 ? "-" : fmt::format("{:.2f}", m.load1)});
  }
  out.text(fmt::format("hosts: {} of {}, busiest first", r.locations.size(), r.locations_total));
  for (const auto& line : hosts.lines()) out.text(line);
  TextTable instances(
      {{"INSTANCE"}, {"HOST"}, {"CPU%", true}, {"RSS", true}, {"RESTARTS", true}, {"AGE", true}, {"STATE"}});
  for (const auto& i : r.instances) {
    const auto& m = i.metrics;
    instances.add({instance_name(m), m.ref.location, percent(m.cpu_percent), bytes(m.rss), std::to_string(m.restarts),
                   age(m.since), std::string(backend::to_string(m.state))});
  }
  out.text(fmt::format("instances: {} of {}, busiest first", r.instances.size(), r.instances_total));
  for (const auto& line : instances.lines()) out.text(line);
}

Json number_or_null(double v) { return v < 0 ? Json(nullptr) : Json(v); }
Json number_or_null(std::int64_t v) { return v < 0 ? Json(nullptr) : Json(v); }

Json top_json(const ops::TopResult& r) {
  Json hosts = Json::array(), instances = Json::array();
  for (const auto& l : r.locations) {
    const auto& m = l.metrics;
    hosts.push_back(
        {{"target", l.target},
         {"location", m.location},
         {"address", m.address},
         {"cpu_percent", number_or_null(m.cpu_percent)},
         {"cpus", m.cpus},
         {"memory_used", number_or_null(m.memory_used)},
         {"memory_total", number_or_null(m.memory_total)},
         {"memory_percent",
          m.memory_total > 0 && m.memory_used >= 0 ? Json(100.0 * m.memory_used / m.memory_total) : Json(nullptr)},
         {"load1", number_or_null(m.load1)}});
  }
  for (const auto& i : r.instances) {
    const auto& m = i.metrics;
    instances.push_back({{"target", i.target},
                         {"app", m.app},
                         {"env", m.env},
                         {"instance", fmt::format("{}-{}", m.ref.slot, m.ref.index)},
                         {"location", m.ref.location},
                         {"pid", m.pid},
                         {"cpu_percent", number_or_null(m.cpu_percent)},
                         {"rss", number_or_null(m.rss)},
                         {"restarts", m.restarts},
                         {"since", m.since.empty() ? Json(nullptr) : Json(m.since)},
                         {"state", backend::to_string(m.state)}});
  }
  return {{"hosts", hosts},
          {"instances", instances},
          {"hosts_total", r.locations_total},
          {"instances_total", r.instances_total},
          {"unreachable", r.unreachable},
          {"notes", r.notes}};
}

}  // namespace

void add_top(CommandTree& t) {
  auto o = std::make_shared<ops::TopOptions>();
  auto every = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "top", "Show the busiest hosts and instances: CPU, memory, load, restarts",
                    [&g = t.globals, o, every](Output& out) {
                      o->project = project_of(g);
                      if (!every->empty())
                        return watch(out, watch_interval(*every, "--watch"), [&out, o](const ShowFn& show) {
                          auto r = ops::top(*o);
                          show();
                          if (out.json()) return out.event("top", top_json(r));
                          print_top(out, r);
                        });
                      auto r = ops::top(*o);
                      print_top(out, r);
                      out.result(top_json(r));
                      return 0;
                    });
  cmd->add_option("-e,--env", o->env, "Only this environment's instances, on its target")->type_name("ENV");
  cmd->add_option("--target", o->target, "Every instance on this target")->type_name("TARGET");
  cmd->add_flag("--all", o->all, "Every target of the targets file (default: those ecp.yaml's environments name)");
  cmd->add_option("-n", o->limit, "Rows per table (default 5; 0: all)")->type_name("N");
  cmd->add_option("--watch", *every,
                  "Sample again every DURATION until interrupted: in place on a terminal, a JSON line each time "
                  "with -o json")
      ->type_name("DURATION");
}

}  // namespace ecp::cli
