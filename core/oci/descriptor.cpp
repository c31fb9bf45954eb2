#include "core/oci/descriptor.hpp"

#include "core/util/error.hpp"

namespace ecp::oci {

using detail::get_string;
using detail::get_strings;

Json to_json_value(const Platform& p) {
  Json j = Json::object();
  j["architecture"] = p.architecture;
  j["os"] = p.os;
  if (!p.variant.empty()) j["variant"] = p.variant;
  if (!p.os_version.empty()) j["os.version"] = p.os_version;
  if (!p.os_features.empty()) j["os.features"] = p.os_features;
  return j;
}

Platform platform_from_json(const Json& j) {
  detail::expect_object(j, "platform");
  Platform p;
  p.architecture = get_string(j, "architecture", "platform");
  p.os = get_string(j, "os", "platform");
  p.variant = get_string(j, "variant", "platform");
  p.os_version = get_string(j, "os.version", "platform");
  p.os_features = get_strings(j, "os.features", "platform");
  return p;
}

Json to_json_value(const Descriptor& d) {
  Json j = Json::object();
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.to_string();
  j["size"] = d.size;
  if (!d.urls.empty()) j["urls"] = d.urls;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform) j["platform"] = to_json_value(*d.platform);
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  return j;
}

Descriptor descriptor_from_json(const Json& j, std::string_view what) {
  detail::expect_object(j, what);
  Descriptor d;
  d.media_type = get_string(j, "mediaType", what);
  if (d.media_type.empty()) fail(ErrorKind::validation, "invalid {}: \"mediaType\" is missing", what);
  auto digest = get_string(j, "digest", what);
  auto parsed = Digest::try_parse(digest);
  if (!parsed) fail(ErrorKind::validation, "invalid {}: bad digest '{}'", what, digest);
  d.digest = *parsed;
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0)
    fail(ErrorKind::validation, "invalid {}: \"size\" must be a non-negative integer", what);
  d.size = size->get<std::int64_t>();
  d.urls = get_strings(j, "urls", what);
  d.annotations = detail::get_string_map(j, "annotations", what);
  if (auto p = j.find("platform"); p != j.end() && !p->is_null()) d.platform = platform_from_json(*p);
  d.artifact_type = get_string(j, "artifactType", what);
  return d;
}

}  // namespace ecp::oci
