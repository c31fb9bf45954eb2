#include "core/registry/credentials.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "core/oci/json.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::registry {
namespace stdfs = std::filesystem;
namespace {

constexpr std::string_view hub_key = "https://index.docker.io/v1/";

bool is_hub(std::string_view host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

// "https://host:port/v1/" -> "host:port"
std::string normalise_key(std::string_view key) {
  if (auto p = key.find("://"); p != std::string_view::npos) key = key.substr(p + 3);
  key = key.substr(0, key.find('/'));
  return std::string(key);
}

bool key_matches(std::string_view key, std::string_view registry) {
  auto k = normalise_key(key);
  return k == registry || (is_hub(k) && is_hub(registry));
}

oci::Json read_config(const stdfs::path& path) {
  std::error_code ec;
  if (!stdfs::exists(path, ec)) return oci::Json::object();
  std::string text;
  try {
    text = fs::read_file(path, 16u << 20);
  } catch (const Error& e) {
    fail(ErrorKind::auth, "{}", e.what());
  }
  auto j = oci::Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail(ErrorKind::auth, "{}: not a valid docker config (JSON object)", path.string());
  return j;
}

void write_config(const stdfs::path& path, const oci::Json& j) {
  std::error_code ec;
  if (!stdfs::exists(path.parent_path(), ec)) {
    stdfs::create_directories(path.parent_path(), ec);
    ::chmod(path.parent_path().c_str(), 0700);
  }
  fs::write_file_atomic(path, j.dump(1, '\t') + "\n", 0600);
}

// The helper for a registry: credHelpers first, then credsStore. "" = none.
std::string helper_for(const oci::Json& j, std::string_view registry) {
  if (auto it = j.find("credHelpers"); it != j.end() && it->is_object())
    for (const auto& [k, v] : it->items())
      if (v.is_string() && key_matches(k, registry)) return v.get<std::string>();
  if (auto it = j.find("credsStore"); it != j.end() && it->is_string()) return it->get<std::string>();
  return {};
}

Credentials from_helper(const std::string& helper, std::string_view registry) {
  auto r = run_credential_helper(helper, "get", config_key(registry));
  if (r.exit_code != 0) {
    // Helpers say "credentials not found in native keychain" for an unknown registry.
    if (r.out.find("not found") != std::string::npos || r.err.find("not found") != std::string::npos) return {};
    fail(ErrorKind::auth, "docker-credential-{} get {} failed (exit {}): {}", helper, config_key(registry), r.exit_code,
         r.err.empty() ? r.out : r.err);
  }
  auto j = oci::Json::parse(r.out, nullptr, false);
  if (!j.is_object()) fail(ErrorKind::auth, "docker-credential-{} get: the answer is not a JSON object", helper);
  Credentials c;
  std::string user = j.value("Username", ""), secret = j.value("Secret", "");
  if (user == "<token>")
    c.identity_token = secret;
  else {
    c.username = user;
    c.password = secret;
  }
  return c;
}

}  // namespace

stdfs::path docker_config_path() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return stdfs::path(d) / "config.json";
  const char* home = std::getenv("HOME");
  return stdfs::path(home && *home ? home : "/") / ".docker" / "config.json";
}

std::vector<stdfs::path> credential_files() {
  std::vector<stdfs::path> files{docker_config_path()};
  auto add = [&files](const stdfs::path& p) {
    std::error_code ec;
    if (std::find(files.begin(), files.end(), p) == files.end() && stdfs::exists(p, ec)) files.push_back(p);
  };
  if (const char* f = std::getenv("REGISTRY_AUTH_FILE"); f && *f) add(f);
  if (const char* r = std::getenv("XDG_RUNTIME_DIR"); r && *r) add(stdfs::path(r) / "containers" / "auth.json");
  if (const char* home = std::getenv("HOME"); home && *home)
    add(stdfs::path(home) / ".config" / "containers" / "auth.json");
  return files;
}

Credentials find_credentials(std::string_view registry) {
  for (const auto& file : credential_files())
    if (auto c = find_credentials(registry, file); !c.empty()) {
      log::debug("registry {}: credentials from {}", registry, file.string());
      return c;
    }
  return {};
}

std::string config_key(std::string_view registry) {
  if (is_hub(registry)) return std::string(hub_key);
  return std::string(registry);
}

Credentials find_credentials(std::string_view registry, const stdfs::path& config) {
  auto j = read_config(config);
  if (auto helper = helper_for(j, registry); !helper.empty()) {
    auto c = from_helper(helper, registry);
    if (!c.empty()) return c;
  }
  auto it = j.find("auths");
  if (it == j.end() || !it->is_object()) return {};
  for (const auto& [k, v] : it->items()) {
    if (!v.is_object() || !key_matches(k, registry)) continue;
    Credentials c;
    if (auto a = v.find("auth"); a != v.end() && a->is_string() && !a->get<std::string>().empty()) {
      std::string plain;
      try {
        plain = text::base64_decode(a->get<std::string>());
      } catch (const Error&) {
        fail(ErrorKind::auth, "{}: auths.{}.auth is not valid base64", config.string(), k);
      }
      auto colon = plain.find(':');
      if (colon == std::string::npos)
        fail(ErrorKind::auth, "{}: auths.{}.auth does not hold user:password", config.string(), k);
      c.username = plain.substr(0, colon);
      c.password = plain.substr(colon + 1);
    } else {
      c.username = v.value("username", "");
      c.password = v.value("password", "");
    }
    if (auto t = v.find("identitytoken"); t != v.end() && t->is_string()) c.identity_token = t->get<std::string>();
    if (!c.empty()) return c;
  }
  return {};
}

std::string store_credentials(std::string_view registry, const Credentials& c, const stdfs::path& config) {
  auto j = read_config(config);
  std::string key = config_key(registry);
  if (auto helper = helper_for(j, registry); !helper.empty()) {
    oci::Json in = {{"ServerURL", key}, {"Username", c.username}, {"Secret", c.password}};
    auto r = run_credential_helper(helper, "store", in.dump());
    if (r.exit_code != 0)
      fail(ErrorKind::auth, "docker-credential-{} store failed (exit {}): {}", helper, r.exit_code,
           r.err.empty() ? r.out : r.err);
    // docker leaves an empty entry in auths so that tools list the registry.
    j["auths"][key] = oci::Json::object();
    write_config(config, j);
    return "docker-credential-" + helper;
  }
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = oci::Json::object();
  auto& auths = j["auths"];
  for (auto it = auths.begin(); it != auths.end();)  // one entry per registry
    it = key_matches(it.key(), registry) && it.key() != key ? auths.erase(it) : std::next(it);
  auths[key] = {{"auth", text::base64_encode(c.username + ":" + c.password)}};
  write_config(config, j);
  return config.string();
}

bool erase_credentials(std::string_view registry, const stdfs::path& config) {
  auto j = read_config(config);
  bool found = false;
  if (auto helper = helper_for(j, registry); !helper.empty()) {
    auto r = run_credential_helper(helper, "erase", config_key(registry));
    if (r.exit_code == 0) found = true;
  }
  if (auto it = j.find("auths"); it != j.end() && it->is_object()) {
    for (auto a = it->begin(); a != it->end();) {
      if (key_matches(a.key(), registry)) {
        a = it->erase(a);
        found = true;
      } else {
        ++a;
      }
    }
  }
  if (found) write_config(config, j);
  return found;
}

}  // namespace ecp::registry
