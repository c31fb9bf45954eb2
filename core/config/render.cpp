#include "core/config/render.hpp"

#include <fmt/format.h>

#include "core/config/properties.hpp"
#include "core/oci/digest.hpp"
#include "core/util/error.hpp"

namespace ecp::config {
namespace {

[[noreturn]] void fail_all(const std::vector<std::string>& problems) {
  std::string listing;
  for (const auto& p : problems) listing += "\n" + p;
  fail(ErrorKind::validation, "the configuration cannot be rendered ({} problem{}):{}", problems.size(),
       problems.size() == 1 ? "" : "s", listing);
}

}  // namespace

Rendered render(const Resolved& r, const SecretResolver& secrets, std::string_view app) {
  std::vector<std::string> problems;
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::error) problems.push_back(format_diagnostic(d));
  if (!problems.empty()) fail_all(problems);

  Rendered out;
  out.env = r.env;
  for (const auto& e : r.entries) {
    RenderedValue v{e.key, e.text, e.secret, "", e.origin};
    if (e.ref) {
      v.reference = e.ref->text;
      try {
        v.value = secrets.resolve(*e.ref, SecretContext{std::string(app), r.env, e.key, e.origin});
      } catch (const Error& err) {
        problems.push_back(err.what());
        continue;
      }
    }
    if (v.value.find('\0') != std::string::npos) {
      problems.push_back(fmt::format("{}: {}: the value holds a NUL byte, which autoconfig.properties cannot carry",
                                     to_string(e.origin), e.key));
      continue;
    }
    out.values.push_back(std::move(v));
  }
  if (!problems.empty()) fail_all(problems);
  out.digest = config_digest(out.values);
  return out;
}

std::string properties_text(const Rendered& r, bool reveal) {
  std::string text;
  for (const auto& v : r.values) text += property_line(v.key, reveal ? v.value : v.shown());
  return text;
}

std::string properties_with_origins(const Rendered& r, bool reveal) {
  std::string text;
  for (const auto& v : r.values) {
    // A comment cannot continue onto the next line, so keep it to one line.
    std::string where = to_string(v.origin);
    if (!v.origin.layer.empty() && v.origin.layer != where) where += " (" + v.origin.layer + ")";
    std::string comment = fmt::format("# {}{}", where, v.reference.empty() ? "" : ", from " + v.reference);
    for (char& c : comment)
      if (c == '\n' || c == '\r') c = ' ';
    text += comment + "\n";
    text += property_line(v.key, reveal ? v.value : v.shown());
  }
  return text;
}

std::string reference_value(const RenderedValue& v) {
  if (!v.secret) return v.value;
  if (!v.reference.empty()) return v.reference;
  // Nothing of where it is written: a line added above it, or a values file
  // given by another path, must not make a change (the fingerprint tells a new value).
  return "<secret>";
}

std::string reference_text(const Rendered& r) {
  std::map<std::string, std::string> m;  // byte order of the keys, as properties_text
  for (const auto& v : r.values) m[v.key] = reference_value(v);
  std::string text;
  for (const auto& [key, value] : m) text += property_line(key, value);
  return text;
}

std::string config_digest(const std::vector<RenderedValue>& values) {
  Rendered r;
  r.values = values;
  return oci::Sha256::of(reference_text(r)).to_string();
}

}  // namespace ecp::config
