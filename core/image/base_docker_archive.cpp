// read_base for "docker-archive:FILE[:name:tag|:@N]": two passes over the tarball
// (manifest.json may come last), layers streamed into the store with their
// diff_ids verified. A cache keyed on the file's stat makes an unchanged base
// cost one stat on the next build.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "core/image/base_image.hpp"
#include "core/image/expansion.hpp"
#include "core/image/utf8_locale.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace ecp::image {
namespace {

struct ReadFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using Archive = std::unique_ptr<struct archive, ReadFree>;

Archive open_archive(const std::string& file, std::string_view spec) {
  Archive a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), 1 << 20) != ARCHIVE_OK)
    fail(ErrorKind::build, "base image {}: cannot read {}: {}", spec, file, archive_error_string(a.get()));
  return a;
}

// The next member, false at the end; a damaged tarball is an error.
bool next(struct archive* a, archive_entry** e, std::string_view spec) {
  int rc = archive_read_next_header(a, e);
  if (rc == ARCHIVE_EOF) return false;
  if (rc < ARCHIVE_WARN) fail(ErrorKind::build, "base image {}: damaged tarball: {}", spec, archive_error_string(a));
  return true;
}

// 0 when unknown: expansion_limit then allows its floor.
std::int64_t file_size(const std::string& file) {
  std::error_code ec;
  auto size = stdfs::file_size(file, ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

std::string clean(const char* raw) {
  std::string name = raw ? raw : "";
  while (name.starts_with("./")) name.erase(0, 2);
  return name;
}

// The current member, `max` bytes at most: a larger declared size is refused before reading.
std::string read_member(struct archive* a, archive_entry* e, const std::string& name, std::int64_t max,
                        std::string_view spec) {
  if (archive_entry_size(e) > max)
    fail(ErrorKind::build, "base image {}: {} has {} bytes; ecp reads one of up to {} MiB", spec, name,
         archive_entry_size(e), max >> 20);
  std::string out;
  char buf[65536];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n < 0) fail(ErrorKind::build, "base image {}: cannot read {}: {}", spec, name, archive_error_string(a));
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    if (static_cast<std::int64_t>(out.size()) > max)
      fail(ErrorKind::build, "base image {}: {} is too large", spec, name);
  }
}

// Tees a layer into the blob writer and, when compressed, into a decompressor
// hashing the uncompressed bytes (the diff_id), stopped should they pass
// expansion_limit of the member's size.
struct LayerImport : ByteSink {
  struct Hasher : ByteSink {
    oci::Sha256 h;
    void write(const void* d, std::size_t n) override { h.update(d, n); }
  } diff;
  ExpansionGuard guard;
  BlobWriter blob;
  oci::Sha256 raw;  // the blob's digest, known before commit: was it in the store already?
  std::unique_ptr<Decompressor> dec;
  Compression kind = Compression::none;
  bool started = false;
  LayerImport(const Store& s, std::int64_t size, std::string what) : guard(diff, size, std::move(what)), blob(s) {}
  void write(const void* d, std::size_t n) override {
    if (!started) {
      kind = detect_compression(d, n);
      if (kind != Compression::none) dec = std::make_unique<Decompressor>(kind, guard);
      started = true;
    }
    raw.update(d, n);
    blob.write(d, n);
    if (dec) dec->write(d, n);
  }
};

// Blobs an import added to the store; removed again unless the base is
// accepted, so a refused base leaves the store as it was.
struct Rollback {
  const Store& store;
  std::vector<oci::Digest> added;
  bool keep = false;
  ~Rollback() {
    std::error_code ec;
    if (!keep)
      for (const auto& d : added) stdfs::remove(store.blob_path(d), ec);
  }
};

oci::Digest cache_key(const std::string& file, std::string_view ref, const BaseOptions& o) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  oci::Sha256 h;
  h.update(fmt::format("docker-archive\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n", stdfs::absolute(file).string(), st.st_size,
                       st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec, st.st_ino, ref, "container",
                       o.architecture));
  return h.finish();
}

// FILE, or FILE:ref when FILE alone does not exist.
std::pair<std::string, std::string> split_file_ref(std::string_view rest, std::string_view spec) {
  std::string file(rest), ref;
  std::error_code ec;
  if (!stdfs::exists(file, ec)) {
    for (auto colon = rest.find(':'); colon != std::string_view::npos; colon = rest.find(':', colon + 1))
      if (stdfs::exists(std::string(rest.substr(0, colon)), ec)) {
        file = rest.substr(0, colon);
        ref = rest.substr(colon + 1);
        break;
      }
  }
  if (!stdfs::is_regular_file(file, ec)) fail(ErrorKind::build, "base image {}: no such file {}", spec, file);
  return {file, ref};
}

