#pragma once
// The (app, env) lock: a lease stored at the target (key "lock.json") with who
// holds it, since when, and until when. The holder renews it while it works; a
// holder that crashed stops renewing, so its lease expires and the next release
// may take it over. Every change is a compare-and-swap on the stored bytes, so two
// releases racing for an expired lease cannot both win.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/ledger/ledger.hpp"
#include "core/util/clock.hpp"

namespace ecp::ledger {

inline constexpr const char* lock_key = "lock.json";

struct Lease {
  std::string holder;     // "alice@laptop pid 4242"
  std::string operation;  // "deploy hello/dev"
  std::int64_t since_ms = 0;
  std::int64_t expires_ms = 0;
  std::string token;  // random per acquisition: tells two holders apart
  // Where the holder runs: its PID space (process::pid_space()) and pid, so that
  // a taker in the same space can see the holder is gone without waiting for
  // the lease (empty / 0 in older leases: the lease decides alone).
  std::string pid_space;
  int pid = 0;
  bool operator==(const Lease&) const = default;
};

std::string to_json(const Lease& l);
std::optional<Lease> lease_from_json(std::string_view text);

struct Attempt {
  bool acquired = false;
  bool unreadable = false;         // not acquired: the stored lock is not a lease (an error, not "free")
  std::optional<Lease> holder;     // not acquired: who holds it
  std::optional<Lease> took_over;  // acquired: the expired (or orphaned) lease it replaced
};

// One try: takes the lock when it is free, its lease expired at `now_ms`, or
// `holder_gone` says its holder no longer runs. Bytes that are not a lease
// are never taken over: `unreadable`, for a person to look at.
Attempt try_acquire(KvStore& storage, const Lease& wanted, std::int64_t now_ms,
                    const std::function<bool(const Lease&)>& holder_gone = nullptr);

// A lease ecp holds: renewed in the background every third of its length until
// release() or destruction. If the stored lease stops being ours (someone ran
// `ecp unlock --force`), or it cannot be renewed before it expires, lost() turns
// true and the release should stop. `clock` times the renewals and the lease
// (tests pass a manual one).
class HeldLock {
 public:
  HeldLock(KvStore& storage, Lease lease, std::chrono::milliseconds length, Clock& clock = system_clock());
  ~HeldLock();
  HeldLock(const HeldLock&) = delete;
  HeldLock& operator=(const HeldLock&) = delete;

  bool lost() const;
  // Stops renewing and removes the lease if it is still ours. Never throws.
  void release();
  Lease lease() const;
  // One renewal, as the background loop does it; false when the lease is lost.
  bool renew();

 private:
  void renew_loop(std::stop_token stop);
  KvStore& storage_;
  std::chrono::milliseconds length_;
  Clock& clock_;
  std::mutex renewing_;  // one renewal at a time: each swaps the bytes the last one wrote
  mutable std::mutex mu_;
  Lease lease_;
  std::string stored_;  // the exact bytes of our lease at the target
  bool lost_ = false;
  bool released_ = false;
  std::jthread renewer_;
};

// Removes whatever lease is stored (ecp unlock --force). Returns it, nullopt when
// there was none.
std::optional<Lease> force_unlock(KvStore& storage);

// Reads the stored lease (nullopt: unlocked).
std::optional<Lease> read_lock(KvStore& storage);

}  // namespace ecp::ledger
