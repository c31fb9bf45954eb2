#include "core/image/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>

#include "core/oci/json.hpp"
#include "core/oci/manifest.hpp"
#include "core/util/error.hpp"
#include "core/util/fd.hpp"
#include "core/util/fs.hpp"

namespace ecp::image {
namespace {

// flock on a folder: held while the object lives.
class FolderLock {
 public:
  FolderLock(const stdfs::path& dir, int how) {
    fd_.reset(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd_) fail(ErrorKind::io, "{}: cannot open: {}", dir.string(), std::strerror(errno));
    while (::flock(fd_.get(), how) != 0) {
      if (errno == EINTR) continue;
      fail(ErrorKind::io, "{}: cannot lock: {}", dir.string(), std::strerror(errno));
    }
  }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  UniqueFd fd_;
};

oci::Index read_index(const stdfs::path& dir) {
  auto path = dir / "index.json";
  try {
    return oci::Index::from_json(fs::read_file(path, 64u << 20));
  } catch (const Error& e) {
    fail(ErrorKind::io, "{}: {}", path.string(), e.what());
  }
}

void write_index(const stdfs::path& dir, const oci::Index& index) {
  fs::write_file_atomic(dir / "index.json", oci::to_json(index));
}

// Whether DIR holds nothing but what opening a store makes: another ecp may be
// making this store at this moment (three releases started at once), and its
// blobs folder or half-written oci-layout must not read as a foreign folder.
bool only_layout_entries(const stdfs::path& dir) {
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
    auto name = entry.path().filename().string();
    bool ours = name == "blobs" || name == "index.json" || name == "oci-layout" || name == ".ecp" ||
                name.rfind(".oci-layout.tmp-", 0) == 0 || name.rfind(".index.json.tmp-", 0) == 0;
    if (!ours) return false;
  }
  return !ec;
}

}  // namespace

Store::Store(stdfs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  bool has_layout = stdfs::exists(dir_ / "oci-layout", ec);
  if (!has_layout && stdfs::is_directory(dir_, ec) && !only_layout_entries(dir_))
    fail(ErrorKind::io, "{}: exists and is not an OCI image layout (no oci-layout file)", dir_.string());
  stdfs::create_directories(dir_ / "blobs" / "sha256", ec);
  if (ec) fail(ErrorKind::io, "{}: cannot create the image store: {}", dir_.string(), ec.message());
  if (has_layout) {
    auto text = fs::read_file(dir_ / "oci-layout", 1 << 16);
    auto j = oci::parse_json(text, "oci-layout file");
    if (!j.is_object() || j.value("imageLayoutVersion", "") != oci::media::oci_layout_version)
      fail(ErrorKind::io, "{}: unsupported oci-layout version", (dir_ / "oci-layout").string());
  } else {
    fs::write_file_atomic(dir_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }
  {
    FolderLock lock(dir_ / "blobs", LOCK_EX);
    if (!stdfs::exists(dir_ / "index.json", ec)) write_index(dir_, oci::Index{});
  }
  lock_fd_.reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!lock_fd_) fail(ErrorKind::io, "{}: cannot open: {}", dir_.string(), std::strerror(errno));
  while (::flock(lock_fd_.get(), LOCK_SH) != 0)
    if (errno != EINTR) fail(ErrorKind::io, "{}: cannot lock: {}", dir_.string(), std::strerror(errno));
}

Store::~Store() = default;

stdfs::path Store::blob_path(const oci::Digest& d) const { return dir_ / "blobs" / "sha256" / d.hex(); }

stdfs::path Store::tmp_dir() const {
  auto t = private_dir() / "tmp";
  std::error_code ec;
  stdfs::create_directories(t, ec);
  if (ec) fail(ErrorKind::io, "{}: cannot create: {}", t.string(), ec.message());
  return t;
}

bool Store::has_blob(const oci::Digest& d) const { return blob_size(d) >= 0; }

