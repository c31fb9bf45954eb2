#include "core/oci/layer_ref.hpp"

#include <limits>

#include "core/util/error.hpp"

namespace ecp::oci {

namespace {

// "" is an empty digest (unknown); anything else must parse.
Digest digest_at(const Json& j, const char* key, std::string_view what) {
  std::string text = detail::get_string(j, key, what);
  if (text.empty()) return {};
  auto d = Digest::try_parse(text);
  if (!d) fail(ErrorKind::validation, "{}: '{}' is not a digest: '{}'", what, key, text);
  return *d;
}

// A whole number; a float only when it is one in range (nlohmann would cast
// 1e300 to an integer, which is undefined).
std::int64_t size_at(const Json& j, std::string_view what) {
  auto it = j.find("size");
  if (it == j.end()) return 0;
  if (it->is_number_float()) {
    double d = it->get<double>();
    auto low = static_cast<double>(std::numeric_limits<std::int64_t>::min());
    if (!(d >= low && d < -low)) fail(ErrorKind::validation, "{}: 'size' is out of range", what);
  } else if (!it->is_number()) {
    fail(ErrorKind::validation, "{}: 'size' must be a number", what);
  }
  return it->get<std::int64_t>();
}

}  // namespace

LayerRef layer_ref(const Descriptor& d, Digest diff_id) {
  LayerRef l;
  l.descriptor.media_type = d.media_type;
  l.descriptor.digest = d.digest;
  l.descriptor.size = d.size;
  l.diff_id = std::move(diff_id);
  return l;
}

Json layer_ref_json(const LayerRef& l) {
  return {{"digest", l.descriptor.digest.to_string()},
          {"media_type", l.descriptor.media_type},
          {"size", l.descriptor.size},
          {"diff_id", l.diff_id.to_string()}};
}

LayerRef layer_ref_from_json(const Json& j, std::string_view what) {
  if (!j.is_object()) fail(ErrorKind::validation, "{}: a layer must be a JSON object", what);
  LayerRef l;
  l.descriptor.size = size_at(j, what);
  l.descriptor.digest = digest_at(j, "digest", what);
  l.descriptor.media_type = detail::get_string(j, "media_type", what);
  l.diff_id = digest_at(j, "diff_id", what);
  return l;
}

}  // namespace ecp::oci
