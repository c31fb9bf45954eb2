#include "core/image/compress.hpp"

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <cstring>
#include <vector>

#include "core/image/gzip_blocks.hpp"
#include "core/util/error.hpp"

namespace ecp::image {
namespace {

constexpr std::size_t out_chunk = 256 * 1024;

}  // namespace

int default_level(Compression c) { return c == Compression::zstd ? 3 : c == Compression::gzip ? 1 : 0; }

void check_level(Compression c, int level) {
  if (c == Compression::gzip && (level < 0 || level > ISAL_DEF_MAX_LEVEL))
    fail(ErrorKind::usage, "gzip level {} is not available: ISA-L has levels 0 to {}", level, ISAL_DEF_MAX_LEVEL);
  if (c == Compression::zstd && (level < 1 || level > 19))
    fail(ErrorKind::usage, "zstd level {} is not available: use 1 to 19", level);
}

Compression parse_compression(std::string_view name) {
  if (name == "gzip") return Compression::gzip;
  if (name == "zstd") return Compression::zstd;
  if (name == "none") return Compression::none;
  fail(ErrorKind::usage, "unknown compression '{}': use gzip, zstd or none", name);
}

Compression detect_compression(const void* head, std::size_t size) {
  auto* b = static_cast<const unsigned char*>(head);
  if (size >= 2 && b[0] == 0x1f && b[1] == 0x8b) return Compression::gzip;
  if (size >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return Compression::zstd;
  return Compression::none;
}

struct Compressor::Impl {
  Compression kind;
  ByteSink& out;
  std::vector<unsigned char> buf = std::vector<unsigned char>(out_chunk);
  std::unique_ptr<GzipBlocks> gz;
  ZSTD_CCtx* zs = nullptr;

  Impl(Compression c, int level, ByteSink& o) : kind(c), out(o) {
    check_level(c, level);
    if (c == Compression::gzip) {
      gz = std::make_unique<GzipBlocks>(level, out);
    } else if (c == Compression::zstd) {
      zs = ZSTD_createCCtx();
      if (zs == nullptr) fail(ErrorKind::internal, "cannot create a zstd context");
      ZSTD_CCtx_setParameter(zs, ZSTD_c_compressionLevel, level);
      // zstd's own workers: the frame is the same for any count of them (1 or more).
      ZSTD_CCtx_setParameter(zs, ZSTD_c_nbWorkers, 2);
    }
  }
  ~Impl() { ZSTD_freeCCtx(zs); }

  void gzip(const void* data, std::size_t size, bool end) {
    if (size > 0) gz->write(data, size);
    if (end) gz->finish();
  }

  void zstd(const void* data, std::size_t size, bool end) {
    ZSTD_inBuffer in{data, size, 0};
    for (;;) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      std::size_t left = ZSTD_compressStream2(zs, &o, &in, end ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(left)) fail(ErrorKind::internal, "zstd compression failed: {}", ZSTD_getErrorName(left));
      out.write(buf.data(), o.pos);
      if (end ? left == 0 : in.pos == in.size) break;
    }
  }

  void feed(const void* data, std::size_t size, bool end) {
    switch (kind) {
      case Compression::none: out.write(data, size); break;
      case Compression::gzip: gzip(data, size, end); break;
      case Compression::zstd: zstd(data, size, end); break;
    }
  }
};

Compressor::Compressor(Compression c, int level, ByteSink& out) : impl_(std::make_unique<Impl>(c, level, out)) {}
Compressor::~Compressor() = default;

void Compressor::write(const void* data, std::size_t size) {
  // ISA-L counts in 32 bits: feed large buffers in slices.
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    std::size_t n = std::min<std::size_t>(size, std::size_t(1) << 30);
    impl_->feed(p, n, false);
    p += n;
    size -= n;
  }
}

void Compressor::finish() { impl_->feed(nullptr, 0, true); }

}  // namespace ecp::image
