#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "core/oci/json.hpp"
#include "core/registry/credentials.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/text.hpp"

using namespace ecp;
using namespace ecp::registry;
namespace stdfs = std::filesystem;

namespace {

// Puts a fake docker-credential-test on PATH for the life of the object: it
// answers "get" from a file and records "store" and "erase" input.
struct FakeHelper {
  fs::TempDir dir;
  std::string old_path;
  FakeHelper() {
    auto script = dir.path() / "docker-credential-test";
    fs::write_file_atomic(script,
                          "#!/bin/sh\n"
                          "d=$(dirname \"$0\")\n"
                          "case $1 in\n"
                          "  get) read -r url; [ -f \"$d/secret\" ] || { echo 'credentials not found in native keychain'; exit 1; }\n"
                          "       printf '{\"ServerURL\":\"%s\",\"Username\":\"helper-user\",\"Secret\":\"%s\"}' \"$url\" \"$(cat \"$d/secret\")\" ;;\n"
                          "  store) cat > \"$d/stored\" ;;\n"
                          "  erase) cat > \"$d/erased\" ;;\n"
                          "  *) exit 3 ;;\n"
                          "esac\n",
                          0755);
    old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
    setenv("PATH", (dir.path().string() + ":" + old_path).c_str(), 1);
  }
  ~FakeHelper() { setenv("PATH", old_path.c_str(), 1); }
};

}  // namespace

