#pragma once
// An image layer as a release names it: its manifest descriptor (what to fetch
// and how it is compressed) and its diff_id from the image config (the digest of
// the plain tar, which a host checks after unpacking). The ledger, saved plans and
// the backends all hold layers as this one struct.
#include <string_view>

#include "core/oci/descriptor.hpp"
#include "core/oci/digest.hpp"
#include "core/oci/json.hpp"

namespace ecp::oci {

struct LayerRef {
  Descriptor descriptor;  // media type, digest, size (a layer of a release needs nothing more)
  Digest diff_id;         // empty: unknown
  bool operator==(const LayerRef&) const = default;
};

// The layer of a manifest descriptor: its media type, digest and size only.
LayerRef layer_ref(const Descriptor& d, Digest diff_id);

// The flat JSON form of ledger records, plan.json and the plugin protocol:
// {"diff_id", "digest", "media_type", "size"} (not the OCI descriptor form).
Json layer_ref_json(const LayerRef& l);
// Reads that form. A missing key is empty (size 0); a malformed digest or a size
// that is not a whole number is an Error(validation) naming `what` and the key.
LayerRef layer_ref_from_json(const Json& j, std::string_view what);

}  // namespace ecp::oci
