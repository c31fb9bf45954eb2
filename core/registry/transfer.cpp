#include "core/registry/transfer.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "core/oci/json.hpp"
#include "core/oci/manifest.hpp"
#include "core/oci/media_types.hpp"
#include "core/util/error.hpp"
#include "core/util/parallel.hpp"

namespace ecp::registry {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The media type a manifest announces in its own JSON, else its descriptor's.
std::string media_type_of(const ManifestNode& m) {
  auto j = oci::Json::parse(m.bytes, nullptr, false);
  if (j.is_object() && j.contains("mediaType") && j["mediaType"].is_string()) return j["mediaType"].get<std::string>();
  return m.descriptor.media_type;
}

struct Target {
  Client* client;
  std::string repository;
  bool first_in_registry;  // uploads; later repositories of the same registry mount from it
  std::string upload_repository;
};

}  // namespace

std::int64_t ImageGraph::blob_bytes() const {
  std::int64_t n = 0;
  for (const auto& b : blobs) n += b.size;
  return n;
}

ImageGraph build_graph(const oci::Descriptor& top, std::string top_bytes,
                       const std::function<std::string(const oci::Descriptor&)>& fetch) {
  ImageGraph g;
  std::set<oci::Digest> seen;
  std::function<void(const oci::Descriptor&, std::string, int)> walk = [&](const oci::Descriptor& d, std::string bytes,
                                                                          int depth) {
    if (depth > 4) fail(ErrorKind::validation, "{}: indexes nested too deep", d.digest.to_string());
    auto j = oci::parse_json(bytes, "manifest");
    std::string mt = j.is_object() && j.contains("mediaType") && j["mediaType"].is_string()
                         ? j["mediaType"].get<std::string>()
                         : d.media_type;
    bool index = oci::media::is_index(mt) || (j.is_object() && j.contains("manifests") && !j.contains("layers"));
    if (index) {
      for (const auto& child : oci::Index::from_json(bytes).manifests)
        if (seen.insert(child.digest).second) walk(child, fetch(child), depth + 1);
    } else {
      auto m = oci::Manifest::from_json(bytes);
      for (const auto& b : std::vector<oci::Descriptor>{m.config})
        if (b.digest.valid() && seen.insert(b.digest).second) g.blobs.push_back(b);
      for (const auto& l : m.layers)
        if (seen.insert(l.digest).second) g.blobs.push_back(l);
    }
    g.manifests.push_back({d, std::move(bytes)});
  };
  walk(top, std::move(top_bytes), 0);
  return g;
}

std::string_view to_string(TransferEvent::Kind k) {
  using K = TransferEvent::Kind;
  switch (k) {
    case K::check: return "check";
    case K::exists: return "exists";
    case K::mount: return "mounted";
    case K::upload: return "upload";
    case K::progress: return "progress";
    case K::done: return "done";
    case K::retry: return "retry";
    case K::manifest: return "manifest";
    case K::download: return "download";
  }
  return "?";
}

ProgressThrottle::ProgressThrottle(TransferFn fn, TransferEvent base) : fn_(std::move(fn)), base_(std::move(base)) {}

void ProgressThrottle::operator()(std::int64_t done) {
  if (!fn_) return;
  auto t = now_ms();
  if (done == last_done_ || (done < base_.size && t - last_ms_ < 100)) return;
  last_ms_ = t;
  last_done_ = done;
  TransferEvent e = base_;
  e.kind = TransferEvent::Kind::progress;
  e.done = done;
  fn_(e);
}

