#pragma once
// ecp.yaml (the app team's descriptor) and ecp-targets.yaml (ops' targets file) as
// plain data. parse.hpp fills these structs from YAML and reports every problem;
// validate.hpp checks them against each other. Nothing here does I/O.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/strategy/settings.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::descriptor {

using Duration = std::chrono::milliseconds;

// Where a value is written, so later stages can say "ecp.yaml:12:5: ...".
// line and column are 1-based (column counts characters); line 0 = unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

// Field path ("environments.prod.replicas") -> where its value is written. Every key
// the parser saw is recorded, including keys whose value was invalid.
using Locations = std::map<std::string, Location, std::less<>>;

enum class AppType { jar, nginx, tomcat };

enum class BaseKind { scratch, oci_layout, docker_archive, registry };

struct BaseImage {
  BaseKind kind = BaseKind::scratch;
  std::string text = "scratch";  // as written
  std::string path;              // oci_layout, docker_archive: the file or folder (relative to the descriptor)
  std::string tag;               // oci_layout: the optional tag after PATH:
};

inline constexpr std::string_view default_dependencies = "lib/*.jar";

struct Build {
  BaseImage base;
  std::string root = "app";  // the layout folder, relative to the descriptor's folder
  std::map<std::string, std::string> labels;
  std::optional<std::string> dependencies;  // jar only; unset = default_dependencies minus lib/application.jar
};

struct Port {
  std::string name;
  int number = 0;
  Location location;
};

struct Health {
  std::string path;  // HTTP path starting with "/"; empty = a TCP connect check
  std::string port;  // as written: a name from run.ports or a number; empty = the only port
  Duration interval = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(2);
  int retries = 3;
  // Also restart an instance whose check fails `retries` times in a row once it
  // has passed (a liveness probe); only targets that can restart do it.
  bool liveness = false;
};

struct Resources {
  std::optional<std::int64_t> cpu_millis;     // 500m -> 500, 2 -> 2000
  std::optional<std::uint64_t> memory_bytes;  // 512Mi -> 536870912
};

// run.circuit: how a gateway in front of the instances breaks the circuit to
// one that fails (nginx max_fails/fail_timeout) and where it sends the request
// instead (proxy_next_upstream). Unset values: the gateway's defaults (from
// run.health: its retries and interval; error and timeout; every server; no limit).
struct Circuit {
  std::optional<int> max_fails;          // failures within fail_timeout that take an instance out
  std::optional<Duration> fail_timeout;  // ... and how long it stays out
  std::vector<std::string> retry_on;     // error, timeout, invalid_header, http_500, http_502, ...
  std::optional<int> tries;              // servers one request may be tried on (0: no limit)
  std::optional<Duration> timeout;       // time one request may spend on its tries (0: no limit)
};
inline const std::vector<std::string_view>& circuit_retry_conditions() {
  static const std::vector<std::string_view> c = {"error",    "timeout",  "invalid_header", "http_500",
                                                  "http_502", "http_503", "http_504",       "http_403",
                                                  "http_404", "http_429", "non_idempotent"};
  return c;
}

struct Run {
  std::vector<Port> ports;  // in file order
  std::optional<Health> health;
  Circuit circuit;
  Resources resources;
  std::string user;  // user[:group], names or numbers; empty = the image default
};

// A key the application reads, declared under `config:`.
struct ConfigKey {
  std::string name;
  std::optional<std::string> default_value;
  bool required = false;
  bool secret = false;
  std::string description;
  Location location;  // of the key
};

// A KEY: value pair set by an environment (overrides) or by a target.
struct ConfigValue {
  std::string key;
  std::string value;
  Location location;        // of the key
  Location value_location;  // of the value
};

inline constexpr std::string_view builtin_target = "local";

// approvals: of an environment: how many people of which groups (the targets
// file's access.groups) must approve the exact image and configuration before
// a release there goes through, and for how long an approval counts.
struct Approvals {
  int required = 0;               // 0: none needed
  std::vector<std::string> from;  // groups; empty: anyone but the releaser
  Duration ttl = std::chrono::hours(24);
  Location location;
};

struct Environment {
  std::string name;
  std::string target = std::string(builtin_target);
  int replicas = 1;
  strategy::Settings strategy;      // its `strategy:`, in strategy's own struct
  std::vector<ConfigValue> config;  // overrides, in file order
  Approvals approvals;
  // failover: auto: `ecp status` runs `ecp failover` when it finds instances
  // lost (or stale ones of a location back), instead of only showing them.
  bool failover_auto = false;
  Location location;  // of the environment's name
};

// A program ecp runs on this machine at a point of a release (Kamal's hooks):
// an argv, never a shell string, in the project's folder, with ECP_* variables
// describing the release.
struct Hook {
  std::vector<std::string> argv;
  Duration timeout = std::chrono::minutes(5);
  Location location;
};

