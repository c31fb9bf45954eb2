#include "templates/templates.hpp"

namespace ecp::templates {

const File* find(std::string_view path) {
  for (const auto& f : all())
    if (f.path == path) return &f;
  return nullptr;
}

std::vector<File> under(std::string_view prefix) {
  std::vector<File> out;
  for (const auto& f : all())
    if (f.path.starts_with(prefix)) out.push_back(f);
  return out;
}

}  // namespace ecp::templates
