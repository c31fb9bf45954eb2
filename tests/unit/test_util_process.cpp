#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/process.hpp"

using namespace ecp;
using namespace std::chrono_literals;

TEST_CASE("ecp::process::run") {
  SUBCASE("argv words reach the program untouched: no shell in between") {
    auto r = process::run({"printf", "%s|", "a b", "$HOME", "'q'", "`x`", "; rm -rf /"});
    CHECK(r.ok());
    CHECK(r.out == "a b|$HOME|'q'|`x`|; rm -rf /|");
  }
  SUBCASE("exit status, stdout and stderr are kept apart") {
    auto r = process::run({"sh", "-c", "echo out; echo err >&2; exit 3"});
    CHECK(r.exit_code == 3);
    CHECK(r.out == "out\n");
    CHECK(r.err == "err\n");
    CHECK(r.last_line() == "err");
  }
  SUBCASE("stdin data and a large stdout do not deadlock") {
    std::string big(3 << 20, 'x');
    process::Options o;
    o.stdin_data = big;
    auto r = process::run({"cat"}, o);
    CHECK(r.ok());
    CHECK(r.out.size() == big.size());
  }
  SUBCASE("stdin from a file") {
    fs::TempDir d;
    fs::write_file_atomic(d.path() / "in", "from the file");
    process::Options o;
    o.stdin_file = d.path() / "in";
    CHECK(process::run({"cat"}, o).out == "from the file");
  }
  SUBCASE("a timeout ends the child and says so") {
    process::Options o;
    o.timeout = 200ms;
    auto start = std::chrono::steady_clock::now();
    auto r = process::run({"sleep", "30"}, o);
    CHECK(r.timed_out);
    CHECK(r.signal == SIGTERM);
    CHECK(std::chrono::steady_clock::now() - start < 20s);
  }
  SUBCASE("environment overrides and removals") {
    process::Options o;
    o.env = {{"ECP_TEST_A", "one two"}};
    o.unset_env = {"HOME"};
    auto r = process::run({"sh", "-c", "printf '%s|%s' \"$ECP_TEST_A\" \"${HOME-unset}\""}, o);
    CHECK(r.out == "one two|unset");
  }
  SUBCASE("lines are handed over as they come") {
    std::vector<std::string> lines;
    process::Options o;
    o.on_line = [&](std::string_view l) { lines.emplace_back(l); };
    auto r = process::run({"printf", "a\nb\nlast"}, o);
    CHECK(lines == std::vector<std::string>{"a", "b", "last"});
    CHECK(r.out == "a\nb\nlast");
  }
  SUBCASE("a program that does not exist is an io error naming it") {
    try {
      process::run({"ecp-no-such-program-here"});
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::io);
      CHECK(std::string(e.what()).find("ecp-no-such-program-here") != std::string::npos);
    }
  }
  SUBCASE("a grandchild holding stdout does not hang run()") {
    auto start = std::chrono::steady_clock::now();
    auto r = process::run({"sh", "-c", "sleep 20 & echo started"});
    CHECK(r.ok());
    CHECK(r.out == "started\n");
    CHECK(std::chrono::steady_clock::now() - start < 10s);
  }
}

TEST_CASE("ecp::process interrupts") {
  process::reset_interrupt();
  SUBCASE("SIGTERM under an InterruptScope cancels run() and kills the child") {
    process::InterruptScope scope;
    std::thread t([] {
      std::this_thread::sleep_for(300ms);
      ::kill(::getpid(), SIGTERM);
    });
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(process::run({"sleep", "30"}), Error);
    t.join();
    CHECK(process::interrupted());
    CHECK(process::interrupt_signal() == SIGTERM);
    CHECK(std::chrono::steady_clock::now() - start < 20s);
    SUBCASE("a Shield lets commands finish during the way back") {
      process::Shield shield;
      CHECK(process::run({"true"}).ok());
      CHECK_NOTHROW(process::check_interrupted());
    }
    process::reset_interrupt();
  }
  CHECK_FALSE(process::interrupted());
}

TEST_CASE("ecp::process::Child") {
  process::Child c({"sh", "-c", "while read -r l; do echo \"got $l\"; echo err >&2; done"});
  CHECK(c.write("one\ntwo\n"));
  CHECK(c.read_line(5s) == std::optional<std::string>("got one"));
  CHECK(c.read_line(5s) == std::optional<std::string>("got two"));
  CHECK_FALSE(c.read_line(100ms).has_value());
  CHECK(c.timed_out());
  c.close_stdin();
  CHECK(c.wait() == 0);
  CHECK(c.stderr_text() == "err\nerr\n");
}

TEST_CASE("ecp::process::find_program") {
  CHECK(process::find_program("sh").has_value());
  CHECK_FALSE(process::find_program("ecp-no-such-program-here").has_value());
}