// The base an earlier import left in the cache, when the store still has all of its blobs.
std::optional<BaseImage> cached_base(const Store& store, const stdfs::path& cache_file, std::string_view spec) {
  std::error_code ec;
  if (!stdfs::exists(cache_file, ec)) return std::nullopt;
  try {
    BaseImage b;
    b.spec = spec;
    b.manifest = oci::Manifest::from_json(fs::read_file(cache_file, 64u << 20));
    bool whole = store.has_blob(b.manifest.config.digest);
    for (const auto& l : b.manifest.layers) whole = whole && store.blob_size(l.digest) == l.size;
    if (!whole) return std::nullopt;
    b.config = oci::ImageConfig::from_json(store.read_blob(b.manifest.config.digest));
    return b;
  } catch (const Error&) {
    return std::nullopt;  // a stale or broken cache entry: import again
  }
}

// The chosen image's member names, from manifest.json.
struct ArchiveImage {
  std::string config_name;
  std::vector<std::string> layer_names;
};

// Pass 1: manifest.json, and the image in it that `ref` names (the only one when `ref` is empty).
ArchiveImage read_archive_manifest(const std::string& file, const std::string& ref, std::string_view spec) {
  oci::Json manifest;
  {
    auto a = open_archive(file, spec);
    auto compressed = file_size(file);
    archive_entry* e = nullptr;
    while (next(a.get(), &e, spec)) {
      check_expansion(a.get(), e, compressed, fmt::format("base image {}", spec));
      if (clean(archive_entry_pathname(e)) == "manifest.json")
        manifest = oci::parse_json(read_member(a.get(), e, "manifest.json", oci::max_manifest_bytes, spec),
                                   "docker-archive manifest.json");
    }
  }
  if (!manifest.is_array() || manifest.empty())
    fail(ErrorKind::build, "base image {}: no manifest.json: not a docker-archive", spec);
  const oci::Json* chosen = manifest.size() == 1 && ref.empty() ? &manifest[0] : nullptr;
  for (std::size_t i = 0; i < manifest.size() && !chosen; ++i) {
    if (ref == fmt::format("@{}", i)) chosen = &manifest[i];
    for (const auto& t : manifest[i].value("RepoTags", oci::Json::array()))
      if (t.is_string() && (t == ref || t == "localhost/" + ref)) chosen = &manifest[i];
  }
  if (!chosen)
    fail(ErrorKind::build, "base image {}: name one of its {} images with :name:tag or :@N", spec, manifest.size());
  ArchiveImage image;
  try {
    image.config_name = clean(chosen->at("Config").get<std::string>().c_str());
    for (const auto& l : chosen->at("Layers")) image.layer_names.push_back(clean(l.get<std::string>().c_str()));
  } catch (const std::exception&) {
    fail(ErrorKind::build, "base image {}: manifest.json lacks Config or Layers", spec);
  }
  return image;
}

// What pass 2 found: the config's bytes, each layer member as a blob with its
// diff_id, and the layer members that are links to another member.
struct ArchiveMembers {
  std::string config_bytes;
  std::map<std::string, std::pair<oci::Descriptor, oci::Digest>> imported;  // name -> blob, diff_id
  std::map<std::string, std::string> links;
};

// Streams the current member into the store; blobs new to it go on `rollback`.
std::pair<oci::Descriptor, oci::Digest> import_layer(struct archive* a, archive_entry* e, const std::string& name,
                                                     Rollback& rollback, std::string_view spec) {
  LayerImport in(rollback.store, archive_entry_size(e), fmt::format("base image {} layer {}", spec, name));
  char buf[1 << 16];
  for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) != 0;) {
    if (n < 0) fail(ErrorKind::build, "base image {}: cannot read {}: {}", spec, name, archive_error_string(a));
    in.write(buf, static_cast<std::size_t>(n));
  }
  if (in.dec) in.dec->finish();
  bool fresh = !rollback.store.has_blob(in.raw.finish());
  auto desc = in.blob.commit(std::string(oci::media::oci_layer(in.kind)));
  if (fresh) rollback.added.push_back(desc.digest);
  return {desc, in.dec ? in.diff.h.finish() : desc.digest};
}

