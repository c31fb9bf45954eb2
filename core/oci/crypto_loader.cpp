// libcrypto (OpenSSL), opened on first use (see core/util/lazy_library.hpp): only the
// commands that hash (digests, config fingerprints) map it. Each function below
// has OpenSSL's own signature, which the compiler checks against its headers.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/util/lazy_library.hpp"
#include "ecp_sonames.hpp"

namespace {
constinit ecp::util::LazyLibrary library(ECP_CRYPTO_SONAME, "libssl3");
}  // namespace
#define LAZY(name) ECP_LAZY(library, name)

extern "C" {

int EVP_DigestFinal_ex(EVP_MD_CTX* a0, unsigned char* a1, unsigned int* a2) {
  return LAZY(EVP_DigestFinal_ex)(a0, a1, a2);
}
int EVP_DigestInit_ex(EVP_MD_CTX* a0, const EVP_MD* a1, ENGINE* a2) { return LAZY(EVP_DigestInit_ex)(a0, a1, a2); }
int EVP_DigestUpdate(EVP_MD_CTX* a0, const void* a1, size_t a2) { return LAZY(EVP_DigestUpdate)(a0, a1, a2); }
void EVP_MD_CTX_free(EVP_MD_CTX* a0) { LAZY(EVP_MD_CTX_free)(a0); }
EVP_MD_CTX* EVP_MD_CTX_new() { return LAZY(EVP_MD_CTX_new)(); }
EVP_MD* EVP_MD_fetch(OSSL_LIB_CTX* a0, const char* a1, const char* a2) { return LAZY(EVP_MD_fetch)(a0, a1, a2); }
const EVP_MD* EVP_sha256() { return LAZY(EVP_sha256)(); }
unsigned char* HMAC(const EVP_MD* a0, const void* a1, int a2, const unsigned char* a3, size_t a4, unsigned char* a5,
                    unsigned int* a6) {
  return LAZY(HMAC)(a0, a1, a2, a3, a4, a5, a6);
}

// The engine plugin's TLS client certificate (its CN is the identity an engine vouches for).
X509* PEM_read_X509(FILE* a0, X509** a1, pem_password_cb* a2, void* a3) { return LAZY(PEM_read_X509)(a0, a1, a2, a3); }
X509_NAME* X509_get_subject_name(const X509* a0) { return LAZY(X509_get_subject_name)(a0); }
int X509_NAME_get_text_by_NID(const X509_NAME* a0, int a1, char* a2, int a3) {
  return LAZY(X509_NAME_get_text_by_NID)(a0, a1, a2, a3);
}
void X509_free(X509* a0) { LAZY(X509_free)(a0); }

}  // extern "C"
