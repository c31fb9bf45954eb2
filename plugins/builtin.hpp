#pragma once
// The plugins compiled into ecp. cli/run.cpp registers them once, at startup,
// before any command runs; everything else finds them in backend::builtin_table().

namespace ecp::plugins {

// Adds every built-in plugin (today: "host") to backend::builtin_table().
void register_builtin_backends();

}  // namespace ecp::plugins
