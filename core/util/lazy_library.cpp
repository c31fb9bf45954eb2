#include "core/util/lazy_library.hpp"

#include <dlfcn.h>

#include "core/util/error.hpp"

namespace ecp::util {

// The handle lives as long as the process: it is never closed, since the
// functions found in it are cached by their call sites.
void LazyLibrary::open() {
  handle_ = dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = dlerror();
    fail(ErrorKind::internal, "this command needs {} (Debian package {}): {}", soname_, package_,
         why ? why : "it could not be loaded");
  }
}

void* LazyLibrary::address(const char* name) {
  std::lock_guard lock(mutex_);  // dlerror() is per thread; the lock keeps open() once
  if (!handle_) open();
  dlerror();
  void* fn = dlsym(handle_, name);
  if (!fn) {
    const char* why = dlerror();
    fail(ErrorKind::internal, "{} has no function {} (Debian package {}, another version?): {}", soname_, name,
         package_, why ? why : "not found");
  }
  return fn;
}

}  // namespace ecp::util
