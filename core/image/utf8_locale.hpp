#pragma once
// libarchive converts names between the current locale's charset and the UTF-8
// of PAX records. Under C.UTF-8 that conversion is the identity, so what ecp
// writes and reads does not depend on the user's locale. Scoped to the thread
// (uselocale); hold one for as long as the libarchive object lives.
#include <locale.h>

namespace ecp::image {

class Utf8Locale {
 public:
  Utf8Locale() {
    static locale_t utf8 = newlocale(LC_ALL_MASK, "C.UTF-8", locale_t(0));
    if (utf8 != locale_t(0)) old_ = uselocale(utf8);
  }
  ~Utf8Locale() {
    if (old_ != locale_t(0)) uselocale(old_);
  }
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;
  // False when C.UTF-8 is missing: names then go out as raw bytes (hdrcharset=BINARY).
  bool active() const { return old_ != locale_t(0); }

 private:
  locale_t old_ = locale_t(0);
};

}  // namespace ecp::image
