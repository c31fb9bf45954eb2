#pragma once
// Reading ecp.yaml and ecp-targets.yaml into the model. Parsing never throws for bad
// input: it returns the model (with defaults where values were wrong) and every
// problem as a Diagnostic with file, line and column. Use ok() before trusting it.
#include <filesystem>
#include <string>
#include <string_view>

#include "core/descriptor/model.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::descriptor {

// Files larger than this are refused with a diagnostic, not read.
inline constexpr std::size_t max_file_bytes = std::size_t(1) << 20;

struct ParseResult {
  Descriptor descriptor;
  Diagnostics diagnostics;
  bool ok() const { return !has_errors(diagnostics); }
};

struct TargetsParseResult {
  TargetsFile targets;
  Diagnostics diagnostics;
  bool ok() const { return !has_errors(diagnostics); }
};

// Reads and parses a descriptor. A missing or unreadable file is a diagnostic (line 0).
ParseResult parse_descriptor(const std::filesystem::path& path);
// Parses descriptor text held in memory; `file` names it in diagnostics.
ParseResult parse_descriptor_text(std::string_view text, const std::string& file);

TargetsParseResult parse_targets(const std::filesystem::path& path);
TargetsParseResult parse_targets_text(std::string_view text, const std::string& file);

}  // namespace ecp::descriptor
