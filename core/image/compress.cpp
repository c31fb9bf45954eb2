#include "core/image/compress.hpp"

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <cstring>
#include <vector>

#include "core/util/error.hpp"

namespace ecp::image {
namespace {

constexpr std::size_t out_chunk = 256 * 1024;

// gzip header without name or mtime (RFC 1952: magic, deflate, no flags, mtime 0,
// no extra flags, OS 255 "unknown"): the same bytes on every machine.
constexpr unsigned char gzip_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};

std::size_t level_buf_size(int level) {
  switch (level) {
    case 1: return ISAL_DEF_LVL1_DEFAULT;
    case 2: return ISAL_DEF_LVL2_DEFAULT;
    case 3: return ISAL_DEF_LVL3_DEFAULT;
    default: return 0;
  }
}

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
  std::unique_ptr<isal_zstream> gz;
  std::vector<unsigned char> level_buf;
  ZSTD_CCtx* zs = nullptr;

  Impl(Compression c, int level, ByteSink& o) : kind(c), out(o) {
    check_level(c, level);
    if (c == Compression::gzip) {
      gz = std::make_unique<isal_zstream>();
      isal_deflate_init(gz.get());
      gz->level = static_cast<uint32_t>(level);
      level_buf.resize(level_buf_size(level));
      gz->level_buf = level_buf.empty() ? nullptr : level_buf.data();
      gz->level_buf_size = static_cast<uint32_t>(level_buf.size());
      gz->gzip_flag = IGZIP_GZIP_NO_HDR;  // we write our own header; ISA-L writes the trailer
      out.write(gzip_header, sizeof gzip_header);
    } else if (c == Compression::zstd) {
      zs = ZSTD_createCCtx();
      if (zs == nullptr) fail(ErrorKind::internal, "cannot create a zstd context");
      ZSTD_CCtx_setParameter(zs, ZSTD_c_compressionLevel, level);
    }
  }
  ~Impl() { ZSTD_freeCCtx(zs); }

  void gzip(const void* data, std::size_t size, bool end) {
    gz->next_in = static_cast<uint8_t*>(const_cast<void*>(data));
    gz->avail_in = static_cast<uint32_t>(size);
    gz->end_of_stream = end ? 1 : 0;
    gz->flush = NO_FLUSH;
    do {
      gz->next_out = buf.data();
      gz->avail_out = static_cast<uint32_t>(buf.size());
      if (int rc = isal_deflate(gz.get()); rc != COMP_OK) fail(ErrorKind::internal, "ISA-L deflate failed ({})", rc);
      out.write(buf.data(), buf.size() - gz->avail_out);
    } while (gz->avail_in > 0 || gz->avail_out == 0 || (end && gz->internal_state.state != ZSTATE_END));
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
