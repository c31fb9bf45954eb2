#pragma once
// What pull and inspect share: the platform a user asks for, the registry's
// answer parsed or refused as the registry's fault, and an image's manifest
// fetched through its index.
#include <string>
#include <string_view>

#include "core/oci/manifest.hpp"
#include "core/oci/reference.hpp"
#include "core/registry/client.hpp"
#include "core/registry/error.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

struct Platform {
  std::string os, arch, variant;
};

// OS/ARCH[/VARIANT]; "" is linux and this machine's architecture.
Platform parse_platform(const std::string& text);

// The entry of `index` for `want`; Error(registry) listing what it has otherwise.
oci::Descriptor pick(const oci::Index& index, const Platform& want, const std::string& ref);

// "os/arch[/variant]" of an index entry ("" when it names none).
std::string platform_name(const oci::Descriptor& entry);

// A manifest or index ecp cannot use (malformed, or claiming a config or a
// manifest larger than ecp reads) is the registry's answer at fault: exit 4,
// naming the registry and the reference, before any blob is fetched.
template <typename T>
T parse_answer(const oci::Reference& ref, std::string_view bytes) {
  try {
    return T::from_json(bytes);
  } catch (const registry::RegistryError&) {
    throw;
  } catch (const Error& e) {
    throw registry::RegistryError(
        registry::ErrorInfo{
            ref.registry, ref.repository, "GET manifest " + ref.identifier(), 0, {}, e.what(), false, {}},
        "refused: nothing was written to the store");
  }
}

bool looks_like_index(const registry::Manifest& m);

// The manifest of `ref`, through its index for a multi-platform image (whose
// digest goes in *index_digest when given).
registry::Manifest fetch_manifest(registry::Client& c, const oci::Reference& ref, const Platform& want,
                                  std::string* index_digest);

}  // namespace ecp::ops
