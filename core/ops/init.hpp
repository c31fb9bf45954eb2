#pragma once
// ecp init: writes ecp.yaml and the standard layout of a jar, nginx or tomcat
// application from the templates embedded in the binary (templates/<type>/ and
// templates/common/).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ecp::ops {

struct InitOptions {
  std::string type;                 // jar | nginx | tomcat
  std::string name;                 // the app name; empty: the name of the target folder
  std::filesystem::path dir = ".";  // the project folder, created when missing
  bool force = false;               // replace files that already exist
};

struct InitResult {
  std::string name;
  std::string type;
  std::filesystem::path dir;
  std::vector<std::string> files;     // written, relative to dir, sorted
  std::vector<std::string> replaced;  // the subset of files that existed (only with force)
  std::vector<std::string> dirs;      // empty folders of the layout, relative to dir
};

// The layout types init knows, in the order to show them.
const std::vector<std::string>& layout_types();

// The app name rule of ecp.yaml: ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$
bool valid_app_name(std::string_view name);

// Checks everything first and writes nothing when a file exists (unless force) or
// a path is in the way; then writes each file atomically (0755 for *.sh, else 0644).
// Throws Error(validation) for a bad type or name, Error(usage) for existing files,
// Error(io) when a write fails.
InitResult init(const InitOptions& options);

}  // namespace ecp::ops