struct Hooks {
  std::optional<Hook> pre_deploy;     // before a release changes anything; failing stops it (exit 7)
  std::optional<Hook> post_deploy;    // after a deploy or release that succeeded
  std::optional<Hook> post_rollback;  // after a rollback, ecp's or a failed release's, that put a revision back
};

struct Descriptor {
  std::string file;  // the path it was read from
  int schema = 1;
  std::string app;
  std::string group;
  AppType type = AppType::jar;
  std::string version;
  // What `ecp degrade --below LEVEL` pauses first: core, normal (the default) or low.
  std::string priority = "normal";
  Build build;
  Run run;
  std::vector<ConfigKey> config;  // in file order
  std::vector<Environment> environments;  // in file order
  // The promotion order (dev, test, staging, prod): `ecp promote` carries a
  // revision only from one environment to the next. Empty: any order.
  std::vector<std::string> pipeline;
  Hooks hooks;
  Locations locations;
};

// The Prometheus a target's canary analysis queries (its `prometheus:`).
struct Prometheus {
  std::string url;        // http(s)://host[:port][/path]: the API is under URL/api/v1/
  std::string ca;         // a CA bundle file trusted besides the system store; "" = the system store
  bool insecure = false;  // no TLS verification (the user's explicit choice)
  Location location;
};

struct Target {
  std::string name;
  std::string plugin;  // host | engine | kubernetes | an external plugin (ecp-plugin-<name>)
  std::string registry;  // a name under registries; empty = none
  std::vector<ConfigValue> config;  // target-level config values
  std::optional<Prometheus> prometheus;
  // Every other key, as written, for the plugin to read (backend::Settings):
  // scalars are strings, except plain whole numbers and true/false.
  // (Held by pointer: the full JSON header brings std::quoted into every reader.)
  std::shared_ptr<const nlohmann::json> settings;  // an object; null for the built-in "local"
  FieldPositions settings_at;  // "hosts[1]" -> where; "" = the target's own map
  bool builtin = false;        // the built-in "local" target
  Location location;
};

struct Registry {
  std::string name;
  std::string url;  // host[:port][/path]
  bool insecure = false;
  std::string ca;  // a CA bundle file; empty = the system store
  Location location;
};

// access: in the targets file (operations own it): per environment, which
// groups may do what; a group lists identities (SSH users, SSH certificate
// principals, or this machine's $USER on the local target, unverified).
struct AccessRule {
  std::string env;
  std::string action;  // release, rollback, promote, approve, unlock, freeze
  std::vector<std::string> groups;
  Location location;
};
struct Access {
  bool present = false;
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;  // group -> identities
  std::vector<std::string> environments;  // those access.environments lists: only its rules apply to them
  std::vector<AccessRule> rules;
  Location location;
};
inline const std::vector<std::string_view>& access_actions() {
  static const std::vector<std::string_view> a = {"release", "rollback", "promote", "approve", "unlock", "freeze"};
  return a;
}

// windows: in the targets file: when each environment may be released to
// (change_window.hpp reads each one).
struct EnvironmentWindows {
  std::string env;
  std::vector<std::string> windows;  // "Mon-Thu 22:00-02:00 Asia/Shanghai"
  Location location;
};

struct TargetsFile {
  std::string file;  // empty when there is no targets file (only "local" exists)
  int schema = 1;
  std::vector<Target> targets;
  std::vector<Registry> registries;
  Access access;
  std::vector<EnvironmentWindows> windows;
  Locations locations;
  // false when the file had errors, so names may be missing: validate() then does not
  // report environments naming unknown targets.
  bool complete = true;
};

std::string_view to_string(AppType t);
std::optional<AppType> app_type_from(std::string_view s);
const std::vector<std::string_view>& app_type_names();

const ConfigKey* find_config_key(const Descriptor& d, std::string_view name);
const Environment* find_environment(const Descriptor& d, std::string_view name);
const Port* find_port(const Run& r, std::string_view name);
// The port number the health check probes: health.port as a name or a number, or the
// only port when health.port is empty. nullopt when it cannot be resolved.
std::optional<int> health_port(const Run& r);
// A target by name; "local" is built in unless the targets file defines it.
const Target* find_target(const TargetsFile& t, std::string_view name);
const Registry* find_registry(const TargetsFile& t, std::string_view name);
// The names a user may write as an environment's target: "local" and the file's targets.
std::vector<std::string> target_names(const TargetsFile& t);

// Where `field` is written: its own location, else its nearest recorded parent's, else
// the file with line 0.
Location locate(const Locations& locations, std::string_view field, const std::string& file);

}  // namespace ecp::descriptor
