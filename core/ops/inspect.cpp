#include "core/ops/inspect.hpp"

#include "core/image/store.hpp"
#include "core/oci/digest.hpp"
#include "core/oci/manifest.hpp"
#include "core/oci/reference.hpp"
#include "core/ops/remote_manifest.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace ecp::ops {
namespace {

// The local store the options name (ecp's own by default).
std::filesystem::path store_dir(const InspectOptions& o) {
  return o.registry.store.empty() ? fs::ecp_home() / "store" : o.registry.store;
}

// The config blob, checked against its descriptor's digest and size.
oci::Json parse_config(std::string_view bytes, const oci::Descriptor& d, const std::string& where) {
  if (static_cast<std::int64_t>(bytes.size()) != d.size || oci::Sha256::of(bytes) != d.digest)
    fail(ErrorKind::registry, "{}: the config blob does not match {} ({} bytes)", where, d.digest.to_string(), d.size);
  auto j = oci::Json::parse(bytes, nullptr, false);
  if (!j.is_object()) fail(ErrorKind::registry, "{}: the config blob is not a JSON object", where);
  return j;
}

void take_manifest(InspectResult& r, const oci::Manifest& m, const oci::Digest& digest) {
  r.manifest_digest = digest.to_string();
  r.config = m.config;
  r.layers = m.layers;
}

// From the store, when it has the tag: false otherwise.
bool inspect_local(const InspectOptions& o, InspectResult& r) {
  image::Store store(store_dir(o));
  auto top = store.resolve(o.reference);
  if (!top) return false;
  r.reference = o.reference;
  r.source = "store";
  r.digest = top->digest.to_string();
  r.media_type = top->media_type;
  auto d = *top;
  auto bytes = store.read_blob(d.digest, oci::max_manifest_bytes);
  if (oci::media::is_index(d.media_type)) {
    auto index = oci::Index::from_json(bytes);
    r.platforms = index.manifests;
    d = pick(index, parse_platform(o.platform), o.reference);
    bytes = store.read_blob(d.digest, oci::max_manifest_bytes);
  }
  take_manifest(r, oci::Manifest::from_json(bytes), d.digest);
  r.config_json = parse_config(store.read_blob(r.config.digest, oci::max_config_bytes), r.config, o.reference);
  return true;
}

void inspect_remote(const InspectOptions& o, InspectResult& r) {
  auto ref = oci::parse_reference(o.reference).with_default_tag();
  r.reference = ref.to_string();
  r.source = ref.registry;
  Registries regs(o.registry);
  auto& c = regs.client(ref.registry);
  auto top = c.get_manifest(ref.repository, ref.identifier());
  r.digest = top.digest.to_string();
  r.media_type = top.media_type;
  auto m = top;
  if (looks_like_index(top)) {
    auto index = parse_answer<oci::Index>(ref, top.bytes);
    r.platforms = index.manifests;
    auto child = pick(index, parse_platform(o.platform), r.reference);
    m = c.get_manifest(ref.repository, child.digest.to_string());
  }
  auto manifest = parse_answer<oci::Manifest>(ref, m.bytes);
  if (r.media_type.empty()) r.media_type = manifest.media_type;
  take_manifest(r, manifest, m.digest);
  std::string bytes;
  c.get_blob(ref.repository, r.config, [&](const char* p, std::size_t n) {
    if (bytes.size() + n > static_cast<std::size_t>(r.config.size))
      fail(ErrorKind::registry, "{}: the config blob is larger than its {} bytes", r.reference, r.config.size);
    bytes.append(p, n);
  });
  r.config_json = parse_config(bytes, r.config, r.reference);
}

}  // namespace

InspectResult inspect(const InspectOptions& o) {
  InspectResult r;
  if (o.remote || !inspect_local(o, r)) inspect_remote(o, r);
  return r;
}

std::string digest(const InspectOptions& o) {
  if (!o.remote) {
    image::Store store(store_dir(o));
    if (auto d = store.resolve(o.reference)) return d->digest.to_string();
  }
  auto ref = oci::parse_reference(o.reference).with_default_tag();
  Registries regs(o.registry);
  return regs.client(ref.registry).get_manifest(ref.repository, ref.identifier()).digest.to_string();
}

std::vector<std::string> list_tags(const std::string& repository, const RegistryOptions& options) {
  auto ref = oci::parse_reference(repository);
  if (!ref.tag.empty() || ref.digest.valid())
    fail(ErrorKind::usage, "ecp tags {}: name a repository, without a tag or digest", repository);
  Registries regs(options);
  return regs.client(ref.registry).list_tags(ref.repository);
}

}  // namespace ecp::ops
