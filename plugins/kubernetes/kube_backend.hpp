#pragma once
// The kubernetes backend: an (app, env) as Deployments in one namespace, changed
// only by server-side apply (fieldManager=ecp). The location is the namespace
// ("CONTEXT/NAMESPACE"); an instance is a replica of its slot's Deployment.
//
//   prepare   the config Secret (immutable, by config digest) and the revision's
//             image, remembered at the cluster (ConfigMap ...-kubernetes.rNNNNNN.json)
//   replace   (backend::Replacer) recreate and rolling: the slot's Deployment
//             applied with the revision's pod template, its rollout watched
//             (kube_rollout.cpp); the way back is the same with the old revision
//   start     blue-green's idle slot: its Deployment applied; health: its readiness
//   route     the Service's selector flipped to the slot with the traffic
//   state     the ledger in ConfigMaps (one per revision: ecp-<app>-<env>-r<N>),
//             private entries in Secrets, the lock in a Lease (kube_state.cpp)
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/backend/backend.hpp"
#include "plugins/kubernetes/kube_api.hpp"
#include "plugins/kubernetes/kube_objects.hpp"
#include "plugins/kubernetes/kube_settings.hpp"

namespace ecp::plugins::kubernetes {

// What prepare() remembers of a revision, at the cluster.
struct RevisionInfo {
  int revision = 0;
  std::string image;  // by digest
  std::string version;
  std::string secret;
  std::string config_digest;
};

class KubeBackend : public backend::Backend, public backend::Replacer, public backend::Router, private KvStore {
 public:
  KubeBackend(const backend::TargetSpec& target, const backend::AppSpec& app, KubeSettings settings);

  // kube_backend.cpp
  backend::Capabilities capabilities() const override;
  std::vector<std::string> locations() override { return {location_}; }
  std::string address(const std::string& location) override;
  void prepare(const backend::ReleaseSpec& release) override;
  void activate(int revision) override;
  void cleanup(const std::vector<int>& keep) override;
  void purge() override;
  // kube_exec.cpp: kubectl exec into the instance's pod.
  std::vector<std::string> exec_argv(const backend::InstanceRef& instance, const std::vector<std::string>& command,
                                     bool tty) override;
  // kube_identity.cpp: the user the API server authenticated (SelfSubjectReview).
  backend::Identity identity() override;
  KvStore& state() override { return *this; }
  backend::Router* router() override { return this; }
  backend::Replacer* replacer() override { return this; }

  // kube_workloads.cpp: Deployments per slot
  std::vector<backend::Failure> start(const std::vector<backend::InstanceSpec>& instances) override;
  std::vector<backend::Probe> health(const std::vector<backend::InstanceSpec>& instances) override;
  std::vector<backend::Failure> stop(const std::vector<backend::InstanceRef>& instances) override;
  // kube_retire.cpp: the blue-green keep window, recorded at the cluster
  std::vector<backend::Failure> stop_after(const std::vector<backend::InstanceRef>& instances,
                                           backend::Duration delay) override;
  std::vector<backend::Failure> keep_running(const std::vector<backend::InstanceRef>& instances) override;
  // kube_rollout.cpp
  std::string replace(const backend::Replacement& r, const std::function<void(const std::string&)>& progress,
                      const std::function<bool()>& should_stop) override;
  // kube_status.cpp
  backend::TargetStatus status() override;
  // kube_metrics.cpp: ecp top, from metrics.k8s.io.
  backend::Metrics metrics(backend::Duration interval, bool every_app) override;
  void logs(const backend::LogOptions& options, const backend::LineSink& sink) override;
  // kube_router.cpp: the Service's selector
  std::int64_t route(const std::map<std::string, int>& weights, const std::string& preview,
                     const std::vector<backend::InstanceRef>& leaving) override;
  std::map<std::string, int> weights() override;
  std::map<std::string, backend::SlotTraffic> traffic(std::int64_t since_ms) override;
  std::string url() override;

  // The Secret, the slot-a Deployment and the Service a release would apply (ecp plan -o yaml).
  std::vector<Json> manifests(const backend::ReleaseSpec& release, int replicas, bool recreate) override;

