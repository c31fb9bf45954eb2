#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include <iostream>
#include <iterator>

#include "cli/registry_flags.hpp"
#include "core/ops/login.hpp"
#include "core/util/error.hpp"

namespace ecp::cli {

namespace {

// Reads the password: all of stdin (--password-stdin), or a prompt without echo
// on a terminal. Never interactive when stdin is not a terminal.
std::string read_password(bool from_stdin) {
  std::string pw;
  if (from_stdin) {
    pw.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    if (::isatty(STDIN_FILENO) != 1)
      fail(ErrorKind::usage, "stdin is not a terminal: pass the password on stdin with --password-stdin");
    termios old {};
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    fmt::print(stderr, "Password: ");
    std::fflush(stderr);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, pw);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    fmt::print(stderr, "\n");
  }
  while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
  return pw;
}

}  // namespace

void add_login(CommandTree& t) {
  auto opts = std::make_shared<ops::LoginOptions>();
  auto from_stdin = std::make_shared<bool>(false);
  auto* cmd = t.add(&t.root, "login", "Check credentials against a registry and store them for docker, podman and ecp",
                    [&g = t.globals, opts, from_stdin](Output& out) {
                      opts->registry.project = project_of(g);
                      opts->password = read_password(*from_stdin);
                      auto r = ops::login(*opts);
                      out.text(fmt::format("logged in to {}{}; credentials stored in {}", r.registry,
                                           r.verified ? "" : " (it asks for no credentials)", r.stored_in));
                      out.result({{"registry", r.registry}, {"verified", r.verified}, {"stored_in", r.stored_in}});
                      return 0;
                    });
  cmd->add_option("REGISTRY", opts->server, "The registry: HOST[:PORT]")->required();
  cmd->add_option("-u,--username", opts->username, "The user name")->required()->type_name("USER");
  cmd->add_flag("--password-stdin", *from_stdin, "Read the password from stdin");
  add_registry_flags(cmd, opts->registry, false);
}

void add_logout(CommandTree& t) {
  auto server = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "logout", "Remove the stored credentials of a registry", [server](Output& out) {
    auto r = ops::logout(*server);
    out.text(r.removed ? fmt::format("removed the credentials of {}", r.registry)
                       : fmt::format("no credentials were stored for {}", r.registry));
    out.result({{"registry", r.registry}, {"removed", r.removed}});
    return 0;
  });
  cmd->add_option("REGISTRY", *server, "The registry: HOST[:PORT]")->required();
}

}  // namespace ecp::cli
