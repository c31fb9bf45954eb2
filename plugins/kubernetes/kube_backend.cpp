#include "plugins/kubernetes/kube_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::plugins::kubernetes {
namespace {

std::string revision_key(int revision) { return fmt::format("kubernetes/r{:06}.json", revision); }

std::string tag_of(const std::string& image) {
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {};
  return image.substr(colon + 1);
}

}  // namespace

KubeBackend::KubeBackend(const backend::TargetSpec& target, const backend::AppSpec& app, KubeSettings settings)
    : target_(target), app_(app), settings_(std::move(settings)) {
  auto access = load_cluster_access({settings_.kubeconfig, settings_.context, settings_.base_dir});
  names_.app = app_.app;
  names_.env = app_.env;
  names_.ns = !settings_.ns.empty() ? settings_.ns : !access.ns.empty() ? access.ns : "default";
  context_ = access.context;
  kubeconfig_user_ = access.user;
  location_ = fmt::format("{}/{}", access.context.empty() ? "in-cluster" : access.context, names_.ns);
  const char* force = std::getenv("ECP_FORCE_CONFLICTS");
  force_ = force && std::string(force) == "1";
  api_ = std::make_unique<KubeApi>(std::move(access));
}

backend::Capabilities KubeBackend::capabilities() const {
  backend::Capabilities c;
  c.route = true;
  c.split = true;  // by an ingress-nginx canary Ingress, else by replica ratio (kube_router.cpp)
  c.logs = true;
  c.needs_registry = true;  // pods pull the image from the target's registry
  c.keeps_releases = true;  // the images stay in the registry, the Secrets in the namespace
  c.metrics = true;         // metrics.k8s.io, where metrics-server runs (kube_metrics.cpp)
  return c;
}

std::string KubeBackend::address(const std::string&) { return fmt::format("{}.{}.svc", names_.service(), names_.ns); }

void KubeBackend::prepare(const backend::ReleaseSpec& release) {
  if (release.pull_reference.empty())
    fail(ErrorKind::validation,
         "target '{}': pods pull their image from a registry: give the target a registry: (ecp release pushes there)",
         target_.name);
  try {
    api_->apply(core_path(names_.ns, "secrets", names_.secret(release)), config_secret(names_, release), force_);
  } catch (const KubeError& e) {
    fail(e.kind(), "{}: putting the configuration Secret in namespace {}: {}", location_, names_.ns, e.what());
  }
  RevisionInfo info{release.revision, release.pull_reference, tag_of(release.image), names_.secret(release),
                    release.config_digest};
  Json j = {{"revision", info.revision},
            {"image", info.image},
            {"version", info.version},
            {"secret", info.secret},
            {"config_digest", info.config_digest}};
  put(revision_key(release.revision), j.dump() + "\n");
  std::lock_guard g(mu_);
  revisions_[release.revision] = info;
}

RevisionInfo KubeBackend::revision_info(int revision) {
  {
    std::lock_guard g(mu_);
    if (auto it = revisions_.find(revision); it != revisions_.end()) return it->second;
  }
  auto raw = get(revision_key(revision));
  if (!raw)
    fail(ErrorKind::deploy_failed, "{}: the cluster has no record of revision {} ({}): release it again", location_,
         revision, describe(revision_key(revision)));
  auto j = Json::parse(*raw, nullptr, false);
  if (!j.is_object()) fail(ErrorKind::deploy_failed, "{}: {} is not JSON", location_, describe(revision_key(revision)));
  RevisionInfo info{revision, j.value("image", ""), j.value("version", ""), j.value("secret", ""),
                    j.value("config_digest", "")};
  std::lock_guard g(mu_);
  revisions_[revision] = info;
  return info;
}

Workload KubeBackend::workload(const RevisionInfo& info, const std::string& slot, int replicas, bool recreate) {
  Workload w;
  w.app = app_;
  w.slot = slot;
  w.revision = info.revision;
  w.replicas = replicas;
  w.image = info.image;
  w.version = info.version;
  w.secret = info.secret;
  w.config_digest = info.config_digest;
  w.pull_secrets = settings_.pull_secrets;
  w.recreate = recreate;
  w.progress_deadline_s = settings_.progress_deadline_s;
  w.history_limit = std::max(1, app_.keep_releases);
  return w;
}

std::vector<Json> KubeBackend::manifests(const backend::ReleaseSpec& release, int replicas, bool recreate) {
  RevisionInfo info{release.revision, release.pull_reference, tag_of(release.image), names_.secret(release),
                    release.config_digest};
  std::vector<Json> out{config_secret(names_, release), deployment(names_, workload(info, "a", replicas, recreate)),
                        service(names_, app_, "a")};
  if (settings_.ingress) out.push_back(ingress(names_, ingress_spec(-1, "")));
  return out;
}

void KubeBackend::activate(int) {
  // What serves is the Service's selector and the Deployments' templates, which
  // replace() and route() set; there is no separate `current` to move.
}

void KubeBackend::cleanup(const std::vector<int>& keep) {
  // The revision records and the Secrets that no kept revision uses, from one list.
  std::vector<std::string> secrets_kept;
  for (const auto& [key, value] : list("kubernetes/r")) {
    auto j = Json::parse(value, nullptr, false);
    int rev = j.is_object() ? j.value("revision", 0) : 0;
    if (rev <= 0) continue;
    if (std::find(keep.begin(), keep.end(), rev) != keep.end())
      secrets_kept.push_back(j.value("secret", ""));
    else
      remove_if(key, value);
  }
  try {
    auto all = api_->get(core_path(names_.ns, "secrets") + "?labelSelector=" + names_.selector() +
                         text::url_encode(",ecp.io/kind=config"));
    for (const auto& s : all.value("items", Json::array())) {
      std::string name = s["metadata"].value("name", "");
      if (std::find(secrets_kept.begin(), secrets_kept.end(), name) != secrets_kept.end()) continue;
      api_->call("DELETE", core_path(names_.ns, "secrets", name));
    }
  } catch (const KubeError& e) {
    log::warn("{}: removing old configuration Secrets failed: {}", location_, e.what());
  }
}

// ecp remove --purge: the (app, env)'s Deployments (their ReplicaSets and pods
// go with them), Services and Ingresses, found by ecp's labels, then what
// cleanup() removes with nothing kept: the revision records and config Secrets.
// The ledger and the Lease are the caller's (the state store).
void KubeBackend::purge() {
  std::string query = "?labelSelector=" + names_.selector();
  for (const auto& collection :
       {apps_path(names_.ns, "deployments"), core_path(names_.ns, "services"), ingress_path(names_.ns)}) {
    try {
      auto all = api_->get(collection + query);
      for (const auto& o : all.value("items", Json::array()))
        delete_if_there(collection + "/" + o["metadata"].value("name", ""));
    } catch (const KubeError& e) {
      if (e.status() == 404) continue;  // a cluster without that API has none of them
      fail(e.kind(), "{}: removing {}: {}", location_, collection, e.what());
    }
  }
  cleanup({});
}

void register_kubernetes_backend(backend::Table& table) {
  table.add(
      "kubernetes",
      [](const backend::TargetSpec& t, const backend::AppSpec& a) {
        return std::unique_ptr<backend::Backend>(std::make_unique<KubeBackend>(t, a, kube_settings(t)));
      },
      [](const backend::Settings& section, Diagnostics& out) {
        KubeSettings ignored;
        read_kube_settings(section, ignored, out);
      });
}

}  // namespace ecp::plugins::kubernetes
