#pragma once
// `ecp top`: the busiest locations (CPU, then memory) and instances (CPU, then
// resident memory) of one environment's target, of a named target, or of every
// target, from one sample each backend takes over `sample`.
#include <chrono>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/ops/validate.hpp"

namespace ecp::ops {

struct TopOptions {
  ValidateOptions project;
  std::string env;     // the instances of this (app, env) on its target
  std::string target;  // every instance on this target
  bool all = false;    // every target of the targets file; none of the three: those the environments name
  int limit = 5;       // rows per table; 0: all
  std::chrono::milliseconds sample = std::chrono::seconds(1);
};

struct TopLocation {
  std::string target;
  backend::LocationMetrics metrics;
};

struct TopInstance {
  std::string target;
  backend::InstanceMetrics metrics;
};

struct TopResult {
  std::vector<TopLocation> locations;  // busiest first, at most `limit`
  std::vector<TopInstance> instances;  // busiest first, at most `limit`
  int locations_total = 0, instances_total = 0;
  std::vector<std::string> unreachable;  // "TARGET: LOCATION: why"
  std::vector<std::string> notes;        // "TARGET: what it cannot show"
};

TopResult top(const TopOptions& options);

// Busiest first (pure; unit-tested): locations by CPU then memory used,
// instances by CPU then resident memory.
void sort_busiest(std::vector<TopLocation>& locations, std::vector<TopInstance>& instances);

}  // namespace ecp::ops
