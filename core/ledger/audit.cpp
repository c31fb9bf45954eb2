#include "core/ledger/audit.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"

namespace ecp::ledger {

using Json = nlohmann::json;

namespace {

constexpr std::string_view prefix = "audit/";

Json without_hash(const AuditEntry& e) {
  return {{"seq", e.seq},
          {"type", e.type},
          {"app", e.app},
          {"env", e.env},
          {"when", e.when},
          {"actor", {{"verified", e.actor.verified}, {"method", e.actor.method}, {"reported", e.actor.reported}}},
          {"revision", e.revision},
          {"outcome", e.outcome},
          {"image_digest", e.image_digest},
          {"config_digest", e.config_digest},
          {"change_id", e.change_id},
          {"message", e.message},
          {"prev", e.prev}};
}

AuditEntry from_json(const Json& j) {
  AuditEntry e;
  e.seq = j.at("seq").get<long>();
  e.type = j.value("type", "");
  e.app = j.value("app", "");
  e.env = j.value("env", "");
  e.when = j.value("when", "");
  auto a = j.value("actor", Json::object());
  e.actor = {a.value("verified", ""), a.value("method", ""), a.value("reported", "")};
  e.revision = j.value("revision", 0);
  e.outcome = j.value("outcome", "");
  e.image_digest = j.value("image_digest", "");
  e.config_digest = j.value("config_digest", "");
  e.change_id = j.value("change_id", "");
  e.message = j.value("message", "");
  e.prev = j.value("prev", "");
  e.hash = j.value("hash", "");
  return e;
}

// The sequence number of an entry's key, audit/NNNNNNNNNN.json; 0 for any other key.
long seq_of(const std::string& key) {
  if (key.size() != prefix.size() + 15 || !key.starts_with(prefix) || !key.ends_with(".json")) return 0;
  std::string digits = key.substr(prefix.size(), 10);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stol(digits);
}

// An entry's fields, whatever their types (a damaged entry reads as one that
// does not match its hash, not as an error that stops the listing).
std::optional<AuditEntry> parse_entry(const std::string& bytes) {
  Json j = Json::parse(bytes, nullptr, false);
  if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_integer()) return std::nullopt;
  try {
    return from_json(j);
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string audit_key(long seq) { return fmt::format("audit/{:010d}.json", seq); }

std::string audit_hash(const AuditEntry& e) {
  return oci::Sha256::of(without_hash(e).dump(-1, ' ', false, Json::error_handler_t::replace)).to_string();
}

Json audit_json(const AuditEntry& e) {
  Json j = without_hash(e);
  j["hash"] = e.hash;
  return j;
}

AuditEntry AuditLog::append(AuditEntry e) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    // After the highest-numbered entry; other keys under audit/ are not entries.
    long last_seq = 0;
    const std::string* last = nullptr;
    auto all = store_.list(std::string(prefix));
    for (const auto& [key, value] : all)
      if (long s = seq_of(key); s > last_seq) last_seq = s, last = &value;
    e.seq = last_seq + 1;
    e.prev.clear();
    if (last != nullptr) {
      auto entry = parse_entry(*last);
      e.prev = entry ? entry->hash : "";
      if (e.prev.empty()) e.prev = oci::Sha256::of(*last).to_string();  // damaged: chain its bytes
    }
    e.hash = audit_hash(e);
    if (store_.put_if(audit_key(e.seq), audit_json(e).dump(-1, ' ', false, Json::error_handler_t::replace),
                      std::nullopt))
      return e;
  }
  fail(ErrorKind::io, "the audit log of {}/{}: another writer kept taking the next entry", e.app, e.env);
}

AuditLog::Read AuditLog::read() {
  Read r;
  std::string prev;
  long expect = 1;
  for (const auto& [key, value] : store_.list(std::string(prefix))) {
    long seq = seq_of(key);
    if (seq == 0) {
      r.problems.push_back(
          fmt::format("{}: not an audit entry's key (put there by something else)", store_.describe(key)));
      continue;
    }
    auto parsed = parse_entry(value);
    if (!parsed) {
      r.problems.push_back(fmt::format("{}: not an audit entry (damaged)", store_.describe(key)));
      prev = oci::Sha256::of(value).to_string();
      expect = seq + 1;
      continue;
    }
    AuditEntry e = std::move(*parsed);
    if (seq != expect)
      r.problems.push_back(fmt::format("{}: entries {} to {} are missing", store_.describe(key), expect, seq - 1));
    if (e.seq != seq) r.problems.push_back(fmt::format("{}: says it is entry {}", store_.describe(key), e.seq));
    if (audit_hash(e) != e.hash)
      r.problems.push_back(
          fmt::format("{}: its content does not match its hash (changed after it was written)", store_.describe(key)));
    else if (seq == expect && e.prev != prev)
      r.problems.push_back(
          fmt::format("{}: the entry before it is not the one it was written after", store_.describe(key)));
    prev = e.hash;
    expect = seq + 1;
    r.entries.push_back(std::move(e));
  }
  return r;
}

}  // namespace ecp::ledger
