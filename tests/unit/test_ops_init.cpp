#include <doctest/doctest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "core/ops/init.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "templates/templates.hpp"

using namespace ecp;
namespace stdfs = std::filesystem;

namespace {

unsigned mode_of(const stdfs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::set<std::string> files_under(const stdfs::path& root) {
  std::set<std::string> out;
  for (const auto& e : stdfs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.insert(stdfs::relative(e.path(), root).generic_string());
  return out;
}

ErrorKind kind_of(const ops::InitOptions& o) {
  try {
    ops::init(o);
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("expected an error");
  return ErrorKind::internal;
}

std::string message_of(const ops::InitOptions& o) {
  try {
    ops::init(o);
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("expected an error");
  return "";
}

// KEY -> default ("" when none) of every ${KEY} / ${KEY:-default} placeholder, with
// autoconfig.sh's rules: "$${" is a literal, keys are [A-Za-z_][A-Za-z0-9_.]*.
std::map<std::string, std::string> placeholders(std::string_view text) {
  std::map<std::string, std::string> out;
  auto is_key = [](char c, bool first) {
    return c == '_' || std::isalpha(static_cast<unsigned char>(c)) ||
           (!first && (c == '.' || std::isdigit(static_cast<unsigned char>(c))));
  };
  for (std::size_t i = text.find("${"); i != std::string_view::npos; i = text.find("${", i + 2)) {
    if (i > 0 && text[i - 1] == '$') continue;
    std::size_t k = i + 2, e = k;
    while (e < text.size() && is_key(text[e], e == k)) ++e;
    if (e == k) continue;
    std::string key(text.substr(k, e - k));
    if (text.substr(e, 1) == "}")
      out.emplace(key, "");
    else if (text.substr(e, 2) == ":-" && text.find('}', e) != std::string_view::npos)
      out[key] = std::string(text.substr(e + 2, text.find('}', e) - e - 2));
  }
  return out;
}

}  // namespace

TEST_CASE("ecp::ops::valid_app_name") {
  CHECK(ops::valid_app_name("a"));
  CHECK(ops::valid_app_name("demo"));
  CHECK(ops::valid_app_name("my-app-2"));
  CHECK(ops::valid_app_name(std::string(63, 'x')));
  CHECK_FALSE(ops::valid_app_name(""));
  CHECK_FALSE(ops::valid_app_name(std::string(64, 'x')));
  CHECK_FALSE(ops::valid_app_name("-demo"));
  CHECK_FALSE(ops::valid_app_name("demo-"));
  CHECK_FALSE(ops::valid_app_name("Demo"));
  CHECK_FALSE(ops::valid_app_name("my_app"));
  CHECK_FALSE(ops::valid_app_name("my.app"));
}

TEST_CASE("ecp::ops::init writes each layout") {
  for (const auto& type : ops::layout_types()) {
    CAPTURE(type);
    fs::TempDir tmp;
    auto dir = tmp.path() / "shop-web";
    auto r = ops::init({type, "", dir, false});
    CHECK(r.name == "shop-web");  // the folder's name
    CHECK(r.type == type);
    CHECK(r.replaced.empty());

    // The result lists exactly the files on disk.
    auto on_disk = files_under(dir);
    CHECK(std::set<std::string>(r.files.begin(), r.files.end()) == on_disk);
    for (const char* f :
         {"ecp.yaml", "app/bin/entrypoint.sh", "app/bin/autoconfig.sh", "app/conf/autoconfig.properties"})
      CHECK(on_disk.count(f) == 1);
    for (const auto& d : r.dirs) CHECK(stdfs::is_directory(dir / d));
    CHECK(stdfs::is_directory(dir / "app/data"));

    for (const auto& f : on_disk) {
      CAPTURE(f);
      CHECK(mode_of(dir / f) == (f.ends_with(".sh") ? 0755u : 0644u));
      CHECK(fs::read_file(dir / f).find("{{NAME}}") == std::string::npos);
    }
    auto yaml = YAML::LoadFile((dir / "ecp.yaml").string());
    CHECK(yaml["app"].as<std::string>() == "shop-web");
    CHECK(yaml["type"].as<std::string>() == type);
    CHECK(yaml["environments"]["dev"]["target"].as<std::string>() == "local");
    // The shared script is the one embedded from templates/common.
    CHECK(fs::read_file(dir / "app/bin/autoconfig.sh") == templates::find("common/app/bin/autoconfig.sh")->content);
  }
  SUBCASE("jar, nginx and tomcat have their own folders") {
    fs::TempDir tmp;
    CHECK(stdfs::is_directory(tmp.path() / "j/app/lib") == false);
    ops::init({"jar", "j", tmp.path() / "j", false});
    CHECK(stdfs::is_directory(tmp.path() / "j/app/lib"));
    ops::init({"nginx", "n", tmp.path() / "n", false});
    CHECK(stdfs::is_regular_file(tmp.path() / "n/app/html/index.html"));
    CHECK(stdfs::is_regular_file(tmp.path() / "n/app/conf/conf.d/default.conf.tmpl"));
    ops::init({"tomcat", "t", tmp.path() / "t", false});
    CHECK(stdfs::is_regular_file(tmp.path() / "t/app/conf/server.xml.tmpl"));
    CHECK(stdfs::is_regular_file(tmp.path() / "t/app/webapps/ROOT/WEB-INF/web.xml"));
  }
}

TEST_CASE("ecp::ops::init declares every placeholder of its templates in ecp.yaml") {
  for (const auto& type : ops::layout_types()) {
    CAPTURE(type);
    fs::TempDir tmp;
    auto r = ops::init({type, "demo", tmp.path(), false});
    auto config = YAML::LoadFile((tmp.path() / "ecp.yaml").string())["config"];
    REQUIRE(config.IsMap());
    std::size_t seen = 0;
    for (const auto& f : r.files) {
      if (!f.ends_with(".tmpl")) continue;
      for (const auto& [key, def] : placeholders(fs::read_file(tmp.path() / f))) {
        CAPTURE(f);
        CAPTURE(key);
        ++seen;
        REQUIRE(config[key]);
        // A template default and the declared default must agree.
        if (!def.empty()) CHECK(config[key]["default"].as<std::string>() == def);
      }
    }
    CHECK(seen >= 2);
  }
}

TEST_CASE("ecp::ops::init refuses to overwrite") {
  fs::TempDir tmp;
  auto dir = tmp.path() / "demo";
  stdfs::create_directories(dir);
  fs::write_file_atomic(dir / "ecp.yaml", "mine\n");

  SUBCASE("names the existing files and writes nothing") {
    ops::InitOptions o{"jar", "", dir, false};
    CHECK(kind_of(o) == ErrorKind::usage);
    CHECK(message_of(o).find((dir / "ecp.yaml").string()) != std::string::npos);
    CHECK(fs::read_file(dir / "ecp.yaml") == "mine\n");
    CHECK_FALSE(stdfs::exists(dir / "app"));
  }
  SUBCASE("a second init names every file of the first") {
    stdfs::remove(dir / "ecp.yaml");
    ops::init({"nginx", "", dir, false});
    auto msg = message_of({"nginx", "", dir, false});
    CHECK(msg.find("app/conf/nginx.conf.tmpl") != std::string::npos);
    CHECK(msg.find("app/bin/entrypoint.sh") != std::string::npos);
    CHECK(msg.find("ecp.yaml") != std::string::npos);
  }
  SUBCASE("--force replaces them and leaves other files alone") {
    fs::write_file_atomic(dir / "README", "keep\n");
    auto r = ops::init({"jar", "", dir, true});
    CHECK(r.replaced == std::vector<std::string>{"ecp.yaml"});
    CHECK(fs::read_file(dir / "ecp.yaml").find("app: demo") != std::string::npos);
    CHECK(fs::read_file(dir / "README") == "keep\n");
  }
  SUBCASE("a file where a folder must go stops even --force") {
    fs::write_file_atomic(dir / "app", "a file\n");
    ops::InitOptions o{"jar", "", dir, true};
    CHECK(kind_of(o) == ErrorKind::usage);
    CHECK(message_of(o).find("not a folder") != std::string::npos);
    CHECK(fs::read_file(dir / "ecp.yaml") == "mine\n");
  }
}

TEST_CASE("ecp::ops::init rejects bad input") {
  fs::TempDir tmp;
  SUBCASE("unknown type") {
    CHECK(kind_of({"war", "demo", tmp.path() / "x", false}) == ErrorKind::validation);
    CHECK(message_of({"war", "demo", tmp.path() / "x", false}).find("jar, nginx, tomcat") != std::string::npos);
  }
  SUBCASE("bad name") { CHECK(kind_of({"jar", "Bad_Name", tmp.path() / "x", false}) == ErrorKind::validation); }
  SUBCASE("a folder name that is not an app name needs a name") {
    CHECK(kind_of({"jar", "", tmp.path() / "My App", false}) == ErrorKind::validation);
    CHECK(ops::init({"jar", "my-app", tmp.path() / "My App", false}).name == "my-app");
  }
  SUBCASE("a trailing slash still names the folder") {
    CHECK(ops::init({"jar", "", (tmp.path() / "svc").string() + "/", false}).name == "svc");
  }
  CHECK_FALSE(stdfs::exists(tmp.path() / "x"));
}
