#include "core/ops/config_ops.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/config/properties.hpp"
#include "core/config/values_yaml.hpp"
#include "core/descriptor/values.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "core/util/private_key.hpp"

namespace ecp::ops {

void key_masks_with_home_key() {
  config::set_fingerprint_key_source([] { return fs::read_or_create_key(fs::ecp_home() / "fingerprint.key"); });
}

namespace stdfs = std::filesystem;
namespace {

constexpr std::size_t max_text_bytes = std::size_t(1) << 20;

config::Origin origin_of(const descriptor::Location& l, std::string layer) {
  return config::Origin{l.file, l.line, l.column, std::move(layer)};
}

// env/ and the layout are beside the descriptor that was read.
stdfs::path project_dir(const descriptor::Descriptor& d) { return stdfs::path(d.file).parent_path(); }

// A values file of either format. Problems become diagnostics, never exceptions,
// so `config check` can list them with everything else.
config::ParsedValues read_values(const stdfs::path& path, const std::string& layer) {
  config::ParsedValues r;
  std::string file = path.string();
  auto problem = [&](std::string message) {
    r.diagnostics.push_back(Diagnostic{file, 0, 0, Severity::error, "", std::move(message)});
  };
  std::error_code ec;
  auto st = stdfs::status(path, ec);
  if (ec || !stdfs::exists(st)) {
    problem("no such file");
    return r;
  }
  if (stdfs::is_directory(st)) {
    problem("is a folder, not a values file (give a .yaml or .properties file)");
    return r;
  }
  std::string text;
  try {
    text = fs::read_file(path, max_text_bytes);
  } catch (const Error& e) {
    problem(e.what());
    return r;
  }
  auto ext = path.extension().string();
  if (ext == ".yaml" || ext == ".yml") return config::parse_values_yaml(text, file, layer);
  return config::parse_properties(text, file, layer);
}

void add_file_layer(ConfigInputs& ci, const stdfs::path& path, const std::string& layer) {
  auto parsed = read_values(path, layer);
  ci.diagnostics.insert(ci.diagnostics.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
  ci.inputs.layers.push_back(config::Layer{layer, std::move(parsed.values), config::Undeclared::warn});
}

const descriptor::Environment& find_env(const descriptor::Descriptor& d, std::string_view env) {
  if (const auto* e = descriptor::find_environment(d, env)) return *e;
  std::vector<std::string> names;
  for (const auto& e : d.environments) names.push_back(e.name);
  auto where = descriptor::locate(d.locations, "environments", d.file);
  std::string place = where.line > 0 ? fmt::format("{}:{}:{}", where.file, where.line, where.column) : d.file;
  if (names.empty())
    fail(ErrorKind::validation, "{}: no environment '{}': ecp.yaml defines no environments", place, env);
  auto hint = descriptor::did_you_mean(env, names);
  fail(ErrorKind::validation, "{}: no environment '{}'{} (environments: {})", place, env,
       hint ? fmt::format("; did you mean '{}'?", *hint) : "", fmt::format("{}", fmt::join(names, ", ")));
}

// Every file under conf/: *.tmpl files are scanned; other files that use a
// declared key as ${KEY} are reported, since autoconfig.sh leaves them alone.
std::vector<config::Template> scan_conf(const stdfs::path& conf, const std::vector<config::KeySpec>& keys,
                                        Diagnostics& warnings) {
  std::vector<config::Template> templates;
  std::error_code ec;
  if (!stdfs::is_directory(conf, ec)) return templates;
  std::vector<stdfs::path> files;
  for (stdfs::recursive_directory_iterator it(conf, stdfs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    bool is_template = path.extension() == ".tmpl";
    if (!is_template && path.filename() == "autoconfig.properties") continue;
    std::string text;
    try {
      text = fs::read_file(path, max_text_bytes);
    } catch (const Error& e) {
      if (is_template) warnings.push_back(Diagnostic{path.string(), 0, 0, Severity::warning, "", e.what()});
      continue;
    }
    if (!is_template && text.find('\0') != std::string::npos) continue;
    auto scan = config::scan_template(text, path.string());
    if (is_template) {
      templates.push_back(config::Template{path.string(), std::move(scan)});
      continue;
    }
    for (const auto& p : scan.placeholders) {
      bool declared = std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return k.name == p.key; });
      if (!declared) continue;
      warnings.push_back(config::diagnostic_at(
          p.where, Severity::warning,
          fmt::format("${{{}}} is in a file autoconfig.sh does not render: only *.tmpl files are templates "
                      "(rename it to {}.tmpl)",
                      p.key, path.filename().string())));
      break;
    }
  }
  return templates;
}

// Files under env/ that no environment reads: a misspelt environment or extension.
void check_env_folder(const descriptor::Descriptor& d, Diagnostics& out) {
  std::error_code ec;
  stdfs::path dir = project_dir(d) / "env";
  if (!stdfs::is_directory(dir, ec)) return;
  std::vector<std::string> names;
  for (const auto& e : d.environments) names.push_back(e.name);
  for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
    auto name = entry.path().filename().string();
    auto ext = entry.path().extension().string();
    if (name.empty() || name[0] == '.' || (ext != ".yaml" && ext != ".yml" && ext != ".properties")) continue;
    auto stem = entry.path().stem().string();
    bool known = std::find(names.begin(), names.end(), stem) != names.end();
    if (known && ext != ".yml") continue;
    std::string why = known ? fmt::format("ecp reads env/{}.yaml, not .yml", stem)
                            : fmt::format("there is no environment '{}' in {}", stem, d.file);
    out.push_back(Diagnostic{entry.path().string(), 0, 0, Severity::warning, "", fmt::format("not read: {}", why)});
  }
}

[[noreturn]] void fail_listing(std::string_view what, const Diagnostics& ds) {
  std::string listing;
  std::size_t errors = 0;
  for (const auto& d : ds)
    if (d.severity == Severity::error) ++errors, listing += "\n" + format_diagnostic(d);
  fail(ErrorKind::validation, "{} ({} error{}):{}", what, errors, errors == 1 ? "" : "s", listing);
}

void warn_all(const Diagnostics& ds) {
  for (const auto& d : ds) {
    if (d.severity != Severity::warning) continue;
    if (d.line > 0)
      log::warn("{}:{}:{}: {}", d.file, d.line, d.column, d.message);
    else
      log::warn("{}: {}", d.file, d.message);
  }
}

}  // namespace