// Pass 2: the config and the layers.
ArchiveMembers read_archive_members(const std::string& file, const ArchiveImage& image, Rollback& rollback,
                                    std::string_view spec) {
  ArchiveMembers m;
  auto a = open_archive(file, spec);
  auto compressed = file_size(file);
  archive_entry* e = nullptr;
  while (next(a.get(), &e, spec)) {
    std::string name = clean(archive_entry_pathname(e));
    // A compressed archive (docker save | gzip) may not expand without bound either.
    check_expansion(a.get(), e, compressed, fmt::format("base image {}", spec));
    bool wanted = std::find(image.layer_names.begin(), image.layer_names.end(), name) != image.layer_names.end();
    if (name == image.config_name) m.config_bytes = read_member(a.get(), e, name, oci::max_config_bytes, spec);
    if (!wanted) continue;
    if (const char* t = archive_entry_hardlink(e))
      m.links[name] = clean(t);
    else if (archive_entry_filetype(e) == AE_IFLNK)
      m.links[name] = clean(archive_entry_symlink(e));
    if (m.links.contains(name)) continue;
    m.imported[name] = import_layer(a.get(), e, name, rollback, spec);
  }
  if (m.config_bytes.empty())
    fail(ErrorKind::build, "base image {}: its config {} is missing", spec, image.config_name);
  return m;
}

// The image's layers in order, links followed, each checked against its
// diff_id in the config and then by check_layers.
std::vector<oci::Descriptor> verified_layers(const Store& store, const ArchiveImage& image, ArchiveMembers& m,
                                             const oci::ImageConfig& config, std::string_view spec) {
  const auto& names = image.layer_names;
  if (config.diff_ids.size() != names.size())
    fail(ErrorKind::build, "base image {}: {} layers but {} diff_ids in its config", spec, names.size(),
         config.diff_ids.size());
  std::vector<oci::Descriptor> layers;
  std::vector<LayerFile> files;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string name = names[i];
    for (int hops = 0; m.links.contains(name) && hops < 8; ++hops) name = m.links[name];
    auto it = m.imported.find(name);
    if (it == m.imported.end()) fail(ErrorKind::build, "base image {}: layer {} is missing", spec, names[i]);
    const auto& [desc, diff] = it->second;
    if (diff != config.diff_ids[i])
      fail(ErrorKind::build, "base image {}: layer {} is corrupt: its digest {} does not match the diff_id {}", spec,
           names[i], diff.to_string(), config.diff_ids[i].to_string());
    files.push_back({store.blob_path(desc.digest), fmt::format("base image {} layer {}", spec, names[i])});
    layers.push_back(desc);
  }
  check_layers(files, LayerRoot::container);
  return layers;
}

// Best effort: without the entry the next build imports again.
void save_cache(const stdfs::path& cache_file, const oci::Manifest& manifest) {
  std::error_code mk;
  stdfs::create_directories(cache_file.parent_path(), mk);
  oci::Json blobs = oci::Json::array({manifest.config.digest.to_string()});
  for (const auto& l : manifest.layers) blobs.push_back(l.digest.to_string());
  // The manifest is the entry; gc reads "blobs" from the same object.
  auto j = oci::to_json_value(manifest);
  j["blobs"] = blobs;
  try {
    fs::write_file_atomic(cache_file, oci::canonical(j));
  } catch (const Error&) {
  }
}

}  // namespace

BaseImage read_docker_archive_base(const Store& store, std::string_view spec, std::string_view rest,
                                   const BaseOptions& options) {
  Utf8Locale utf8;
  auto [file, ref] = split_file_ref(rest, spec);
  auto key = cache_key(file, ref, options);
  auto cache_file = store.private_dir() / "cache" / "bases" / (key.hex() + ".json");
  if (key.valid())
    if (auto cached = cached_base(store, cache_file, spec)) return *cached;

  auto image = read_archive_manifest(file, ref, spec);
  Rollback rollback{store, {}};
  auto members = read_archive_members(file, image, rollback, spec);
  BaseImage b;
  b.spec = spec;
  b.config = oci::ImageConfig::from_json(members.config_bytes);
  b.manifest.layers = verified_layers(store, image, members, b.config, spec);
  // Last, once every layer passed: a refused base adds no config blob either.
  b.manifest.config = store.put_blob(members.config_bytes, std::string(oci::media::oci_config));
  rollback.keep = true;
  if (key.valid()) save_cache(cache_file, b.manifest);
  return b;
}

}  // namespace ecp::image
