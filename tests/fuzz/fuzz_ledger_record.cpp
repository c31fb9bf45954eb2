// libFuzzer target: any bytes as a ledger line (records and events are read back
// from the target, where anyone with access may have edited them) give a
// validation error or a record that writes and reads back to itself.
#include <cstddef>
#include <cstdint>

#include "core/ledger/record.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = ecp::fuzz::as_text(data, size);
  try {
    auto r = ecp::ledger::record_from_json(text, "ledger/3.json");
    if (r.revision <= 0) __builtin_trap();
    if (!(ecp::ledger::record_from_json(ecp::ledger::to_json(r), "again") == r)) __builtin_trap();
  } catch (const ecp::Error& e) {
    ecp::fuzz::check_error(e);
  }
  try {
    auto ev = ecp::ledger::event_from_json(text, "ledger/events.json");
    if (!(ecp::ledger::event_from_json(ecp::ledger::to_json(ev), "again") == ev)) __builtin_trap();
  } catch (const ecp::Error& e) {
    ecp::fuzz::check_error(e);
  }
  return 0;
}
