#pragma once
// Core modules never print. They report through this sink, which cli/ installs
// (text on stderr, or JSON event lines with --output json).
#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace ecp::log {

enum class Level { debug, info, warn };

using Sink = std::function<void(Level, std::string_view)>;

void set_sink(Sink sink);
void write(Level level, std::string_view message);

template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace ecp::log
