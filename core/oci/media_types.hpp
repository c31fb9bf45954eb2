#pragma once
// Media types of the OCI image spec and their Docker schema 2 equivalents, and
// small predicates so callers never compare strings by hand.
#include <string>
#include <string_view>

namespace ecp::oci::media {

inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view oci_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view oci_layout_version = "1.0.0";

inline constexpr std::string_view docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_manifest_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view docker_layer_tar = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view docker_layer_gzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view docker_layer_zstd = "application/vnd.docker.image.rootfs.diff.tar.zstd";
inline constexpr std::string_view docker_foreign_layer_gzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

// The annotation an OCI layout's index.json uses to name (tag) a manifest.
inline constexpr std::string_view ref_name_annotation = "org.opencontainers.image.ref.name";

enum class Compression { none, gzip, zstd };

bool is_manifest(std::string_view media_type);  // an image manifest, OCI or Docker
bool is_index(std::string_view media_type);     // an index or a Docker manifest list
bool is_config(std::string_view media_type);
bool is_layer(std::string_view media_type);

// The compression a layer media type announces; throws Error(validation) for a
// media type that is not a layer.
Compression layer_compression(std::string_view media_type);

// The OCI layer media type for a compression.
std::string_view oci_layer(Compression c);

// The OCI media type with the same meaning (Docker layer and config types map to
// their OCI twins; OCI types are returned unchanged). The bytes, and so the
// digest, are the same: only the label changes.
std::string to_oci(std::string_view media_type);

std::string_view to_string(Compression c);  // "none", "gzip", "zstd"

}  // namespace ecp::oci::media
