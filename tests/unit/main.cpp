#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "plugins/builtin.hpp"

// As cli/run.cpp does for ecp: the built-in plugins are registered once, before any test.
int main(int argc, char** argv) {
  ecp::plugins::register_builtin_backends();
  return doctest::Context(argc, argv).run();
}
