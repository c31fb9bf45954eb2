// The host backend on this machine, end to end through the real agent script: a
// layer made by ecp's layer writer, an app that is busybox httpd, real HTTP checks.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "core/image/layer.hpp"
#include "core/image/layer_entry.hpp"
#include "core/image/store.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/process.hpp"
#include "plugins/host/host_backend.hpp"
#include "plugins/host/http_probe.hpp"

using namespace ecp;
using namespace std::chrono_literals;
namespace host = ecp::plugins::host;

namespace {

int free_port() {
  auto r = process::run(
      {"python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"});
  return std::stoi(r.out);
}

// An app layout whose entrypoint serves www/ with busybox httpd on LISTEN_PORT and
// prints GREETING from the release's configuration (via the environment file).
backend::LayerBlob app_layer(image::Store& store, const std::string& body) {
  std::vector<image::LayerEntry> e;
  e.push_back(
      image::LayerEntry::bytes("/app/bin/entrypoint.sh",
                               "#!/bin/sh\nset -eu\napp=${ECP_APP_DIR}\n"
                               "greeting=$(sed -n 's/^GREETING=//p' \"$app/conf/autoconfig.properties\" | tail -n 1)\n"
                               "mkdir -p \"$app/data/www\"\ncp \"$app/www/\"* \"$app/data/www/\"\n"
                               "printf '%s\\n' \"$greeting\" > \"$app/data/www/greeting\"\n"
                               "echo \"serving on $LISTEN_PORT\"\n"
                               "exec busybox httpd -f -p 127.0.0.1:$LISTEN_PORT -h \"$app/data/www\"\n",
                               0755));
  e.push_back(image::LayerEntry::bytes("/app/conf/autoconfig.properties", "GREETING=from the image\n"));
  e.push_back(image::LayerEntry::bytes("/app/www/health", "ok\n"));
  e.push_back(image::LayerEntry::bytes("/app/www/index.html", body));
  e.push_back(image::LayerEntry::directory("/app/data"));
  auto l = image::write_layer(store, e);
  return {oci::layer_ref(l.descriptor, l.diff_id), store.blob_path(l.descriptor.digest).string()};
}

std::string get(int port, const std::string& path) {
  return process::run({"busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:" + std::to_string(port) + path}).out;
}

}  // namespace

