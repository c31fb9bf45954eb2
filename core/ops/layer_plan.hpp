#pragma once
// How a layout's files are split into layers, as Jib does: what changes least goes
// lowest, so a typical change rebuilds and pushes one small layer.
//   jar:    dependency jars | the application jar | everything else (bin, conf, ...)
//   nginx:  static assets (images, fonts, media) | html, js, css | everything else
//   tomcat: WEB-INF/lib jars | classes, resources, static files | everything else
// Pure: it only looks at paths relative to the layout folder ("lib/x.jar").
#include <string>
#include <vector>

#include "core/descriptor/model.hpp"

namespace ecp::ops {

struct LayerPlan {
  std::string name;                // "dependencies", "application", ...
  std::vector<std::string> paths;  // relative to the layout folder, in input order
};

// Every path lands in exactly one layer; layers that would be empty are dropped,
// except the last (bin+conf), which always exists. `dependencies` is the jar
// layout's glob (build.dependencies), relative to the layout folder.
std::vector<LayerPlan> plan_layers(descriptor::AppType type, const std::vector<std::string>& paths,
                                   const std::string& dependencies);

// fnmatch(3) with FNM_PATHNAME: '*' does not cross '/'.
bool glob_match(const std::string& pattern, const std::string& path);

}  // namespace ecp::ops
