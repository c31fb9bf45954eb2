#pragma once
// Streaming compression for layers: gzip through ISA-L (deterministic header: no
// name, mtime 0, OS "unknown") and zstd through libzstd, plus the matching
// decompressors. Memory stays bounded whatever the stream length.
#include <cstddef>
#include <memory>
#include <string_view>

#include "core/oci/media_types.hpp"

namespace ecp::image {

using oci::media::Compression;

// Something that accepts a stream of bytes.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const void* data, std::size_t size) = 0;
};

// The default level: ISA-L 1 for gzip (the fastest real compression), zstd 3.
int default_level(Compression c);
// Throws Error(usage) for a level the compressor does not have (gzip 0..3, zstd 1..19).
void check_level(Compression c, int level);
// Parses "gzip", "zstd" or "none"; throws Error(usage) otherwise.
Compression parse_compression(std::string_view name);
// What a stream starting with these bytes is (gzip or zstd magic, else none).
Compression detect_compression(const void* head, std::size_t size);

// Compresses what is written to it into `out`. finish() ends the stream; a
// compressor destroyed without finish() just drops its state.
class Compressor : public ByteSink {
 public:
  Compressor(Compression c, int level, ByteSink& out);
  ~Compressor() override;
  void write(const void* data, std::size_t size) override;
  void finish();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Decompresses what is written to it into `out`; throws Error(build) on corrupt
// input, and from finish() on a truncated stream. Concatenated gzip members work.
class Decompressor : public ByteSink {
 public:
  Decompressor(Compression c, ByteSink& out);
  ~Decompressor() override;
  void write(const void* data, std::size_t size) override;
  void finish();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ecp::image
