#include "core/util/log.hpp"

#include <mutex>

namespace ecp::log {
namespace {
std::mutex sink_mutex;
Sink& sink() {
  static Sink s;
  return s;
}
}  // namespace

void set_sink(Sink s) {
  std::lock_guard lock(sink_mutex);
  sink() = std::move(s);
}

void write(Level level, std::string_view message) {
  std::lock_guard lock(sink_mutex);
  if (sink()) sink()(level, message);
}

}  // namespace ecp::log
