#include "core/registry/blob_locations.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"

namespace ecp::registry {
namespace {
constexpr std::size_t compact_above = 20000;  // lines
constexpr std::size_t keep_after_compact = 10000;
}  // namespace

BlobLocations::BlobLocations(std::filesystem::path file) : file_(std::move(file)) {
  if (!file_.empty()) load();
}

void BlobLocations::load() {
  std::error_code ec;
  if (!std::filesystem::exists(file_, ec)) return;
  std::string text;
  try {
    text = fs::read_file(file_, 64u << 20);
  } catch (const Error& e) {
    log::debug("ignoring the blob location record: {}", e.what());
    return;
  }
  std::istringstream in(text);
  std::string registry, repository, digest;
  while (in >> registry >> repository >> digest)
    if (auto d = oci::Digest::try_parse(digest)) entries_.push_back({registry, repository, *d});
  if (entries_.size() <= compact_above) return;
  // Keep the newest facts, once each.
  std::vector<Entry> kept;
  std::set<std::string> seen;
  for (auto it = entries_.rbegin(); it != entries_.rend() && kept.size() < keep_after_compact; ++it)
    if (seen.insert(it->registry + " " + it->repository + " " + it->digest.hex()).second) kept.push_back(*it);
  std::reverse(kept.begin(), kept.end());
  entries_ = std::move(kept);
  std::string out;
  for (const auto& e : entries_) out += e.registry + " " + e.repository + " " + e.digest.to_string() + "\n";
  try {
    fs::write_file_atomic(file_, out, 0600);
  } catch (const Error& e) {
    log::debug("cannot compact the blob location record: {}", e.what());
  }
}

std::vector<std::string> BlobLocations::find(std::string_view registry, const oci::Digest& digest) const {
  std::lock_guard g(mutex_);
  std::vector<std::string> out;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->registry == registry && it->digest == digest &&
        std::find(out.begin(), out.end(), it->repository) == out.end())
      out.push_back(it->repository);
  return out;
}

void BlobLocations::add(std::string_view registry, std::string_view repository, const oci::Digest& digest) {
  std::lock_guard g(mutex_);
  for (const auto& e : entries_)
    if (e.registry == registry && e.repository == repository && e.digest == digest) return;
  entries_.push_back({std::string(registry), std::string(repository), digest});
  if (file_.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(file_.parent_path(), ec);
  int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;  // a hint only
  std::string line = fmt::format("{} {} {}\n", registry, repository, digest.to_string());
  [[maybe_unused]] auto n = ::write(fd, line.data(), line.size());
  ::close(fd);
}

}  // namespace ecp::registry
