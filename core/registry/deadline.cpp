#include "core/registry/deadline.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ecp::registry {
namespace {

std::string seconds(std::chrono::milliseconds d) {
  return fmt::format("{:g} s", static_cast<double>(d.count()) / 1000);
}

}  // namespace

std::chrono::milliseconds DeadlinePolicy::for_bytes(std::int64_t bytes) const {
  if (fixed.count() > 0) return fixed;
  bytes = std::clamp<std::int64_t>(bytes, 0, std::int64_t(1) << 50);  // a hostile size must not overflow
  return base + std::chrono::milliseconds(bytes * 1000 / std::max<std::int64_t>(1, min_rate));
}

std::string DeadlinePolicy::describe(std::int64_t bytes) const {
  if (fixed.count() > 0) return fmt::format("{} (--timeout)", seconds(fixed));
  return fmt::format("{} ({} + 1 s per {} KiB of the {} bytes expected; --timeout sets another)",
                     seconds(for_bytes(bytes)), seconds(base), min_rate >> 10, std::max<std::int64_t>(0, bytes));
}

}  // namespace ecp::registry
