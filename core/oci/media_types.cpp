#include "core/oci/media_types.hpp"

#include "core/util/enum_names.hpp"
#include "core/util/error.hpp"

namespace ecp::oci::media {

bool is_manifest(std::string_view t) { return t == oci_manifest || t == docker_manifest; }

bool is_index(std::string_view t) { return t == oci_index || t == docker_manifest_list; }

bool is_config(std::string_view t) { return t == oci_config || t == docker_config; }

bool is_layer(std::string_view t) {
  return t == oci_layer_tar || t == oci_layer_gzip || t == oci_layer_zstd || t == docker_layer_tar ||
         t == docker_layer_gzip || t == docker_layer_zstd || t == docker_foreign_layer_gzip ||
         t == "application/vnd.oci.image.layer.nondistributable.v1.tar" ||
         t == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" ||
         t == "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
}

Compression layer_compression(std::string_view t) {
  if (!is_layer(t)) fail(ErrorKind::validation, "'{}' is not a layer media type", t);
  if (t.ends_with("gzip")) return Compression::gzip;
  if (t.ends_with("zstd")) return Compression::zstd;
  return Compression::none;
}

std::string_view oci_layer(Compression c) {
  switch (c) {
    case Compression::none: return oci_layer_tar;
    case Compression::gzip: return oci_layer_gzip;
    case Compression::zstd: return oci_layer_zstd;
  }
  return oci_layer_tar;
}

std::string to_oci(std::string_view t) {
  if (t == docker_manifest) return std::string(oci_manifest);
  if (t == docker_manifest_list) return std::string(oci_index);
  if (t == docker_config) return std::string(oci_config);
  if (t == docker_layer_tar) return std::string(oci_layer_tar);
  if (t == docker_layer_gzip) return std::string(oci_layer_gzip);
  if (t == docker_layer_zstd) return std::string(oci_layer_zstd);
  return std::string(t);
}

std::string_view to_string(Compression c) {
  static constexpr text::EnumName<Compression> table[] = {
      {Compression::none, "none"}, {Compression::gzip, "gzip"}, {Compression::zstd, "zstd"}};
  return text::name_of(table, c, "none");
}

}  // namespace ecp::oci::media
