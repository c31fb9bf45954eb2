// read_base: scratch and OCI layout folders (docker-archive is in base_docker_archive.cpp).
#include "core/image/base_image.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstring>

#include "core/util/error.hpp"
#include "core/util/fd.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"

namespace ecp::image {
namespace {

// A layout's index.json lists every image of the folder, so it may outgrow a
// registry manifest; still, it is read whole into memory.
constexpr std::int64_t max_layout_index_bytes = std::int64_t(64) << 20;

// Opens `file` (`shown` in errors) for reading when it is a regular file;
// O_NONBLOCK so that a fifo cannot hang the open. Returns it with its size.
std::pair<UniqueFd, std::int64_t> open_regular(const stdfs::path& file, const std::string& shown,
                                               std::string_view spec) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  if (!fd) fail(ErrorKind::build, "base image {}: cannot open {}: {}", spec, shown, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    fail(ErrorKind::build, "base image {}: {} is not a regular file; refused", spec, shown);
  return {std::move(fd), st.st_size};
}

// A blob of a layout folder we do not own (read only: no Store, no locks),
// opened so that nothing but a regular file of the descriptor's size is read:
// a symlink may point only inside the layout's blobs/ folder (one to /dev/zero
// would be read until the disk filled), and fifos and devices are refused
// before a byte is read.
UniqueFd open_layout_blob(const std::string& layout, const oci::Descriptor& d, std::string_view spec) {
  auto path = stdfs::path(layout) / "blobs" / d.digest.algorithm() / d.digest.hex();
  auto target = path;
  std::error_code ec;
  if (stdfs::is_symlink(path, ec)) {
    auto blobs = stdfs::canonical(stdfs::path(layout) / "blobs", ec);
    if (!ec) target = stdfs::canonical(path, ec);
    auto inside = target.lexically_relative(blobs);
    if (ec || inside.empty() || *inside.begin() == "..")
      fail(ErrorKind::build, "base image {}: blob {} is a symlink out of the layout's blobs/ folder (to {}); refused",
           spec, path.string(), stdfs::read_symlink(path, ec).string());
  }
  auto [fd, size] = open_regular(target, "blob " + path.string(), spec);
  if (size != d.size)
    fail(ErrorKind::build, "base image {}: blob {} has {} bytes, its descriptor says {}", spec, path.string(), size,
         d.size);
  return std::move(fd);
}

// Reads what `fd` holds, up to `size` bytes (a file cut short gives fewer).
std::string read_up_to(int fd, std::int64_t size) {
  std::string data(static_cast<std::size_t>(size), '\0');
  std::size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);
  return data;
}

// A manifest, index or config blob of such a layout: `cap` bytes at most,
// refused from its descriptor before it is opened.
std::string read_layout_blob(const std::string& layout, const oci::Descriptor& d, std::int64_t cap,
                             std::string_view spec) {
  if (d.size > cap)
    fail(ErrorKind::build, "base image {}: blob {} claims {} bytes; ecp reads a {} of up to {} MiB", spec,
         d.digest.to_string(), d.size, oci::media::is_config(d.media_type) ? "config" : "manifest", cap >> 20);
  auto data = read_up_to(open_layout_blob(layout, d, spec).get(), d.size);
  if (static_cast<std::int64_t>(data.size()) != d.size || oci::Sha256::of(data) != d.digest)
    fail(ErrorKind::build, "base image {}: blob {} is corrupt (digest or size mismatch)", spec, d.digest.to_string());
  return data;
}

// Parses what a layout holds; an invalid manifest, index or config is a bad base (exit 3).
template <typename T>
T parse_layout_json(const std::string& bytes, const oci::Descriptor& d, std::string_view spec) {
  try {
    return T::from_json(bytes);
  } catch (const Error& e) {
    fail(ErrorKind::build, "base image {}: blob {}: {}", spec, d.digest.to_string(), e.what());
  }
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
  if (!tag.empty())
    fail(ErrorKind::build, "base image {}: no tag '{}' (it has: {})", spec, tag, fmt::join(names, ", "));
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
  // index.json may be a link (it is the layout's own), but to a regular file of a sane size.
  auto index_file = stdfs::path(path) / "index.json";
  std::error_code ec2;
  auto [index_fd, index_size] = open_regular(stdfs::canonical(index_file, ec2), index_file.string(), spec);
  if (index_size > max_layout_index_bytes)
    fail(ErrorKind::build, "base image {}: {} has {} bytes; ecp reads one of up to {} MiB", spec, index_file.string(),
         index_size, max_layout_index_bytes >> 20);
  oci::Index index;
  try {
    index = oci::Index::from_json(read_up_to(index_fd.get(), index_size));
  } catch (const Error& e) {
    fail(ErrorKind::build, "base image {}: {}: {}", spec, index_file.string(), e.what());
  }
  auto desc = pick(index.manifests, tag, spec);
  // A multi-platform index: take the manifest for our platform.
  for (int depth = 0; oci::media::is_index(desc.media_type); ++depth) {
    if (depth > 4) fail(ErrorKind::build, "base image {}: indexes nested too deep", spec);
    auto nested =
        parse_layout_json<oci::Index>(read_layout_blob(path, desc, oci::max_manifest_bytes, spec), desc, spec);
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
  b.manifest =
      parse_layout_json<oci::Manifest>(read_layout_blob(path, desc, oci::max_manifest_bytes, spec), desc, spec);
  auto config_bytes = read_layout_blob(path, b.manifest.config, oci::max_config_bytes, spec);
  b.config = parse_layout_json<oci::ImageConfig>(config_bytes, b.manifest.config, spec);
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
      auto fd = open_layout_blob(path, l, spec);
      store.put_blob_fd(fd.get(), l.size, l.media_type, l.digest,
                        fmt::format("base image {}: blob {}", spec, src.string()));
      added.push_back(l.digest);
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
