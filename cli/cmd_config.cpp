// ecp config render|check|diff: the configuration an environment gets, whether
// the conf templates and every environment fit together, and how two differ.
#include <fmt/format.h>
#include <unistd.h>

#include <memory>
#include <set>
#include <tuple>

#include "cli/command_tree.hpp"
#include "cli/deploy_output.hpp"
#include "core/ops/config_ops.hpp"
#include "core/util/error.hpp"

namespace ecp::cli {
namespace {

struct ConfigArgs {
  std::string env;
  std::vector<std::string> envs;
  bool all = false;
  bool show_origin = false;
  bool reveal = false;
  bool references = false;  // render: each secret as its reference (what the config digest hashes)
  std::vector<std::string> set;
  std::vector<std::string> values;
  std::string out;
  std::string env_a, env_b;
  std::string against;  // "deployed": env_a against what serves at its target
};

ops::ConfigOptions options_of(const Globals& g, const ConfigArgs& a) {
  ops::ConfigOptions o;
  o.project = project_of(g);
  o.set = a.set;
  for (const auto& v : a.values) o.values_files.emplace_back(v);
  return o;
}

nlohmann::json origin_json(const config::Origin& o) {
  return {{"file", o.file}, {"line", o.line}, {"column", o.column}, {"layer", o.layer}};
}

nlohmann::json problem_json(const Diagnostic& d) {
  return {{"file", d.file},
          {"line", d.line},
          {"column", d.column},
          {"severity", d.severity == Severity::error ? "error" : "warning"},
          {"message", d.message}};
}

// Prints text that ends in a newline as lines (Output adds the newline back).
void print_block(Output& out, std::string text) {
  if (text.empty()) return;
  if (text.back() == '\n') text.pop_back();
  out.text(text);
}

int run_render(const Globals& g, const ConfigArgs& a, Output& out) {
  if (a.reveal && ::isatty(STDOUT_FILENO) != 1)
    fail(ErrorKind::usage,
         "--reveal prints secrets only to a terminal, and standard output is not one (use --out "
         "FILE to write the deployable file, mode 0600)");
  auto r = ops::render_config(options_of(g, a), a.env);
  const auto& rendered = r.rendered;
  bool show = a.reveal;
  if (!a.out.empty()) ops::write_rendered(rendered, a.out);
  if (out.json()) {
    auto values = nlohmann::json::array();
    for (const auto& v : rendered.values) {
      nlohmann::json j = {{"key", v.key},
                          {"value", show ? v.value : v.shown()},
                          {"secret", v.secret},
                          {"origin", origin_json(v.origin)}};
      if (!v.reference.empty()) j["reference"] = v.reference;
      values.push_back(std::move(j));
    }
    out.result({{"app", r.app},
                {"env", rendered.env},
                {"digest", rendered.digest},
                {"values", values},
                {"properties", config::properties_text(rendered, show)},
                {"references", config::reference_text(rendered)},
                {"out", a.out.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.out)}});
    return 0;
  }
  if (!a.out.empty()) {
    out.text(fmt::format("{}: {} value{} for {} environment {}, config digest {}", a.out, rendered.values.size(),
                         rendered.values.size() == 1 ? "" : "s", r.app, rendered.env, rendered.digest));
    return 0;
  }
  if (a.references)
    print_block(out, config::reference_text(rendered));
  else
    print_block(
        out, a.show_origin ? config::properties_with_origins(rendered, show) : config::properties_text(rendered, show));
  out.info(fmt::format("config digest {} ({} value{}, {} environment {})", rendered.digest, rendered.values.size(),
                       rendered.values.size() == 1 ? "" : "s", r.app, rendered.env));
  return 0;
}

int run_check(const Globals& g, const ConfigArgs& a, Output& out) {
  auto r = ops::check_config(options_of(g, a), a.envs);
  const auto& rep = r.report;
  if (out.json()) {
    auto problems = nlohmann::json::array();
    for (const auto& d : rep.diagnostics) problems.push_back(problem_json(d));
    auto envs = nlohmann::json::array();
    for (const auto& e : rep.environments) {
      auto missing = nlohmann::json::array();
      for (const auto& m : e.missing) {
        auto uses = nlohmann::json::array();
        for (const auto& u : m.uses) uses.push_back({{"file", u.file}, {"line", u.line}, {"column", u.column}});
        missing.push_back({{"key", m.key}, {"uses", uses}});
      }
      auto eproblems = nlohmann::json::array();
      for (const auto& d : e.diagnostics) eproblems.push_back(problem_json(d));
      envs.push_back({{"name", e.env}, {"ok", e.ok()}, {"missing", missing}, {"problems", eproblems}});
    }
    out.result({{"ok", rep.ok()},
                {"app", r.app},
                {"conf", r.conf_dir},
                {"templates", rep.templates},
                {"problems", problems},
                {"environments", envs}});
    return rep.ok() ? 0 : exit_code(ErrorKind::validation);
  }
  // The same default value or broken file shows in every environment: print it once.
  std::set<std::tuple<std::string, int, int, std::string>> seen;
  auto once = [&](const Diagnostic& d) {
    if (seen.emplace(d.file, d.line, d.column, d.message).second) print_diagnostic(out, d);
  };
  for (const auto& d : rep.diagnostics) once(d);
  for (const auto& e : rep.environments)
    for (const auto& d : e.diagnostics) once(d);
  std::size_t bad = 0;
  for (const auto& e : rep.environments) {
    if (e.ok()) {
      out.text(fmt::format("{}: {}", e.env, out.green("ok")));
      continue;
    }
    ++bad;
    std::size_t errors = 0;
    for (const auto& d : e.diagnostics) errors += d.severity == Severity::error;
    std::string what =
        e.missing.empty() ? ""
                          : fmt::format("{} key{} without a value", e.missing.size(), e.missing.size() == 1 ? "" : "s");
    if (errors > 0) what += fmt::format("{}{} error{} above", what.empty() ? "" : ", ", errors, errors == 1 ? "" : "s");
    out.text(fmt::format("{}: {}", e.env, out.red(what)));
    for (const auto& m : e.missing)
      for (std::size_t i = 0; i < m.uses.size(); ++i)
        out.text(fmt::format("  {:<24} {}", i == 0 ? m.key : "", config::to_string(m.uses[i])));
  }
  std::string templates =
      fmt::format("{} template{} under {}", rep.templates.size(), rep.templates.size() == 1 ? "" : "s", r.conf_dir);
  if (rep.ok())
    out.info(fmt::format("every placeholder of {} has a value in {} environment{}", templates, rep.environments.size(),
                         rep.environments.size() == 1 ? "" : "s"));
  else
    fmt::print(stderr, "ecp: {} {} of {} environment{} cannot render {}{}\n", out.red("error:"), bad,
               rep.environments.size(), rep.environments.size() == 1 ? "" : "s", templates,
               has_errors(rep.diagnostics) ? " (and the templates have errors)" : "");
  return rep.ok() ? 0 : exit_code(ErrorKind::validation);
}

std::string shown(const std::optional<std::string>& v, bool secret) {
  if (!v) return "(not set)";
  if (secret) return *v;
  // JSON string quoting: a newline or a trailing blank stays visible.
  return nlohmann::json(*v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int run_diff(const Globals& g, const ConfigArgs& a, Output& out) {
  if (a.against.empty() == a.env_b.empty())
    fail(ErrorKind::usage,
         "compare two environments (ecp config diff A B) or one with what is deployed "
         "(ecp config diff A --against deployed)");
  auto r = a.against.empty() ? ops::diff_config(options_of(g, a), a.env_a, a.env_b)
                             : ops::diff_deployed(options_of(g, a), a.env_a);
  const auto& d = r.diff;
  if (out.json()) {
    auto entries = nlohmann::json::array();
    for (const auto& e : d.entries)
      entries.push_back({{"key", e.key},
                         {"change", config::to_string(e.change)},
                         {"secret", e.secret},
                         {"a", e.a ? nlohmann::json(*e.a) : nlohmann::json(nullptr)},
                         {"b", e.b ? nlohmann::json(*e.b) : nlohmann::json(nullptr)}});
    out.result({{"app", r.app},
                {"a", d.a},
                {"b", d.b},
                {"digest_a", d.digest_a},
                {"digest_b", d.digest_b},
                {"same", d.same()},
                {"entries", entries}});
    return 0;
  }
  std::size_t counts[4] = {0, 0, 0, 0};
  out.text(fmt::format("--- {} {}", d.a, d.digest_a));
  out.text(fmt::format("+++ {} {}", d.b, d.digest_b));
  for (const auto& e : d.entries) {
    ++counts[static_cast<int>(e.change)];
    std::string tag = e.secret ? fmt::format(" (secret, {})", config::to_string(e.change)) : "";
    switch (e.change) {
      case config::Change::added:
        out.text(out.green(fmt::format("+ {}: {} (only in {}){}", e.key, shown(e.b, e.secret), d.b, tag)));
        break;
      case config::Change::removed:
        out.text(out.red(fmt::format("- {}: {} (only in {}){}", e.key, shown(e.a, e.secret), d.a, tag)));
        break;
      case config::Change::changed:
        out.text(out.yellow(fmt::format("~ {}: {} -> {}{}", e.key, shown(e.a, e.secret), shown(e.b, e.secret), tag)));
        break;
      case config::Change::unchanged:
        out.text(fmt::format("= {}: {}{}", e.key, shown(e.a, e.secret), tag));
        break;
    }
  }
  out.info(fmt::format("{} changed, {} added, {} removed, {} unchanged", counts[2], counts[0], counts[1], counts[3]));
  return 0;
}

}  // namespace

void add_config(CommandTree& t) {
  const Globals& g = t.globals;
  auto a = std::make_shared<ConfigArgs>();
  CLI::App* config = t.add(&t.root, "config", "Render, check and compare the configuration of each environment",
                           [](Output&) { return exit_code(ErrorKind::usage); });
  config->require_subcommand(1);

  CLI::App* render = t.add(config, "render", "Print the autoconfig.properties an environment gets",
                           [&g, a](Output& out) { return run_render(g, *a, out); });
  render->add_option("-e,--env", a->env, "The environment to render")->required()->type_name("ENV");
  render->add_flag("--show-origin", a->show_origin, "Say before each value where it comes from (FILE:LINE:COL)");
  auto* reveal = render->add_flag("--reveal", a->reveal, "Print secrets instead of masking them (only to a terminal)");
  render
      ->add_flag("--references", a->references,
                 "Print each secret as its reference: the text the config digest is the SHA-256 of")
      ->excludes(reveal);
  render->add_option("--set", a->set, "Set KEY to VALUE, over every other source (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  render->add_option("--values", a->values, "Read values from a .yaml or .properties file (repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  render->add_option("--out", a->out, "Write the deployable file (secrets included, mode 0600) instead of printing")
      ->type_name("FILE");

  CLI::App* check = t.add(config, "check", "Check that every template placeholder has a value in every environment",
                          [&g, a](Output& out) { return run_check(g, *a, out); });
  auto* env_opt = check->add_option("-e,--env", a->envs, "Check only this environment (repeatable)")
                      ->type_name("ENV")
                      ->allow_extra_args(false);
  check->add_flag("--all", a->all, "Check every environment (the default)")->excludes(env_opt);

  CLI::App* diff = t.add(config, "diff", "Compare the configuration of two environments key by key",
                         [&g, a](Output& out) { return run_diff(g, *a, out); });
  diff->add_option("env_a", a->env_a, "The first environment")->required()->type_name("ENV_A");
  diff->add_option("env_b", a->env_b, "The second environment (not with --against)")->type_name("ENV_B");
  diff->add_option("--against", a->against,
                   "deployed: compare ENV_A with the configuration serving at its target (from the ledger)")
      ->check(CLI::IsMember({"deployed"}))
      ->type_name("WHAT");
}

}  // namespace ecp::cli