std::int64_t Store::blob_size(const oci::Digest& d) const {
  struct stat st {};
  if (!d.valid() || ::stat(blob_path(d).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return st.st_size;
}

std::string Store::read_blob(const oci::Digest& d, std::size_t max_bytes) const {
  auto path = blob_path(d);
  if (!has_blob(d)) fail(ErrorKind::io, "{}: blob {} is missing from the store", dir_.string(), d.to_string());
  auto data = fs::read_file(path, max_bytes);
  if (oci::Sha256::of(data) != d)
    fail(ErrorKind::io, "{}: the blob is corrupt (its content does not match its digest)", path.string());
  return data;
}

oci::Descriptor Store::put_blob(std::string_view data, std::string media_type) const {
  auto digest = oci::Sha256::of(data);
  if (blob_size(digest) == static_cast<std::int64_t>(data.size())) {
    oci::Descriptor d;
    d.media_type = std::move(media_type);
    d.digest = digest;
    d.size = static_cast<std::int64_t>(data.size());
    return d;
  }
  BlobWriter w(*this);
  w.write(data.data(), data.size());
  return w.commit(std::move(media_type), digest);
}

oci::Descriptor Store::put_blob_file(const stdfs::path& file, std::string media_type,
                                     const std::optional<oci::Digest>& expected) const {
  // O_NONBLOCK: opening a fifo must not hang; it is refused below, like devices.
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd) fail(ErrorKind::io, "{}: cannot open: {}", file.string(), std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) fail(ErrorKind::io, "{}: not a regular file", file.string());
  return put_blob_fd(fd.get(), st.st_size, std::move(media_type), expected, file.string());
}

oci::Descriptor Store::put_blob_fd(int fd, std::int64_t size, std::string media_type,
                                   const std::optional<oci::Digest>& expected, std::string_view what) const {
  BlobWriter w(*this);
  std::vector<char> buf(1 << 20);
  // One byte past `size`, to tell a longer file from one of the right size.
  for (std::int64_t left = size + 1; left > 0;) {
    ssize_t n = ::read(fd, buf.data(), static_cast<std::size_t>(std::min<std::int64_t>(left, buf.size())));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::io, "{}: read failed: {}", what, std::strerror(errno));
    if (n == 0) break;
    left -= n;
    if (w.size() + n > size) fail(ErrorKind::build, "{}: longer than the {} bytes expected", what, size);
    w.write(buf.data(), static_cast<std::size_t>(n));
  }
  if (w.size() != size) fail(ErrorKind::build, "{}: {} bytes, {} expected", what, w.size(), size);
  return w.commit(std::move(media_type), expected, what);
}

void Store::copy_blob_from(const Store& from, const oci::Digest& d) const {
  if (has_blob(d)) return;
  auto src = from.blob_path(d);
  if (::link(src.c_str(), blob_path(d).c_str()) == 0 || errno == EEXIST) return;
  put_blob_file(src, "", d);
}

void Store::check_tag_name(std::string_view name) {
  static const std::regex re(
      "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");
  if (!std::regex_match(name.begin(), name.end(), re))
    fail(ErrorKind::validation, "'{}' is not a valid image tag name (letters, digits and -._:@+ separators)", name);
}

void Store::tag(std::string_view name, const oci::Descriptor& manifest) const {
  check_tag_name(name);
  if (!has_blob(manifest.digest))
    fail(ErrorKind::internal, "cannot tag {}: manifest {} is not in the store", name, manifest.digest.to_string());
  FolderLock lock(dir_ / "blobs", LOCK_EX);
  auto index = read_index(dir_);
  auto entry = manifest;
  entry.annotations[std::string(oci::media::ref_name_annotation)] = std::string(name);
  bool replaced = false;
  for (auto& m : index.manifests) {
    auto it = m.annotations.find(std::string(oci::media::ref_name_annotation));
    if (it != m.annotations.end() && it->second == name) {
      m = entry;
      replaced = true;
    }
  }
  if (!replaced) index.manifests.push_back(entry);
  write_index(dir_, index);
}

std::optional<oci::Descriptor> Store::resolve(std::string_view name) const {
  for (auto& t : tags())
    if (t.name == name) return t.manifest;
  return std::nullopt;
}

std::vector<Tag> Store::tags() const {
  std::vector<Tag> out;
  for (auto& m : read_index(dir_).manifests) {
    // The name is the index's business: the descriptor comes back without it.
    auto node = m.annotations.extract(std::string(oci::media::ref_name_annotation));
    out.push_back({node.empty() ? std::string() : std::move(node.mapped()), m});
  }
  return out;
}

bool Store::untag(std::string_view name) const {
  FolderLock lock(dir_ / "blobs", LOCK_EX);
  auto index = read_index(dir_);
  auto before = index.manifests.size();
  std::erase_if(index.manifests, [&](const oci::Descriptor& m) {
    auto it = m.annotations.find(std::string(oci::media::ref_name_annotation));
    return it != m.annotations.end() && it->second == name;
  });
  if (index.manifests.size() == before) return false;
  write_index(dir_, index);
  return true;
}

std::vector<oci::Descriptor> Store::read_index_manifests() const { return read_index(dir_).manifests; }

void Store::tidy() const {
  std::error_code ec;
  stdfs::remove(private_dir() / "tmp", ec);
  stdfs::remove(private_dir(), ec);
}

}  // namespace ecp::image
