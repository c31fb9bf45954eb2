// push_graph: the three steps of transfer.hpp (HEAD everything, upload what is
// missing, then the manifests), each a method of one GraphPush.
#include <algorithm>
#include <chrono>
#include <mutex>

#include "core/oci/json.hpp"
#include "core/registry/transfer.hpp"
#include "core/util/parallel.hpp"

namespace ecp::registry {
namespace {

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

// Distinct repositories, in order; the first of each registry uploads, the
// others mount from it.
std::vector<Target> distinct_targets(const std::vector<Destination>& destinations) {
  std::vector<Target> targets;
  for (const auto& d : destinations) {
    bool dup = std::any_of(targets.begin(), targets.end(),
                           [&](const Target& t) { return t.client == d.client && t.repository == d.repository; });
    if (dup) continue;
    auto first = std::find_if(targets.begin(), targets.end(), [&](const Target& t) { return t.client == d.client; });
    targets.push_back(
        {d.client, d.repository, first == targets.end(), first == targets.end() ? d.repository : first->repository});
  }
  return targets;
}

// One push_graph call: its steps share what the HEADs found.
class GraphPush {
 public:
  GraphPush(const ImageGraph& graph, ImageSource& source, const std::vector<Destination>& destinations,
            BlobLocations& locations, const TransferFn& on_event)
      : graph_(graph),
        source_(source),
        destinations_(destinations),
        locations_(locations),
        on_event_(on_event),
        targets_(distinct_targets(destinations)),
        nb_(graph.blobs.size()),
        nm_(graph.manifests.size()),
        blob_present_(targets_.size() * nb_, 0),
        child_present_(targets_.size() * nm_, 0),
        tag_current_(destinations.size(), 0) {}

  // 1. What is there already: blobs per repository, manifests per destination.
  void check_existing(int jobs) {
    std::size_t checks = targets_.size() * (nb_ + nm_ - 1) + destinations_.size();
    int head_jobs = std::clamp(jobs * 4, 8, 32);  // HEADs are tiny: more of them in flight
    parallel_for(checks, head_jobs, [&](std::size_t i) {
      if (i < targets_.size() * nb_) return check_blob(i / nb_, i % nb_);
      i -= targets_.size() * nb_;
      if (i < targets_.size() * (nm_ - 1)) return check_child(i / (nm_ - 1), i % (nm_ - 1));
      check_tag(i - targets_.size() * (nm_ - 1));
    });
    for (std::size_t t = 0; t < targets_.size(); ++t)
      for (std::size_t b = 0; b < nb_; ++b) {
        ++stats_.blobs;
        if (blob_present_[t * nb_ + b]) {
          ++stats_.existing;
          locations_.add(targets_[t].client->registry(), targets_[t].repository, graph_.blobs[b].digest);
        }
      }
  }

  // 2. Uploads: first repositories of each registry, then the others (which mount).
  void upload_missing(int jobs) {
    for (bool first_round : {true, false}) {
      std::vector<std::pair<std::size_t, std::size_t>> work;
      for (std::size_t t = 0; t < targets_.size(); ++t)
        if (targets_[t].first_in_registry == first_round)
          for (std::size_t b = 0; b < nb_; ++b)
            if (!blob_present_[t * nb_ + b]) work.emplace_back(t, b);
      parallel_for(work.size(), jobs,
                   [&](std::size_t w) { upload(targets_[work[w].first], graph_.blobs[work[w].second]); });
    }
  }

  // 3. Manifests, children first, then the top under each tag.
  void put_manifests() {
    for (std::size_t t = 0; t < targets_.size(); ++t)
      for (std::size_t m = 0; m + 1 < nm_; ++m) {
        if (child_present_[t * nm_ + m]) continue;
        const auto& node = graph_.manifests[m];
        targets_[t].client->put_manifest(targets_[t].repository, node.descriptor.digest.to_string(), node.bytes,
                                         media_type_of(node));
        ++stats_.manifests_put;
      }
    const auto& top = graph_.top();
    for (std::size_t i = 0; i < destinations_.size(); ++i) {
      const auto& d = destinations_[i];
      std::string ref = d.tag.empty() ? top.descriptor.digest.to_string() : d.tag;
      if (!tag_current_[i]) {
        d.client->put_manifest(d.repository, ref, top.bytes, media_type_of(top));
        ++stats_.manifests_put;
      }
      emit(TransferEvent{TransferEvent::Kind::manifest, d.client->registry(), d.repository,
                         top.descriptor.digest.to_string(), top.descriptor.media_type, top.descriptor.size,
                         top.descriptor.size, ref});
    }
  }

