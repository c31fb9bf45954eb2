// read_base for "docker-archive:FILE[:name:tag|:@N]": two passes over the tarball
// (manifest.json may come last), layers streamed into the store with their
// diff_ids verified. A cache keyed on the file's stat makes an unchanged base
// cost one stat on the next build.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <map>
#include <memory>

#include "core/image/base_image.hpp"
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

std::string clean(const char* raw) {
  std::string name = raw ? raw : "";
  while (name.starts_with("./")) name.erase(0, 2);
  return name;
}

std::string read_member(struct archive* a, const std::string& name, std::string_view spec) {
  std::string out;
  char buf[65536];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n < 0) fail(ErrorKind::build, "base image {}: cannot read {}: {}", spec, name, archive_error_string(a));
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > (64u << 20)) fail(ErrorKind::build, "base image {}: {} is too large", spec, name);
  }
}

// Tees a layer into the blob writer and, when compressed, into a decompressor
// hashing the uncompressed bytes (the diff_id).
struct LayerImport : ByteSink {
  struct Hasher : ByteSink {
    oci::Sha256 h;
    void write(const void* d, std::size_t n) override { h.update(d, n); }
  } diff;
  BlobWriter blob;
  oci::Sha256 raw;  // the blob's digest, known before commit: was it in the store already?
  std::unique_ptr<Decompressor> dec;
  Compression kind = Compression::none;
  bool started = false;
  explicit LayerImport(const Store& s) : blob(s) {}
  void write(const void* d, std::size_t n) override {
    if (!started) {
      kind = detect_compression(d, n);
      if (kind != Compression::none) dec = std::make_unique<Decompressor>(kind, diff);
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

}  // namespace

BaseImage read_docker_archive_base(const Store& store, std::string_view spec, std::string_view rest,
                                   const BaseOptions& options) {
  Utf8Locale utf8;
  // FILE, or FILE:ref when FILE alone does not exist.
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

  auto key = cache_key(file, ref, options);
  auto cache_file = store.private_dir() / "cache" / "bases" / (key.hex() + ".json");
  BaseImage b;
  b.spec = spec;
  if (key.valid() && stdfs::exists(cache_file, ec)) {
    try {
      b.manifest = oci::Manifest::from_json(fs::read_file(cache_file, 64u << 20));
      bool whole = store.has_blob(b.manifest.config.digest);
      for (const auto& l : b.manifest.layers) whole = whole && store.blob_size(l.digest) == l.size;
      if (whole) {
        b.config = oci::ImageConfig::from_json(store.read_blob(b.manifest.config.digest));
        return b;
      }
    } catch (const Error&) {
      // A stale or broken cache entry: import again.
    }
  }

  // Pass 1: manifest.json.
  oci::Json manifest;
  {
    auto a = open_archive(file, spec);
    archive_entry* e = nullptr;
    while (next(a.get(), &e, spec))
      if (clean(archive_entry_pathname(e)) == "manifest.json")
        manifest = oci::parse_json(read_member(a.get(), "manifest.json", spec), "docker-archive manifest.json");
  }
  if (!manifest.is_array() || manifest.empty())
    fail(ErrorKind::build, "base image {}: no manifest.json: not a docker-archive", spec);
  const oci::Json* chosen = manifest.size() == 1 && ref.empty() ? &manifest[0] : nullptr;
  for (std::size_t i = 0; i < manifest.size() && !chosen; ++i) {
    if (ref == fmt::format("@{}", i)) chosen = &manifest[i];
    for (const auto& t : manifest[i].value("RepoTags", oci::Json::array()))
      if (t.is_string() && (t == ref || t == "localhost/" + ref)) chosen = &manifest[i];
  }
  if (!chosen) fail(ErrorKind::build, "base image {}: name one of its {} images with :name:tag or :@N", spec, manifest.size());
  std::string config_name;
  std::vector<std::string> layer_names;
  try {
    config_name = clean(chosen->at("Config").get<std::string>().c_str());
    for (const auto& l : chosen->at("Layers")) layer_names.push_back(clean(l.get<std::string>().c_str()));
  } catch (const std::exception&) {
    fail(ErrorKind::build, "base image {}: manifest.json lacks Config or Layers", spec);
  }

  // Pass 2: the config and the layers.
  std::string config_bytes;
  std::map<std::string, std::pair<oci::Descriptor, oci::Digest>> imported;  // name -> blob, diff_id
  std::map<std::string, std::string> links;
  Rollback rollback{store, {}};
  {
    auto a = open_archive(file, spec);
    archive_entry* e = nullptr;
    while (next(a.get(), &e, spec)) {
      std::string name = clean(archive_entry_pathname(e));
      bool wanted = std::find(layer_names.begin(), layer_names.end(), name) != layer_names.end();
      if (name == config_name) config_bytes = read_member(a.get(), name, spec);
      if (!wanted) continue;
      if (const char* t = archive_entry_hardlink(e)) links[name] = clean(t);
      else if (archive_entry_filetype(e) == AE_IFLNK) links[name] = clean(archive_entry_symlink(e));
      if (links.contains(name)) continue;
      LayerImport in(store);
      char buf[1 << 16];
      for (la_ssize_t n; (n = archive_read_data(a.get(), buf, sizeof buf)) != 0;) {
        if (n < 0) fail(ErrorKind::build, "base image {}: cannot read {}: {}", spec, name, archive_error_string(a.get()));
        in.write(buf, static_cast<std::size_t>(n));
      }
      if (in.dec) in.dec->finish();
      bool fresh = !store.has_blob(in.raw.finish());
      auto desc = in.blob.commit(std::string(oci::media::oci_layer(in.kind)));
      if (fresh) rollback.added.push_back(desc.digest);
      oci::Digest diff = in.dec ? in.diff.h.finish() : desc.digest;
      imported[name] = {desc, diff};
    }
  }
  if (config_bytes.empty()) fail(ErrorKind::build, "base image {}: its config {} is missing", spec, config_name);
  b.config = oci::ImageConfig::from_json(config_bytes);
  if (b.config.diff_ids.size() != layer_names.size())
    fail(ErrorKind::build, "base image {}: {} layers but {} diff_ids in its config", spec, layer_names.size(),
         b.config.diff_ids.size());
  std::vector<LayerFile> files;
  for (std::size_t i = 0; i < layer_names.size(); ++i) {
    std::string name = layer_names[i];
    for (int hops = 0; links.contains(name) && hops < 8; ++hops) name = links[name];
    auto it = imported.find(name);
    if (it == imported.end()) fail(ErrorKind::build, "base image {}: layer {} is missing", spec, layer_names[i]);
    const auto& [desc, diff] = it->second;
    if (diff != b.config.diff_ids[i])
      fail(ErrorKind::build, "base image {}: layer {} is corrupt: its digest {} does not match the diff_id {}", spec,
           layer_names[i], diff.to_string(), b.config.diff_ids[i].to_string());
    files.push_back({store.blob_path(desc.digest), fmt::format("base image {} layer {}", spec, layer_names[i])});
    b.manifest.layers.push_back(desc);
  }
  check_layers(files, LayerRoot::container);
  // Last, once every layer passed: a refused base adds no config blob either.
  b.manifest.config = store.put_blob(config_bytes, std::string(oci::media::oci_config));
  rollback.keep = true;
  if (key.valid()) {
    std::error_code mk;
    stdfs::create_directories(cache_file.parent_path(), mk);
    oci::Json blobs = oci::Json::array({b.manifest.config.digest.to_string()});
    for (const auto& l : b.manifest.layers) blobs.push_back(l.digest.to_string());
    // The manifest is the entry; gc reads "blobs" from the same object.
    auto j = oci::to_json_value(b.manifest);
    j["blobs"] = blobs;
    try {
      fs::write_file_atomic(cache_file, oci::canonical(j));
    } catch (const Error&) {
    }
  }
  return b;
}

}  // namespace ecp::image
