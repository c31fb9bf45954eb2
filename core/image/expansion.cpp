#include "core/image/expansion.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <limits>

#include "core/util/error.hpp"

namespace ecp::image {
namespace {

[[noreturn]] void refuse(std::string_view what, std::int64_t compressed) {
  fail(ErrorKind::build,
       "{}: refused: its {} compressed bytes expand to more than {} (a compression bomb?); ecp reads layers "
       "that expand at most {} times, or to {} MiB when that is more",
       what, compressed, expansion_limit(compressed), expansion_ratio, expansion_floor >> 20);
}

}  // namespace

std::int64_t expansion_limit(std::int64_t compressed) {
  if (compressed > std::numeric_limits<std::int64_t>::max() / expansion_ratio)
    return std::numeric_limits<std::int64_t>::max();
  return std::max(compressed * expansion_ratio, expansion_floor);
}

void check_expansion(struct archive* a, struct archive_entry* e, std::int64_t compressed, std::string_view what) {
  if (archive_filter_count(a) < 2) return;  // only the "none" filter: nothing expands
  // Filter 0 is the uncompressed stream the tar reader consumed. A sparse
  // entry's size is its logical one, more than it holds: checked by the next header.
  std::int64_t done = archive_filter_bytes(a, 0);
  std::int64_t size = archive_entry_size_is_set(e) && archive_entry_sparse_count(e) == 0 ? archive_entry_size(e) : 0;
  std::int64_t limit = expansion_limit(compressed);
  if (done > limit || size > limit - done) refuse(what, compressed);
}

ExpansionGuard::ExpansionGuard(ByteSink& out, std::int64_t compressed, std::string what)
    : out_(out), compressed_(compressed), limit_(expansion_limit(compressed)), what_(std::move(what)) {}

void ExpansionGuard::write(const void* data, std::size_t size) {
  seen_ += static_cast<std::int64_t>(size);
  if (seen_ > limit_) refuse(what_, compressed_);
  out_.write(data, size);
}

}  // namespace ecp::image
