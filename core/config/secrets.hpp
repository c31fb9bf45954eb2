#pragma once
// Secret references. A value written
//   secret:env:NAME        is the environment variable NAME of the ecp process;
//   secret:file:PATH       is the content of PATH (relative to the folder of the file
//                          that holds the reference; the current folder for --set),
//                          which must not be readable by everyone;
//   secret:cmd:NAME[:ARG]  is what the program ecp-secret-NAME (found on PATH, run
//                          without a shell as "ecp-secret-NAME [ARG]") prints.
// File and command values lose one trailing newline. References are resolved only
// when a configuration is rendered; everywhere else a secret shows as mask().
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/model.hpp"

namespace ecp::config {

enum class SecretKind { env, file, cmd };

struct SecretRef {
  SecretKind kind = SecretKind::env;
  std::string name;  // env: the variable; file: the path as written; cmd: NAME
  std::string arg;   // cmd: the text after NAME: (may be empty)
  std::string text;  // the whole reference as written
};

inline constexpr std::string_view secret_prefix = "secret:";

// true when `text` starts with "secret:" (and so must be a valid reference).
bool is_secret_ref(std::string_view text);
// A reference, or nullopt with `problem` saying what is wrong with it.
std::optional<SecretRef> parse_secret_ref(std::string_view text, std::string& problem);

// "••••" and the first 6 hex digits of the value's HMAC-SHA256 under the
// fingerprint key: the value stays hidden and a change shows, but without the
// key a guess of a weak secret cannot be confirmed (issue 13 §4).
std::string mask(std::string_view value);

// Where mask() gets its key, asked once, on the first mask(). The CLI sets the
// one kept in ECP_HOME (0600); unset, a key is made at random for this process.
void set_fingerprint_key_source(std::function<std::string()> source);

// Who asks, for messages and for the command hook's environment.
struct SecretContext {
  std::string app;
  std::string env;
  std::string key;
  Origin origin;  // where the reference is written
};

class SecretResolver {
 public:
  virtual ~SecretResolver() = default;
  // The secret's value. Throws Error(validation) naming the origin, key and reference.
  virtual std::string resolve(const SecretRef& ref, const SecretContext& where) const = 0;
};

// Reads the process environment and files, and runs ecp-secret-NAME from PATH with
// ECP_SECRET_KEY, ECP_SECRET_ENV and ECP_SECRET_APP added to its environment; its
// standard input is /dev/null, its standard error is kept for the error message.
class SystemSecretResolver : public SecretResolver {
 public:
  std::string resolve(const SecretRef& ref, const SecretContext& where) const override;
};

// What a finished helper produced.
struct CommandResult {
  int status = 0;  // the exit status; 128+N for a signal N; 127 when it could not start
  std::string out;
  std::string err;
};

// Runs argv (argv[0] looked up on PATH, no shell) with `extra_env` ("NAME=VALUE")
// added to the environment. Throws Error(io) when the program cannot be started or
// does not finish within 2 minutes.
CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env);

}  // namespace ecp::config
