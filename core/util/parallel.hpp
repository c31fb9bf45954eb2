#pragma once
// Bounded parallelism, written once: fn(0..n-1) on at most `jobs` threads (the
// calling thread is one of them, so jobs = 1 or n = 1 starts no thread at all).
// Items are handed out in index order to whichever thread is free.
#include <cstddef>
#include <exception>
#include <functional>
#include <vector>

namespace ecp {

// The default number of parallel jobs: the number of cores.
int default_jobs();

// After the first failure no new item starts; the first error (in time) is
// rethrown once every running item has finished.
void parallel_for(std::size_t n, int jobs, const std::function<void(std::size_t)>& fn);

// Every item runs, whatever the others do; the result holds each item's error
// (null for an item that succeeded), for callers that report every failure (one
// line per host) rather than the first.
std::vector<std::exception_ptr> parallel_try(std::size_t n, int jobs, const std::function<void(std::size_t)>& fn);

}  // namespace ecp
