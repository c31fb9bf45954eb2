// parallel_for / parallel_try: every assertion holds however fast the machine is;
// the tests synchronise on latches and counters, never on time.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <stdexcept>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/parallel.hpp"

using namespace ecp;

TEST_CASE("ecp::parallel_for") {
  SUBCASE("runs every item once") {
    std::vector<std::atomic<int>> hit(100);
    parallel_for(hit.size(), 4, [&](std::size_t i) { ++hit[i]; });
    CHECK(std::all_of(hit.begin(), hit.end(), [](const auto& h) { return h.load() == 1; }));
  }
  SUBCASE("no items, no calls; jobs below 1 means 1") {
    parallel_for(0, 4, [](std::size_t) { FAIL("no items"); });
    int ran = 0;  // one job: no other thread, so a plain int is safe
    parallel_for(5, 0, [&](std::size_t) { ++ran; });
    CHECK(ran == 5);
  }
  SUBCASE("never more than `jobs` items at once") {
    std::atomic<int> running{0}, most{0};
    parallel_for(200, 3, [&](std::size_t) {
      int now = ++running;
      for (int m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
      }
      std::this_thread::yield();
      --running;
    });
    CHECK(most.load() >= 1);
    CHECK(most.load() <= 3);
  }
  SUBCASE("really runs `jobs` items at once") {
    // Each of the first three waits for the other two: with fewer than three
    // threads this would never return.
    std::latch all_three(3);
    parallel_for(3, 3, [&](std::size_t) { all_three.arrive_and_wait(); });
    CHECK(all_three.try_wait());
  }
  SUBCASE("one job: nothing starts after the first failure, which is rethrown") {
    std::vector<std::size_t> ran;
    CHECK_THROWS_WITH_AS(parallel_for(10, 1,
                                      [&](std::size_t i) {
                                        ran.push_back(i);
                                        if (i == 3) fail(ErrorKind::registry, "item {}", i);
                                      }),
                         "item 3", Error);
    CHECK(ran == std::vector<std::size_t>{0, 1, 2, 3});
  }
  SUBCASE("several jobs: the error comes out after every started item finished") {
    std::atomic<int> started{0}, finished{0};
    CHECK_THROWS_WITH_AS(parallel_for(50, 3,
                                      [&](std::size_t i) {
                                        ++started;
                                        std::this_thread::yield();
                                        ++finished;
                                        if (i == 7) throw std::runtime_error("seven");
                                      }),
                         "seven", std::runtime_error);
    CHECK(started.load() == finished.load());
    CHECK(started.load() >= 8);
  }
}

TEST_CASE("ecp::parallel_try") {
  std::atomic<int> ran{0};
  auto errors = parallel_try(20, 4, [&](std::size_t i) {
    ++ran;
    if (i % 5 == 0) fail(ErrorKind::io, "item {}", i);
  });
  CHECK(ran.load() == 20);  // a failure stops nothing
  REQUIRE(errors.size() == 20);
  for (std::size_t i = 0; i < errors.size(); ++i) {
    CAPTURE(i);
    CHECK(static_cast<bool>(errors[i]) == (i % 5 == 0));
  }
  CHECK_THROWS_WITH(std::rethrow_exception(errors[10]), "item 10");
  CHECK(parallel_try(0, 4, [](std::size_t) { FAIL("no items"); }).empty());
}
