#pragma once
// The KvStore contract in memory, for the ledger, lock and release engine tests.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/kv_store.hpp"

namespace ecp::testing {

// The real ones are the host agent and the plugins.
class MemoryStore : public KvStore {
 public:
  std::optional<std::string> get(const std::string& key) override {
    std::lock_guard l(mu);
    auto it = data.find(key);
    return it == data.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  std::vector<std::pair<std::string, std::string>> list(const std::string& prefix) override {
    std::lock_guard l(mu);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : data)
      if (k.starts_with(prefix)) out.emplace_back(k, v);
    return out;
  }
  void put(const std::string& key, std::string_view d) override {
    std::lock_guard l(mu);
    check();
    data[key] = std::string(d);
  }
  bool put_if(const std::string& key, std::string_view d, const std::optional<std::string>& expected) override {
    std::lock_guard l(mu);
    check();
    auto it = data.find(key);
    bool match = expected ? (it != data.end() && it->second == *expected) : it == data.end();
    if (match) data[key] = std::string(d);
    return match;
  }
  bool remove_if(const std::string& key, const std::string& expected) override {
    std::lock_guard l(mu);
    auto it = data.find(key);
    if (it == data.end() || it->second != expected) return false;
    data.erase(it);
    return true;
  }
  // Writes fail as an unreachable target's would.
  void set_unreachable(bool u) {
    std::lock_guard l(mu);
    unreachable = u;
  }
  std::mutex mu;
  std::map<std::string, std::string> data;

 private:
  void check() const {
    if (unreachable) fail(ErrorKind::io, "the target's state cannot be reached");
  }
  bool unreachable = false;
};

}  // namespace ecp::testing
