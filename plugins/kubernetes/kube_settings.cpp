#include "plugins/kubernetes/kube_settings.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "plugins/settings_reader.hpp"

namespace ecp::plugins::kubernetes {
namespace {

bool dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

}  // namespace

void read_kube_settings(const backend::Settings& section, KubeSettings& s, Diagnostics& out) {
  SettingsReader r(section, out);
  const Json& n = section.value();
  r.check_keys(n, "", {"kubeconfig", "context", "namespace", "image_pull_secrets", "progress_deadline", "ingress"});
  if (const Json* v = r.get(n, "kubeconfig"))
    if (auto t = r.text(*v, "kubeconfig")) s.kubeconfig = *t;
  if (const Json* v = r.get(n, "context"))
    if (auto t = r.text(*v, "context")) s.context = *t;
  if (const Json* v = r.get(n, "namespace"))
    if (auto t = r.text(*v, "namespace")) {
      if (dns_label(*t))
        s.ns = *t;
      else
        r.error("namespace", fmt::format("{} is not a namespace name (a-z, 0-9 and '-', at most 63)", quote_value(*t)));
    }
  if (const Json* v = r.get(n, "image_pull_secrets"); v && r.is_list(*v, "image_pull_secrets", "e.g. [regcred]"))
    for (std::size_t i = 0; i < v->size(); ++i)
      if (auto t = r.text((*v)[i], fmt::format("image_pull_secrets[{}]", i))) s.pull_secrets.push_back(*t);
  if (const Json* v = r.get(n, "progress_deadline"))
    if (auto d = r.integer(*v, "progress_deadline", 1, 86400)) s.progress_deadline_s = static_cast<int>(*d);
  if (const Json* v = r.get(n, "ingress"); v && r.is_map(*v, "ingress", "{class: nginx, host: NAME}")) {
    r.check_keys(*v, "ingress", {"class", "host", "path"});
    IngressSettings ing;
    if (const Json* c = r.get(*v, "class"))
      if (auto t = r.text(*c, "ingress.class")) ing.class_name = *t;
    if (const Json* h = r.get(*v, "host"))
      if (auto t = r.text(*h, "ingress.host")) ing.host = *t;
    if (const Json* p = r.get(*v, "path"))
      if (auto t = r.text(*p, "ingress.path")) {
        if (t->empty() || t->front() != '/')
          r.error("ingress.path", fmt::format("{} is not a path (it starts with /)", quote_value(*t)));
        else
          ing.path = *t;
      }
    if (ing.class_name.empty()) r.error("ingress", "names no class: (the IngressClass, e.g. nginx)");
    if (ing.host.empty()) r.error("ingress", "names no host: (the name clients use)");
    s.ingress = ing;
  }
  if (!section.file().empty()) s.base_dir = std::filesystem::path(section.file()).parent_path().string();
}

KubeSettings kube_settings(const backend::TargetSpec& target) {
  KubeSettings s;
  Diagnostics problems;
  read_kube_settings(target.settings, s, problems);
  backend::fail_on_errors(target.name, problems);
  return s;
}

}  // namespace ecp::plugins::kubernetes
