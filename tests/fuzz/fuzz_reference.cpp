// libFuzzer target: any bytes as an image reference (--image, a targets file's
// registry, a base image) give a validation error or a reference that prints and
// parses back to itself, so what ecp records is what it would read again.
#include <cstddef>
#include <cstdint>

#include "core/oci/reference.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = ecp::fuzz::as_text(data, size);
  ecp::oci::Reference r;
  try {
    r = ecp::oci::parse_reference(text);
  } catch (const ecp::Error& e) {
    ecp::fuzz::check_error(e);
    return 0;
  }
  if (r.registry.empty() || r.repository.empty()) __builtin_trap();
  if (!r.tag.empty() && !ecp::oci::valid_tag(r.tag)) __builtin_trap();
  // The normalised form is a fixed point: it parses back to the same reference.
  auto again = ecp::oci::parse_reference(r.to_string());
  if (!(again == r) || again.to_string() != r.to_string()) __builtin_trap();
  if (ecp::oci::parse_reference(r.with_default_tag().to_string()).identifier() != r.with_default_tag().identifier())
    __builtin_trap();
  (void)ecp::oci::is_loopback_registry(r.registry);
  (void)ecp::oci::is_loopback_registry(text);
  return 0;
}
