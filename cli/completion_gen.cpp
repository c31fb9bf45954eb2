#include "cli/completion_gen.hpp"

#include <algorithm>

#include "core/util/error.hpp"

namespace ecp::cli::completion {
namespace {

// Splits "{a,b->x,c}" out of a CLI11 type name such as "FORMAT:{text,json}".
// Transformer maps print as "from->to": the user types "from".
std::vector<std::string> set_in(std::string_view type_name) {
  auto open = type_name.find('{');
  auto close = type_name.find('}', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return {};
  std::vector<std::string> out;
  std::string_view body = type_name.substr(open + 1, close - open - 1);
  while (!body.empty()) {
    auto comma = body.find(',');
    std::string_view item = body.substr(0, comma);
    item = item.substr(0, item.find("->"));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
  }
  return out;
}

bool names_dir(std::string_view word) {
  return word == "DIR" || word.ends_with("_DIR") || word == "DIRECTORY";
}
bool names_file(std::string_view word) {
  return word == "FILE" || word == "PATH" || word.ends_with("_FILE") || word.ends_with("_PATH");
}

// The values only the project knows, listed by `ecp __complete SOURCE`.
std::string dynamic_source(std::string_view word) {
  if (word == "ENV" || word == "ENV_A" || word == "ENV_B") return "envs";
  if (word == "REVISION") return "revisions";
  if (word == "IMAGE") return "images";
  if (word == "REGISTRY") return "registries";
  if (word == "TARGET") return "targets";
  return "";
}

bool repeatable(const CLI::Option& opt) {
  auto policy = opt.get_multi_option_policy();
  bool collects = policy == CLI::MultiOptionPolicy::TakeAll || policy == CLI::MultiOptionPolicy::Join;
  return collects || opt.get_expected_max() > 1;
}

void add_option(std::vector<OptionSpec>& into, const CLI::Option& opt) {
  OptionSpec o;
  for (const auto& s : opt.get_snames()) o.names.push_back("-" + s);
  for (const auto& l : opt.get_lnames()) o.names.push_back("--" + l);
  o.help = opt.get_description();
  o.value = value_of(opt);
  if (o.value.kind != ValueKind::none) {
    std::string type = opt.get_type_name();
    o.value_name = type.substr(0, type.find(':'));
    if (o.value_name.empty()) o.value_name = "VALUE";
  }
  o.repeatable = repeatable(opt);
  into.push_back(std::move(o));
}

// Options and positionals of `app`, including those of its unnamed option groups.
void collect(const CLI::App& app, CommandSpec& spec) {
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    if (opt->nonpositional()) {
      add_option(spec.options, *opt);
    } else if (opt->get_positional()) {
      PositionalSpec p;
      p.name = opt->get_name(true);
      p.help = opt->get_description();
      p.value = value_of(*opt);
      if (p.value.kind == ValueKind::none) p.value.kind = ValueKind::any;
      p.many = opt->get_items_expected_max() > 1;
      spec.positionals.push_back(std::move(p));
    }
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->get_name().empty()) collect(*sub, spec);
}

CommandSpec describe_under(const CLI::App& app, const CommandSpec* parent) {
  CommandSpec spec;
  if (parent != nullptr) spec.path = parent->path;
  spec.path.push_back(app.get_name());
  spec.aliases = app.get_aliases();
  spec.help = app.get_description();
  collect(app, spec);
  if (parent != nullptr && app.get_fallthrough()) {
    for (const OptionSpec& o : parent->options) {
      bool shadowed = std::any_of(o.names.begin(), o.names.end(),
                                  [&](const std::string& n) { return spec.find_option(n) != nullptr; });
      if (!shadowed) spec.options.push_back(o);
    }
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name().empty() || sub->get_group().empty() || sub->get_disabled()) continue;
    spec.subcommands.push_back(describe_under(*sub, &spec));
  }
  return spec;
}

}  // namespace

Value value_of(const CLI::Option& opt) {
  if (opt.get_type_size_min() == 0 || opt.get_expected_min() == 0) return {};
  std::string type = opt.get_type_name();
  if (auto choices = set_in(type); !choices.empty()) return {ValueKind::choice, std::move(choices), {}};
  // The type name and each validator description are separated by ':'. A word
  // counts by its leading letters, so "DIR[:TAG]" is a folder.
  std::string_view rest = type;
  while (true) {
    std::string_view word = rest.substr(0, rest.find(':'));
    word = word.substr(0, word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_"));
    if (names_dir(word)) return {ValueKind::dir, {}, {}};
    if (names_file(word)) return {ValueKind::file, {}, {}};
    if (auto source = dynamic_source(word); !source.empty()) return {ValueKind::dynamic, {}, source};
    if (rest.find(':') == std::string_view::npos) break;
    rest.remove_prefix(rest.find(':') + 1);
  }
  return {ValueKind::any, {}, {}};
}

const OptionSpec* CommandSpec::find_option(std::string_view option) const {
  for (const OptionSpec& o : options)
    if (std::find(o.names.begin(), o.names.end(), option) != o.names.end()) return &o;
  return nullptr;
}

bool CommandSpec::takes_value(std::string_view option) const {
  const OptionSpec* o = find_option(option);
  return o != nullptr && o->value.kind != ValueKind::none;
}

CommandSpec describe(const CLI::App& app) { return describe_under(app, nullptr); }

const std::vector<std::string>& shells() {
  static const std::vector<std::string> list = {"bash", "zsh", "fish"};
  return list;
}

std::string script_for(std::string_view shell, const CommandSpec& root) {
  if (shell == "bash") return bash_script(root);
  if (shell == "zsh") return zsh_script(root);
  if (shell == "fish") return fish_script(root);
  fail(ErrorKind::usage, "no completion for shell '{}': use bash, zsh or fish", shell);
}

std::vector<const CommandSpec*> all_commands(const CommandSpec& root) {
  std::vector<const CommandSpec*> out{&root};
  for (const CommandSpec& sub : root.subcommands) {
    auto below = all_commands(sub);
    out.insert(out.end(), below.begin(), below.end());
  }
  return out;
}

std::string sh_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string fish_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// Completion menus have one line per candidate: keep the help's first sentence.
std::string first_sentence(std::string_view help) {
  std::string out(help.substr(0, help.find('\n')));
  if (auto dot = out.find(". "); dot != std::string::npos) out.resize(dot);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

}  // namespace ecp::cli::completion
