#include "core/ops/layer_plan.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <functional>
#include <cctype>
#include <string_view>

namespace ecp::ops {
namespace {

constexpr std::string_view application_jar = "lib/application.jar";

std::string lower_extension(const std::string& path) {
  auto slash = path.rfind('/');
  auto dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// Binary assets change less often than the pages that use them.
bool is_static_asset(const std::string& path) {
  static constexpr std::array<std::string_view, 17> exts = {"png", "jpg",  "jpeg", "gif",  "svg", "ico",
                                                           "webp", "avif", "bmp",  "woff", "woff2", "ttf",
                                                           "otf",  "eot",  "mp4",  "webm", "pdf"};
  auto ext = lower_extension(path);
  return std::find(exts.begin(), exts.end(), ext) != exts.end();
}

// "webapps/<app>/WEB-INF/lib/..." for any webapp under webapps/.
bool is_webapp_lib(const std::string& path) {
  if (!path.starts_with("webapps/")) return false;
  auto rest = std::string_view(path).substr(8);
  auto slash = rest.find('/');
  return slash != std::string_view::npos && rest.substr(slash + 1).starts_with("WEB-INF/lib/");
}

}  // namespace

bool glob_match(const std::string& pattern, const std::string& path) {
  return ::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0;
}

std::vector<LayerPlan> plan_layers(descriptor::AppType type, const std::vector<std::string>& paths,
                                   const std::string& dependencies) {
  using descriptor::AppType;
  std::vector<LayerPlan> layers;
  // Which of the three layers (0, 1, 2) a path belongs to.
  std::function<int(const std::string&)> pick;
  switch (type) {
    case AppType::jar:
      layers = {{"dependencies", {}}, {"application", {}}, {"app", {}}};
      pick = [&](const std::string& p) {
        if (p == application_jar) return 1;
        return glob_match(dependencies, p) ? 0 : 2;
      };
      break;
    case AppType::nginx:
      layers = {{"static-assets", {}}, {"html", {}}, {"app", {}}};
      pick = [](const std::string& p) {
        if (!p.starts_with("html/")) return 2;
        return is_static_asset(p) ? 0 : 1;
      };
      break;
    case AppType::tomcat:
      layers = {{"webapp-libraries", {}}, {"webapp", {}}, {"app", {}}};
      pick = [](const std::string& p) {
        if (is_webapp_lib(p)) return 0;
        return p.starts_with("webapps/") ? 1 : 2;
      };
      break;
  }
  for (const auto& p : paths) layers[static_cast<size_t>(pick(p))].paths.push_back(p);
  std::vector<LayerPlan> out;
  for (size_t i = 0; i < layers.size(); ++i)
    if (!layers[i].paths.empty() || i + 1 == layers.size()) out.push_back(std::move(layers[i]));
  return out;
}

}  // namespace ecp::ops
