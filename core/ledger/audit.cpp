#include "core/ledger/audit.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

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

long seq_of(const std::string& key) {
  std::string digits = key.substr(prefix.size(), 10);
  if (digits.size() != 10 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stol(digits);
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
    auto all = store_.list(std::string(prefix));
    e.seq = 1;
    e.prev.clear();
    if (!all.empty()) {
      e.seq = seq_of(all.back().first) + 1;
      Json last = Json::parse(all.back().second, nullptr, false);
      e.prev = last.is_object() ? last.value("hash", "") : "";
      if (e.prev.empty()) e.prev = oci::Sha256::of(all.back().second).to_string();  // damaged: chain its bytes
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
    Json j = Json::parse(value, nullptr, false);
    if (seq == 0 || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_integer()) {
      r.problems.push_back(fmt::format("{}: not an audit entry", store_.describe(key)));
      prev = oci::Sha256::of(value).to_string();
      expect = seq + 1;
      continue;
    }
    AuditEntry e = from_json(j);
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
