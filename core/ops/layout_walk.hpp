#pragma once
// What `ecp build` takes from the layout folder: every file, symlink and empty
// folder, as paths relative to the folder ("lib/app.jar"), sorted. A file NAME
// beside NAME.tmpl is left out: it is what autoconfig.sh rendered on this
// machine, and the image renders its configuration at every start.
// Symlinks are listed, never followed. Throws Error(build) for a folder that
// cannot be read.
#include <filesystem>
#include <string>
#include <vector>

namespace ecp::ops {

std::vector<std::string> walk_layout(const std::filesystem::path& root);

}  // namespace ecp::ops
