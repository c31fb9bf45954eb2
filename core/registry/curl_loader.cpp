// libcurl, opened on first use (see core/util/lazy_library.hpp): the commands
// that never talk HTTP do not map it and the thirty libraries it links.
// Each function below has libcurl's own signature, which the compiler checks
// against <curl/curl.h>; the three that take variable arguments pass on the
// one argument their option announces, with the type libcurl reads it as.
#define CURL_DISABLE_TYPECHECK  // its macros would rename the definitions below
#include <curl/curl.h>

#include <cstdarg>

#include "core/util/lazy_library.hpp"
#include "ecp_sonames.hpp"

namespace {
constinit ecp::util::LazyLibrary library(ECP_CURL_SONAME, "libcurl4");
}  // namespace
#define LAZY(name) ECP_LAZY(library, name)

extern "C" {

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  va_list ap;
  va_start(ap, option);
  const auto fn = LAZY(curl_easy_setopt);
  CURLcode rc;
  // The option's number says the type of its argument (CURLOPTTYPE_* in curl.h).
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    rc = fn(curl, option, va_arg(ap, long));
  } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
    rc = fn(curl, option, va_arg(ap, void*));
  } else if (option < CURLOPTTYPE_OFF_T) {
    rc = fn(curl, option, va_arg(ap, void (*)()));
  } else if (option < CURLOPTTYPE_BLOB) {
    rc = fn(curl, option, va_arg(ap, curl_off_t));
  } else {
    rc = fn(curl, option, va_arg(ap, void*));
  }
  va_end(ap);
  return rc;
}

// Every CURLINFO is read into a pointer the caller passes.
CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  va_list ap;
  va_start(ap, info);
  void* out = va_arg(ap, void*);
  va_end(ap);
  return LAZY(curl_easy_getinfo)(curl, info, out);
}

CURLSHcode curl_share_setopt(CURLSH* share, CURLSHoption option, ...) {
  va_list ap;
  va_start(ap, option);
  const auto fn = LAZY(curl_share_setopt);
  CURLSHcode rc;
  switch (option) {
    case CURLSHOPT_SHARE:
    case CURLSHOPT_UNSHARE:
      rc = fn(share, option, va_arg(ap, int));
      break;
    case CURLSHOPT_LOCKFUNC:
    case CURLSHOPT_UNLOCKFUNC:
      rc = fn(share, option, va_arg(ap, void (*)()));
      break;
    default:
      rc = fn(share, option, va_arg(ap, void*));
      break;
  }
  va_end(ap);
  return rc;
}

void curl_easy_cleanup(CURL* a0) { LAZY(curl_easy_cleanup)(a0); }
CURL* curl_easy_init() { return LAZY(curl_easy_init)(); }
CURLcode curl_easy_perform(CURL* a0) { return LAZY(curl_easy_perform)(a0); }
void curl_easy_reset(CURL* a0) { LAZY(curl_easy_reset)(a0); }
const char* curl_easy_strerror(CURLcode a0) { return LAZY(curl_easy_strerror)(a0); }
void curl_free(void* a0) { LAZY(curl_free)(a0); }
time_t curl_getdate(const char* a0, const time_t* a1) { return LAZY(curl_getdate)(a0, a1); }
CURLcode curl_global_init(long a0) { return LAZY(curl_global_init)(a0); }
CURLSHcode curl_share_cleanup(CURLSH* a0) { return LAZY(curl_share_cleanup)(a0); }
CURLSH* curl_share_init() { return LAZY(curl_share_init)(); }
struct curl_slist* curl_slist_append(struct curl_slist* a0, const char* a1) {
  return LAZY(curl_slist_append)(a0, a1);
}
void curl_slist_free_all(struct curl_slist* a0) { LAZY(curl_slist_free_all)(a0); }
CURLU* curl_url() { return LAZY(curl_url)(); }
void curl_url_cleanup(CURLU* a0) { LAZY(curl_url_cleanup)(a0); }
CURLUcode curl_url_get(CURLU* a0, CURLUPart a1, char** a2, unsigned int a3) {
  return LAZY(curl_url_get)(a0, a1, a2, a3);
}
CURLUcode curl_url_set(CURLU* a0, CURLUPart a1, const char* a2, unsigned int a3) {
  return LAZY(curl_url_set)(a0, a1, a2, a3);
}

}  // extern "C"
