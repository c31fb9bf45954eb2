// `ecp push`, and the registry connections every registry command shares.
#include "core/ops/push.hpp"

#include <algorithm>

#include "core/descriptor/parse.hpp"
#include "core/image/image.hpp"
#include "core/image/store.hpp"
#include "core/oci/reference.hpp"
#include "core/ops/git_source.hpp"
#include "core/registry/credentials.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"

namespace ecp::ops {
namespace stdfs = std::filesystem;
namespace {

// "https://host:5000/path" or "host:5000/path" -> "host:5000"
std::string url_host(std::string_view url) {
  if (auto p = url.find("://"); p != std::string_view::npos) url = url.substr(p + 3);
  return std::string(url.substr(0, url.find('/')));
}

std::string url_without_scheme(std::string_view url) {
  if (auto p = url.find("://"); p != std::string_view::npos) url = url.substr(p + 3);
  while (url.ends_with('/')) url.remove_suffix(1);
  return std::string(url);
}

// The tag part of a store name: "app:1" -> "1", "host:5000/app:1" -> "1".
std::string tag_of(const std::string& name) {
  auto colon = name.rfind(':');
  auto slash = name.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "latest";
  return name.substr(colon + 1);
}

class StoreSource : public registry::ImageSource {
 public:
  explicit StoreSource(const image::Store& store) : store_(store) {}
  registry::BlobSource blob(const oci::Descriptor& d) override {
    return registry::file_source(store_.blob_path(d.digest), d.size);
  }

 private:
  const image::Store& store_;
};

}  // namespace

Registries::Registries(const RegistryOptions& options) : options_(options) {
  auto path = resolve_targets_path(options_.project);
  if (!path.empty()) {
    auto parsed = descriptor::parse_targets(path);
    if (!parsed.ok()) {
      std::string listing;
      for (const auto& d : parsed.diagnostics) listing += "\n" + format_diagnostic(d);
      fail(ErrorKind::validation, "the targets file is not valid:{}", listing);
    }
    targets_ = std::move(parsed.targets);
  }
  conf_ = registry::load_registries_conf();
  locations_ = std::make_unique<registry::BlobLocations>(fs::ecp_cache() / "blob-locations");
}

std::vector<registry::PullSource> Registries::pull_sources(const std::string& reg, const std::string& repository,
                                                           bool by_digest) const {
  return registry::pull_sources(conf_, reg, repository, by_digest);
}

Registries::~Registries() = default;

int Registries::jobs() const { return options_.jobs > 0 ? options_.jobs : default_jobs(); }

stdfs::path Registries::store_dir() const { return options_.store.empty() ? fs::ecp_home() / "store" : options_.store; }

registry::Client& Registries::client(const std::string& reg) {
  for (auto& c : clients_)
    if (c->registry() == reg) return *c;
  clients_.push_back(std::make_unique<registry::Client>(endpoint(reg), registry::find_credentials(reg)));
  return *clients_.back();
}

registry::Endpoint Registries::endpoint(const std::string& reg) const {
  registry::Endpoint ep;
  ep.registry = reg;
  for (const auto& r : targets_.registries) {
    if (url_host(r.url) != reg) continue;
    ep.insecure = r.insecure;
    if (!r.ca.empty()) {
      stdfs::path ca = r.ca;
      if (ca.is_relative() && !targets_.file.empty()) ca = stdfs::path(targets_.file).parent_path() / ca;
      ep.ca_files.push_back(ca.string());
    }
    log::debug("registry {}: settings of '{}' from {}", reg, r.name, targets_.file);
    break;
  }
  if (!options_.ca_file.empty()) ep.ca_files.push_back(options_.ca_file);
  ep.tls_verify = options_.tls_verify;
  if (ep.tls_verify && registry::insecure_registry(conf_, reg)) {
    ep.tls_verify = false;
    ep.tls_verify_source = "insecure = true in " + conf_.file;
  }
  if (options_.retries > 0) ep.retry.attempts = options_.retries;
  if (options_.chunk_size > 0) ep.chunk_size = options_.chunk_size;
  if (options_.timeout.count() > 0) ep.deadline.fixed = options_.timeout;
  return ep;
}

std::string registry_repository(const descriptor::Registry& registry, const std::string& app) {
  return url_without_scheme(registry.url) + "/" + app;
}

PushResult push(const PushOptions& o) {
  // 1. Which image, and where to: explicit, or from the project (ecp.yaml).
  std::string image = o.image;
  std::vector<std::string> dests = o.destinations;
  std::string app;
  if (image.empty() || (dests.empty() && o.registry_name.empty()) || !o.registry_name.empty()) {
    auto project = load_project(o.registry.project);
    app = project.descriptor.app;
    if (image.empty()) {
      std::string tag = o.tag;
      if (tag.empty()) {
        auto git = git_describe(stdfs::absolute(o.registry.project.descriptor).parent_path());
        const auto& v = project.descriptor.version;
        tag = git.in_repo ? git.default_tag() : (v.empty() ? "latest" : v);
      }
      image = app + ":" + tag;
    }
    const descriptor::Registry* reg = nullptr;
    if (!o.registry_name.empty()) {
      reg = descriptor::find_registry(project.targets, o.registry_name);
      if (reg == nullptr)
        fail(ErrorKind::usage, "no registry '{}' in the targets file{}", o.registry_name,
             project.targets.file.empty() ? " (there is none)" : " " + project.targets.file);
    } else if (dests.empty()) {
      if (project.targets.registries.size() != 1)
        fail(ErrorKind::usage,
             "name a destination (ecp push [IMAGE] REFERENCE) or a registry of the targets file "
             "with --registry NAME");
      reg = &project.targets.registries.front();
    }
    if (reg != nullptr) dests.push_back(registry_repository(*reg, app) + ":" + tag_of(image));
  }

  // 2. The image in the store, whole: every blob present with its size.
  Registries regs(o.registry);
  image::Store store(regs.store_dir());
  // A digest names an image of the store as well as a tag does (ecp promote pushes by digest).
  auto top =
      oci::Digest::try_parse(image) ? std::optional(image::load_image(store, image).descriptor) : store.resolve(image);
  if (!top)
    fail(ErrorKind::usage, "no image '{}' in the store {} (see 'ecp images'; 'ecp build' makes one)", image,
         store.dir().string());
  auto graph = registry::build_graph(*top, store.read_blob(top->digest),
                                     [&](const oci::Descriptor& d) { return store.read_blob(d.digest); });
  for (const auto& b : graph.blobs)
    if (store.blob_size(b.digest) != b.size)
      fail(ErrorKind::io, "image {}: blob {} is missing from the store or has the wrong size; rebuild it", image,
           b.digest.to_string());

  // 3. Destinations, then the transfer.
  std::vector<registry::Destination> targets;
  PushResult result;
  result.image = image;
  result.digest = top->digest.to_string();
  for (const auto& d : dests) {
    auto ref = oci::parse_reference(d);
    if (ref.digest.valid())
      fail(ErrorKind::usage, "push destination '{}': name a tag, not a digest (the digest is the image's own)", d);
    if (ref.tag.empty()) ref.tag = tag_of(image);
    auto& c = regs.client(ref.registry);
    c.set_push(true);
    targets.push_back({&c, ref.repository, ref.tag});
    result.references.push_back(ref.to_string());
  }
  StoreSource source(store);
  result.stats = registry::push_graph(graph, source, targets, regs.locations(), regs.jobs(), o.on_event);
  return result;
}

}  // namespace ecp::ops
