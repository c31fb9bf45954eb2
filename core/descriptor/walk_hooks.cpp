// hooks: {pre-deploy, post-deploy, post-rollback}, each an argv list or
// {run: argv list, timeout: DURATION}.
#include <fmt/format.h>

#include "core/descriptor/walk.hpp"
#include "core/util/text.hpp"

namespace ecp::descriptor::detail {
namespace {

std::optional<std::vector<std::string>> argv_of(Reader& r, const Node& n, const std::string& field) {
  if (!r.is_list(n, field, "an argv list, such as [./scripts/notify, --channel, ops]")) return std::nullopt;
  std::vector<std::string> argv;
  bool ok = true;
  for (std::size_t i = 0; i < n.items.size(); ++i) {
    auto t = r.text(*n.items[i], fmt::format("{}[{}]", field, i));
    if (!t) {
      ok = false;
      continue;
    }
    if (t->find('\0') != std::string::npos) {
      r.error(*n.items[i], fmt::format("{}[{}]", field, i), "contains a NUL byte");
      ok = false;
    }
    argv.push_back(*t);
  }
  if (ok && argv.empty()) r.error(n, field, "the argv list is empty: name the program to run");
  if (!ok || argv.empty()) return std::nullopt;
  return argv;
}

std::optional<Hook> read_hook(Reader& r, const Node& n, const std::string& field) {
  Hook h;
  h.location = r.at(n);
  r.record(field, n);
  if (n.kind == Kind::map) {
    r.check_keys(n, field, {"run", "timeout"});
    const Node* run = r.get(n, "run");
    if (!run) {
      r.error(n, field, "needs run: [PROGRAM, ARG...]");
      return std::nullopt;
    }
    auto argv = argv_of(r, *run, field + ".run");
    if (const Node* t = r.get(n, "timeout"))
      if (auto d = r.duration(*t, field + ".timeout")) h.timeout = *d;
    if (!argv) return std::nullopt;
    h.argv = std::move(*argv);
    return h;
  }
  auto argv = argv_of(r, n, field);
  if (!argv) return std::nullopt;
  h.argv = std::move(*argv);
  return h;
}

}  // namespace

void read_hooks(Reader& r, const Node& n, Hooks& hooks) {
  if (!r.is_map(n, "hooks", "pre-deploy, post-deploy, post-rollback")) return;
  r.check_keys(n, "hooks", {"pre-deploy", "post-deploy", "post-rollback"});
  if (const Node* v = r.get(n, "pre-deploy")) hooks.pre_deploy = read_hook(r, *v, "hooks.pre-deploy");
  if (const Node* v = r.get(n, "post-deploy")) hooks.post_deploy = read_hook(r, *v, "hooks.post-deploy");
  if (const Node* v = r.get(n, "post-rollback")) hooks.post_rollback = read_hook(r, *v, "hooks.post-rollback");
}

}  // namespace ecp::descriptor::detail
