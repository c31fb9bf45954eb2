#pragma once
// The objects ecp puts in a cluster, built as pure JSON (unit-tested, and checked
// against the real Kubernetes schema by tests/integration/kubernetes_schema.sh):
//
//   Secret      <app>-<env>-config-<id8>      the rendered autoconfig.properties, immutable
//   Deployment  <app>-<env>[-<slot>]          one per slot ("a" has no suffix); image by digest;
//                                             the Secret mounted at /app/conf/autoconfig.properties
//   Service     <app>-<env>                   selects the serving slot
//   ConfigMap   ecp-<app>-<env>-r<N>          the ledger's record of revision N (no secret values)
//   Lease       ecp-<app>-<env>               the release lock
//
// Every object carries app.kubernetes.io/managed-by: ecp and ecp.io/app, ecp.io/env.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/types.hpp"

namespace ecp::plugins::kubernetes {

using Json = nlohmann::json;

// The names of one (app, env) in one namespace.
struct Names {
  std::string app, env, ns;
  std::string instance() const { return app + "-" + env; }
  std::string deployment(const std::string& slot) const;
  std::string service() const { return instance(); }
  std::string canary() const { return instance() + "-canary"; }  // the canary Service and Ingress
  // ...-config-<first 8 hex digits> of the release's keyed fingerprint of the exact
  // configuration, else of its digest: an immutable Secret per exact content (a
  // secret rotated behind the same reference gets a Secret of its own).
  std::string secret(const backend::ReleaseSpec& release) const;
  std::string lease() const { return "ecp-" + instance(); }
  std::map<std::string, std::string> labels() const;  // managed-by, ecp.io/app, ecp.io/env
  std::string selector() const;                       // those as a labelSelector query value
};

// One slot's Deployment.
struct Workload {
  backend::AppSpec app;
  std::string slot = "a";
  int revision = 0;
  int replicas = 1;
  // How many replicas the slot has when it serves all the traffic (annotation
  // ecp.io/replicas; 0 = `replicas`): a canary split by replica ratio runs fewer.
  int full_replicas = 0;
  std::string image;    // REGISTRY/APP@sha256:...
  std::string version;  // app.kubernetes.io/version (the image's tag), "" = none
  std::string secret;   // the config Secret's name
  std::string config_digest;
  std::vector<std::string> pull_secrets;
  bool recreate = false;  // strategy type Recreate, else RollingUpdate with:
  int max_surge = 1;
  int max_unavailable = 0;
  int progress_deadline_s = 120;
  int history_limit = 5;
};

Json config_secret(const Names& n, const backend::ReleaseSpec& release);
Json deployment(const Names& n, const Workload& w);
Json service(const Names& n, const backend::AppSpec& app, const std::string& slot);
// A canary without an ingress: the Service selects the pods of both slots, so
// traffic splits by their replica counts; the annotations ecp.io/stable-slot,
// ecp.io/canary-slot and ecp.io/canary-weight say which is which and what was asked.
struct Split {
  std::string stable, canary;
  int weight = 0;  // the canary's asked share, percent
};
Json service_split(const Names& n, const backend::AppSpec& app, const Split& split);
// What a live Service sends traffic to: slot -> percent ({} when it has no slot).
std::map<std::string, int> service_weights(const Json& service);
// The slot a live Service serves: its selected slot, or a split's stable slot.
std::string serving_slot(const Json& service);
// A live Deployment's full replica count (ecp.io/replicas, else spec.replicas).
int full_replicas(const Json& deployment);
// The canary's replicas for `weight` percent beside `stable` replicas: the count
// nearest that share, at least 1 and at most `full`.
int split_replicas(int stable, int weight, int full);
// The Service of the slot a canary Ingress sends its share to: <app>-<env>-canary.
Json canary_service(const Names& n, const backend::AppSpec& app, const std::string& slot);

// The Ingress to the Service (<app>-<env>), or with canary_weight >= 0 the canary
// Ingress (<app>-<env>-canary, to the canary Service) that ingress-nginx splits
// traffic by: canary-weight, and the preview header ("HEADER: always") and the
// cookie ecp_preview=always.
struct IngressSpec {
  std::string class_name, host, path = "/";
  int canary_weight = -1;
  std::string preview_header;
};
Json ingress(const Names& n, const IngressSpec& spec);
// The labels that select one slot's pods (the Deployment's selector).
std::map<std::string, std::string> slot_selector(const Names& n, const std::string& slot);

// A label value: at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends; "" when `s` is not one.
std::string label_value(const std::string& s);
// The value of label `name` on an object ("" when it has none).
std::string label_of(const Json& obj, const char* name);
// A resource.Quantity's value ("250m" -> 0.25, "64Mi" -> 67108864, "12345n"),
// nullopt for what is not one (pure; unit-tested).
std::optional<double> parse_quantity(std::string_view q);

}  // namespace ecp::plugins::kubernetes
