#include "core/ops/build_config.hpp"

#include <algorithm>

#include "core/util/log.hpp"

namespace ecp::ops {
namespace {

// The origin URL as the image's source label: credentials in it
// (https://user:token@host/...) must never reach an image, and a clone from a
// local folder names nothing another machine could fetch (and would make the
// digest depend on where the upstream lies), so it gives no label.
std::string public_source_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    // scp-like "[user@]host:path" (the colon before any slash); else a local path.
    auto colon = url.find(':'), slash = url.find('/');
    bool scp_like = colon != std::string::npos && colon > 0 && (slash == std::string::npos || colon < slash);
    return scp_like ? url : "";
  }
  std::string scheme = url.substr(0, scheme_end);
  if (scheme == "file") return "";
  auto host_start = scheme_end + 3;
  auto path_start = url.find('/', host_start);
  auto at = url.rfind('@', path_start == std::string::npos ? std::string::npos : path_start);
  if (at == std::string::npos || at < host_start) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}

}  // namespace

void apply_run_user(image::LayerOptions& lo, const std::string& user) {
  if (user.empty()) return;
  auto colon = user.find(':');
  std::string u = user.substr(0, colon), g = colon == std::string::npos ? u : user.substr(colon + 1);
  auto numeric = [](const std::string& s) {
    return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!numeric(u) || !numeric(g)) {
    log::warn("run.user '{}' is not numeric: the image's files stay owned by root (0:0)", user);
    return;
  }
  lo.uid = static_cast<unsigned>(std::stoul(u));
  lo.gid = static_cast<unsigned>(std::stoul(g));
}

std::string layer_history(const std::string& name, const descriptor::Descriptor& d) {
  return fmt::format("ecp build: {} layer of {} ({})", name, d.app, descriptor::to_string(d.type));
}

void set_image_config(oci::ImageConfig& c, const descriptor::Descriptor& d, const GitInfo& git,
                      const std::string& created, const std::string& version) {
  c.created = created;
  c.config.entrypoint = {"/app/bin/entrypoint.sh"};
  c.config.cmd.clear();
  c.config.working_dir = "/app";
  if (!d.run.user.empty()) c.config.user = d.run.user;
  for (const auto& p : d.run.ports) c.config.exposed_ports.insert(fmt::format("{}/tcp", p.number));
  c.config.set_env("ECP_APP", d.app);
  c.config.set_env("ECP_TYPE", std::string(descriptor::to_string(d.type)));
  c.config.set_env("ECP_VERSION", version);
  auto& l = c.config.labels;
  for (const auto& [k, v] : d.build.labels) l[k] = v;
  l["org.opencontainers.image.title"] = d.app;
  l["org.opencontainers.image.version"] = version;
  l["org.opencontainers.image.created"] = created;
  if (git.in_repo) l["org.opencontainers.image.revision"] = git.revision();
  if (auto source = public_source_url(git.remote_url); !source.empty()) l["org.opencontainers.image.source"] = source;
  l["ecp.app"] = d.app;
  if (!d.group.empty()) l["ecp.group"] = d.group;
  l["ecp.type"] = std::string(descriptor::to_string(d.type));
}

}  // namespace ecp::ops
