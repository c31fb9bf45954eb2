#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/backend/backend.hpp"
#include "core/backend/external.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

using namespace ecp;

namespace {
// Writes an executable plugin script answering `hello` with `answer` (a JSON result
// or error object), then any method with {} - or exiting, when answer is "exit".
std::filesystem::path plugin(const fs::TempDir& d, const std::string& answer) {
  auto p = d.path() / "ecp-plugin-unit";
  std::string script =
      "#!/bin/sh\n"
      "while IFS= read -r line; do\n"
      "  id=$(printf '%s' \"$line\" | sed -n 's/.*\"id\":\\([0-9]*\\).*/\\1/p')\n"
      "  case $line in\n"
      "    *'\"method\":\"hello\"'*) " +
      (answer == "exit" ? std::string("echo 'dying' >&2; exit 3") : "printf '{\"log\":\"hi\"}\\n{\"id\":%s,%s}\\n' \"$id\" '" + answer + "'") +
      " ;;\n"
      "    *'\"method\":\"state_get\"'*) printf '{\"id\":%s,\"result\":{\"data_b64\":\"aGVsbG8=\"}}\\n' \"$id\" ;;\n"
      "    *'\"method\":\"activate\"'*) printf '{\"id\":%s,\"error\":{\"kind\":\"permission\",\"message\":\"no\"}}\\n' "
      "\"$id\" ;;\n"
      "    *) printf '{\"id\":%s,\"result\":{}}\\n' \"$id\" ;;\n"
      "  esac\n"
      "done\n";
  fs::write_file_atomic(p, script, 0755);
  return p;
}
}  // namespace

TEST_CASE("ecp::backend::ExternalBackend") {
  fs::TempDir d;
  backend::TargetSpec t;
  t.name = "ext";
  t.plugin = "unit";
  backend::AppSpec a;
  SUBCASE("hello names locations and capabilities; calls and errors map to ecp errors") {
    auto p = plugin(d, "\"result\":{\"protocol\":1,\"capabilities\":{\"logs\":true},"
                       "\"locations\":[{\"name\":\"x\",\"address\":\"10.0.0.9\"}]}");
    backend::ExternalBackend b(p, t, a);
    CHECK(b.locations() == std::vector<std::string>{"x"});
    CHECK(b.address("x") == "10.0.0.9");
    CHECK(b.capabilities().logs);
    CHECK_FALSE(b.capabilities().route);
    CHECK(b.router() == nullptr);
    CHECK(b.state().get("k") == std::optional<std::string>("hello"));
    try {
      b.activate(3);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::permission);
      CHECK(std::string(e.what()) == "ecp-plugin-unit: no");
    }
  }
  SUBCASE("another protocol version is refused") {
    auto p = plugin(d, "\"result\":{\"protocol\":2,\"locations\":[{\"name\":\"x\"}]}");
    CHECK_THROWS_AS(backend::ExternalBackend(p, t, a), Error);
  }
  SUBCASE("a plugin that dies is an io error with what it said") {
    auto p = plugin(d, "exit");
    try {
      backend::ExternalBackend b(p, t, a);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::io);
      CHECK(std::string(e.what()).find("dying") != std::string::npos);
    }
  }
  SUBCASE("a plugin name that is neither built in nor on PATH") {
    t.plugin = "ecp-unit-no-such-plugin";
    CHECK_THROWS_AS(backend::open_backend(t, a), Error);
  }
}
