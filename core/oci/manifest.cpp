#include "core/oci/manifest.hpp"

#include "core/util/error.hpp"

namespace ecp::oci {
namespace {

int read_schema_version(const Json& j, std::string_view what) {
  auto v = j.find("schemaVersion");
  if (v == j.end() || !v->is_number_integer() || v->get<int>() != 2)
    fail(ErrorKind::validation, "invalid {}: \"schemaVersion\" must be 2", what);
  return 2;
}

std::vector<Descriptor> descriptors(const Json& j, const char* key, std::string_view what, bool required) {
  std::vector<Descriptor> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) fail(ErrorKind::validation, "invalid {}: \"{}\" is missing", what, key);
    return out;
  }
  if (!it->is_array()) fail(ErrorKind::validation, "invalid {}: \"{}\" must be an array", what, key);
  for (const auto& d : *it) out.push_back(descriptor_from_json(d, fmt::format("{} ({} entry)", what, key)));
  return out;
}

std::optional<Descriptor> read_subject(const Json& j, std::string_view what) {
  auto it = j.find("subject");
  if (it == j.end() || it->is_null()) return std::nullopt;
  return descriptor_from_json(*it, fmt::format("{} (subject)", what));
}

Json descriptors_json(const std::vector<Descriptor>& ds) {
  Json a = Json::array();
  for (const auto& d : ds) a.push_back(to_json_value(d));
  return a;
}

}  // namespace

Manifest Manifest::from_json(std::string_view text) {
  constexpr std::string_view what = "image manifest";
  Json j = parse_json(text, what);
  detail::expect_object(j, what);
  Manifest m;
  m.schema_version = read_schema_version(j, what);
  m.media_type = detail::get_string(j, "mediaType", what);
  // mediaType is optional in OCI; when present it must say "manifest".
  if (!m.media_type.empty() && !media::is_manifest(m.media_type))
    fail(ErrorKind::validation, "invalid {}: media type '{}' is not an image manifest", what, m.media_type);
  if (m.media_type.empty()) m.media_type = std::string(media::oci_manifest);
  m.artifact_type = detail::get_string(j, "artifactType", what);
  auto config = j.find("config");
  if (config == j.end()) fail(ErrorKind::validation, "invalid {}: \"config\" is missing", what);
  m.config = descriptor_from_json(*config, "image manifest (config)");
  // Refused before anyone reads the blob: the size is all a reader can bound it by.
  if (m.config.size > max_config_bytes)
    fail(ErrorKind::validation, "invalid {}: its config {} claims {} bytes; ecp reads configs of up to {} MiB", what,
         m.config.digest.to_string(), m.config.size, max_config_bytes >> 20);
  m.layers = descriptors(j, "layers", what, true);
  m.subject = read_subject(j, what);
  m.annotations = detail::get_string_map(j, "annotations", what);
  return m;
}

Index Index::from_json(std::string_view text) {
  constexpr std::string_view what = "image index";
  Json j = parse_json(text, what);
  detail::expect_object(j, what);
  Index i;
  i.schema_version = read_schema_version(j, what);
  i.media_type = detail::get_string(j, "mediaType", what);
  if (!i.media_type.empty() && !media::is_index(i.media_type))
    fail(ErrorKind::validation, "invalid {}: media type '{}' is not an index", what, i.media_type);
  if (i.media_type.empty()) i.media_type = std::string(media::oci_index);
  i.artifact_type = detail::get_string(j, "artifactType", what);
  i.manifests = descriptors(j, "manifests", what, true);
  for (const auto& d : i.manifests)
    if ((media::is_manifest(d.media_type) || media::is_index(d.media_type)) && d.size > max_manifest_bytes)
      fail(ErrorKind::validation, "invalid {}: the manifest {} claims {} bytes; ecp reads manifests of up to {} MiB",
           what, d.digest.to_string(), d.size, max_manifest_bytes >> 20);
  i.subject = read_subject(j, what);
  i.annotations = detail::get_string_map(j, "annotations", what);
  return i;
}

Json to_json_value(const Manifest& m) {
  Json j = Json::object();
  j["schemaVersion"] = m.schema_version;
  j["mediaType"] = m.media_type;
  if (!m.artifact_type.empty()) j["artifactType"] = m.artifact_type;
  j["config"] = to_json_value(m.config);
  j["layers"] = descriptors_json(m.layers);
  if (m.subject) j["subject"] = to_json_value(*m.subject);
  if (!m.annotations.empty()) j["annotations"] = m.annotations;
  return j;
}

Json to_json_value(const Index& i) {
  Json j = Json::object();
  j["schemaVersion"] = i.schema_version;
  j["mediaType"] = i.media_type;
  if (!i.artifact_type.empty()) j["artifactType"] = i.artifact_type;
  j["manifests"] = descriptors_json(i.manifests);
  if (i.subject) j["subject"] = to_json_value(*i.subject);
  if (!i.annotations.empty()) j["annotations"] = i.annotations;
  return j;
}

std::string to_json(const Manifest& m) { return canonical(to_json_value(m)); }
std::string to_json(const Index& i) { return canonical(to_json_value(i)); }

}  // namespace ecp::oci