TEST_CASE("ecp::registry::docker config credentials") {
  fs::TempDir home;
  auto config = home.path() / "config.json";
  SUBCASE("no file: no credentials") { CHECK(find_credentials("reg.example", config).empty()); }
  SUBCASE("auths: exact host, URL keys, Docker Hub's key") {
    fs::write_file_atomic(config, R"({"auths":{
      "reg.example:5000":{"auth":"dXNlcjpwQHNzOndvcmQ="},
      "https://other.example/v2/":{"auth":"b3RoZXI6eA=="},
      "https://index.docker.io/v1/":{"auth":"aHViOmh1YnB3"},
      "tok.example":{"identitytoken":"refresh-me"}}})");
    auto c = find_credentials("reg.example:5000", config);
    CHECK(c.username == "user");
    CHECK(c.password == "p@ss:word");  // only the first ':' splits
    CHECK(find_credentials("other.example", config).username == "other");
    CHECK(find_credentials("docker.io", config).username == "hub");
    CHECK(find_credentials("tok.example", config).identity_token == "refresh-me");
    CHECK(find_credentials("reg.example", config).empty());  // the port matters
  }
  SUBCASE("a broken file is an auth error naming it") {
    fs::write_file_atomic(config, "{not json");
    try {
      find_credentials("reg.example", config);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::auth);
      CHECK(std::string(e.what()).find(config.string()) != std::string::npos);
    }
  }
  SUBCASE("store writes 0600 atomically, keeps other keys, replaces the entry; erase removes it") {
    fs::write_file_atomic(config, R"({"auths":{"https://reg.example":{"auth":"b2xkOm9sZA=="}},"psFormat":"x"})");
    auto where = store_credentials("reg.example", {"new", "pw", ""}, config);
    CHECK(where == config.string());
    struct stat st {};
    REQUIRE(::stat(config.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto j = oci::Json::parse(fs::read_file(config));
    CHECK(j["psFormat"] == "x");
    CHECK(j["auths"].size() == 1);
    CHECK(j["auths"]["reg.example"]["auth"] == "bmV3OnB3");
    CHECK(find_credentials("reg.example", config).username == "new");
    CHECK(erase_credentials("reg.example", config));
    CHECK(find_credentials("reg.example", config).empty());
    CHECK_FALSE(erase_credentials("reg.example", config));
  }
  SUBCASE("credHelpers and credsStore speak the helper protocol") {
    FakeHelper helper;
    fs::write_file_atomic(config, R"({"credHelpers":{"reg.example":"test"},"auths":{"plain.example":{"auth":"cDpx"}}})");
    CHECK(find_credentials("reg.example", config).empty());  // "not found" is no credentials, not an error
    fs::write_file_atomic(helper.dir.path() / "secret", "from-helper");
    auto c = find_credentials("reg.example", config);
    CHECK(c.username == "helper-user");
    CHECK(c.password == "from-helper");
    CHECK(find_credentials("plain.example", config).username == "p");  // no helper for it
    CHECK(store_credentials("reg.example", {"u", "p", ""}, config) == "docker-credential-test");
    auto stored = oci::Json::parse(fs::read_file(helper.dir.path() / "stored"));
    CHECK(stored["ServerURL"] == "reg.example");
    CHECK(stored["Username"] == "u");
    CHECK(stored["Secret"] == "p");
    CHECK(erase_credentials("reg.example", config));
    CHECK(fs::read_file(helper.dir.path() / "erased") == "reg.example");
  }
  SUBCASE("a helper that is not installed is an auth error naming it") {
    fs::write_file_atomic(config, R"({"credsStore":"nosuch-ecp-helper"})");
    try {
      find_credentials("reg.example", config);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::auth);
      CHECK(std::string(e.what()).find("docker-credential-nosuch-ecp-helper") != std::string::npos);
    }
  }
  CHECK(config_key("docker.io") == "https://index.docker.io/v1/");
  CHECK(config_key("reg.example:5000") == "reg.example:5000");
}

TEST_CASE("ecp::registry::credential_files: docker's config first, then skopeo's and podman's, in their order") {
  fs::TempDir dir;
  auto save = [](const char* name) {
    const char* v = std::getenv(name);
    return std::pair<std::string, bool>(v ? v : "", v != nullptr);
  };
  auto restore = [](const char* name, const std::pair<std::string, bool>& v) {
    if (v.second)
      setenv(name, v.first.c_str(), 1);
    else
      unsetenv(name);
  };
  auto docker = save("DOCKER_CONFIG"), authfile = save("REGISTRY_AUTH_FILE"), runtime = save("XDG_RUNTIME_DIR"),
       home = save("HOME");
  auto entry = [](const char* user) {
    return std::string("{\"auths\":{\"reg.example\":{\"auth\":\"") + text::base64_encode(std::string(user) + ":pw") +
           "\"}}}";
  };
  for (const char* sub : {"docker", "run/containers", "home/.config/containers"})
    stdfs::create_directories(dir.path() / sub);
  fs::write_file_atomic(dir.path() / "docker" / "config.json", "{}", 0600);
  fs::write_file_atomic(dir.path() / "authfile.json", entry("from-authfile"), 0600);
  fs::write_file_atomic(dir.path() / "run" / "containers" / "auth.json", entry("from-runtime"), 0600);
  fs::write_file_atomic(dir.path() / "home" / ".config" / "containers" / "auth.json", entry("from-home"), 0600);
  setenv("DOCKER_CONFIG", (dir.path() / "docker").c_str(), 1);
  setenv("REGISTRY_AUTH_FILE", (dir.path() / "authfile.json").c_str(), 1);
  setenv("XDG_RUNTIME_DIR", (dir.path() / "run").c_str(), 1);
  setenv("HOME", (dir.path() / "home").c_str(), 1);
  auto files = credential_files();
  REQUIRE(files.size() == 4);
  CHECK(files[0] == dir.path() / "docker" / "config.json");
  CHECK(files[1] == dir.path() / "authfile.json");
  CHECK(find_credentials("reg.example").username == "from-authfile");
  unsetenv("REGISTRY_AUTH_FILE");
  CHECK(find_credentials("reg.example").username == "from-runtime");
  unsetenv("XDG_RUNTIME_DIR");
  CHECK(find_credentials("reg.example").username == "from-home");
  // docker's own file wins when it has the registry.
  fs::write_file_atomic(dir.path() / "docker" / "config.json", entry("from-docker"), 0600);
  CHECK(find_credentials("reg.example").username == "from-docker");
  CHECK(find_credentials("other.example").empty());
  restore("DOCKER_CONFIG", docker);
  restore("REGISTRY_AUTH_FILE", authfile);
  restore("XDG_RUNTIME_DIR", runtime);
  restore("HOME", home);
}
