// The Decompressor half of compress.hpp.
#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <vector>

#include "core/image/compress.hpp"
#include "core/util/error.hpp"

namespace ecp::image {

struct Decompressor::Impl {
  Compression kind;
  ByteSink& out;
  std::vector<unsigned char> buf = std::vector<unsigned char>(256 * 1024);
  std::unique_ptr<inflate_state> gz;
  ZSTD_DCtx* zs = nullptr;
  bool member_done = false;  // gzip: the last member ended; zstd: the last frame ended
  bool any_input = false;

  Impl(Compression c, ByteSink& o) : kind(c), out(o) {
    if (c == Compression::gzip) {
      gz = std::make_unique<inflate_state>();
      isal_inflate_init(gz.get());
      gz->crc_flag = ISAL_GZIP;
    } else if (c == Compression::zstd) {
      zs = ZSTD_createDCtx();
      if (zs == nullptr) fail(ErrorKind::internal, "cannot create a zstd context");
    }
  }
  ~Impl() { ZSTD_freeDCtx(zs); }

  void gzip(const unsigned char* data, std::size_t size) {
    while (size > 0) {
      if (member_done) {
        // Another gzip member follows (pigz and others concatenate them).
        isal_inflate_reset(gz.get());
        gz->crc_flag = ISAL_GZIP;
        member_done = false;
      }
      gz->next_in = const_cast<unsigned char*>(data);
      gz->avail_in = static_cast<uint32_t>(std::min<std::size_t>(size, std::size_t(1) << 30));
      std::size_t fed = gz->avail_in;
      do {
        gz->next_out = buf.data();
        gz->avail_out = static_cast<uint32_t>(buf.size());
        int rc = isal_inflate(gz.get());
        if (rc != ISAL_DECOMP_OK && rc != ISAL_END_INPUT)
          fail(ErrorKind::build, "corrupt gzip data (ISA-L inflate error {})", rc);
        out.write(buf.data(), buf.size() - gz->avail_out);
        if (gz->block_state == ISAL_BLOCK_FINISH) {
          member_done = true;
          break;
        }
      } while (gz->avail_in > 0 || gz->avail_out == 0);
      std::size_t used = fed - gz->avail_in;
      data += used;
      size -= used;
    }
  }

  void zstd(const unsigned char* data, std::size_t size) {
    ZSTD_inBuffer in{data, size, 0};
    // Until the input is used up and the context has nothing more to give.
    for (bool full = true; in.pos < in.size || full;) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      std::size_t rc = ZSTD_decompressStream(zs, &o, &in);
      if (ZSTD_isError(rc)) fail(ErrorKind::build, "corrupt zstd data: {}", ZSTD_getErrorName(rc));
      out.write(buf.data(), o.pos);
      member_done = rc == 0;
      full = o.pos == o.size;
    }
  }
};

Decompressor::Decompressor(Compression c, ByteSink& out) : impl_(std::make_unique<Impl>(c, out)) {}
Decompressor::~Decompressor() = default;

void Decompressor::write(const void* data, std::size_t size) {
  if (size == 0) return;
  impl_->any_input = true;
  auto* p = static_cast<const unsigned char*>(data);
  switch (impl_->kind) {
    case Compression::none: impl_->out.write(data, size); break;
    case Compression::gzip: impl_->gzip(p, size); break;
    case Compression::zstd: impl_->zstd(p, size); break;
  }
}

void Decompressor::finish() {
  if (impl_->kind != Compression::none && !(impl_->any_input && impl_->member_done))
    fail(ErrorKind::build, "truncated {} stream", oci::media::to_string(impl_->kind));
}

}  // namespace ecp::image
