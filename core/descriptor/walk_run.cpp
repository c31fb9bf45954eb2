// run: ports, health, resources, user, circuit.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/descriptor/values.hpp"
#include "core/descriptor/walk.hpp"

namespace ecp::descriptor::detail {
namespace {

void read_ports(Reader& r, const Node& n, std::vector<Port>& ports) {
  if (!r.is_map(n, "run.ports", "name: port, e.g. http: 8080")) return;
  for (const auto& e : n.entries) {
    std::string path = field_join("run.ports", e.key);
    r.record(path, *e.value);
    if (!r.check_name_key(e, "run.ports", "port name")) continue;
    auto number = r.integer(*e.value, path, 1, 65535);
    if (!number) continue;
    if (const Port* other = [&]() -> const Port* {
          for (const auto& p : ports)
            if (p.number == *number) return &p;
          return nullptr;
        }()) {
      r.error(*e.value, path, fmt::format("port {} is already used by '{}'", *number, other->name));
      continue;
    }
    ports.push_back(Port{e.key, static_cast<int>(*number), r.at(*e.value)});
  }
}

void read_health(Reader& r, const Node& n, Health& h) {
  if (!r.is_map(n, "run.health", "path, port, interval, timeout, retries, liveness")) return;
  r.check_keys(n, "run.health", {"path", "port", "interval", "timeout", "retries", "liveness"});
  if (const Node* v = r.get(n, "liveness"))
    if (auto b = r.boolean(*v, "run.health.liveness")) h.liveness = *b;
  if (const Node* v = r.get(n, "path")) {
    if (auto t = r.text(*v, "run.health.path")) {
      if (!t->starts_with("/") || t->find_first_of(" \t\r\n") != std::string::npos)
        r.error(*v, "run.health.path", fmt::format("{} must start with '/' and contain no spaces", quoted(*t)));
      else h.path = *t;
    }
  }
  if (const Node* v = r.get(n, "port")) {
    if (auto t = r.text(*v, "run.health.port")) {
      bool numeric = !t->empty() && t->find_first_not_of("0123456789+-") == std::string::npos;
      if (numeric) {
        if (auto p = r.integer(*v, "run.health.port", 1, 65535)) h.port = std::to_string(*p);
      } else {
        h.port = *t;  // a name; validate() checks it against run.ports
      }
    }
  }
  if (const Node* v = r.get(n, "interval"))
    if (auto d = r.duration(*v, "run.health.interval")) h.interval = *d;
  if (const Node* v = r.get(n, "timeout"))
    if (auto d = r.duration(*v, "run.health.timeout")) h.timeout = *d;
  if (const Node* v = r.get(n, "retries"))
    if (auto i = r.integer(*v, "run.health.retries", 0, 1000)) h.retries = static_cast<int>(*i);
}

void read_resources(Reader& r, const Node& n, Resources& res) {
  if (!r.is_map(n, "run.resources", "cpu, memory")) return;
  r.check_keys(n, "run.resources", {"cpu", "memory"});
  if (const Node* v = r.get(n, "cpu")) {
    if (auto t = r.text(*v, "run.resources.cpu")) {
      std::string why;
      if (auto m = parse_cpu_millis(*t, &why)) res.cpu_millis = *m;
      else r.error(*v, "run.resources.cpu", why);
    }
  }
  if (const Node* v = r.get(n, "memory")) {
    if (auto t = r.text(*v, "run.resources.memory")) {
      std::string why;
      auto bytes = parse_size(*t, &why);
      if (!bytes) r.error(*v, "run.resources.memory", why);
      else if (*bytes == 0) r.error(*v, "run.resources.memory", "must be more than 0");
      else res.memory_bytes = *bytes;
    }
  }
}

void read_circuit(Reader& r, const Node& n, Circuit& c) {
  if (!r.is_map(n, "run.circuit", "max_fails, fail_timeout, retry_on, tries, timeout")) return;
  r.check_keys(n, "run.circuit", {"max_fails", "fail_timeout", "retry_on", "tries", "timeout"});
  if (const Node* v = r.get(n, "max_fails"))
    if (auto i = r.integer(*v, "run.circuit.max_fails", 0, 1000)) c.max_fails = static_cast<int>(*i);
  if (const Node* v = r.get(n, "fail_timeout"))
    if (auto d = r.duration(*v, "run.circuit.fail_timeout")) c.fail_timeout = *d;
  if (const Node* v = r.get(n, "tries"))
    if (auto i = r.integer(*v, "run.circuit.tries", 0, 100)) c.tries = static_cast<int>(*i);
  if (const Node* v = r.get(n, "timeout"))
    if (auto d = r.duration(*v, "run.circuit.timeout")) c.timeout = *d;
  const Node* list = r.get(n, "retry_on");
  if (list == nullptr || !r.is_list(*list, "run.circuit.retry_on", "a list, such as [error, timeout, http_502]"))
    return;
  const auto& known = circuit_retry_conditions();
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    auto field = fmt::format("run.circuit.retry_on[{}]", i);
    auto t = r.text(*list->items[i], field);
    if (!t) continue;
    if (std::find(known.begin(), known.end(), *t) == known.end())
      r.error(*list->items[i], field,
              fmt::format("{} is not a condition nginx retries on (one of: {})", quoted(*t), fmt::join(known, ", ")));
    else if (std::find(c.retry_on.begin(), c.retry_on.end(), *t) == c.retry_on.end())
      c.retry_on.push_back(*t);
  }
}

}  // namespace

void read_run(Reader& r, const Node& n, Run& run) {
  if (!r.is_map(n, "run", "ports, health, resources, user, circuit")) return;
  r.check_keys(n, "run", {"ports", "health", "resources", "user", "circuit"});
  if (const Node* v = r.get(n, "circuit")) read_circuit(r, *v, run.circuit);
  if (const Node* v = r.get(n, "ports")) read_ports(r, *v, run.ports);
  if (const Node* v = r.get(n, "health")) {
    Health h;
    read_health(r, *v, h);
    run.health = h;
  }
  if (const Node* v = r.get(n, "resources")) read_resources(r, *v, run.resources);
  if (const Node* v = r.get(n, "user")) {
    if (auto t = r.text(*v, "run.user")) {
      if (auto problem = user_problem(*t)) r.error(*v, "run.user", fmt::format("{} {}", quoted(*t), *problem));
      else run.user = *t;
    }
  }
}

}  // namespace ecp::descriptor::detail
