#include "core/config/secrets.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <utility>

#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace ecp::config {
namespace {

constexpr std::size_t max_secret_bytes = std::size_t(1) << 20;

bool env_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

bool helper_name(std::string_view s) {
  if (s.empty() || s.size() > 63 || s[0] == '-') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

void drop_one_newline(std::string& s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
}

[[noreturn]] void refuse(const SecretContext& w, const SecretRef& ref, std::string_view why) {
  fail(ErrorKind::validation, "{}: {}: {}: {}", to_string(w.origin), w.key, ref.text, why);
}

std::string read_secret_file(const SecretRef& ref, const SecretContext& w) {
  std::filesystem::path path = ref.name;
  if (path.is_relative() && w.origin.file != "--set" && !w.origin.file.empty())
    path = std::filesystem::path(w.origin.file).parent_path() / path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    refuse(w, ref, fmt::format("cannot read the secret file {}: {}", path.string(), std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) refuse(w, ref, fmt::format("the secret file {} is not a regular file", path.string()));
  if (st.st_mode & S_IROTH)
    refuse(w, ref,
           fmt::format("the secret file {} is readable by everyone (mode {:04o}); run: chmod o-r {}", path.string(),
                       st.st_mode & 07777, path.string()));
  if (std::size_t(st.st_size) > max_secret_bytes)
    refuse(w, ref, fmt::format("the secret file {} is larger than 1 MiB", path.string()));
  std::string value;
  try {
    value = fs::read_file(path, max_secret_bytes);
  } catch (const Error& e) {
    refuse(w, ref, e.what());
  }
  drop_one_newline(value);
  return value;
}

std::string run_helper(const SecretRef& ref, const SecretContext& w) {
  std::vector<std::string> argv{"ecp-secret-" + ref.name};
  if (!ref.arg.empty()) argv.push_back(ref.arg);
  std::vector<std::string> env{"ECP_SECRET_KEY=" + w.key, "ECP_SECRET_ENV=" + w.env, "ECP_SECRET_APP=" + w.app};
  CommandResult r;
  try {
    r = run_command(argv, env);
  } catch (const Error& e) {
    refuse(w, ref, e.what());
  }
  if (r.status == 127 && r.err.empty())
    refuse(w, ref, fmt::format("{} was not found on PATH (the secret hook runs ecp-secret-NAME)", argv[0]));
  if (r.status != 0) {
    std::string err = r.err.substr(0, 400);
    while (!err.empty() && std::isspace(static_cast<unsigned char>(err.back()))) err.pop_back();
    refuse(w, ref, fmt::format("{} exited with status {}{}{}", argv[0], r.status, err.empty() ? "" : ": ", err));
  }
  if (r.out.size() > max_secret_bytes) refuse(w, ref, fmt::format("{} printed more than 1 MiB", argv[0]));
  drop_one_newline(r.out);
  return r.out;
}

}  // namespace

bool is_secret_ref(std::string_view text) { return text.substr(0, secret_prefix.size()) == secret_prefix; }

std::optional<SecretRef> parse_secret_ref(std::string_view text, std::string& problem) {
  static constexpr std::string_view usage = "use secret:env:NAME, secret:file:PATH or secret:cmd:NAME[:ARG]";
  problem.clear();
  if (!is_secret_ref(text)) {
    problem = fmt::format("not a secret reference ({})", usage);
    return std::nullopt;
  }
  std::string_view rest = text.substr(secret_prefix.size());
  SecretRef ref;
  ref.text = std::string(text);
  auto colon = rest.find(':');
  std::string_view kind = rest.substr(0, colon);
  std::string_view body = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  if (kind == "env") {
    ref.kind = SecretKind::env;
    if (!env_name(body)) problem = fmt::format("'{}' is not an environment variable name", body);
    ref.name = std::string(body);
  } else if (kind == "file") {
    ref.kind = SecretKind::file;
    if (body.empty()) problem = "the path is missing";
    ref.name = std::string(body);
  } else if (kind == "cmd") {
    ref.kind = SecretKind::cmd;
    auto c = body.find(':');
    ref.name = std::string(body.substr(0, c));
    if (c != std::string_view::npos) ref.arg = std::string(body.substr(c + 1));
    if (!helper_name(ref.name))
      problem = fmt::format("'{}' is not a helper name (a-z, 0-9, '-' and '_'; runs ecp-secret-NAME)", ref.name);
  } else {
    problem = fmt::format("unknown kind '{}' ({})", kind, usage);
  }
  if (!problem.empty()) return std::nullopt;
  return ref;
}

namespace {
struct FingerprintKey {
  std::mutex mutex;
  std::function<std::string()> source;
  std::optional<std::string> key;  // asked of `source` on the first mask()
};
FingerprintKey& fingerprint_key() {
  static FingerprintKey k;
  return k;
}
}  // namespace

void set_fingerprint_key_source(std::function<std::string()> source) {
  auto& k = fingerprint_key();
  std::lock_guard lock(k.mutex);
  k.source = std::move(source);
  k.key.reset();
}

std::string mask(std::string_view value) {
  auto& k = fingerprint_key();
  std::unique_lock lock(k.mutex);
  if (!k.key) {
    if (k.source) {
      k.key = k.source();
    } else {
      std::random_device r;  // no key to keep: masks compare within this process only
      std::string bytes;
      for (int i = 0; i < 8; ++i) {
        auto v = r();
        bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
      }
      k.key = std::move(bytes);
    }
  }
  std::string key = *k.key;
  lock.unlock();
  return "\u2022\u2022\u2022\u2022" + oci::hmac_sha256_hex(key, value).substr(0, 6);
}

std::string SystemSecretResolver::resolve(const SecretRef& ref, const SecretContext& w) const {
  switch (ref.kind) {
    case SecretKind::env: {
      const char* v = std::getenv(ref.name.c_str());
      if (v == nullptr) refuse(w, ref, fmt::format("the environment variable {} is not set", ref.name));
      return v;
    }
    case SecretKind::file:
      return read_secret_file(ref, w);
    case SecretKind::cmd:
      return run_helper(ref, w);
  }
  refuse(w, ref, "unknown kind of secret");
}

}  // namespace ecp::config
