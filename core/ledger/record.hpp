#pragma once
// The release ledger's records: one per revision of an (app, env), stored at the
// target (see ledger.hpp), plus audit events such as a forced unlock. A record is
// written when a release starts (outcome in-progress) and rewritten when it ends,
// so a crashed release is visible as in-progress with an expired lock.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/oci/layer_ref.hpp"

namespace ecp::ledger {

// paused: a manual canary waiting for `ecp canary promote` or `abort` (the lock is
// free meanwhile; the canary's state key keeps other releases out).
// crashed: found in progress by a later release that took the lock (its own
// release was killed, lost its machine or its lock), which recorded it so.
enum class Outcome { in_progress, succeeded, failed_rolled_back, failed, paused, crashed };
enum class Kind { deploy, rollback, scale, failover };

std::string_view to_string(Outcome o);  // in-progress, succeeded, failed-rolled-back, failed, paused, crashed
std::string_view to_string(Kind k);     // deploy, rollback, scale, failover
std::optional<Outcome> outcome_from(std::string_view s);
std::optional<Kind> kind_from(std::string_view s);

struct InstanceEntry {
  std::string location;
  std::string slot = "a";
  int index = 0;
  int port = 0;
  bool operator==(const InstanceEntry&) const = default;
};

// Where a promoted revision came from (ecp promote): the source environment's
// revision and the image digest that ran there, which is the one this ran.
struct Promotion {
  std::string env;
  int revision = 0;
  std::string image_digest;
  bool operator==(const Promotion&) const = default;
};

struct Record {
  int revision = 0;
  Kind kind = Kind::deploy;
  std::string app;
  std::string env;
  std::string target;
  std::string image;                  // the reference, for people
  std::string image_digest;           // the manifest digest: what ran
  std::vector<oci::LayerRef> layers;  // the app layers, so a rollback can reinstall without the image
  std::string config_digest;          // of the configuration with secrets as references (config::config_digest)
  // "hmac-sha256:<hex>" of the exact configuration deployed, keyed by the
  // target's fingerprint key (Ledger::fingerprint): tells a secret that changed
  // behind the same reference, and names the exact bytes a rollback deploys.
  // "" in records from before ecp kept it (their config_digest hashed the exact bytes).
  std::string config_fingerprint;
  std::string strategy;
  std::string who;
  std::string holder;    // the lock holder that wrote it: "WHO on HOST (pid N)" ("" in older records)
  std::string when;      // RFC 3339, UTC: when the release started
  std::string finished;  // RFC 3339, UTC: when it ended ("" while in progress)
  std::string change_id;
  // The --set KEY=VALUE (a secret's value masked) and --values PATH it was given.
  std::vector<std::string> overrides;
  Outcome outcome = Outcome::in_progress;
  int from_revision = 0;  // the revision serving before this one (0: none)
  int rollback_to = 0;    // a rollback: the revision whose image and config it restored
  std::string message;    // why it failed
  // The port its instances are numbered from (instance_port()), so that putting this
  // revision back (a failed release's rollback, ecp rollback) uses its own port.
  // 0: a record from before ecp kept it.
  int base_port = 0;
  std::vector<InstanceEntry> instances;  // where it runs, with ports
  // Instances per location (ecp.yaml's replicas, or ecp scale's count); 0: a
  // record from before ecp kept it.
  int replicas = 0;
  // A scale or a failover installs nothing: its instances run the release of
  // this revision (the deploy or rollback that installed it). 0: its own.
  int runs = 0;
  std::optional<Promotion> promoted_from;
  std::string emergency;  // --emergency: why it went outside a change window or a freeze
  bool operator==(const Record&) const = default;
};

// The revision whose installed release `r`'s instances run: its own, or for a
// scale or a failover the one that installed what it runs.
inline int installed_revision(const Record& r) { return r.runs > 0 ? r.runs : r.revision; }

// One JSON object on one line; from_json throws Error(validation) naming `what`.
// record_json is the same object, for output that embeds it (ecp history, status).
std::string to_json(const Record& r);
nlohmann::json record_json(const Record& r);
Record record_from_json(std::string_view text, std::string_view what);

// Something that happened to the (app, env) besides a release.
struct Event {
  std::string type;  // "unlock"
  std::string who;
  std::string when;     // RFC 3339
  std::string message;  // e.g. whose lock was removed
  bool operator==(const Event&) const = default;
};
std::string to_json(const Event& e);
nlohmann::json event_json(const Event& e);
Event event_from_json(std::string_view text, std::string_view what);

// Milliseconds since 1970 (as text: text::rfc3339_ms).
std::int64_t now_ms();

}  // namespace ecp::ledger
