#pragma once
// `ecp copy SRC DST`: promotes an image from one registry reference to another
// without the local store. Blobs stream through (download and upload at once,
// bounded memory), or are mounted when both are on the same registry; an index
// is copied whole, every platform. The digest stays the same.
#include <string>

#include "core/ops/push.hpp"

namespace ecp::ops {

struct CopyOptions {
  RegistryOptions registry;
  std::string source;       // a reference
  std::string destination;  // a reference; a missing tag is the source's tag
  TransferFn on_event;
};

struct CopyResult {
  std::string source;       // normalised
  std::string destination;  // normalised
  std::string digest;       // of the top manifest or index, the same at both ends
  registry::TransferStats stats;
};

CopyResult copy(const CopyOptions& options);

}  // namespace ecp::ops
