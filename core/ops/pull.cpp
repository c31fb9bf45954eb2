// `ecp pull` and the registry base image of `ecp build`.
#include "core/ops/pull.hpp"

#include <algorithm>
#include <memory>
#include <set>

#include "core/image/base_image.hpp"
#include "core/image/layer_check.hpp"
#include "core/image/store.hpp"
#include "core/oci/manifest.hpp"
#include "core/oci/media_types.hpp"
#include "core/oci/reference.hpp"
#include "core/ops/remote_manifest.hpp"
#include "core/registry/error.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"

namespace ecp::ops {
namespace {

// The config and the layers, each digest once.
std::vector<oci::Descriptor> distinct_blobs(const oci::Manifest& manifest) {
  std::vector<oci::Descriptor> blobs{manifest.config};
  std::set<oci::Digest> seen{manifest.config.digest};
  for (const auto& l : manifest.layers)
    if (seen.insert(l.digest).second) blobs.push_back(l);
  return blobs;
}

// A blob the store lacks, and the temporary file it downloads into.
struct Pending {
  oci::Descriptor d;
  std::unique_ptr<image::BlobWriter> writer;
};

// Step 2 for one blob: streamed into its writer, hashed as it arrives, refused
// unless its size and digest are the manifest's.
void download(registry::Client& c, const oci::Reference& ref, Pending& p, const TransferFn& emit) {
  TransferEvent base{TransferEvent::Kind::download,
                     ref.registry,
                     ref.repository,
                     p.d.digest.to_string(),
                     p.d.media_type,
                     p.d.size,
                     0,
                     ""};
  emit(base);
  registry::ProgressThrottle progress(emit, base);
  oci::Sha256 hash;
  std::int64_t n = 0;
  auto refuse = [&](const std::string& why) {
    throw registry::RegistryError(
        registry::ErrorInfo{ref.registry, ref.repository, "GET blob " + p.d.digest.to_string(), 0, {}, why, false, {}},
        "refused: nothing was written to the store");
  };
  c.get_blob(
      ref.repository, p.d,
      [&](const char* data, std::size_t len) {
        n += static_cast<std::int64_t>(len);
        if (n > p.d.size) refuse(fmt::format("the registry sent more than the {} bytes the manifest gives", p.d.size));
        hash.update(data, len);
        p.writer->write(data, len);
      },
      [&](std::int64_t done) { progress(done); });
  auto got = hash.finish();
  if (n != p.d.size) refuse(fmt::format("size mismatch: expected {} bytes, got {}", p.d.size, n));
  if (got != p.d.digest)
    refuse(fmt::format("digest mismatch: expected {}, got {}", p.d.digest.to_string(), got.to_string()));
  TransferEvent done = base;
  done.kind = TransferEvent::Kind::done;
  done.done = p.d.size;
  emit(done);
}

// The manifest of `ref` from the first source that answers (mirrors first); a
// source that fails is named in a warning, and when all fail the last one's
// error (the location's) is the answer.
std::pair<oci::Reference, registry::Manifest> manifest_from_sources(Registries& regs, const oci::Reference& ref,
                                                                    const Platform& want, std::string& index_digest) {
  auto sources = regs.pull_sources(ref.registry, ref.repository, ref.digest.valid());
  for (std::size_t i = 0; i < sources.size(); ++i) {
    oci::Reference at = ref;
    at.registry = sources[i].registry;
    at.repository = sources[i].repository;
    try {
      auto m = fetch_manifest(regs.client(at.registry), at, want, &index_digest);
      if (sources[i].mirror) log::info("{}: from the mirror {}", ref.to_string(), at.to_string());
      return {at, std::move(m)};
    } catch (const Error& e) {
      if (i + 1 == sources.size() || e.kind() == ErrorKind::interrupted) throw;
      log::warn("{} {}: {}; trying {}/{}", sources[i].mirror ? "mirror" : "registry", at.to_string(), e.what(),
                sources[i + 1].registry, sources[i + 1].repository);
    }
  }
  fail(ErrorKind::internal, "no source to pull {} from", ref.to_string());
}

}  // namespace

PullResult pull(const PullOptions& o) {
  auto ref = oci::parse_reference(o.reference).with_default_tag();
  auto want = parse_platform(o.platform);
  PullResult r;
  r.reference = ref.to_string();
  image::Store::check_tag_name(r.reference);
  Registries regs(o.registry);
  image::Store store(regs.store_dir());

  // 1. The manifest (through the index for multi-platform images), from the
  // first of registries.conf's mirrors that has it, else from its location.
  auto [src, m] = manifest_from_sources(regs, ref, want, r.index_digest);
  auto& c = regs.client(src.registry);
  if (src.registry != ref.registry || src.repository != ref.repository) r.source = src.registry + "/" + src.repository;
  auto manifest = parse_answer<oci::Manifest>(src, m.bytes);
  if (m.media_type.empty()) m.media_type = manifest.media_type;
  r.digest = m.digest.to_string();

  // 2. Missing blobs into temporary files, each hashed as it arrives.
  auto blobs = distinct_blobs(manifest);
  r.blobs = static_cast<int>(blobs.size());
  std::vector<Pending> pending;
  for (const auto& b : blobs)
    if (store.blob_size(b.digest) != b.size)
      pending.push_back({b, nullptr});
    else if (o.on_event)
      o.on_event({TransferEvent::Kind::exists, src.registry, src.repository, b.digest.to_string(), b.media_type, b.size,
                  b.size, ""});
  std::mutex event_mutex;
  TransferFn emit = [&](const TransferEvent& e) {
    if (!o.on_event) return;
    std::lock_guard g(event_mutex);
    o.on_event(e);
  };
  parallel_for(pending.size(), regs.jobs(), [&](std::size_t i) {
    pending[i].writer = std::make_unique<image::BlobWriter>(store);
    download(c, src, pending[i], emit);
  });

  // 3. Everything verified: commit the blobs, the manifest, then the tag.
  for (auto& p : pending) {
    p.writer->commit(p.d.media_type, p.d.digest, p.d.digest.to_string());
    r.downloaded.push_back(p.d.digest.to_string());
    r.bytes += p.d.size;
  }
  auto stored = store.put_blob(m.bytes, m.media_type);
  store.tag(r.reference, stored);
  for (const auto& b : blobs) regs.locations().add(src.registry, src.repository, b.digest);
  return r;
}

PulledBase ensure_base_pulled(const std::string& reference, const RegistryOptions& options) {
  auto ref = oci::parse_reference(reference).with_default_tag();
  std::string local = ref.to_string();
  auto store_dir = options.store.empty() ? fs::ecp_home() / "store" : options.store;
  std::optional<oci::Descriptor> have;
  {
    image::Store store(store_dir);
    have = store.resolve(local);
    // A digest names content: when the store holds the manifest and its blobs
    // (pulled under a tag before), no registry is needed.
    if (ref.digest.valid() && !have && store.blob_size(ref.digest) > 0) {
      auto bytes = store.read_blob(ref.digest);
      auto j = oci::Json::parse(bytes, nullptr, false);
      if (j.is_object() && j.contains("layers")) {
        auto m = oci::Manifest::from_json(bytes);
        bool whole = store.blob_size(m.config.digest) == m.config.size;
        for (const auto& l : m.layers) whole = whole && store.blob_size(l.digest) == l.size;
        if (whole) {
          oci::Descriptor d;
          d.media_type = m.media_type.empty() ? std::string(oci::media::oci_manifest) : m.media_type;
          d.digest = ref.digest;
          d.size = static_cast<std::int64_t>(bytes.size());
          store.tag(local, d);
          have = d;
        }
      }
    }
  }
  if (ref.digest.valid() && have) return {local, have->digest.to_string()};
  PullResult r;
  try {
    PullOptions po;
    po.registry = options;
    // With a stored copy to fall back on, an unreachable registry is not worth a long wait.
    if (have && po.registry.retries < 0) po.registry.retries = 2;
    po.reference = reference;
    r = pull(po);
  } catch (const Error& e) {
    if (!have || (e.kind() != ErrorKind::registry && e.kind() != ErrorKind::auth) ||
        dynamic_cast<const registry::RegistryError*>(&e) == nullptr ||
        static_cast<const registry::RegistryError&>(e).status() != 0)
      throw;
    log::warn("base image {}: {}; using the copy in the store ({})", reference, e.what(), have->digest.to_string());
    return {local, have->digest.to_string()};
  }
  image::Store store(store_dir);
  auto m = oci::Manifest::from_json(store.read_blob(oci::Digest::parse(r.digest)));
  std::vector<oci::Digest> fetched;
  std::vector<image::LayerFile> files;
  for (const auto& l : m.layers) {
    files.push_back(
        {store.blob_path(l.digest), fmt::format("base image {} layer {}", reference, l.digest.to_string())});
    if (std::find(r.downloaded.begin(), r.downloaded.end(), l.digest.to_string()) != r.downloaded.end())
      fetched.push_back(l.digest);
  }
  // The layers together, bottom first, as a container runtime unpacks them.
  if (!fetched.empty()) {
    try {
      image::check_layers(files, image::LayerRoot::container);
    } catch (const Error&) {
      store.untag(local);
      std::error_code ec;
      for (const auto& d : fetched) std::filesystem::remove(store.blob_path(d), ec);
      throw;
    }
  }
  return {r.reference, r.digest};
}

std::string registry_base_spec(const std::string& reference, const std::filesystem::path& store,
                               const ValidateOptions& project, std::chrono::milliseconds timeout) {
  RegistryOptions o;
  o.project = project;
  o.store = store;
  o.timeout = timeout;
  auto base = ensure_base_pulled(reference, o);
  log::info("base image {}: {}", reference, base.digest);
  return "oci:" + store.string() + ":" + base.tag;
}

}  // namespace ecp::ops
