#include <doctest/doctest.h>

#include <string>

#include "core/util/error.hpp"
#include "plugins/host/gateway_conf.hpp"

using namespace ecp;
using namespace ecp::plugins::host;

namespace {
GatewaySpec spec() {
  GatewaySpec g;
  g.app = "web";
  g.env = "prod";
  g.dir = "/srv/ecp/web/prod/gateway";
  g.listen_port = 8000;
  g.weights = {{"a", 75}, {"b", 25}};
  g.preview = "b";
  g.servers = {{"a", "10.0.0.1", 8080}, {"a", "10.0.0.2", 8080}, {"b", "10.0.0.1", 8180}};
  return g;
}
}  // namespace

TEST_CASE("ecp::plugins::host::server_weights") {
  // slot a: 2 servers, b: 1 -> a server of a weighs 75/2, one of b 25/1, scaled to the smallest integers.
  auto w = server_weights({{"a", 75}, {"b", 25}}, {{"a", 2}, {"b", 1}});
  CHECK(w == std::map<std::string, long>{{"a", 3}, {"b", 2}});  // 2 x 3 : 1 x 2 = 75 : 25
  CHECK(server_weights({{"a", 50}, {"b", 50}}, {{"a", 3}, {"b", 3}}) ==
        std::map<std::string, long>{{"a", 1}, {"b", 1}});
  CHECK(server_weights({{"a", 0}, {"b", 100}}, {{"a", 2}, {"b", 2}}) == std::map<std::string, long>{{"b", 1}});
}

TEST_CASE("ecp::plugins::host::parse_out_of_rotation") {
  const std::string text =
      "now 2026/12/31 23:59:50\n"
      "out 2026/12/31 23:59:45 10.0.0.1:8080\n"
      "out 2026/12/31 23:58:00 10.0.0.2:8080\n"  // back in rotation since
      "out 2026/12/31 23:59:30 10.0.0.3:8080\n"
      "out 2026/12/31 23:59:49 10.0.0.3:8080\n"  // taken out again: the last one counts
      "out yesterday 10.0.0.4:8080\n";
  CHECK(parse_out_of_rotation(text, 10) == std::vector<std::string>{"10.0.0.1:8080", "10.0.0.3:8080"});
  CHECK(parse_out_of_rotation(text, 2) == std::vector<std::string>{"10.0.0.3:8080"});
  // Across midnight and a year's end, by the gateway's own clock.
  CHECK(parse_out_of_rotation("now 2027/01/01 00:00:05\nout 2026/12/31 23:59:58 [::1]:80\n", 10) ==
        std::vector<std::string>{"[::1]:80"});
  CHECK(parse_out_of_rotation("out 2026/12/31 23:59:58 10.0.0.1:80\n", 10).empty());  // no clock: nothing
}

TEST_CASE("ecp::plugins::host::render_gateway_conf") {
  SUBCASE("weights per server, max_fails, preview routing, the log format the analysis reads") {
    auto c = render_gateway_conf(spec());
    CHECK(c.find("listen 8000;") != std::string::npos);
    CHECK(c.find("server 10.0.0.1:8080 weight=3 max_fails=3 fail_timeout=10s;") != std::string::npos);
    CHECK(c.find("server 10.0.0.1:8180 weight=2 max_fails=3") != std::string::npos);
    CHECK(c.find("upstream ecp_preview {\n    server 10.0.0.1:8180 weight=1") != std::string::npos);
    CHECK(c.find("map \"$http_x_canary|$cookie_ecp_preview\" $ecp_upstream") != std::string::npos);
    CHECK(c.find("proxy_pass http://$ecp_upstream;") != std::string::npos);
    CHECK(c.find("log_format ecp '$msec|$status|$upstream_addr|$upstream_status|$upstream_response_time|") !=
          std::string::npos);
    CHECK(c.find("pid \"/srv/ecp/web/prod/gateway/nginx.pid\";") != std::string::npos);
  }
  SUBCASE("a slot without traffic is not in the traffic upstream; no preview, no map") {
    auto g = spec();
    g.weights = {{"b", 100}};
    g.preview = "";
    auto c = render_gateway_conf(g);
    CHECK(c.find("10.0.0.2:8080") == std::string::npos);
    CHECK(c.find("map ") == std::string::npos);
    CHECK(c.find("proxy_pass http://ecp_traffic;") != std::string::npos);
  }
  SUBCASE("run.circuit: max_fails and fail_timeout per server, the retry conditions, tries and timeout") {
    auto g = spec();
    backend::AppSpec app;
    app.health.retries = 4;
    app.health.interval = std::chrono::milliseconds(2500);
    apply_circuit(g, app);  // defaults from run.health
    auto c = render_gateway_conf(g);
    CHECK(c.find("server 10.0.0.1:8080 weight=3 max_fails=4 fail_timeout=3s;") != std::string::npos);
    CHECK(c.find("      proxy_next_upstream error timeout;\n") != std::string::npos);
    CHECK(c.find("proxy_next_upstream_tries") == std::string::npos);
    app.circuit.max_fails = 1;
    app.circuit.fail_timeout = std::chrono::seconds(30);
    app.circuit.retry_on = {"error", "timeout", "http_502", "http_503"};
    app.circuit.tries = 2;
    app.circuit.timeout = std::chrono::milliseconds(1500);
    apply_circuit(g, app);
    c = render_gateway_conf(g);
    CHECK(c.find("server 10.0.0.2:8080 weight=3 max_fails=1 fail_timeout=30s;") != std::string::npos);
    CHECK(c.find("      proxy_next_upstream error timeout http_502 http_503;\n") != std::string::npos);
    CHECK(c.find("      proxy_next_upstream_tries 2;\n") != std::string::npos);
    CHECK(c.find("      proxy_next_upstream_timeout 2s;\n") != std::string::npos);
    g.retry_on = {"error; return 200"};  // never written into the configuration
    CHECK_THROWS_AS(render_gateway_conf(g), Error);
  }
  SUBCASE("ops' directives land in the server block") {
    auto g = spec();
    g.directives = {"client_max_body_size 50m;"};
    CHECK(render_gateway_conf(g).find("    listen 8000;\n    client_max_body_size 50m;\n") != std::string::npos);
  }
  SUBCASE("refused: weights that do not add up, a slot with traffic and no server, a '$' in the folder") {
    auto g = spec();
    g.weights = {{"a", 75}, {"b", 20}};
    CHECK_THROWS_AS(render_gateway_conf(g), Error);
    g = spec();
    g.weights = {{"a", 75}, {"c", 25}};
    CHECK_THROWS_AS(render_gateway_conf(g), Error);
    g = spec();
    g.dir = "/srv/$host/gw";
    CHECK_THROWS_AS(render_gateway_conf(g), Error);
    g = spec();
    g.dir = "/srv/with \"quote\" and space";
    CHECK(render_gateway_conf(g).find("pid \"/srv/with \\\"quote\\\" and space/nginx.pid\";") != std::string::npos);
  }
}

