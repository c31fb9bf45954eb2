#pragma once
// `ecp pull`: a registry image -> the local store, every digest verified before
// anything is written; and the registry base image of `ecp build`.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/ops/push.hpp"

namespace ecp::ops {

struct PullOptions {
  RegistryOptions registry;
  std::string reference;  // [registry/]repository[:tag][@digest]
  std::string platform;   // os/arch[/variant] picked from an index; empty: linux/<host arch>
  TransferFn on_event;
};

struct PullResult {
  std::string reference;     // normalised, as tagged in the store
  std::string digest;        // the stored manifest's digest
  std::string index_digest;  // the index it was picked from, when the reference named one
  std::string source;        // REGISTRY/REPOSITORY it came from when not the reference's (a mirror)
  std::vector<std::string> downloaded;  // blob digests that were fetched (the others were in the store)
  std::int64_t bytes = 0;    // bytes fetched
  int blobs = 0;
};

// Fetches the manifest (for an index: the one of the platform), then every
// missing blob in parallel into temporary files while hashing them. Only when
// every size and digest matches are the blobs committed and the reference
// tagged: a mismatch is an Error(registry) and leaves the store as it was.
PullResult pull(const PullOptions& options);

struct PulledBase {
  std::string tag;     // the store tag (the normalised reference)
  std::string digest;  // the manifest digest
};

// The registry base image of `ecp build`, in the store: a digest reference
// that is already stored is used without asking the registry; a tag is
// resolved again (falling back to the stored copy, with a warning, when the
// registry cannot be reached). With newly fetched layers, all layers pass image::check_layers (container).
PulledBase ensure_base_pulled(const std::string& reference, const RegistryOptions& options);

// For `ecp build`: ensure_base_pulled, then the base spec that reads it from the
// store ("oci:STORE:TAG"), so image::read_base takes it like any OCI layout.
// `timeout`: --timeout of each registry request (0: sized by its bytes).
std::string registry_base_spec(const std::string& reference, const std::filesystem::path& store,
                               const ValidateOptions& project, std::chrono::milliseconds timeout = {});

}  // namespace ecp::ops