std::vector<config::KeySpec> config_keys(const descriptor::Descriptor& d) {
  std::vector<config::KeySpec> keys;
  for (const auto& k : d.config)
    keys.push_back(config::KeySpec{k.name, k.default_value, k.required, k.secret, k.description,
                                   origin_of(k.location, "default")});
  return keys;
}

ConfigInputs config_inputs(const Project& project, const ConfigOptions& options, std::string_view env) {
  const auto& d = project.descriptor;
  const auto& e = find_env(d, env);
  ConfigInputs ci;
  ci.inputs.env = e.name;
  ci.inputs.keys = config_keys(d);

  // ecp validate already warns about undeclared keys written in ecp.yaml.
  config::Layer inline_layer{"environments." + e.name + ".config", {}, config::Undeclared::keep};
  for (const auto& v : e.config)
    inline_layer.values.push_back(config::Value{v.key, v.value, origin_of(v.location, "environment " + e.name)});
  ci.inputs.layers.push_back(std::move(inline_layer));

  for (std::string ext : {".yaml", ".properties"}) {
    stdfs::path file = project_dir(d) / "env" / (e.name + ext);
    std::error_code ec;
    if (stdfs::exists(stdfs::symlink_status(file, ec)) || stdfs::exists(file, ec))
      add_file_layer(ci, file, (stdfs::path("env") / (e.name + ext)).string());
  }

  if (const auto* t = descriptor::find_target(project.targets, e.target); t && !t->config.empty()) {
    config::Layer layer{"target " + t->name, {}, config::Undeclared::skip};
    for (const auto& v : t->config)
      layer.values.push_back(config::Value{v.key, v.value, origin_of(v.location, "target " + t->name)});
    ci.inputs.layers.push_back(std::move(layer));
  }

  for (const auto& file : options.values_files) add_file_layer(ci, file, "--values " + file.string());

  config::Layer set{"--set", {}, config::Undeclared::warn};
  for (const auto& s : options.set) {
    auto eq = s.find('=');
    if (eq == std::string::npos) fail(ErrorKind::usage, "--set {}: expected KEY=VALUE", s);
    std::string key = s.substr(0, eq);
    if (!config::valid_key(key))
      fail(ErrorKind::usage,
           "--set {}: '{}' is not a valid key (letters, digits, '_' and '.', not starting with a digit)",
           s.substr(0, 60), key);
    set.values.push_back(config::Value{key, s.substr(eq + 1), config::Origin{"--set", 0, 0, "--set"}});
  }
  ci.inputs.layers.push_back(std::move(set));
  return ci;
}

