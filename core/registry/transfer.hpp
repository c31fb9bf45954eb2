#pragma once
// Moving an image (a manifest or an index, its child manifests and blobs) to
// one or more destinations: the algorithm shared by `ecp push` (the source is
// the local store) and `ecp copy` (the source is another registry).
//   1. HEAD every blob and manifest at every destination, in parallel over
//      reused connections: what exists is skipped.
//   2. Upload what is missing, `jobs` blobs at a time: mounted across
//      repositories of the same registry when a repository is known to hold
//      the blob, else streamed from the source (resumable, retried).
//   3. Only when every blob is confirmed: PUT child manifests by digest, then
//      the top manifest under each tag. A tag is never half pushed.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/oci/descriptor.hpp"
#include "core/registry/blob_locations.hpp"
#include "core/registry/blob_source.hpp"
#include "core/registry/client.hpp"

namespace ecp::registry {

struct ManifestNode {
  oci::Descriptor descriptor;
  std::string bytes;
};

struct ImageGraph {
  std::vector<ManifestNode> manifests;  // children before parents; the last is the top
  std::vector<oci::Descriptor> blobs;   // configs and layers, each digest once
  const ManifestNode& top() const { return manifests.back(); }
  std::int64_t blob_bytes() const;
};

// Walks a manifest or index; `fetch` returns the (verified) bytes of a child
// manifest. Throws Error(validation) for JSON that is neither.
ImageGraph build_graph(const oci::Descriptor& top, std::string top_bytes,
                       const std::function<std::string(const oci::Descriptor&)>& fetch);

struct TransferEvent {
  enum class Kind { check, exists, mount, upload, progress, done, retry, manifest, download };
  Kind kind = Kind::check;
  std::string registry;
  std::string repository;
  std::string digest;
  std::string media_type;
  std::int64_t size = 0;
  std::int64_t done = 0;
  std::string message;  // retry: the error; manifest: the tag or digest
};
using TransferFn = std::function<void(const TransferEvent&)>;
std::string_view to_string(TransferEvent::Kind k);

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  virtual BlobSource blob(const oci::Descriptor& d) = 0;
  // A repository of `registry` that holds every blob of the image (copy within
  // one registry), or "".
  virtual std::string mount_repository(const std::string& /*registry*/) const { return {}; }
};

struct Destination {
  Client* client = nullptr;
  std::string repository;
  std::string tag;  // empty: the top manifest is put by digest only
};

struct TransferStats {
  int blobs = 0;     // per destination repository
  int existing = 0;
  int mounted = 0;
  int uploaded = 0;
  std::int64_t bytes_uploaded = 0;
  int manifests_put = 0;
};

TransferStats push_graph(const ImageGraph& graph, ImageSource& source, const std::vector<Destination>& destinations,
                         BlobLocations& locations, int jobs, const TransferFn& on_event);

// Reports progress of one blob at most every 100 ms (and always at the end).
class ProgressThrottle {
 public:
  ProgressThrottle(TransferFn fn, TransferEvent base);
  void operator()(std::int64_t done);

 private:
  TransferFn fn_;
  TransferEvent base_;
  std::int64_t last_ms_ = 0;
  std::int64_t last_done_ = -1;
};

}  // namespace ecp::registry