TransferStats push_graph(const ImageGraph& graph, ImageSource& source, const std::vector<Destination>& destinations,
                         BlobLocations& locations, int jobs, const TransferFn& on_event) {
  std::mutex event_mutex;
  auto emit = [&](TransferEvent e) {
    if (!on_event) return;
    std::lock_guard g(event_mutex);
    on_event(e);
  };
  // Distinct repositories, in order; the first of each registry uploads.
  std::vector<Target> targets;
  for (const auto& d : destinations) {
    bool dup = std::any_of(targets.begin(), targets.end(),
                           [&](const Target& t) { return t.client == d.client && t.repository == d.repository; });
    if (dup) continue;
    auto first = std::find_if(targets.begin(), targets.end(), [&](const Target& t) { return t.client == d.client; });
    targets.push_back({d.client, d.repository, first == targets.end(),
                       first == targets.end() ? d.repository : first->repository});
  }

  // 1. What is there already: blobs per repository, manifests per destination.
  const std::size_t nb = graph.blobs.size(), nm = graph.manifests.size();
  std::vector<char> blob_present(targets.size() * nb, 0);
  std::vector<char> child_present(targets.size() * nm, 0);
  std::vector<char> tag_current(destinations.size(), 0);
  std::size_t checks = targets.size() * (nb + nm - 1) + destinations.size();
  int head_jobs = std::clamp(jobs * 4, 8, 32);  // HEADs are tiny: more of them in flight
  parallel_for(checks, head_jobs, [&](std::size_t i) {
    if (i < targets.size() * nb) {
      const auto& t = targets[i / nb];
      const auto& b = graph.blobs[i % nb];
      auto size = t.client->head_blob(t.repository, b.digest);
      blob_present[i] = size && *size == b.size;
      TransferEvent e{blob_present[i] ? TransferEvent::Kind::exists : TransferEvent::Kind::check,
                      t.client->registry(), t.repository, b.digest.to_string(), b.media_type, b.size,
                      blob_present[i] ? b.size : 0, ""};
      emit(e);
      return;
    }
    i -= targets.size() * nb;
    if (i < targets.size() * (nm - 1)) {
      const auto& t = targets[i / (nm - 1)];
      const auto& m = graph.manifests[i % (nm - 1)];
      auto d = t.client->head_manifest(t.repository, m.descriptor.digest.to_string());
      child_present[(i / (nm - 1)) * nm + i % (nm - 1)] = d.has_value();
      return;
    }
    i -= targets.size() * (nm - 1);
    const auto& dest = destinations[i];
    if (dest.tag.empty()) return;
    auto d = dest.client->head_manifest(dest.repository, dest.tag);
    tag_current[i] = d && d->digest == graph.top().descriptor.digest;
  });

  TransferStats stats;
  std::mutex stats_mutex;
  for (std::size_t t = 0; t < targets.size(); ++t)
    for (std::size_t b = 0; b < nb; ++b) {
      ++stats.blobs;
      if (blob_present[t * nb + b]) {
        ++stats.existing;
        locations.add(targets[t].client->registry(), targets[t].repository, graph.blobs[b].digest);
      }
    }

  // 2. Uploads: first repositories of each registry, then the others (which mount).
  for (bool first_round : {true, false}) {
    std::vector<std::pair<std::size_t, std::size_t>> work;
    for (std::size_t t = 0; t < targets.size(); ++t)
      if (targets[t].first_in_registry == first_round)
        for (std::size_t b = 0; b < nb; ++b)
          if (!blob_present[t * nb + b]) work.emplace_back(t, b);
    parallel_for(work.size(), jobs, [&](std::size_t w) {
      const auto& t = targets[work[w].first];
      const auto& b = graph.blobs[work[w].second];
      const std::string& reg = t.client->registry();
      UploadOptions o;
      if (auto from = source.mount_repository(reg); !from.empty()) o.mount_from.push_back(from);
      if (!t.first_in_registry) o.mount_from.push_back(t.upload_repository);
      for (auto& r : locations.find(reg, b.digest)) o.mount_from.push_back(r);
      std::erase(o.mount_from, t.repository);
      TransferEvent base{TransferEvent::Kind::upload, reg, t.repository, b.digest.to_string(), b.media_type, b.size,
                         0, ""};
      emit(base);
      ProgressThrottle progress(emit, base);
      o.progress = [&](std::int64_t done) { progress(done); };
      o.on_retry = [&](const RegistryError& e, int attempt, std::chrono::milliseconds wait) {
        TransferEvent r = base;
        r.kind = TransferEvent::Kind::retry;
        r.message = fmt::format("attempt {} in {} ms after: {}", attempt, wait.count(), e.what());
        emit(r);
      };
      auto outcome = t.client->upload_blob(t.repository, b, source.blob(b), o);
      locations.add(reg, t.repository, b.digest);
      TransferEvent done = base;
      done.kind = outcome == UploadOutcome::mounted ? TransferEvent::Kind::mount : TransferEvent::Kind::done;
      done.done = b.size;
      emit(done);
      std::lock_guard g(stats_mutex);
      if (outcome == UploadOutcome::mounted) {
        ++stats.mounted;
      } else {
        ++stats.uploaded;
        stats.bytes_uploaded += b.size;
      }
    });
  }

  // 3. Manifests, children first, then the top under each tag.
  for (std::size_t t = 0; t < targets.size(); ++t)
    for (std::size_t m = 0; m + 1 < nm; ++m) {
      if (child_present[t * nm + m]) continue;
      const auto& node = graph.manifests[m];
      targets[t].client->put_manifest(targets[t].repository, node.descriptor.digest.to_string(), node.bytes,
                                      media_type_of(node));
      ++stats.manifests_put;
    }
  for (std::size_t i = 0; i < destinations.size(); ++i) {
    const auto& d = destinations[i];
    std::string ref = d.tag.empty() ? graph.top().descriptor.digest.to_string() : d.tag;
    if (!tag_current[i]) {
      d.client->put_manifest(d.repository, ref, graph.top().bytes, media_type_of(graph.top()));
      ++stats.manifests_put;
    }
    emit(TransferEvent{TransferEvent::Kind::manifest, d.client->registry(), d.repository,
                       graph.top().descriptor.digest.to_string(), graph.top().descriptor.media_type,
                       graph.top().descriptor.size, graph.top().descriptor.size, ref});
  }
  return stats;
}

}  // namespace ecp::registry
