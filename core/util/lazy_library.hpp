#pragma once
// A shared library opened on first use. libcurl, libgit2 and libarchive bring
// some forty shared objects with them (gnutls, kerberos, ldap, icu…); linked
// directly, every run of ecp, even `ecp --version`, paid for mapping and
// relocating all of them. Each of those libraries is instead reached through a
// loader file beside the code that uses it (core/registry/curl_loader.cpp, …)
// that defines the library's functions with their own signatures, checked by
// the compiler against the library's header, and forwards each call to the
// function this class finds on first use.
#include <mutex>

namespace ecp::util {

class LazyLibrary {
 public:
  // soname: the file to open (libcurl.so.4); package: the Debian package that
  // ships it, named in the error when it is missing. constexpr: a loader's
  // library is constant-initialised, so no static initialisation order matters.
  constexpr LazyLibrary(const char* soname, const char* package) : soname_(soname), package_(package) {}
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  // The address of a function of the library: opens the library the first
  // time (thread-safe). Throws ecp::Error (internal) naming the library and its
  // package when either cannot be found.
  void* address(const char* name);

  template <typename F>
  F function(const char* name) {
    return reinterpret_cast<F>(address(name));
  }

 private:
  void open();
  const char* soname_;
  const char* package_;
  // Not std::call_once: an open that throws must leave the next call free to try
  // again, and call_once after an exception hangs under ThreadSanitizer.
  std::mutex mutex_;
  void* handle_ = nullptr;  // null until opened; a failed open leaves it null
};

}  // namespace ecp::util

// The function `name` of `library`, looked up once per call site.
#define ECP_LAZY(library, name)                                             \
  ([] {                                                                     \
    static const auto found = (library).function<decltype(&::name)>(#name); \
    return found;                                                           \
  }())
