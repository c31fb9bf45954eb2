#pragma once
// Parsers and checks for the value formats of ecp.yaml. Each parser returns nullopt
// on bad input and, when `why` is given, a sentence saying what is wrong and how to
// write it instead. Pure functions, used by the parser and by other modules.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/descriptor/model.hpp"
#include "core/util/text.hpp"

namespace ecp::descriptor {

// <int>(ms|s|m|h), combined largest unit first: 500ms, 10s, 2m, 1m30s, 1h.
std::optional<Duration> parse_duration(std::string_view text, std::string* why = nullptr);
// The shortest text parse_duration reads back: 90000ms -> "1m30s".
std::string format_duration(Duration d);

// Bytes, or <int>(Ki|Mi|Gi|Ti) (powers of 1024) or <int>(K|M|G|T) (powers of 1000).
std::optional<std::uint64_t> parse_size(std::string_view text, std::string* why = nullptr);

// CPU in millicores: "500m" -> 500, "0.5" -> 500, "2" -> 2000. Must be more than 0.
std::optional<std::int64_t> parse_cpu_millis(std::string_view text, std::string* why = nullptr);

// The name rule for apps, groups, environments, ports, targets, registries, plugins:
// ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ (a DNS label, so it is safe in paths, image
// names, container and Kubernetes names).
bool is_valid_name(std::string_view name);
// nullopt for a valid name, else why it is not one ("must be lowercase").
std::optional<std::string> name_problem(std::string_view name);

// Config keys: ^[A-Za-z_][A-Za-z0-9_.]*$ (usable as ${KEY} placeholders).
bool is_valid_config_key(std::string_view key);

// user[:group], each a name ([a-z_][a-z0-9_-]*, up to 32) or a number (0..4294967294).
std::optional<std::string> user_problem(std::string_view user);

// A path that stays inside the project: relative, no "..", not empty.
std::optional<std::string> relative_path_problem(std::string_view path);

// An image reference a registry accepts: [host[:port]/]name[:tag][@sha256:hex].
// Light check; core/oci parses references fully.
std::optional<std::string> reference_problem(std::string_view ref);

// build.base: scratch | oci:PATH[:tag] | docker-archive:FILE | an image reference.
std::optional<BaseImage> parse_base_image(std::string_view text, std::string* why = nullptr);

// The typo hints, written once in util/text.hpp (the CLI suggests commands with them too).
using text::did_you_mean;
using text::edit_distance;

}  // namespace ecp::descriptor