TEST_CASE("ecp::plugins::host gateway weights and access log") {
  CHECK(weights_text({{"a", 75}, {"b", 25}}) == "a=75 b=25");
  CHECK(parse_weights("a=75 b=25\n") == std::map<std::string, int>{{"a", 75}, {"b", 25}});
  CHECK(parse_weights("").empty());
  std::string log =
      "1700000000.100|200|10.0.0.1:8080|200|0.010|0.011\n"
      "1700000000.200|500|10.0.0.1:8180|500|0.020|0.021\n"
      "1700000000.300|200|10.0.0.1:8180|200|0.030|0.031\n"
      "1700000000.400|200|10.0.0.2:8080, 10.0.0.1:8180|502, 200|0.001, 0.040|0.050\n"
      "1700000000.500|502|ecp_traffic|-|-|0.000\n"
      "garbage\n";
  auto t = parse_access_log(log, {{"10.0.0.1:8080", "a"}, {"10.0.0.2:8080", "a"}, {"10.0.0.1:8180", "b"}});
  CHECK(t["a"].requests == 1);
  CHECK(t["a"].errors == 0);
  CHECK(t["b"].requests == 3);  // the retried request counts for the server that answered
  CHECK(t["b"].errors == 1);
  CHECK(t["b"].p95.count() == 40);
}

TEST_CASE("ecp::plugins::host::routed_servers") {
  backend::TargetStatus st;
  auto add = [&](std::string loc, std::string slot, int port, backend::InstanceState s) {
    backend::InstanceStatus i;
    i.ref = {std::move(loc), std::move(slot), 0};
    i.port = port;
    i.state = s;
    st.instances.push_back(i);
  };
  add("h1", "a", 8080, backend::InstanceState::running);
  add("h2", "a", 8080, backend::InstanceState::running);
  add("h1", "b", 8180, backend::InstanceState::starting);
  add("h2", "b", 8180, backend::InstanceState::stopped);
  auto at = [](const backend::InstanceStatus& i) { return i.ref.location; };
  auto names = [](const std::vector<GatewayServer>& v) {
    std::string s;
    for (const auto& g : v) s += g.slot + "@" + g.address + ":" + std::to_string(g.port) + " ";
    return s;
  };
  CHECK(names(routed_servers(st, {{"a", 100}}, "", {}, at)) == "a@h1:8080 a@h2:8080 ");
  CHECK(names(routed_servers(st, {{"a", 100}}, "b", {}, at)) == "a@h1:8080 a@h2:8080 b@h1:8180 ");
  CHECK(names(routed_servers(st, {{"a", 90}, {"b", 10}}, "", {}, at)) == "a@h1:8080 a@h2:8080 b@h1:8180 ");
  // one leaving: the others take its requests
  CHECK(names(routed_servers(st, {{"a", 100}}, "", {{"h1", "a", 0}}, at)) == "a@h2:8080 ");
  // every one of the slot leaving: kept, or the slot would have no server at all
  CHECK(names(routed_servers(st, {{"a", 100}}, "", {{"h1", "a", 0}, {"h2", "a", 0}}, at)) == "a@h1:8080 a@h2:8080 ");
}
