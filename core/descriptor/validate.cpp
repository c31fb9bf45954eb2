#include "core/descriptor/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/descriptor/reader.hpp"
#include "core/descriptor/values.hpp"

namespace ecp::descriptor {
namespace {

class Checker {
 public:
  Checker(const Descriptor& d, Diagnostics& out) : d_(d), out_(out) {}

  void error(const std::string& field, std::string_view message) { add(Severity::error, field, message); }
  void warning(const std::string& field, std::string_view message) { add(Severity::warning, field, message); }
  void warning_at(const Location& l, const std::string& field, std::string_view message) {
    out_.push_back(
        Diagnostic{l.file, l.line, l.column, Severity::warning, field, fmt::format("{}: {}", field, message)});
  }
  // Whether the file has this key at all, even with a value the parser rejected. Keeps
  // one mistake from being reported twice.
  bool written(const std::string& field) const { return d_.locations.count(field) != 0; }

 private:
  void add(Severity severity, const std::string& field, std::string_view message) {
    Location l = locate(d_.locations, field, d_.file);
    out_.push_back(Diagnostic{d_.file, l.line, l.column, severity, field, fmt::format("{}: {}", field, message)});
  }
  const Descriptor& d_;
  Diagnostics& out_;
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string hint_or_list(std::string_view word, const std::vector<std::string>& names, std::string_view what) {
  if (auto best = did_you_mean(word, names)) return fmt::format("; did you mean '{}'?", *best);
  if (names.empty()) return fmt::format(" (there are no {})", what);
  return fmt::format(" ({}: {})", what, fmt::join(names, ", "));
}

void check_health(Checker& c, const Descriptor& d) {
  const Health& h = *d.run.health;
  std::vector<std::string> port_names;
  for (const auto& p : d.run.ports) port_names.push_back(p.name);
  if (h.port.empty()) {
    if (d.run.ports.empty() && !c.written("run.ports"))
      c.error("run.health", "needs a port: declare one under run.ports (e.g. http: 8080)");
    else if (d.run.ports.size() > 1)
      c.error("run.health",
              fmt::format("set run.health.port: run.ports has several ports ({})", fmt::join(port_names, ", ")));
  } else if (!all_digits(h.port) && !find_port(d.run, h.port) && !c.written("run.ports." + h.port)) {
    c.error("run.health.port", fmt::format("{} is not a port name from run.ports{}", detail::quoted(h.port),
                                           hint_or_list(h.port, port_names, "ports")));
  }
  if (h.timeout >= h.interval)
    c.warning("run.health.timeout",
              fmt::format("{} is not shorter than run.health.interval ({}), so checks may overlap",
                          format_duration(h.timeout), format_duration(h.interval)));
}

// The port instance 0 of slot a listens on, as far as the files say: LISTEN_PORT
// of the environment, of its target, or its default, else the first of
// run.ports (ops::configured_port reads the rendered value the same way).
int base_port(const Descriptor& d, const Environment& env, const Target* target) {
  auto number = [](const std::string& v) { return all_digits(v) && v.size() <= 6 ? std::stoi(v) : 0; };
  for (const auto& v : env.config)
    if (v.key == "LISTEN_PORT") return number(v.value);
  if (target)
    for (const auto& v : target->config)
      if (v.key == "LISTEN_PORT") return number(v.value);
  if (const ConfigKey* k = find_config_key(d, "LISTEN_PORT"); k && k->default_value) return number(*k->default_value);
  return d.run.ports.empty() ? 8080 : d.run.ports.front().number;
}

// Instance i of slot s listens on base + 100 x s + i (backend::instance_port):
// every one of them must be a port, or the release fails only at its health check.
void check_ports(Checker& c, const Descriptor& d, const Environment& env, const Target* target, bool two_slots) {
  int base = base_port(d, env, target);
  if (base <= 0 || base > 65535) return;  // not a port: said where it is written
  int top = base + (two_slots ? 100 : 0) + std::max(env.replicas, 1) - 1;
  if (top <= 65535) return;
  c.error("environments." + env.name + ".replicas",
          fmt::format("{} instance(s){} from port {} would listen up to port {}, above 65535: lower LISTEN_PORT or "
                      "replicas",
                      std::max(env.replicas, 1), two_slots ? " in two slots (ports +100)" : "", base, top));
}

// run.circuit lives in a gateway: on a target without one it does nothing.
void check_circuit(Checker& c, const Descriptor& d, const Environment& env, const Target* target) {
  const auto& k = d.run.circuit;
  bool set = k.max_fails || k.fail_timeout || !k.retry_on.empty() || k.tries || k.timeout;
  if (!set || target == nullptr) return;
  bool gateway = target->settings && target->settings->contains("gateway");
  if (gateway && (target->builtin || target->plugin == "host" || target->plugin == "engine")) return;
  c.warning("run.circuit",
            fmt::format("environment {} releases to target {}, which has no gateway: the circuit settings apply to "
                        "a host or engine target's gateway only",
                        detail::quoted(env.name), detail::quoted(env.target)));
}

void check_environment(Checker& c, const Descriptor& d, const Environment& env, const TargetsFile& t) {
  std::string path = "environments." + env.name;
  if (t.complete && !find_target(t, env.target)) {
    std::string more = t.file.empty()
                           ? " (there is no targets file, so only 'local' exists; write ecp-targets.yaml beside "
                             "ecp.yaml, set ECP_TARGETS or pass --targets)"
                           : hint_or_list(env.target, target_names(t), "targets");
    c.error(path + ".target", fmt::format("unknown target {}{}", detail::quoted(env.target), more));
  }
  std::vector<std::string> declared;
  for (const auto& k : d.config) declared.push_back(k.name);
  for (const auto& v : env.config) {
    if (find_config_key(d, v.key) || c.written("config." + v.key)) continue;
    c.warning_at(v.location, path + ".config." + v.key,
                 fmt::format("{} is not declared under config{}", detail::quoted(v.key),
                             did_you_mean(v.key, declared) ? hint_or_list(v.key, declared, "") : ""));
  }
  const strategy::Settings& s = env.strategy;
  // Traffic strategies need a gateway; a built-in host target says whether it has
  // one (an external plugin answers for itself at release time).
  bool moves_traffic = strategy::needs_router(s.type);
  if (const Target* target = find_target(t, env.target); moves_traffic && target &&
                                                         !(target->settings && target->settings->contains("gateway")) &&
                                                         (target->builtin || target->plugin == "host"))
    c.error(path + ".strategy",
            fmt::format("{} moves traffic through a gateway, and target {} has none: give it 'gateway' in the "
                        "targets file (ecp.yaml(5)), or use recreate or rolling",
                        to_string(s.type), detail::quoted(env.target)));
  check_ports(c, d, env, find_target(t, env.target), moves_traffic);
  // A liveness probe promises restarts, which only some targets do.
  if (const Target* target = find_target(t, env.target);
      target && d.run.health && d.run.health->liveness &&
      (target->builtin || target->plugin == "host" || target->plugin == "engine"))
    c.error(
        "run.health.liveness",
        fmt::format("environment {} releases to target {} (plugin {}), which does not restart an instance "
                    "whose check fails; liveness works on kubernetes targets",
                    detail::quoted(env.name), detail::quoted(env.target), target->builtin ? "host" : target->plugin));
  // Approvals come from groups the targets file defines (ops own who is in them).
  for (const auto& g : env.approvals.from)
    if (std::none_of(t.access.groups.begin(), t.access.groups.end(), [&](const auto& e) { return e.first == g; }))
      c.error(path + ".approvals.from",
              fmt::format("group {} is not under access.groups of the targets file{}", detail::quoted(g),
                          t.file.empty() ? " (there is none)" : " " + t.file));
  // Analysis queries promise a judgement: the target must name the Prometheus to ask.
  if (const Target* target = find_target(t, env.target);
      target && s.type == strategy::Type::canary && !target->prometheus &&
      (!s.analysis.error_rate_query.empty() || !s.analysis.p95_query.empty()))
    c.error(path + ".strategy.analysis.queries",
            fmt::format("target {} names no prometheus: to run these queries against: give it 'prometheus: URL' "
                        "in the targets file (ecp.yaml(5))",
                        detail::quoted(env.target)));
  check_circuit(c, d, env, find_target(t, env.target));
  if (s.type == strategy::Type::rolling && env.replicas > 0 && s.batch > env.replicas)
    c.warning(path + ".strategy.batch",
              fmt::format("{} is more than replicas ({}); all instances are replaced at once", s.batch, env.replicas));
}

}  // namespace

Diagnostics validate(const Descriptor& d, const TargetsFile& targets) {
  Diagnostics out;
  Checker c(d, out);
  if (d.build.dependencies && d.type != AppType::jar)
    c.error("build.dependencies", fmt::format("applies to type jar only, not {}", to_string(d.type)));
  if (d.run.health) check_health(c, d);
  for (const auto& env : d.environments) check_environment(c, d, env, targets);
  return out;
}

}  // namespace ecp::descriptor