TEST_CASE("ecp::plugins::host::HostBackend on this machine") {
  if (!process::find_program("busybox") || !process::find_program("python3")) return;
  fs::TempDir d;
  image::Store store(d.path() / "store");
  backend::TargetSpec t;
  t.name = "local";
  t.plugin = "host";
  host::HostSettings settings;
  settings.root = (d.path() / "root with space").string();
  settings.checked_dir = (d.path() / "checked").string();
  backend::AppSpec a;
  a.app = "web";
  a.env = "dev";
  a.base_port = free_port();
  a.health.path = "/health";
  a.health.timeout = 2s;
  a.stop_grace = 2s;
  host::HostBackend b(t, a, settings);
  REQUIRE(b.locations() == std::vector<std::string>{"local"});

  auto v1 = app_layer(store, "version one\n");
  backend::ReleaseSpec r1{1,  "web:1", "sha256:" + std::string(64, '1'), {v1}, "GREETING=hello one\n", "sha256:c1", "",
                          "", ""};
  b.prepare(r1);
  auto rel = std::filesystem::path(settings.root) / "web" / "dev" / "releases" / "1";
  CHECK(std::filesystem::exists(rel / "bin" / "entrypoint.sh"));
  CHECK(fs::read_file(rel / ".ecp" / "config.properties") == "GREETING=hello one\n");

  backend::InstanceSpec i0{{"local", "a", 0}, 1, a.base_port};
  CHECK(b.start({i0}).empty());
  bool up = false;
  for (int n = 0; n < 100 && !up; ++n) {
    auto p = b.health({i0});
    up = p.at(0).healthy;
    if (!up) std::this_thread::sleep_for(100ms);
  }
  REQUIRE(up);
  CHECK(get(a.base_port, "/") == "version one\n");
  CHECK(get(a.base_port, "/greeting") == "hello one\n");  // the release's config wins over the image's

  auto st = b.status();
  REQUIRE(st.instances.size() == 1);
  CHECK(st.instances[0].revision == 1);
  CHECK(st.instances[0].state == backend::InstanceState::running);
  CHECK(st.instances[0].pid > 0);

  SUBCASE("same image again: installed by hard links, no layer needed") {
    backend::ReleaseSpec r2 = r1;
    r2.revision = 2;
    r2.layers[0].path = "/nonexistent";  // proves nothing is read from the store
    r2.config_text = "GREETING=hello two\n";
    b.prepare(r2);
    // Something else on the port (here: revision 1 still running) is refused...
    auto busy = b.start({{{"local", "a", 0}, 2, a.base_port}});
    REQUIRE(busy.size() == 1);
    CHECK(busy[0].message.find("is in use by another program") != std::string::npos);
    // ...so strategies stop an instance before they start it again.
    CHECK(b.stop({{"local", "a", 0}}).empty());
    CHECK(b.start({{{"local", "a", 0}, 2, a.base_port}}).empty());
    up = false;
    for (int n = 0; n < 100 && !up; ++n) {
      up = b.health({{{"local", "a", 0}, 2, a.base_port}}).at(0).healthy;
      if (!up) std::this_thread::sleep_for(100ms);
    }
    REQUIRE(up);
    CHECK(get(a.base_port, "/greeting") == "hello two\n");
    b.activate(2);
    CHECK(std::filesystem::read_symlink(std::filesystem::path(settings.root) / "web" / "dev" / "current") ==
          "releases/2");
    b.cleanup({2});
    CHECK_FALSE(std::filesystem::exists(rel));
  }
  SUBCASE("logs are read back per instance") {
    std::vector<std::string> lines;
    b.logs({false, 10, {}}, [&](const backend::InstanceRef&, std::string_view l) { lines.emplace_back(l); });
    CHECK(std::find(lines.begin(), lines.end(), "serving on " + std::to_string(a.base_port)) != lines.end());
  }
  SUBCASE("a crashing app is reported gone, not waited for") {
    // busybox httpd refuses port 70000 and exits: the supervisor restarts it, the probe says gone.
    std::vector<backend::InstanceSpec> v = {{{"local", "a", 1}, 1, 70000}};
    CHECK(b.start(v).empty());
    bool gone = false;
    for (int n = 0; n < 100 && !gone; ++n) {
      gone = b.health(v).at(0).gone;
      if (!gone) std::this_thread::sleep_for(100ms);
    }
    CHECK(gone);
    CHECK(b.stop({{"local", "a", 1}}).empty());
  }
  SUBCASE("state: put, compare-and-swap, list") {
    auto& s = b.state();
    CHECK_FALSE(s.get("lock.json").has_value());
    CHECK(s.put_if("lock.json", "mine", std::nullopt));
    CHECK_FALSE(s.put_if("lock.json", "theirs", std::nullopt));
    CHECK_FALSE(s.put_if("lock.json", "theirs", std::string("not mine")));
    CHECK(s.put_if("lock.json", "renewed", std::string("mine")));
    CHECK(s.get("lock.json") == std::optional<std::string>("renewed"));
    CHECK(s.remove_if("lock.json", "renewed"));
    s.put("ledger/r000001.json", "{\"a\": 1}\n");
    s.put("ledger/r000002.json", "two\nlines");
    auto l = s.list("ledger/r");
    REQUIRE(l.size() == 2);
    CHECK(l[1].second == "two\nlines");
    CHECK_THROWS_AS(s.put("../escape", "x"), Error);
  }
  CHECK(b.stop({{"local", "a", 0}}).empty());
  CHECK_FALSE(host::http_probe("127.0.0.1", a.base_port, "/health", 1s).healthy);
  for (const auto& i : b.status().instances) CHECK(i.state == backend::InstanceState::stopped);
}