  const TransferStats& stats() const { return stats_; }

 private:
  void emit(const TransferEvent& e) {
    if (!on_event_) return;
    std::lock_guard g(event_mutex_);
    on_event_(e);
  }

  void check_blob(std::size_t t, std::size_t b) {
    const auto& target = targets_[t];
    const auto& blob = graph_.blobs[b];
    auto size = target.client->head_blob(target.repository, blob.digest);
    bool present = size && *size == blob.size;
    blob_present_[t * nb_ + b] = present;
    emit(TransferEvent{present ? TransferEvent::Kind::exists : TransferEvent::Kind::check, target.client->registry(),
                       target.repository, blob.digest.to_string(), blob.media_type, blob.size, present ? blob.size : 0,
                       ""});
  }

  void check_child(std::size_t t, std::size_t m) {
    const auto& target = targets_[t];
    auto d = target.client->head_manifest(target.repository, graph_.manifests[m].descriptor.digest.to_string());
    child_present_[t * nm_ + m] = d.has_value();
  }

  void check_tag(std::size_t i) {
    const auto& dest = destinations_[i];
    if (dest.tag.empty()) return;
    auto d = dest.client->head_manifest(dest.repository, dest.tag);
    tag_current_[i] = d && d->digest == graph_.top().descriptor.digest;
  }

  // Mounts from any repository of the registry known to hold the blob, else uploads it.
  void upload(const Target& t, const oci::Descriptor& b) {
    const std::string& reg = t.client->registry();
    UploadOptions o;
    if (auto from = source_.mount_repository(reg); !from.empty()) o.mount_from.push_back(from);
    if (!t.first_in_registry) o.mount_from.push_back(t.upload_repository);
    for (auto& r : locations_.find(reg, b.digest)) o.mount_from.push_back(r);
    std::erase(o.mount_from, t.repository);
    TransferEvent base{
        TransferEvent::Kind::upload, reg, t.repository, b.digest.to_string(), b.media_type, b.size, 0, ""};
    emit(base);
    auto emit_fn = [this](const TransferEvent& e) { emit(e); };
    ProgressThrottle progress(emit_fn, base);
    o.progress = [&](std::int64_t done) { progress(done); };
    o.on_retry = [&](const RegistryError& e, int attempt, std::chrono::milliseconds wait) {
      TransferEvent r = base;
      r.kind = TransferEvent::Kind::retry;
      r.message = fmt::format("attempt {} in {} ms after: {}", attempt, wait.count(), e.what());
      emit(r);
    };
    auto outcome = t.client->upload_blob(t.repository, b, source_.blob(b), o);
    locations_.add(reg, t.repository, b.digest);
    TransferEvent done = base;
    done.kind = outcome == UploadOutcome::mounted ? TransferEvent::Kind::mount : TransferEvent::Kind::done;
    done.done = b.size;
    emit(done);
    std::lock_guard g(stats_mutex_);
    if (outcome == UploadOutcome::mounted) {
      ++stats_.mounted;
    } else {
      ++stats_.uploaded;
      stats_.bytes_uploaded += b.size;
    }
  }

  const ImageGraph& graph_;
  ImageSource& source_;
  const std::vector<Destination>& destinations_;
  BlobLocations& locations_;
  const TransferFn& on_event_;
  std::mutex event_mutex_;
  const std::vector<Target> targets_;
  const std::size_t nb_, nm_;  // blobs and manifests in the graph
  // What the HEADs found: [target * nb_ + blob], [target * nm_ + child], [destination].
  std::vector<char> blob_present_, child_present_, tag_current_;
  TransferStats stats_;
  std::mutex stats_mutex_;
};
}  // namespace

TransferStats push_graph(const ImageGraph& graph, ImageSource& source, const std::vector<Destination>& destinations,
                         BlobLocations& locations, int jobs, const TransferFn& on_event) {
  GraphPush push(graph, source, destinations, locations, on_event);
  push.check_existing(jobs);
  push.upload_missing(jobs);
  push.put_manifests();
  return push.stats();
}

}  // namespace ecp::registry
