#include "core/ledger/ledger.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>

#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"

namespace ecp::ledger {

std::string record_key(int revision) { return fmt::format("ledger/r{:06}.json", revision); }

std::vector<Record> Ledger::records() {
  std::vector<Record> out;
  for (const auto& [key, data] : storage_.list("ledger/r")) {
    try {
      out.push_back(record_from_json(data, key));
    } catch (const Error& e) {
      log::warn("ledger: skipping {}", e.what());
    }
  }
  std::sort(out.begin(), out.end(), [](const Record& a, const Record& b) { return a.revision < b.revision; });
  return out;
}

std::vector<Event> Ledger::events() {
  std::vector<Event> out;
  for (const auto& [key, data] : storage_.list("ledger/events/")) {
    try {
      out.push_back(event_from_json(data, key));
    } catch (const Error& e) {
      log::warn("ledger: skipping {}", e.what());
    }
  }
  return out;
}

std::optional<Record> Ledger::get(int revision) {
  auto data = storage_.get(record_key(revision));
  if (!data) return std::nullopt;
  return record_from_json(*data, record_key(revision));
}

int Ledger::next_revision() {
  int n = 0;
  for (const auto& [key, data] : storage_.list("ledger/r")) {
    // ledger/r000042.json: the number is in the name, so a damaged record still counts.
    int v = 0;
    if (std::sscanf(key.c_str(), "ledger/r%d.json", &v) == 1) n = std::max(n, v);
  }
  return n + 1;
}

void Ledger::write(const Record& r) { storage_.put(record_key(r.revision), to_json(r) + "\n"); }

void Ledger::add_event(const Event& e) {
  static std::atomic<int> seq{0};
  storage_.put(fmt::format("ledger/events/{:013}-{}.json", now_ms(), seq++), to_json(e) + "\n");
}

std::optional<Record> current(const std::vector<Record>& records) {
  for (auto it = records.rbegin(); it != records.rend(); ++it)
    if (it->outcome == Outcome::succeeded) return *it;
  return std::nullopt;
}

std::optional<Record> rollback_target(const std::vector<Record>& records, int revision) {
  const Record* from = nullptr;
  for (const auto& r : records)
    if (r.revision == revision) from = &r;
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (it->revision >= revision || it->outcome != Outcome::succeeded) continue;
    if (from && it->image_digest == from->image_digest && same_config(*it, *from)) continue;
    return *it;
  }
  return std::nullopt;
}

std::vector<int> revisions_to_keep(const std::vector<Record>& records, int keep, const std::vector<int>& extra) {
  std::vector<int> out = extra, counted;
  int n = 0;
  for (auto it = records.rbegin(); it != records.rend() && n < keep; ++it) {
    if (it->outcome != Outcome::succeeded) continue;
    // A scale or a failover installed nothing: it keeps the release it runs,
    // and does not take the place of another one.
    int installed = installed_revision(*it);
    if (std::find(counted.begin(), counted.end(), installed) != counted.end()) continue;
    counted.push_back(installed);
    out.push_back(installed);
    ++n;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace ecp::ledger
