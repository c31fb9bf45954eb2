#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/text.hpp"
#include "plugins/kubernetes/kube_objects.hpp"
#include "plugins/kubernetes/kube_rollout_state.hpp"
#include "plugins/kubernetes/kubeconfig.hpp"

using namespace ecp;
using namespace ecp::plugins::kubernetes;

namespace {

std::string error_of(const KubeconfigQuery& q) {
  try {
    load_cluster_access(q);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::validation);
    return e.what();
  }
  return "";
}

const char* two_contexts = R"(apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority-data: Q0EgUEVN
    tls-server-name: api.internal
- name: lab
  cluster: {server: "https://lab:6443", insecure-skip-tls-verify: true, proxy-url: "http://proxy:3128"}
users:
- name: ci
  user: {token: abc}
- name: certs
  user: {client-certificate: c.pem, client-key-data: S0VZ}
contexts:
- name: prod
  context: {cluster: prod, user: ci, namespace: shop}
- name: lab
  context: {cluster: lab, user: certs}
current-context: prod
)";

}  // namespace

TEST_CASE("kubeconfig: contexts, clusters, users, relative paths, and errors that name the field") {
  fs::TempDir dir;
  auto cfg = dir.path() / "config";
  fs::write_file_atomic(cfg, two_contexts);
  fs::write_file_atomic(dir.path() / "c.pem", "CERT PEM");
  auto prod = load_cluster_access({cfg.string(), "", ""});
  CHECK(prod.context == "prod");
  CHECK(prod.server == "https://10.0.0.1:6443");
  CHECK(prod.ca_pem == "CA PEM");
  CHECK(prod.tls_server_name == "api.internal");
  CHECK(prod.token == "abc");
  CHECK(prod.ns == "shop");
  auto lab = load_cluster_access({cfg.string(), "lab", ""});
  CHECK(lab.insecure);
  CHECK(lab.proxy_url == "http://proxy:3128");
  CHECK(lab.client_cert_pem == "CERT PEM");  // relative to the kubeconfig's folder
  CHECK(lab.client_key_pem == "KEY");
  CHECK(lab.ns.empty());
  // A relative kubeconfig: is relative to the targets file's folder.
  CHECK(load_cluster_access({"config", "lab", dir.path().string()}).context == "lab");

  auto e = error_of({cfg.string(), "staging", ""});
  CHECK(e.find("context 'staging' is not defined; the contexts are: lab, prod") != std::string::npos);
  std::string broken = two_contexts;
  broken.replace(broken.find("S0VZ"), 4, "not*base64");
  fs::write_file_atomic(cfg, broken);
  e = error_of({cfg.string(), "lab", ""});
  CHECK(e.find("context 'lab': user 'certs': client-key-data: not base64") != std::string::npos);
  CHECK(e.find(cfg.string()) == 0);
  broken = two_contexts;
  broken.replace(broken.find("user: certs}"), 12, "user: nobody}");
  fs::write_file_atomic(cfg, broken);
  e = error_of({cfg.string(), "lab", ""});
  CHECK(e.find("user 'nobody' is not defined; the users are: certs, ci") != std::string::npos);
  CHECK(error_of({(dir.path() / "missing").string(), "", ""}).find("does not exist") != std::string::npos);
}

TEST_CASE("kubeconfig: KUBECONFIG files merge, the first definition and current-context win") {
  fs::TempDir dir;
  auto a = dir.path() / "a", b = dir.path() / "b";
  fs::write_file_atomic(a,
                        "clusters:\n- name: c\n  cluster: {server: 'https://first:6443'}\n"
                        "contexts:\n- name: x\n  context: {cluster: c}\n");
  fs::write_file_atomic(b,
                        "clusters:\n- name: c\n  cluster: {server: 'https://second:6443'}\n"
                        "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                        "      command: ./get-token\n      args: [--cluster, x]\n      env: [{name: A, value: b}]\n"
                        "contexts:\n- name: y\n  context: {cluster: c, user: u, namespace: team}\n"
                        "current-context: y\n");
  std::string old = std::getenv("KUBECONFIG") ? std::getenv("KUBECONFIG") : "";
  setenv("KUBECONFIG", (a.string() + ":" + (dir.path() / "none").string() + ":" + b.string()).c_str(), 1);
  auto acc = load_cluster_access({"", "", ""});
  CHECK(acc.context == "y");                  // b's current-context: a has none
  CHECK(acc.server == "https://first:6443");  // cluster c: a's wins
  REQUIRE(acc.exec.has_value());
  CHECK(acc.exec->command == (dir.path() / "get-token").string());
  CHECK(acc.exec->args == std::vector<std::string>{"--cluster", "x"});
  CHECK(acc.exec->env.size() == 1);
  CHECK(acc.ns == "team");
  if (old.empty())
    unsetenv("KUBECONFIG");
  else
    setenv("KUBECONFIG", old.c_str(), 1);
}

