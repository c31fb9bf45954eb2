#pragma once
// A small key -> bytes store: the one interface that backends implement at their
// target (backend::Backend::state) and that the ledger and its lock read and write.
// It lives here, below both, because ledger and backend may not know each other.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecp {

// Keys are relative paths of [a-z0-9._/-].
class KvStore {
 public:
  virtual ~KvStore() = default;
  virtual std::optional<std::string> get(const std::string& key) = 0;
  // Every entry whose key starts with `prefix`, sorted by key.
  virtual std::vector<std::pair<std::string, std::string>> list(const std::string& prefix) = 0;
  // Replaces atomically: readers see the old or the new bytes.
  virtual void put(const std::string& key, std::string_view data) = 0;
  // Compare-and-swap: writes only when the current bytes equal `expected`
  // (nullopt: only when the key is absent). Returns false when they did not.
  virtual bool put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) = 0;
  // Removes the key only when its bytes equal `expected`.
  virtual bool remove_if(const std::string& key, const std::string& expected) = 0;
  // Where get(key) finds the bytes, for a message that sends someone to look:
  // a file on a host, containers of an engine. By default the key itself.
  virtual std::string describe(const std::string& key) { return key; }
};

}  // namespace ecp
