#pragma once
// How far a compressed layer may expand when ecp reads an image it did not
// build (a base image from a layout, a docker-archive or a registry): a gzip or
// zstd "bomb" of a megabyte can hold terabytes of zeros, and every reader of it
// (the layer check, the diff_id hash, an import into the store) would spend
// that CPU or disk. No image format declares a layer's uncompressed size, so
// the bound is a ratio with a floor, far above what real layers reach (text
// compresses about 5x; only long runs of one byte reach 100x).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/image/compress.hpp"

struct archive;
struct archive_entry;

namespace ecp::image {

inline constexpr std::int64_t expansion_ratio = 100;
inline constexpr std::int64_t expansion_floor = std::int64_t(256) << 20;

// The most `compressed` bytes may expand to: expansion_ratio times, and at
// least expansion_floor.
std::int64_t expansion_limit(std::int64_t compressed);

// Throws Error(build) naming `what` when the uncompressed bytes a libarchive
// reader has given so far, plus those of the entry `e` whose header it just
// read, pass expansion_limit(compressed). Called before the entry's data is
// read or skipped, so a bomb costs nothing. A no-op for uncompressed input.
void check_expansion(struct archive* a, struct archive_entry* e, std::int64_t compressed, std::string_view what);

// Passes bytes on to `out` and throws Error(build) naming `what` once more than
// expansion_limit(compressed) went through.
class ExpansionGuard : public ByteSink {
 public:
  ExpansionGuard(ByteSink& out, std::int64_t compressed, std::string what);
  void write(const void* data, std::size_t size) override;

 private:
  ByteSink& out_;
  std::int64_t compressed_;
  std::int64_t limit_;
  std::int64_t seen_ = 0;
  std::string what_;
};

}  // namespace ecp::image