TEST_CASE("kube objects: a Deployment per slot, the config Secret, the Service") {
  Names n{"hello", "prod", "shop"};
  CHECK(n.deployment("a") == "hello-prod");
  CHECK(n.deployment("b") == "hello-prod-b");
  backend::ReleaseSpec rel;
  rel.config_digest = "sha256:0123456789abcdef";
  rel.config_text = "A=1\n";
  CHECK(n.secret(rel) == "hello-prod-config-01234567");
  rel.config_fingerprint = "hmac-sha256:fedcba9876543210";  // a secret's value is part of it
  CHECK(n.secret(rel) == "hello-prod-config-fedcba98");
  Workload w;
  w.app.app = "hello";
  w.app.env = "prod";
  w.app.base_port = 8080;
  w.app.health.path = "/health";
  w.app.health.port_delta = 1;
  w.app.resources.cpu_millis = 500;
  w.app.resources.memory_bytes = 64 << 20;
  w.slot = "b";
  w.revision = 7;
  w.replicas = 3;
  w.image = "reg/hello@sha256:ab";
  w.version = "1.2.3";
  w.secret = "hello-prod-config-01234567";
  w.pull_secrets = {"regcred"};
  w.max_surge = 2;
  w.max_unavailable = 1;
  auto d = deployment(n, w);
  CHECK(d["metadata"]["name"] == "hello-prod-b");
  CHECK(d["spec"]["replicas"] == 3);
  CHECK(d["spec"]["selector"]["matchLabels"]["ecp.io/slot"] == "b");
  CHECK(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == 2);
  auto tpl = d["spec"]["template"];
  CHECK(tpl["metadata"]["labels"]["ecp.io/revision"] == "7");
  CHECK(tpl["metadata"]["labels"]["app.kubernetes.io/version"] == "1.2.3");
  CHECK(tpl["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "ecp");
  auto c = tpl["spec"]["containers"][0];
  CHECK(c["image"] == "reg/hello@sha256:ab");
  CHECK(c["readinessProbe"]["httpGet"]["port"] == 8081);
  CHECK(c["resources"]["limits"]["cpu"] == "500m");
  CHECK(c["volumeMounts"][0]["subPath"] == "autoconfig.properties");
  CHECK(tpl["spec"]["volumes"][0]["secret"]["secretName"] == w.secret);
  CHECK(tpl["spec"]["imagePullSecrets"][0]["name"] == "regcred");
  w.recreate = true;
  CHECK(deployment(n, w)["spec"]["strategy"] == Json{{"type", "Recreate"}});
  auto s = config_secret(n, rel);
  CHECK(s["metadata"]["annotations"]["ecp.io/config-fingerprint"] == rel.config_fingerprint);
  CHECK(s["immutable"] == true);
  CHECK(text::base64_decode(s["data"]["autoconfig.properties"].get<std::string>()) == "A=1\n");
  CHECK(service(n, w.app, "b")["spec"]["selector"]["ecp.io/slot"] == "b");
  CHECK(label_value("1.0.0+build") == "");
  CHECK(label_value("v1_2") == "v1_2");
}

TEST_CASE("rollout state: as kubectl rollout status reads a Deployment") {
  auto d = Json::parse(R"({"metadata": {"generation": 3,
      "managedFields": [{"manager": "ecp", "operation": "Apply", "time": "2026-12-07T10:00:05Z"}]},
    "spec": {"replicas": 2, "template": {"metadata": {"labels": {"ecp.io/revision": "4"}}}},
    "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 0, "availableReplicas": 2}})");
  auto s = rollout_state(d, applied_time(d));
  CHECK(applied_time(d) == "2026-12-07T10:00:05Z");
  CHECK(s.revision == 4);
  CHECK_FALSE(s.observed);
  d["status"]["observedGeneration"] = 3;
  d["status"]["updatedReplicas"] = 1;
  CHECK(rollout_state(d).summary == "1 of 2 updated, 2 available");
  d["status"]["updatedReplicas"] = 2;
  d["status"]["replicas"] = 3;
  CHECK(rollout_state(d).summary == "1 old replica(s) terminating");
  d["status"]["replicas"] = 2;
  d["status"]["availableReplicas"] = 1;
  CHECK_FALSE(rollout_state(d).complete);
  // A deadline passed before ecp's apply is stale; one after it is the verdict.
  d["status"]["conditions"] = Json::parse(
      R"([{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "lastUpdateTime": "2026-12-07T10:00:05Z"}])");
  CHECK_FALSE(rollout_state(d, applied_time(d)).deadline_exceeded);
  d["status"]["conditions"][0]["lastUpdateTime"] = "2026-12-07T10:00:17Z";
  CHECK(rollout_state(d, applied_time(d)).deadline_exceeded);
  d["status"]["availableReplicas"] = 2;
  CHECK(rollout_state(d).complete);
}

TEST_CASE("kube objects: the Ingress, and the canary Ingress ingress-nginx splits by") {
  Names n{"hello", "prod", "shop"};
  IngressSpec spec;
  spec.class_name = "nginx";
  spec.host = "shop.example.com";
  auto main = ingress(n, spec);
  CHECK(main["metadata"]["name"] == "hello-prod");
  CHECK(main["metadata"]["annotations"].empty());
  CHECK(main["spec"]["ingressClassName"] == "nginx");
  auto path = main["spec"]["rules"][0]["http"]["paths"][0];
  CHECK(path["backend"]["service"]["name"] == "hello-prod");
  CHECK(path["pathType"] == "Prefix");
  spec.canary_weight = 25;
  spec.preview_header = "X-Canary";
  auto canary = ingress(n, spec);
  CHECK(canary["metadata"]["name"] == "hello-prod-canary");
  auto a = canary["metadata"]["annotations"];
  CHECK(a["nginx.ingress.kubernetes.io/canary"] == "true");
  CHECK(a["nginx.ingress.kubernetes.io/canary-weight"] == "25");
  CHECK(a["nginx.ingress.kubernetes.io/canary-by-header"] == "X-Canary");
  CHECK(a["nginx.ingress.kubernetes.io/canary-by-cookie"] == "ecp_preview");
  CHECK(canary["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "hello-prod-canary");
  backend::AppSpec app;
  app.base_port = 9000;
  auto svc = canary_service(n, app, "b");
  CHECK(svc["metadata"]["name"] == "hello-prod-canary");
  CHECK(svc["spec"]["selector"]["ecp.io/slot"] == "b");
  CHECK(svc["spec"]["ports"][0]["port"] == 9000);
}

TEST_CASE("kubeconfig: inside a pod, the service account's token, CA and namespace") {
  fs::TempDir dir;
  auto sa = dir.path() / "sa";
  std::filesystem::create_directories(sa);
  fs::write_file_atomic(sa / "token", "sa-token\n");
  fs::write_file_atomic(sa / "ca.crt", "CLUSTER CA");
  fs::write_file_atomic(sa / "namespace", "team-x\n");
  auto keep = [](const char* n) { return std::getenv(n) ? std::optional<std::string>(std::getenv(n)) : std::nullopt; };
  auto old_home = keep("HOME"), old_kc = keep("KUBECONFIG");
  setenv("HOME", dir.path().c_str(), 1);  // no ~/.kube/config there
  unsetenv("KUBECONFIG");
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  setenv("ECP_KUBERNETES_SERVICE_ACCOUNT_DIR", sa.c_str(), 1);
  auto a = load_cluster_access({"", "", ""});
  CHECK(a.server == "https://10.96.0.1:443");
  CHECK(a.token == "sa-token");
  CHECK(a.token_file == (sa / "token").string());  // read again after a 401: tokens rotate
  CHECK(a.ca_pem == "CLUSTER CA");
  CHECK(a.ns == "team-x");
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  unsetenv("ECP_KUBERNETES_SERVICE_ACCOUNT_DIR");
  CHECK(error_of({"", "", ""}).find("no kubeconfig") != std::string::npos);
  if (old_home) setenv("HOME", old_home->c_str(), 1);
  if (old_kc) setenv("KUBECONFIG", old_kc->c_str(), 1);
}

TEST_CASE("kube objects: a canary split by replica ratio") {
  Names n{"hello", "prod", "shop"};
  backend::AppSpec app;
  app.base_port = 8080;
  auto s = service_split(n, app, {"a", "b", 25});
  CHECK_FALSE(s["spec"]["selector"].contains("ecp.io/slot"));
  CHECK(s["spec"]["selector"]["app.kubernetes.io/instance"] == "hello-prod");
  CHECK(service_weights(s) == std::map<std::string, int>{{"a", 75}, {"b", 25}});
  CHECK(serving_slot(s) == "a");
  CHECK(service_weights(service(n, app, "b")) == std::map<std::string, int>{{"b", 100}});
  CHECK(serving_slot(service(n, app, "b")) == "b");
  // Annotations that do not make a split are not one.
  s["metadata"]["annotations"]["ecp.io/canary-weight"] = "100";
  CHECK(service_weights(s).empty());
  // The canary's replicas: nearest the share beside the stable ones, 1..full.
  CHECK(split_replicas(2, 25, 2) == 1);   // 1 of 3 pods
  CHECK(split_replicas(3, 50, 3) == 3);   // 3 of 6
  CHECK(split_replicas(9, 10, 9) == 1);   // 1 of 10
  CHECK(split_replicas(4, 90, 4) == 4);   // at most its full count
  CHECK(split_replicas(10, 1, 10) == 1);  // at least one pod
  Workload w;
  w.replicas = 1;
  w.full_replicas = 4;
  auto d = deployment(n, w);
  CHECK(d["metadata"]["annotations"]["ecp.io/replicas"] == "4");
  CHECK(full_replicas(d) == 4);
  d["metadata"]["annotations"].erase("ecp.io/replicas");
  CHECK(full_replicas(d) == 1);
}

TEST_CASE("kube objects: run.health.liveness adds a liveness probe, held off by a startup probe") {
  Names n{"hello", "prod", "shop"};
  Workload w;
  w.app.base_port = 8080;
  w.app.health.path = "/health";
  w.app.health.interval = std::chrono::seconds(10);
  w.progress_deadline_s = 120;
  auto c = deployment(n, w)["spec"]["template"]["spec"]["containers"][0];
  CHECK_FALSE(c.contains("livenessProbe"));
  CHECK_FALSE(c.contains("startupProbe"));
  w.app.health.liveness = true;
  c = deployment(n, w)["spec"]["template"]["spec"]["containers"][0];
  CHECK(c["livenessProbe"]["httpGet"]["path"] == "/health");
  CHECK(c["livenessProbe"]["failureThreshold"] == 3);
  CHECK(c["startupProbe"]["httpGet"]["path"] == "/health");
  CHECK(c["startupProbe"]["failureThreshold"] == 12);  // 120 s of a 10 s period
}

TEST_CASE("kube quantities: CPU and memory as metrics-server and ecp's manifests write them") {
  using ecp::plugins::kubernetes::parse_quantity;
  CHECK(parse_quantity("250m").value() == doctest::Approx(0.25));
  CHECK(parse_quantity("2").value() == doctest::Approx(2));
  CHECK(parse_quantity("12345678n").value() == doctest::Approx(0.012345678));
  CHECK(parse_quantity("500u").value() == doctest::Approx(0.0005));
  CHECK(parse_quantity("64Mi").value() == doctest::Approx(67108864));
  CHECK(parse_quantity("1234Ki").value() == doctest::Approx(1263616));
  CHECK(parse_quantity("1Gi").value() == doctest::Approx(1073741824));
  CHECK(parse_quantity("1G").value() == doctest::Approx(1e9));
  CHECK(parse_quantity("1.5").value() == doctest::Approx(1.5));
  CHECK_FALSE(parse_quantity(""));
  CHECK_FALSE(parse_quantity("Mi"));
  CHECK_FALSE(parse_quantity("-1"));
  CHECK_FALSE(parse_quantity("1e3x"));
  CHECK_FALSE(parse_quantity("lots"));
}
