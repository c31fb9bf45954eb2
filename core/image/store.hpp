#pragma once
// An OCI image layout folder (oci-layout, index.json, blobs/sha256/<hex>) used as
// a content-addressed store: ecp's own lives at ecp::fs::ecp_home()/store, and
// exports write other layouts through the same class.
//
// Safety: every blob is written to a temporary file, checked against its digest
// and renamed into place, so an interrupted write leaves no partial blob.
// index.json is replaced atomically under an flock on the layout's blobs/ folder
// (one writer at a time, across threads and processes). Each Store holds a shared
// flock on the layout folder for its lifetime; gc() needs it exclusively, so it
// never removes a blob that a running build has written but not yet tagged.
// All methods are safe to call from several threads at once.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/image/compress.hpp"
#include "core/oci/descriptor.hpp"
#include "core/oci/digest.hpp"
#include "core/util/fd.hpp"

namespace ecp::image {

namespace stdfs = std::filesystem;

class Store;

// Streams one blob into the store. Nothing is visible until commit(); a writer
// destroyed without commit() removes its temporary file.
class BlobWriter : public ByteSink {
 public:
  explicit BlobWriter(const Store& store);
  ~BlobWriter() override;
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  void write(const void* data, std::size_t size) override;
  std::int64_t size() const { return size_; }
  // Flushes, verifies `expected` (Error(build) on a mismatch, naming `what`) and
  // moves the blob into place. Returns the blob's descriptor.
  oci::Descriptor commit(std::string media_type, const std::optional<oci::Digest>& expected = std::nullopt,
                         std::string_view what = "blob");

 private:
  void flush();
  void write_out(const char* p, std::size_t size);  // to the file, starting its writeback early
  const Store& store_;
  std::string tmp_path_;
  int fd_ = -1;
  oci::Sha256 hash_;
  std::int64_t size_ = 0;
  std::vector<char> buf_;
  std::size_t used_ = 0;
  std::int64_t written_ = 0;    // bytes in the file
  std::int64_t writeback_ = 0;  // bytes whose writeback was started
};

struct Tag {
  std::string name;          // org.opencontainers.image.ref.name ("" when untagged)
  oci::Descriptor manifest;  // without the ref.name annotation
};

struct GcResult {
  std::size_t blobs_removed = 0;
  std::int64_t bytes_freed = 0;  // blobs and temporary files
  std::size_t blobs_kept = 0;
  std::size_t temp_removed = 0;  // files and folders a crashed ecp left in the store's tmp/
};

class Store {
 public:
  // Opens the layout at `dir`, creating it (and its parents) when missing.
  // Throws Error(io) when `dir` exists but is not an OCI layout.
  explicit Store(stdfs::path dir);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const stdfs::path& dir() const { return dir_; }
  stdfs::path blob_path(const oci::Digest& d) const;
  // ecp's private area inside the layout (temporary files, caches).
  stdfs::path private_dir() const { return dir_ / ".ecp"; }

  bool has_blob(const oci::Digest& d) const;
  // The blob's size, or -1 when it is missing.
  std::int64_t blob_size(const oci::Digest& d) const;
  // Reads a small blob (manifest, config) and verifies its digest.
  std::string read_blob(const oci::Digest& d, std::size_t max_bytes = 64u << 20) const;
  // Stores bytes; returns their descriptor.
  oci::Descriptor put_blob(std::string_view data, std::string media_type) const;
  // Copies a blob from a file, verifying `expected` when given. Never partial.
  // Only a regular file is read, and only as many bytes as it had when opened.
  oci::Descriptor put_blob_file(const stdfs::path& file, std::string media_type,
                                const std::optional<oci::Digest>& expected = std::nullopt) const;
  // Copies exactly `size` bytes from `fd`, which the caller opened and checked,
  // verifying `expected`: fewer or more bytes are an Error(build) naming `what`,
  // found without reading past size + 1.
  oci::Descriptor put_blob_fd(int fd, std::int64_t size, std::string media_type,
                              const std::optional<oci::Digest>& expected, std::string_view what) const;
  // Copies one blob of `from` into this store (a hard link when possible).
  void copy_blob_from(const Store& from, const oci::Digest& d) const;

  // Names a manifest (already in the store). Replaces an existing tag of that name.
  void tag(std::string_view name, const oci::Descriptor& manifest) const;
  std::optional<oci::Descriptor> resolve(std::string_view name) const;
  std::vector<Tag> tags() const;  // in index.json order
  bool untag(std::string_view name) const;
  // Removes every blob nothing reachable from index.json refers to, stale
  // temporary files and layer-cache entries whose blob is gone. Throws Error(io)
  // when another Store (in this or another process) has the layout open.
  GcResult gc();
  // Removes ecp's private area when it is empty (after exporting a layout).
  void tidy() const;

  // Throws Error(validation) for a name that is not a valid OCI ref.name.
  static void check_tag_name(std::string_view name);

 private:
  friend class BlobWriter;
  stdfs::path tmp_dir() const;
  std::vector<oci::Descriptor> read_index_manifests() const;
  stdfs::path dir_;
  UniqueFd lock_fd_;  // holds the store's shared lock while the object lives
};

}  // namespace ecp::image
