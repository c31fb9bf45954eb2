#include "core/util/yaml.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>

#include "core/util/yaml_builder.hpp"
#include "core/util/yaml_text.hpp"

namespace ecp::yaml {

const Entry* Node::find(std::string_view key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::null:
      return "nothing";
    case Kind::scalar:
      return "a string";
    case Kind::sequence:
      return "a list";
    case Kind::map:
      return "a map";
  }
  return "nothing";
}

Document parse(std::string_view text, const std::string& file, Diagnostics& out, const Options& options) {
  auto problem = [&](int line, int column, std::string message) {
    out.push_back(Diagnostic{file, line, column, Severity::error, "", std::move(message)});
  };
  Document doc;
  if (text.size() > max_bytes) {
    problem(1, 1,
            fmt::format("the file is {} bytes; ecp reads files of up to 1 MiB ({} bytes)", text.size(), max_bytes));
    return doc;
  }
  LineIndex lines(text);
  if (auto bad = invalid_utf8_offset(text)) {
    auto [line, column] = lines.position(*bad);
    problem(line, column,
            fmt::format("invalid UTF-8 (byte 0x{:02X}); the file must be UTF-8 text",
                        static_cast<unsigned char>(text[*bad])));
    return doc;
  }
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    auto [line, column] = lines.position(nul);
    problem(line, column, "the file contains a NUL byte; it must be UTF-8 text");
    return doc;
  }
  auto tabs = tab_indentation(text);
  for (auto offset : tabs) {
    auto [line, column] = lines.position(offset);
    problem(line, column, "a tab is used for indentation; YAML allows only spaces");
  }
  if (!tabs.empty()) return doc;

  auto problem_at = [&](const YAML::Mark& mark, std::string message) {
    if (mark.is_null() || mark.line < 0) return problem(1, 1, std::move(message));
    problem(mark.line + 1, lines.column(mark.line, mark.column), std::move(message));
  };
  std::istringstream in{std::string(text)};
  Builder builder(lines, file, out, options);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const Abort&) {
    if (builder.documents() < 2) return doc;  // the first document is incomplete
  } catch (const YAML::DeepRecursion& e) {
    problem_at(e.mark, "the YAML is nested too deeply");
    return doc;
  } catch (const YAML::Exception& e) {
    problem_at(e.mark, fmt::format("YAML syntax error: {}", e.msg));
    return doc;
  } catch (const std::exception& e) {
    problem(1, 1, fmt::format("cannot parse the YAML: {}", e.what()));
    return doc;
  }
  doc.root = builder.root();
  doc.empty = builder.documents() == 0 || !doc.root || doc.root->kind == Kind::null;
  return doc;
}

}  // namespace ecp::yaml
