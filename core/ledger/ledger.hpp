#pragma once
// The ledger of one (app, env), kept in a KvStore at the target (the backend's state()) so that every
// machine that deploys sees the same history. Layout of the keys:
//   ledger/r000042.json        revision 42 (one file per revision: no rewrite of a big file)
//   ledger/events/<ms>-<n>.json  audit events (forced unlocks)
//   configs/<hex>.properties     the rendered configuration of a config digest (a
//                                rollback restores it even after the release folder is gone)
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
  void put_config(const std::string& config_digest, std::string_view text);
  std::optional<std::string> config(const std::string& config_digest);
  // The configuration stored for `config_digest`, for a release that deploys it
  // again: its bytes must hash to the digest (what a release records is the
  // sha256 of the text it deployed). nullopt when none is stored. When they do not,
  // Error(deploy_failed) names `subject`, where the bytes are stored
  // (KvStore::describe) and both digests: an edited or damaged copy is never
  // deployed as the recorded one.
  std::optional<std::string> verified_config(const std::string& config_digest, std::string_view subject);

 private:
  KvStore& storage_;
};

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
