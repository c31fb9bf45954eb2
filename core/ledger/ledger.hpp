#pragma once
// The ledger of one (app, env), kept in a KvStore at the target (the backend's state()) so that every
// machine that deploys sees the same history. Layout of the keys:
//   ledger/r000042.json        revision 42 (one file per revision: no rewrite of a big file)
//   ledger/events/<ms>-<n>.json  audit events (forced unlocks)
//   configs/<hex>.properties     a released configuration with each secret as its
//                                reference (config::reference_text), by config digest:
//                                what history and audits may read; no secret in clear
//   private/configs/<hex>.properties  the exact bytes deployed, by config fingerprint:
//                                what a rollback deploys again, even after the release
//                                folder is gone (hosts keep state/ 0700, its files 0600)
//   private/fingerprint.key      the target's key of config fingerprints (made once)
//   lock.json                    the lease (lock.hpp)
// Writers hold the lock; readers never need it (every write is atomic).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ledger/record.hpp"
#include "core/util/kv_store.hpp"

namespace ecp::ledger {

std::string record_key(int revision);

class Ledger {
 public:
  explicit Ledger(KvStore& storage) : storage_(storage) {}

  // Every record, by revision. Unreadable records are skipped with a warning.
  std::vector<Record> records();
  std::vector<Event> events();
  std::optional<Record> get(int revision);
  int next_revision();

  void write(const Record& r);
  void add_event(const Event& e);
  // "hmac-sha256:<hex>" of a configuration's exact bytes under this target's key,
  // so that every machine releasing here tells the same one, and a secret cannot
  // be guessed from it without the key. The key is made on first use when
  // `create`; without one (and not `create`) the answer is "".
  std::string fingerprint(std::string_view exact, bool create);
  // Keeps a released configuration: `reference_text` under `config_digest`, the
  // `exact` bytes under `fingerprint` (0600 at the target).
  void put_config(const std::string& config_digest, std::string_view reference_text, const std::string& fingerprint,
                  std::string_view exact);
  // The exact configuration record `r` deployed, for a release that deploys it
  // again, checked against the record: the private copy must have `r`'s
  // fingerprint (a record from before fingerprints: the configs/ copy must hash
  // to its digest). nullopt when none is stored. When they do not match,
  // Error(deploy_failed) names `subject`, where the bytes are stored
  // (KvStore::describe) and both sums: an edited or damaged copy is never
  // deployed as the recorded one.
  std::optional<std::string> exact_config(const Record& r, std::string_view subject);

 private:
  KvStore& storage_;
  std::optional<std::string> key_;  // the fingerprint key, once read: it never changes
};

// Whether two records deployed the same configuration: the same digest and, when
// both know it, the same fingerprint (a secret changed behind its reference).
bool same_config(const Record& a, const Record& b);

// Over a list of records (by revision):
// the revision serving now: the last that succeeded.
std::optional<Record> current(const std::vector<Record>& records);
// The last succeeded revision before `revision` whose image or config differs from
// that revision's (the default target of `ecp rollback`).
std::optional<Record> rollback_target(const std::vector<Record>& records, int revision);
// The revisions to keep installed: the newest `keep` succeeded ones plus `extra`.
std::vector<int> revisions_to_keep(const std::vector<Record>& records, int keep, const std::vector<int>& extra);

// Throws Error(deploy_failed) unless `text` hashes to `config_digest`; `subject`
// and `where` name the configuration and where its bytes come from. The one check
// of a configuration's bytes before they are deployed again, whatever holds them.
void check_config(std::string_view text, const std::string& config_digest, std::string_view subject,
                  const std::string& where);

}  // namespace ecp::ledger
