#include "core/registry/transfer.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "core/oci/json.hpp"
#include "core/oci/manifest.hpp"
#include "core/oci/media_types.hpp"
#include "core/util/error.hpp"

namespace ecp::registry {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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

}  // namespace ecp::registry
