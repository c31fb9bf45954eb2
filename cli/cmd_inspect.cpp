// `ecp inspect`, `ecp digest` and `ecp tags`: looking at images without
// pulling them (crane's and skopeo's verbs).
#include <fmt/format.h>

#include "cli/registry_flags.hpp"
#include "core/ops/inspect.hpp"
#include "core/ops/remote_manifest.hpp"

namespace ecp::cli {
namespace {

// The image config's fields a person looks for, as text lines.
void print_config(Output& out, const nlohmann::json& cfg) {
  auto str = [&](const char* key) {
    return cfg.contains(key) && cfg[key].is_string() ? cfg[key].get<std::string>() : "";
  };
  out.text(fmt::format("created:      {}", str("created")));
  out.text(fmt::format("platform:     {}/{}{}", str("os"), str("architecture"),
                       str("variant").empty() ? "" : "/" + str("variant")));
  auto run = cfg.value("config", nlohmann::json::object());
  if (!run.is_object()) return;
  auto list = [&](const char* key) {
    std::vector<std::string> v;
    if (auto it = run.find(key); it != run.end() && it->is_array())
      for (const auto& e : *it)
        if (e.is_string()) v.push_back(e.get<std::string>());
    return v;
  };
  if (auto v = list("Entrypoint"); !v.empty()) out.text(fmt::format("entrypoint:   {}", fmt::join(v, " ")));
  if (auto v = list("Cmd"); !v.empty()) out.text(fmt::format("cmd:          {}", fmt::join(v, " ")));
  if (auto u = run.value("User", nlohmann::json()); u.is_string() && !u.get<std::string>().empty())
    out.text(fmt::format("user:         {}", u.get<std::string>()));
  if (auto v = list("Env"); !v.empty()) out.text(fmt::format("env:          {}", fmt::join(v, "\n              ")));
  if (auto l = run.value("Labels", nlohmann::json()); l.is_object())
    for (const auto& [k, val] : l.items())
      if (val.is_string()) out.text(fmt::format("label:        {}={}", k, val.get<std::string>()));
}

void add_inspect_cmd(CommandTree& t) {
  auto opts = std::make_shared<ops::InspectOptions>();
  auto* cmd = t.add(
      &t.root, "inspect", "Show an image's manifest, config and layers (the local store's tag, else the registry)",
      [&g = t.globals, opts](Output& out) {
        opts->registry.project = project_of(g);
        auto r = ops::inspect(*opts);
        out.text(fmt::format("reference:    {} ({})", r.reference, r.source));
        out.text(fmt::format("digest:       {}", r.digest));
        out.text(fmt::format("media type:   {}", r.media_type));
        nlohmann::json platforms = nlohmann::json::array();
        for (const auto& p : r.platforms) {
          out.text(fmt::format("  platform {:<16} {}", ops::platform_name(p), p.digest.to_string()));
          platforms.push_back(oci::to_json_value(p));
        }
        if (!r.platforms.empty()) out.text(fmt::format("manifest:     {}", r.manifest_digest));
        print_config(out, r.config_json);
        nlohmann::json layers = nlohmann::json::array();
        std::int64_t total = 0;
        for (const auto& l : r.layers) {
          out.text(fmt::format("  layer {} {:>10}  {}", l.digest.to_string(), human_bytes(l.size), l.media_type));
          layers.push_back(oci::to_json_value(l));
          total += l.size;
        }
        out.text(fmt::format("layers:       {} ({})", r.layers.size(), human_bytes(total)));
        out.result({{"reference", r.reference},
                    {"source", r.source},
                    {"digest", r.digest},
                    {"media_type", r.media_type},
                    {"platforms", platforms},
                    {"manifest_digest", r.manifest_digest},
                    {"config_descriptor", oci::to_json_value(r.config)},
                    {"config", r.config_json},
                    {"layers", layers}});
        return 0;
      });
  cmd->add_option("REFERENCE", opts->reference,
                  "A tag of the local store (ecp images), or "
                  "[REGISTRY/]REPOSITORY[:TAG][@DIGEST]")
      ->required();
  cmd->add_flag("--remote", opts->remote, "Ask the registry even when the local store has the tag");
  cmd->add_option("--platform", opts->platform,
                  "The platform to show from a multi-platform index (default: "
                  "linux and this machine's architecture)")
      ->type_name("OS/ARCH[/VARIANT]");
  add_registry_flags(cmd, opts->registry, false);
}

void add_digest_cmd(CommandTree& t) {
  auto opts = std::make_shared<ops::InspectOptions>();
  auto* cmd = t.add(&t.root, "digest", "Print the digest of an image (the local store's tag, else the registry)",
                    [&g = t.globals, opts](Output& out) {
                      opts->registry.project = project_of(g);
                      auto d = ops::digest(*opts);
                      out.text(d);
                      out.result({{"reference", opts->reference}, {"digest", d}});
                      return 0;
                    });
  cmd->add_option("REFERENCE", opts->reference, "A tag of the local store, or [REGISTRY/]REPOSITORY[:TAG]")->required();
  cmd->add_flag("--remote", opts->remote, "Ask the registry even when the local store has the tag");
  add_registry_flags(cmd, opts->registry, false);
}

void add_tags_cmd(CommandTree& t) {
  auto repo = std::make_shared<std::string>();
  auto registry = std::make_shared<ops::RegistryOptions>();
  auto* cmd = t.add(&t.root, "tags", "List the tags of a repository in a registry",
                    [&g = t.globals, repo, registry](Output& out) {
                      registry->project = project_of(g);
                      auto tags = ops::list_tags(*repo, *registry);
                      for (const auto& tag : tags) out.text(tag);
                      out.result({{"repository", *repo}, {"tags", tags}});
                      return 0;
                    });
  cmd->add_option("REPOSITORY", *repo, "[REGISTRY/]REPOSITORY")->required();
  add_registry_flags(cmd, *registry, false);
}

}  // namespace

void add_inspect(CommandTree& t) {
  add_inspect_cmd(t);
  add_digest_cmd(t);
  add_tags_cmd(t);
}

}  // namespace ecp::cli