 private:
  void node_metrics(const std::set<std::string>& nodes, backend::Metrics& m);
  // KvStore (kube_state.cpp)
  std::optional<std::string> get(const std::string& key) override;
  std::vector<std::pair<std::string, std::string>> list(const std::string& prefix) override;
  void put(const std::string& key, std::string_view data) override;
  bool put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) override;
  bool remove_if(const std::string& key, const std::string& expected) override;
  std::string describe(const std::string& key) override;
  // What this process last read or wrote of each key (kube_state.cpp).
  struct Seen {
    std::string value;
    std::string resource_version;
  };
  void remember(const std::string& key, const Json& object);
  void forget(const std::string& key);
  std::optional<Seen> seen(const std::string& key);
  // What only the lock's holder changes is read once until the lock changes
  // hands (kube_state.cpp): the ConfigMap entries, all from one list, and the
  // Service. A conflict, or taking or giving back the lock, drops it.
  void drop_snapshot();
  bool listed();  // the ConfigMap entries are in the snapshot
  // A read that may come from the snapshot even for a key any reader changes
  // (retire.json): for a look whose staleness costs nothing, because every
  // change of it reads afresh and writes by compare-and-swap.
  std::optional<std::string> peek(const std::string& key);
  std::optional<Json> find_service();
  void saw_service(const Json& service);

  // Each replica of each slot, with its pod's name ("" when it has none yet);
  // fills `total`'s current revision.
  struct PodInstance {
    backend::InstanceStatus status;
    std::string pod;
  };
  std::vector<PodInstance> pod_instances(backend::TargetStatus& total);

  // The keep-window entries (kube_retire.cpp): a compare-and-swap edit (`change`
  // returns false to leave them as they are; returns whether it wrote), a start's
  // cancel, and the scale-downs whose time has come (returns slot -> when the
  // pending ones end, Unix ms).
  bool edit_retire(const std::function<bool(Json&)>& change);
  void cancel_retire(const std::string& slot);
  std::map<std::string, std::int64_t> retire_due();

  RevisionInfo revision_info(int revision);  // throws when the cluster has no record of it
  Workload workload(const RevisionInfo& info, const std::string& slot, int replicas, bool recreate);
  // Applies the slot's Deployment with `how`'s strategy (nullptr: the one it has)
  // and `full` as its full replica count (0: `replicas` with `how`, else the one it
  // has); returns the answer (its generation and resourceVersion).
  Json apply_slot(const std::string& slot, int revision, int replicas, const backend::Replacement* how, int full = 0);
  // Scales the slot's Deployment (full 0: keeps its full count) and waits for it.
  void scale_slot(const std::string& slot, int replicas, int full);
  std::int64_t split_by_replicas(const Split& split);
  void apply_service(const std::string& slot);
  void ensure_service(const std::string& slot);  // applies it (and the Ingress) when the namespace has none
  // kube_router.cpp
  IngressSpec ingress_spec(int canary_weight, const std::string& preview_header) const;
  Json apply_object(const std::string& path, const Json& object, const std::string& what);
  void delete_if_there(const std::string& path);
  std::optional<Json> live_deployment(const std::string& slot);
  // Waits for the slot's Deployment to finish its rollout: "" or why it failed.
  std::string watch_rollout(const std::string& slot, const Json& applied, int revision,
                            const std::function<void(const std::string&)>& progress,
                            const std::function<bool()>& should_stop);
  // Why the revision's pods will not become ready ("" = no such sign yet), with
  // their last Warning events.
  // `on_pod` gets each of those pods' state ("ready", "not ready", a waiting reason).
  std::string pod_trouble(const std::string& slot, int revision, bool final_check,
                          const std::function<void(const std::string& pod, const std::string& state)>& on_pod = {});

  backend::TargetSpec target_;
  backend::AppSpec app_;
  KubeSettings settings_;
  std::string context_;  // the kubeconfig context in use ("" in-cluster)
  std::string kubeconfig_user_;                // its user entry: the identity claimed when the server cannot say
  std::optional<backend::Identity> identity_;  // asked once per command
  std::unique_ptr<KubeApi> api_;
  Names names_;
  std::string location_;
  bool force_ = false;  // ECP_KUBERNETES_FORCE=1 (--force): take fields from other managers
  std::mutex mu_;
  std::map<int, RevisionInfo> revisions_;
  std::mutex seen_mu_;  // the lock's renewals write from a thread of their own
  std::map<std::string, Seen> seen_;
  bool listed_ = false;                         // seen_ holds every ConfigMap entry: one absent from it is absent
  std::optional<std::optional<Json>> service_;  // the Service as last read or applied (inner nullopt: none)
};

// Registers "kubernetes" (its factory and its settings' validator) in `table`.
void register_kubernetes_backend(backend::Table& table);

}  // namespace ecp::plugins::kubernetes
