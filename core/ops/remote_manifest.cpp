#include "core/ops/remote_manifest.hpp"

#include <fmt/ranges.h>

#include <vector>

#include "core/image/base_image.hpp"
#include "core/oci/media_types.hpp"

namespace ecp::ops {

Platform parse_platform(const std::string& text) {
  Platform p{"linux", image::host_architecture(), ""};
  if (text.empty()) return p;
  auto a = text.find('/');
  if (a == std::string::npos)
    fail(ErrorKind::usage, "--platform '{}': write OS/ARCH[/VARIANT], e.g. linux/amd64", text);
  p.os = text.substr(0, a);
  auto rest = text.substr(a + 1);
  auto b = rest.find('/');
  p.arch = rest.substr(0, b);
  if (b != std::string::npos) p.variant = rest.substr(b + 1);
  return p;
}

std::string platform_name(const oci::Descriptor& entry) {
  if (!entry.platform) return "";
  const auto& p = *entry.platform;
  return p.os + "/" + p.architecture + (p.variant.empty() ? "" : "/" + p.variant);
}

oci::Descriptor pick(const oci::Index& index, const Platform& want, const std::string& ref) {
  std::vector<std::string> have;
  for (const auto& m : index.manifests) {
    if (!m.platform) continue;
    const auto& p = *m.platform;
    if (p.os == want.os && p.architecture == want.arch && (want.variant.empty() || p.variant == want.variant)) return m;
    have.push_back(platform_name(m));
  }
  fail(ErrorKind::registry, "{}: no image for {}/{} in its index (it has: {})", ref, want.os, want.arch,
       fmt::join(have, ", "));
}

bool looks_like_index(const registry::Manifest& m) {
  if (oci::media::is_index(m.media_type)) return true;
  auto j = oci::Json::parse(m.bytes, nullptr, false);
  return j.is_object() && j.contains("manifests") && !j.contains("layers");
}

registry::Manifest fetch_manifest(registry::Client& c, const oci::Reference& ref, const Platform& want,
                                  std::string* index_digest) {
  auto m = c.get_manifest(ref.repository, ref.identifier());
  if (looks_like_index(m)) {
    if (index_digest) *index_digest = m.digest.to_string();
    auto child = pick(parse_answer<oci::Index>(ref, m.bytes), want, ref.to_string());
    m = c.get_manifest(ref.repository, child.digest.to_string());
    if (m.media_type.empty()) m.media_type = child.media_type;
  }
  return m;
}

}  // namespace ecp::ops
