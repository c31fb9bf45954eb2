#include "core/ledger/lock.hpp"

#include <nlohmann/json.hpp>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::ledger {

using Json = nlohmann::json;

std::string to_json(const Lease& l) {
  return Json{{"holder", l.holder},
              {"operation", l.operation},
              {"since", text::rfc3339_ms(l.since_ms)},
              {"expires", text::rfc3339_ms(l.expires_ms)},
              {"since_ms", l.since_ms},
              {"expires_ms", l.expires_ms},
              {"token", l.token},
              {"pid_space", l.pid_space},
              {"pid", l.pid}}
             .dump(-1, ' ', false, Json::error_handler_t::replace) +
         "\n";
}

std::optional<Lease> lease_from_json(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  Lease l;
  l.holder = j.value("holder", "");
  l.operation = j.value("operation", "");
  l.since_ms = j.value("since_ms", std::int64_t{0});
  l.expires_ms = j.value("expires_ms", std::int64_t{0});
  l.token = j.value("token", "");
  l.pid_space = j.value("pid_space", "");
  l.pid = j.value("pid", 0);
  return l;
}

namespace {
// What bytes that are not a lease show as: expired, held by nobody known.
Lease unreadable_lease() {
  Lease l;
  l.holder = "(unreadable lock.json)";
  return l;
}
}  // namespace

std::optional<Lease> read_lock(KvStore& storage) {
  auto raw = storage.get(lock_key);
  if (!raw) return std::nullopt;
  auto l = lease_from_json(*raw);
  // Unreadable bytes still lock (try_acquire refuses them); shown as held by nobody known.
  return l ? l : std::optional<Lease>(unreadable_lease());
}

Attempt try_acquire(KvStore& storage, const Lease& wanted, std::int64_t now,
                    const std::function<bool(const Lease&)>& holder_gone) {
  Attempt a;
  // Free is the common case: the create is the compare-and-swap, one round trip.
  // Held, it is read; released between the two, the create is tried again.
  std::optional<std::string> raw;
  for (int attempt = 0; attempt < 2 && !raw; ++attempt) {
    if (storage.put_if(lock_key, to_json(wanted), std::nullopt)) {
      a.acquired = true;
      return a;
    }
    raw = storage.get(lock_key);
  }
  if (!raw) return a;  // taken and let go twice meanwhile: the caller tries again
  auto parsed = lease_from_json(*raw);
  if (!parsed) {
    a.unreadable = true;
    a.holder = read_lock(storage);
    return a;
  }
  const Lease& held = *parsed;
  if (held.expires_ms > now && !(holder_gone && holder_gone(held))) {
    a.holder = held;
    return a;
  }
  // Expired or orphaned: replace exactly the bytes we read, so only one taker wins.
  a.acquired = storage.put_if(lock_key, to_json(wanted), raw);
  if (a.acquired)
    a.took_over = held;
  else
    a.holder = read_lock(storage);
  return a;
}

HeldLock::HeldLock(KvStore& storage, Lease lease, std::chrono::milliseconds length, Clock& clock)
    : storage_(storage), length_(length), clock_(clock), lease_(std::move(lease)) {
  stored_ = to_json(lease_);
  renewer_ = std::jthread([this](std::stop_token st) { renew_loop(st); });
}

HeldLock::~HeldLock() { release(); }

bool HeldLock::lost() const {
  std::lock_guard l(mu_);
  return lost_;
}

Lease HeldLock::lease() const {
  std::lock_guard l(mu_);
  return lease_;
}

void HeldLock::renew_loop(std::stop_token stop) {
  auto period = std::max(length_ / 3, std::chrono::milliseconds(50));
  // A lost lease is not renewed again; the loop still sleeps until stopped.
  while (clock_.sleep_for(period, stop))
    if (!lost()) renew();
}

bool HeldLock::renew() {
  std::lock_guard one(renewing_);
  std::unique_lock l(mu_);
  if (lost_ || released_) return !lost_;
  Lease next = lease_;
  next.expires_ms = clock_.unix_ms() + length_.count();
  std::string bytes = to_json(next);
  std::string expected = stored_;
  l.unlock();
  bool ok = false, failed = false;
  try {
    ok = storage_.put_if(lock_key, bytes, expected);
  } catch (const std::exception& e) {
    failed = true;
    log::debug("lock: renewing the lease failed: {}", e.what());
  }
  l.lock();
  if (ok) {
    lease_ = next;
    stored_ = bytes;
  } else if (!failed || clock_.unix_ms() > lease_.expires_ms) {
    // Someone else's bytes, or a store we could not reach until the lease ran out.
    lost_ = true;
    log::warn("the lock on {} is no longer ours (forced unlock or expired lease)", lease_.operation);
  }
  return !lost_;
}

void HeldLock::release() {
  {
    std::lock_guard l(mu_);
    if (released_) return;
    released_ = true;
  }
  renewer_.request_stop();
  if (renewer_.joinable()) renewer_.join();
  std::lock_guard one(renewing_);  // a renew() of another thread has finished
  if (lost()) return;
  try {
    storage_.remove_if(lock_key, stored_);
  } catch (const std::exception& e) {
    log::warn("could not remove the lock (it expires by itself at {}): {}", text::rfc3339_ms(lease_.expires_ms),
              e.what());
  }
}

std::optional<Lease> force_unlock(KvStore& storage) {
  for (int i = 0; i < 5; ++i) {
    auto raw = storage.get(lock_key);
    if (!raw) return std::nullopt;
    if (storage.remove_if(lock_key, *raw)) return lease_from_json(*raw).value_or(unreadable_lease());
  }
  fail(ErrorKind::lock_held, "the lock changed five times while removing it; try again");
}

}  // namespace ecp::ledger
