#include <doctest/doctest.h>

#include "core/ops/layer_plan.hpp"

using namespace ecp;
using descriptor::AppType;

namespace {
std::vector<std::string> names(const std::vector<ops::LayerPlan>& ls) {
  std::vector<std::string> out;
  for (const auto& l : ls) out.push_back(l.name);
  return out;
}
}  // namespace

TEST_CASE("ecp::ops::plan_layers") {
  SUBCASE("jar: dependencies, then the application jar, then the rest") {
    auto ls = ops::plan_layers(AppType::jar,
                               {"bin/entrypoint.sh", "lib/a.jar", "lib/application.jar", "lib/b.jar", "conf/x",
                                "lib/notes.txt", "lib/sub/c.jar"},
                               "lib/*.jar");
    REQUIRE(names(ls) == std::vector<std::string>{"dependencies", "application", "app"});
    CHECK(ls[0].paths == std::vector<std::string>{"lib/a.jar", "lib/b.jar"});
    CHECK(ls[1].paths == std::vector<std::string>{"lib/application.jar"});
    // '*' does not cross '/', and non-jars are not dependencies.
    CHECK(ls[2].paths == std::vector<std::string>{"bin/entrypoint.sh", "conf/x", "lib/notes.txt", "lib/sub/c.jar"});
  }
  SUBCASE("jar: a custom dependency glob") {
    auto ls = ops::plan_layers(AppType::jar, {"lib/a.jar", "lib/sub/c.jar", "lib/application.jar"}, "lib/**/*.jar");
    // FNM_PATHNAME: ** is just two stars, so only lib/<dir>/<file>.jar matches.
    CHECK(ls[0].paths == std::vector<std::string>{"lib/sub/c.jar"});
  }
  SUBCASE("nginx: binary assets below pages") {
    auto ls = ops::plan_layers(AppType::nginx, {"html/index.html", "html/img/Logo.PNG", "html/app.js",
                                                "html/fonts/a.woff2", "conf/nginx.conf"},
                               "");
    REQUIRE(names(ls) == std::vector<std::string>{"static-assets", "html", "app"});
    CHECK(ls[0].paths == std::vector<std::string>{"html/img/Logo.PNG", "html/fonts/a.woff2"});
    CHECK(ls[1].paths == std::vector<std::string>{"html/index.html", "html/app.js"});
  }
  SUBCASE("tomcat: WEB-INF/lib, then the webapp, then the rest") {
    auto ls = ops::plan_layers(AppType::tomcat,
                               {"webapps/ROOT/WEB-INF/lib/x.jar", "webapps/ROOT/WEB-INF/classes/A.class",
                                "webapps/ROOT/index.jsp", "conf/server.xml"},
                               "");
    REQUIRE(names(ls) == std::vector<std::string>{"webapp-libraries", "webapp", "app"});
    CHECK(ls[0].paths == std::vector<std::string>{"webapps/ROOT/WEB-INF/lib/x.jar"});
    CHECK(ls[2].paths == std::vector<std::string>{"conf/server.xml"});
  }
  SUBCASE("empty layers are dropped, the last one stays") {
    auto ls = ops::plan_layers(AppType::jar, {}, "lib/*.jar");
    CHECK(names(ls) == std::vector<std::string>{"app"});
  }
}
