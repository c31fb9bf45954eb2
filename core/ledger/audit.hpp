#pragma once
// The audit log of one (app, env), at its target (the same KvStore as the
// ledger): one entry per key, audit/<10-digit sequence>.json, each holding the
// SHA-256 of the entry before it, and its own over everything else it holds.
// Entries are only ever created (put_if on an absent key): ecp never rewrites
// one. verify() recomputes the chain: an entry whose bytes changed, one taken
// out, or one put in between is reported; the newest entry rewritten with a
// recomputed hash is not (nothing comes after it), which ecp-audit(1) says.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/util/kv_store.hpp"

namespace ecp::ledger {

// Who did it: the identity the target vouched for, and what the client claims.
struct Actor {
  std::string verified;  // "alice" (an SSH certificate principal), "deploy" (the SSH user), "$USER"
  std::string method;    // how it was verified: "ssh certificate", "ssh user", "unverified"
  std::string reported;  // a CI variable's claim (GITHUB_ACTOR=...), never used to decide
  bool operator==(const Actor&) const = default;
};

struct AuditEntry {
  long seq = 0;
  std::string type;  // release, rollback, promote, approve, denied, unlock, freeze, unfreeze, emergency, purge
  std::string app, env;
  std::string when;  // RFC 3339
  Actor actor;
  int revision = 0;
  std::string outcome;  // succeeded, failed-rolled-back, ... ("" for what has none)
  std::string image_digest, config_digest;
  std::string change_id;
  std::string message;  // the rule that denied, the reason of an emergency or a freeze
  std::string prev;     // the hash of entry seq-1 ("" for the first)
  std::string hash;     // sha256:<hex> of this entry without "hash"
  bool operator==(const AuditEntry&) const = default;
};

nlohmann::json audit_json(const AuditEntry& e);  // with "hash"
// The hash an entry should have: of its JSON without "hash", keys sorted, compact.
std::string audit_hash(const AuditEntry& e);

class AuditLog {
 public:
  explicit AuditLog(KvStore& store) : store_(store) {}
  // Appends `e` after the newest entry (its seq, prev and hash are set here);
  // retries when another writer took that sequence number first.
  AuditEntry append(AuditEntry e);
  struct Read {
    std::vector<AuditEntry> entries;    // by sequence
    std::vector<std::string> problems;  // verify(): "audit/0000000003.json: ..."
  };
  // Every entry, and what the chain says about them.
  Read read();

 private:
  KvStore& store_;
};

std::string audit_key(long seq);

}  // namespace ecp::ledger