RenderConfigResult render_config(const ConfigOptions& options, std::string_view env) {
  return render_config(options, env, config::SystemSecretResolver{});
}

RenderConfigResult render_config(const ConfigOptions& options, std::string_view env,
                                 const config::SecretResolver& secrets) {
  auto project = load_project(options.project);
  return RenderConfigResult{project.descriptor.app, render_config(project, options, env, secrets)};
}

void write_rendered(const config::Rendered& rendered, const stdfs::path& path) {
  std::error_code ec;
  if (stdfs::is_directory(path, ec)) fail(ErrorKind::usage, "{}: is a folder; give the file to write", path.string());
  fs::write_file_atomic(path, config::properties_text(rendered, true), 0600);
}

CheckConfigResult check_config(const ConfigOptions& options, const std::vector<std::string>& envs) {
  auto project = load_project(options.project);
  const auto& d = project.descriptor;
  std::vector<std::string> names = envs;
  if (names.empty())
    for (const auto& e : d.environments) names.push_back(e.name);
  for (const auto& n : names) find_env(d, n);  // unknown names fail before any work

  CheckConfigResult r;
  r.app = d.app;
  auto keys = config_keys(d);
  stdfs::path conf = project_dir(d) / d.build.root / "conf";
  r.conf_dir = conf.lexically_normal().string();
  Diagnostics extra;
  auto templates = scan_conf(conf, keys, extra);
  check_env_folder(d, extra);

  std::vector<config::Resolved> resolved;
  for (const auto& n : names) {
    auto ci = config_inputs(project, options, n);
    auto res = config::resolve(ci.inputs);
    res.diagnostics.insert(res.diagnostics.begin(), ci.diagnostics.begin(), ci.diagnostics.end());
    resolved.push_back(std::move(res));
  }
  r.report = config::check(templates, keys, resolved);
  r.report.diagnostics.insert(r.report.diagnostics.end(), extra.begin(), extra.end());
  return r;
}

DiffConfigResult diff_config(const ConfigOptions& options, std::string_view env_a, std::string_view env_b) {
  auto project = load_project(options.project);
  config::SystemSecretResolver secrets;
  auto a = render_config(project, options, env_a, secrets);
  auto b = render_config(project, options, env_b, secrets);
  return DiffConfigResult{project.descriptor.app, config::diff(a, b)};
}

config::Rendered render_config(const Project& project, const ConfigOptions& options, std::string_view env,
                               const config::SecretResolver& secrets) {
  auto ci = config_inputs(project, options, env);
  if (has_errors(ci.diagnostics))
    fail_listing(fmt::format("the values of environment {} cannot be read", env), ci.diagnostics);
  warn_all(ci.diagnostics);
  auto resolved = config::resolve(ci.inputs);
  warn_all(resolved.diagnostics);
  return config::render(resolved, secrets, project.descriptor.app);
}

}  // namespace ecp::ops
