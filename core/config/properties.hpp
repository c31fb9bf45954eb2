#pragma once
// The properties format autoconfig.sh reads (templates/common/app/bin/autoconfig.sh):
// KEY=VALUE lines split at the first "=", # and ! comments, a line ending in an odd
// number of backslashes continues, escapes \n \t \r \f \\ \= \: \# \! and "\ ".
// Writing and reading here follow that script exactly, so any value (unicode, "=",
// newlines, leading blanks, backslashes) survives the trip through the file.
#include <string>
#include <string_view>

#include "core/config/model.hpp"

namespace ecp::config {

// The value as it must be written after "KEY=" so autoconfig.sh reads back exactly
// `value`. Throws Error(validation) for a NUL byte, which the file cannot carry.
std::string escape_value(std::string_view value);

// "KEY=ESCAPED\n".
std::string property_line(std::string_view key, std::string_view value);

// Reads a properties file's text. A key set twice is an error naming both lines
// (autoconfig.sh would silently keep the last); so are lines without "=", invalid
// keys and unsupported escapes. Every value gets origin {file, line, 1, layer}.
ParsedValues parse_properties(std::string_view text, const std::string& file, const std::string& layer);

}  // namespace ecp::config
