// `ecp __complete KIND [WORDS...]`: the candidates for a value that only the
// project knows, one per line, for the generated completion scripts (they pass
// the words typed so far). Hidden: run() answers it before the command tree
// parses anything (the words are not ecp's options here), so it is in neither
// --help nor the scripts' menus.
// A completion must never print into the user's prompt, so any problem (no
// ecp.yaml, a target out of reach) prints nothing and exits 0.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <set>

#include "cli/run.hpp"
#include "core/ops/history.hpp"
#include "core/ops/images.hpp"
#include "core/util/log.hpp"

namespace ecp::cli {

namespace {

// What the typed words say about the project: -C, -f, --targets and --env, in
// their "-x V", "--xx V", "--xx=V" and "-xV" forms.
struct Typed {
  std::string dir, file = "ecp.yaml", targets, env;
};

Typed read_words(const std::vector<std::string>& words) {
  Typed t;
  auto take = [&](std::size_t& i, const std::string& w, std::string_view s, std::string_view l, std::string& into) {
    std::string shrt(s), lng(l);
    if (((!shrt.empty() && w == shrt) || w == lng) && i + 1 < words.size()) {
      into = words[++i];
      if (into == "=" && i + 1 < words.size()) into = words[++i];  // bash splits --env=dev at '='
      return true;
    }
    if (w.rfind(lng + "=", 0) == 0) return into = w.substr(lng.size() + 1), true;
    if (!shrt.empty() && w.size() > 2 && w.rfind(shrt, 0) == 0 && w[1] != '-') return into = w.substr(2), true;
    return false;
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& w = words[i];
    take(i, w, "-C", "--directory", t.dir) || take(i, w, "-f", "--file", t.file) ||
        take(i, w, "", "--targets", t.targets) || take(i, w, "-e", "--env", t.env);
  }
  return t;
}

std::vector<std::string> candidates(const std::string& kind, const Typed& typed) {
  std::vector<std::string> out;
  if (!typed.dir.empty() && ::chdir(typed.dir.c_str()) != 0) return out;
  if (kind == "images") {
    for (const auto& i : ops::list_images()) out.push_back(i.reference);
    return out;
  }
  ops::ValidateOptions project;
  project.descriptor = typed.file;
  project.targets = typed.targets;
  if (kind == "revisions") {
    if (typed.env.empty()) return out;
    ops::HistoryOptions h;
    h.project = project;
    h.env = typed.env;
    for (const auto& r : ops::history(h).records) out.push_back(std::to_string(r.revision));
    return out;
  }
  auto p = ops::load_project(project);
  if (kind == "envs")
    for (const auto& e : p.descriptor.environments) out.push_back(e.name);
  if (kind == "targets")
    for (const auto& t : p.targets.targets) out.push_back(t.name);
  if (kind == "registries")
    for (const auto& r : p.targets.registries) out.push_back(r.name);
  return out;
}

}  // namespace

int run_complete(const std::vector<std::string>& words) {
  if (words.empty()) return 0;
  log::set_sink([](log::Level, std::string_view) {});
  try {
    for (const auto& c : candidates(words[0], read_words({words.begin() + 1, words.end()})))
      fmt::print(stdout, "{}\n", c);
  } catch (const std::exception&) {
    // Nothing to offer: see the comment at the top.
  }
  return 0;
}

}  // namespace ecp::cli
