// build.base. Part of values.hpp.
#include <fmt/format.h>

#include "core/descriptor/values.hpp"

namespace ecp::descriptor {
namespace {

template <typename T>
std::optional<T> bad(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<BaseImage> parse_base_image(std::string_view text, std::string* why) {
  constexpr std::string_view hint = "use scratch, oci:PATH[:tag], docker-archive:FILE or an image reference";
  BaseImage b;
  b.text = std::string(text);
  if (text == "scratch") return b;
  if (text.starts_with("oci:")) {
    std::string_view rest = text.substr(4);
    auto colon = rest.rfind(':');
    auto slash = rest.rfind('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
      b.tag = std::string(rest.substr(colon + 1));
      rest = rest.substr(0, colon);
      if (b.tag.empty()) return bad<BaseImage>(why, fmt::format("'{}' has an empty tag after ':'", text));
    }
    if (rest.empty()) return bad<BaseImage>(why, fmt::format("'{}' names no folder; write oci:PATH[:tag]", text));
    b.kind = BaseKind::oci_layout;
    b.path = std::string(rest);
    return b;
  }
  if (text.starts_with("docker-archive:")) {
    if (text.size() == 15)
      return bad<BaseImage>(why, fmt::format("'{}' names no file; write docker-archive:FILE", text));
    b.kind = BaseKind::docker_archive;
    b.path = std::string(text.substr(15));
    return b;
  }
  if (auto problem = reference_problem(text))
    return bad<BaseImage>(why, fmt::format("'{}' {}; {}", text, *problem, hint));
  b.kind = BaseKind::registry;
  return b;
}

}  // namespace ecp::descriptor
