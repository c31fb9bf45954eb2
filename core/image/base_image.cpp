// read_base: scratch and OCI layout folders (docker-archive is in base_docker_archive.cpp).
#include "core/image/base_image.hpp"

#include <sys/utsname.h>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"

namespace ecp::image {
namespace {

// Reads a blob of a layout folder we do not own (read only: no Store, no locks).
std::string read_layout_blob(const std::string& layout, const oci::Descriptor& d, std::string_view spec) {
  auto path = stdfs::path(layout) / "blobs" / "sha256" / d.digest.hex();
  std::string data;
  try {
    data = fs::read_file(path, 64u << 20);
  } catch (const Error& e) {
    fail(ErrorKind::build, "base image {}: {}", spec, e.what());
  }
  if (oci::Sha256::of(data) != d.digest || static_cast<std::int64_t>(data.size()) != d.size)
    fail(ErrorKind::build, "base image {}: blob {} is corrupt (digest or size mismatch)", spec, path.string());
  return data;
}

oci::Descriptor pick(const std::vector<oci::Descriptor>& ds, const std::string& tag, std::string_view spec) {
  std::vector<std::string> names;
  for (const auto& d : ds) {
    auto it = d.annotations.find(std::string(oci::media::ref_name_annotation));
    if (it == d.annotations.end()) continue;
    if (!tag.empty() && it->second == tag) return d;
    names.push_back(it->second);
  }
  if (tag.empty() && ds.size() == 1) return ds.front();
  if (!tag.empty()) fail(ErrorKind::build, "base image {}: no tag '{}' (it has: {})", spec, tag, fmt::join(names, ", "));
  fail(ErrorKind::build, "base image {}: the layout holds {} images; name one with :tag (tags: {})", spec, ds.size(),
       fmt::join(names, ", "));
}

}  // namespace

std::string host_architecture() {
  struct utsname u {};
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m.starts_with("armv")) return "arm";
  if (m == "i386" || m == "i686") return "386";
  return m;  // ppc64le, s390x, riscv64 have the same name in both worlds
}

std::pair<std::string, std::string> split_path_tag(std::string_view spec) {
  // The first ':' splits, as in skopeo's oci:PATH:TAG, so tags like "app:1.0" work.
  auto colon = spec.find(':');
  if (colon == std::string_view::npos) return {std::string(spec), ""};
  return {std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
}

BaseImage read_base(const Store& store, std::string_view spec, const BaseOptions& in) {
  BaseOptions options = in;
  if (options.architecture.empty()) options.architecture = host_architecture();
  if (spec == "scratch") {
    BaseImage b;
    b.spec = spec;
    b.config.architecture = options.architecture;
    b.config.os = options.os;
    return b;
  }
  if (spec.starts_with("oci:")) {
    // A folder whose own name holds ':' still works: the longest existing layout wins.
    auto rest = spec.substr(4);
    std::error_code ec;
    for (auto colon = rest.size(); colon != std::string_view::npos; colon = rest.rfind(':', colon - 1)) {
      auto path = std::string(rest.substr(0, colon));
      if (stdfs::exists(stdfs::path(path) / "oci-layout", ec)) {
        auto tag = colon < rest.size() ? std::string(rest.substr(colon + 1)) : std::string();
        return read_oci_layout_base(store, spec, path, tag, options);
      }
      if (colon == 0) break;
    }
    auto [path, tag] = split_path_tag(rest);
    return read_oci_layout_base(store, spec, path, tag, options);
  }
  if (spec.starts_with("docker-archive:")) return read_docker_archive_base(store, spec, spec.substr(15), options);
  fail(ErrorKind::usage, "base image '{}': use scratch, oci:PATH[:tag] or docker-archive:FILE", spec);
}

BaseImage read_oci_layout_base(const Store& store, std::string_view spec, const std::string& path,
                               const std::string& tag, const BaseOptions& options) {
  std::error_code ec;
  if (!stdfs::exists(stdfs::path(path) / "oci-layout", ec))
    fail(ErrorKind::build, "base image {}: {} is not an OCI image layout folder", spec, path);
  oci::Index index;
  try {
    index = oci::Index::from_json(fs::read_file(stdfs::path(path) / "index.json", 64u << 20));
  } catch (const Error& e) {
    fail(ErrorKind::build, "base image {}: {}", spec, e.what());
  }
  auto desc = pick(index.manifests, tag, spec);
  // A multi-platform index: take the manifest for our platform.
  for (int depth = 0; oci::media::is_index(desc.media_type); ++depth) {
    if (depth > 4) fail(ErrorKind::build, "base image {}: indexes nested too deep", spec);
    auto nested = oci::Index::from_json(read_layout_blob(path, desc, spec));
    auto it = std::find_if(nested.manifests.begin(), nested.manifests.end(), [&](const oci::Descriptor& d) {
      return d.platform && d.platform->os == options.os && d.platform->architecture == options.architecture;
    });
    if (it == nested.manifests.end())
      fail(ErrorKind::build, "base image {}: no image for {}/{}", spec, options.os, options.architecture);
    desc = *it;
  }
  if (!oci::media::is_manifest(desc.media_type))
    fail(ErrorKind::build, "base image {}: {} is not an image manifest", spec, desc.media_type);

  BaseImage b;
  b.spec = spec;
  b.manifest_digest = desc.digest;
  auto raw_manifest = read_layout_blob(path, desc, spec);
  b.manifest = oci::Manifest::from_json(raw_manifest);
  auto config_bytes = read_layout_blob(path, b.manifest.config, spec);
  b.config = oci::ImageConfig::from_json(config_bytes);
  if (b.config.architecture != options.architecture || b.config.os != options.os)
    log::warn("base image {} is for {}/{}, not {}/{}", spec, b.config.os, b.config.architecture, options.os,
              options.architecture);
  if (b.config.diff_ids.size() != b.manifest.layers.size())
    fail(ErrorKind::build, "base image {}: {} layers but {} diff_ids in its config", spec, b.manifest.layers.size(),
         b.config.diff_ids.size());
  b.manifest.media_type = std::string(oci::media::oci_manifest);
  // Layers imported here are removed again when a later one is refused, so a
  // refused base leaves the store as it was.
  std::vector<oci::Digest> added;
  try {
    std::vector<LayerFile> files;
    for (auto& l : b.manifest.layers) {
      l.media_type = oci::media::to_oci(l.media_type);
      if (!oci::media::is_layer(l.media_type))
        fail(ErrorKind::build, "base image {}: unsupported layer media type {}", spec, l.media_type);
      files.push_back({store.blob_path(l.digest), fmt::format("base image {} layer {}", spec, l.digest.to_string())});
      if (store.blob_size(l.digest) == l.size) continue;  // imported before
      auto src = stdfs::path(path) / "blobs" / "sha256" / l.digest.hex();
      auto got = store.put_blob_file(src, l.media_type, l.digest);
      added.push_back(l.digest);
      if (got.size != l.size) fail(ErrorKind::build, "base image {}: blob {} has the wrong size", spec, src.string());
    }
    // All layers together (a link from one is followed by the next): a layer
    // can be fine on its own and not on top of another base's layers.
    if (!added.empty()) check_layers(files, LayerRoot::container);
  } catch (const Error&) {
    for (const auto& d : added) stdfs::remove(store.blob_path(d), ec);
    throw;
  }
  b.manifest.config = store.put_blob(config_bytes, std::string(oci::media::oci_config));
  return b;
}

}  // namespace ecp::image
