// ISA-L, opened on first use (see core/util/lazy_library.hpp): only gzip layers
// need it. Each function below has ISA-L's own signature, which the compiler
// checks against its headers.
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include "core/util/lazy_library.hpp"
#include "ecp_sonames.hpp"

namespace {
constinit ecp::util::LazyLibrary library(ECP_ISAL_SONAME, "libisal2");
}  // namespace
#define LAZY(name) ECP_LAZY(library, name)

extern "C" {

int isal_deflate_stateless(struct isal_zstream* a0) { return LAZY(isal_deflate_stateless)(a0); }
void isal_deflate_stateless_init(struct isal_zstream* a0) { LAZY(isal_deflate_stateless_init)(a0); }
int isal_inflate(struct inflate_state* a0) { return LAZY(isal_inflate)(a0); }
void isal_inflate_init(struct inflate_state* a0) { LAZY(isal_inflate_init)(a0); }
void isal_inflate_reset(struct inflate_state* a0) { LAZY(isal_inflate_reset)(a0); }
uint32_t crc32_gzip_refl(uint32_t a0, const unsigned char* a1, uint64_t a2) {
  return LAZY(crc32_gzip_refl)(a0, a1, a2);
}

}  // extern "C"
