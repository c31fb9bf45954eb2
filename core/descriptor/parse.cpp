#include "core/descriptor/parse.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/descriptor/walk.hpp"
#include "core/util/yaml.hpp"

namespace ecp::descriptor {
namespace {

static_assert(max_file_bytes == yaml::max_bytes);

void problem(Diagnostics& out, const std::string& file, int line, std::string message) {
  out.push_back(Diagnostic{file, line, line > 0 ? 1 : 0, Severity::error, "", std::move(message)});
}

std::string too_large(std::uintmax_t size) {
  return fmt::format("the file is {} bytes; ecp reads files of up to 1 MiB ({} bytes)", size, max_file_bytes);
}

// Reads at most max_file_bytes; every failure becomes a diagnostic.
std::optional<std::string> read_input(const std::filesystem::path& path, const std::string& file, Diagnostics& out) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(st)) {
    problem(out, file, 0, ec && ec != std::errc::no_such_file_or_directory ? ec.message() : "no such file");
    return std::nullopt;
  }
  if (std::filesystem::is_directory(st)) {
    problem(out, file, 0, "is a folder, not a file");
    return std::nullopt;
  }
  if (std::filesystem::is_regular_file(st)) {
    auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_file_bytes) {
      problem(out, file, 1, too_large(size));
      return std::nullopt;
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problem(out, file, 0, fmt::format("cannot open: {}", std::strerror(errno)));
    return std::nullopt;
  }
  std::string text(max_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    problem(out, file, 0, "cannot read the file");
    return std::nullopt;
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_file_bytes) {  // not a regular file, or it grew while we read
    problem(out, file, 1, fmt::format("the file is larger than 1 MiB ({} bytes), the limit", max_file_bytes));
    return std::nullopt;
  }
  return text;
}

}  // namespace

ParseResult parse_descriptor_text(std::string_view text, const std::string& file) {
  ParseResult r;
  r.descriptor.file = file;
  auto doc = yaml::parse(text, file, r.diagnostics);
  if (doc.empty) {
    problem(r.diagnostics, file, 1, "the file is empty; it needs at least 'app:' and 'type:' (run 'ecp init' to create one)");
    return r;
  }
  if (!doc.root) return r;
  detail::Reader reader(file, r.diagnostics, r.descriptor.locations);
  detail::read_descriptor(reader, *doc.root, r.descriptor);
  return r;
}

ParseResult parse_descriptor(const std::filesystem::path& path) {
  std::string file = path.string();
  Diagnostics problems;
  auto text = read_input(path, file, problems);
  if (!text) {
    ParseResult r;
    r.descriptor.file = file;
    r.diagnostics = std::move(problems);
    return r;
  }
  return parse_descriptor_text(*text, file);
}

TargetsParseResult parse_targets_text(std::string_view text, const std::string& file) {
  TargetsParseResult r;
  r.targets.file = file;
  auto doc = yaml::parse(text, file, r.diagnostics);
  if (doc.root && !doc.empty) {  // an empty targets file is fine: only "local" exists
    detail::Reader reader(file, r.diagnostics, r.targets.locations);
    detail::read_targets_file(reader, *doc.root, r.targets);
  }
  r.targets.complete = r.ok();
  return r;
}

TargetsParseResult parse_targets(const std::filesystem::path& path) {
  std::string file = path.string();
  Diagnostics problems;
  auto text = read_input(path, file, problems);
  if (!text) {
    TargetsParseResult r;
    r.targets.file = file;
    r.targets.complete = false;
    r.diagnostics = std::move(problems);
    return r;
  }
  return parse_targets_text(*text, file);
}

}  // namespace ecp::descriptor
