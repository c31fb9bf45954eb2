// export_docker_archive: the tarball `docker save` writes (legacy layout without
// the per-layer json/VERSION files, which docker and podman do not need).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "core/image/image.hpp"
#include "core/image/tar_file.hpp"
#include "core/oci/json.hpp"
#include "core/util/error.hpp"
#include "core/util/fd.hpp"

namespace ecp::image {
namespace {

// Hashes what passes through on its way to `next`.
struct HashingSink : ByteSink {
  ByteSink& next;
  oci::Sha256 hash;
  explicit HashingSink(ByteSink& n) : next(n) {}
  void write(const void* data, std::size_t size) override {
    hash.update(data, size);
    next.write(data, size);
  }
};

void stream_blob(const Store& store, const oci::Digest& d, ByteSink& out) {
  auto path = store.blob_path(d);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(ErrorKind::io, "{}: cannot open: {}", path.string(), std::strerror(errno));
  UniqueFd closer(fd);
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::io, "{}: read failed: {}", path.string(), std::strerror(errno));
    if (n == 0) break;
    out.write(buf.data(), static_cast<std::size_t>(n));
  }
}

}  // namespace

void export_docker_archive(const Store& store, const Image& image, const stdfs::path& file,
                           std::string_view repo_tag) {
  if (image.config.diff_ids.size() != image.manifest.layers.size())
    fail(ErrorKind::build, "image {}: {} layers but {} diff_ids", image.descriptor.digest.to_string(),
         image.manifest.layers.size(), image.config.diff_ids.size());
  TarFile tar(file.string());
  std::string config_name = image.manifest.config.digest.hex() + ".json";
  tar.add(config_name, store.read_blob(image.manifest.config.digest));
  oci::Json layers = oci::Json::array();
  std::set<std::string> written;
  for (std::size_t i = 0; i < image.manifest.layers.size(); ++i) {
    const auto& l = image.manifest.layers[i];
    const auto& diff_id = image.config.diff_ids[i];
    std::string name = diff_id.hex() + ".tar";
    layers.push_back(name);
    if (!written.insert(name).second) continue;  // the same layer twice: one file
    tar.begin(name);
    HashingSink hashed(tar);
    Decompressor dec(oci::media::layer_compression(l.media_type), hashed);
    stream_blob(store, l.digest, dec);
    dec.finish();
    if (hashed.hash.finish() != diff_id)
      fail(ErrorKind::build, "layer {} does not match its diff_id {} (the store is corrupt)", l.digest.to_string(),
           diff_id.to_string());
    tar.end();
  }
  oci::Json entry = {{"Config", config_name}, {"Layers", layers}, {"RepoTags", oci::Json::array()}};
  if (!repo_tag.empty()) entry["RepoTags"].push_back(std::string(repo_tag));
  tar.add("manifest.json", oci::canonical(oci::Json::array({entry})));
  tar.commit();
}

}  // namespace ecp::image
