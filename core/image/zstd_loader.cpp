// libzstd, opened on first use (see core/util/lazy_library.hpp): only zstd layers
// need it. Each function below has zstd's own signature, which the compiler
// checks against <zstd.h>.
#include <zstd.h>

#include "core/util/lazy_library.hpp"
#include "ecp_sonames.hpp"

namespace {
constinit ecp::util::LazyLibrary library(ECP_ZSTD_SONAME, "libzstd1");
}  // namespace
#define LAZY(name) ECP_LAZY(library, name)

extern "C" {

size_t ZSTD_CCtx_setParameter(ZSTD_CCtx* a0, ZSTD_cParameter a1, int a2) {
  return LAZY(ZSTD_CCtx_setParameter)(a0, a1, a2);
}
size_t ZSTD_compressStream2(ZSTD_CCtx* a0, ZSTD_outBuffer* a1, ZSTD_inBuffer* a2, ZSTD_EndDirective a3) {
  return LAZY(ZSTD_compressStream2)(a0, a1, a2, a3);
}
ZSTD_CCtx* ZSTD_createCCtx() { return LAZY(ZSTD_createCCtx)(); }
ZSTD_DCtx* ZSTD_createDCtx() { return LAZY(ZSTD_createDCtx)(); }
size_t ZSTD_decompressStream(ZSTD_DStream* a0, ZSTD_outBuffer* a1, ZSTD_inBuffer* a2) {
  return LAZY(ZSTD_decompressStream)(a0, a1, a2);
}
size_t ZSTD_freeCCtx(ZSTD_CCtx* a0) { return LAZY(ZSTD_freeCCtx)(a0); }
size_t ZSTD_freeDCtx(ZSTD_DCtx* a0) { return LAZY(ZSTD_freeDCtx)(a0); }
const char* ZSTD_getErrorName(size_t a0) { return LAZY(ZSTD_getErrorName)(a0); }
unsigned ZSTD_isError(size_t a0) { return LAZY(ZSTD_isError)(a0); }

}  // extern "C"
