// nginx.conf of a gateway, weights and the access log: pure text in, text out.
#include "plugins/host/gateway_conf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::plugins::host {

namespace {

// A double-quoted nginx string. '$' would start a variable in some directives and
// a control character has no place in a path: both are refused.
std::string quoted_path(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '$' || static_cast<unsigned char>(c) < 0x20)
      fail(ErrorKind::validation,
           "the gateway folder {} holds a character nginx cannot take ('$' or a control "
           "character); choose another root",
           s);
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// X-Canary -> $http_x_canary
std::string header_variable(const std::string& header) {
  std::string v = "$http_";
  for (char c : header) v += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t p = 0;;) {
    auto q = s.find(sep, p);
    out.push_back(s.substr(p, q == std::string_view::npos ? std::string_view::npos : q - p));
    if (q == std::string_view::npos) return out;
    p = q + 1;
  }
}

// The last of "a, b, c" (nginx lists every server a request was tried on).
std::string_view last_item(std::string_view s) {
  auto c = s.rfind(", ");
  return c == std::string_view::npos ? s : s.substr(c + 2);
}

}  // namespace

std::map<std::string, long> server_weights(const std::map<std::string, int>& weights,
                                           const std::map<std::string, int>& servers_per_slot) {
  long l = 1;
  for (const auto& [slot, w] : weights) {
    if (w <= 0) continue;
    auto it = servers_per_slot.find(slot);
    if (it == servers_per_slot.end() || it->second <= 0) continue;
    l = std::lcm(l, static_cast<long>(it->second));
  }
  std::map<std::string, long> out;
  long g = 0;
  for (const auto& [slot, w] : weights) {
    auto it = servers_per_slot.find(slot);
    if (w <= 0 || it == servers_per_slot.end() || it->second <= 0) continue;
    out[slot] = static_cast<long>(w) * l / it->second;
    g = std::gcd(g, out[slot]);
  }
  if (g > 1)
    for (auto& [slot, w] : out) w /= g;
  return out;
}

void apply_circuit(GatewaySpec& spec, const backend::AppSpec& app) {
  const auto& c = app.circuit;
  auto seconds = [](backend::Duration d) { return static_cast<int>(std::max<long long>(1, (d.count() + 999) / 1000)); };
  spec.max_fails = c.max_fails >= 0 ? c.max_fails : std::max(1, app.health.retries);
  spec.fail_timeout_s = seconds(c.fail_timeout.count() >= 0 ? c.fail_timeout : app.health.interval);
  if (!c.retry_on.empty()) spec.retry_on = c.retry_on;
  spec.tries = std::max(0, c.tries);
  spec.try_timeout_s = c.timeout.count() > 0 ? seconds(c.timeout) : 0;
}

namespace {

// "2026/12/07 21:10:00" as seconds on a count of its own (days from the civil
// calendar, H. Hinnant's algorithm): only differences matter. -1 when malformed.
long long log_seconds(std::string_view date, std::string_view time) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(std::string(date).c_str(), "%d/%d/%d", &y, &mo, &d) != 3 ||
      std::sscanf(std::string(time).c_str(), "%d:%d:%d", &h, &mi, &s) != 3 || mo < 1 || mo > 12)
    return -1;
  y -= mo <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (era * 146097 + doe) * 86400 + h * 3600 + mi * 60 + s;
}

}  // namespace

std::vector<std::string> parse_out_of_rotation(std::string_view text, int fail_timeout_s) {
  long long now = -1;
  std::map<std::string, long long> last;  // server -> when it was last taken out
  for (auto line : split(text, '\n')) {
    auto f = split(line, ' ');
    if (f.size() == 3 && f[0] == "now") now = log_seconds(f[1], f[2]);
    if (f.size() == 4 && f[0] == "out") last[std::string(f[3])] = log_seconds(f[1], f[2]);
  }
  std::vector<std::string> out;
  for (const auto& [server, at] : last)
    if (now >= 0 && at >= 0 && now - at < fail_timeout_s) out.push_back(server);
  return out;
}

std::string render_gateway_conf(const GatewaySpec& g) {
  int total = 0;
  std::map<std::string, int> counts;
  for (const auto& s : g.servers) ++counts[s.slot];
  for (const auto& [slot, w] : g.weights) {
    if (w < 0 || w > 100) fail(ErrorKind::validation, "gateway weight {} of slot {} is not 0..100", w, slot);
    total += w;
    if (w > 0 && counts[slot] == 0)
      fail(ErrorKind::validation, "slot {} is to get {}% of the traffic but has no running instance", slot, w);
  }
  if (total != 100) fail(ErrorKind::validation, "gateway weights add up to {}, not 100", total);
  if (!g.preview.empty() && counts[g.preview] == 0)
    fail(ErrorKind::validation, "preview slot {} has no running instance", g.preview);
  const std::string d = g.dir;
  auto path = [&](const std::string& rel) { return quoted_path(d + "/" + rel); };
  auto weights = server_weights(g.weights, counts);

  std::string c;
  c += fmt::format("# The gateway of {}/{}, written by ecp at each traffic change: edits are lost.\n", g.app, g.env);
  c += fmt::format("# weights: {}\n", weights_text(g.weights));
  c += "worker_processes 1;\n";
  c += fmt::format("pid {};\n", path("nginx.pid"));
  c += fmt::format("error_log {} notice;\n", g.error_log.empty() ? path("logs/error.log") : quoted_path(g.error_log));
  c += "events { worker_connections 4096; }\n";
  c += "http {\n";
  // The analysis reads these fields (parse_access_log): keep the two in step.
  c += "  log_format ecp '$msec|$status|$upstream_addr|$upstream_status|$upstream_response_time|$request_time';\n";
  c +=
      fmt::format("  access_log {} ecp;\n", g.access_log.empty() ? path("logs/access.log") : quoted_path(g.access_log));
  for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
    c += fmt::format("  {}_temp_path {};\n", t, path(fmt::format("tmp/{}", t)));
  c += "  server_tokens off;\n";
  auto server_line = [&](const GatewayServer& s, long weight) {
    bool v6 = s.address.find(':') != std::string::npos;
    return fmt::format("    server {}{}{}:{} weight={} max_fails={} fail_timeout={}s;\n", v6 ? "[" : "", s.address,
                       v6 ? "]" : "", s.port, weight, g.max_fails, g.fail_timeout_s);
  };
  c += "  upstream ecp_traffic {\n";
  for (const auto& s : g.servers)
    if (auto it = weights.find(s.slot); it != weights.end()) c += server_line(s, it->second);
  c += "    keepalive 32;\n  }\n";
  if (!g.preview.empty()) {
    c += "  upstream ecp_preview {\n";
    for (const auto& s : g.servers)
      if (s.slot == g.preview) c += server_line(s, 1);
    c += "    keepalive 8;\n  }\n";
    // "HEADER: always" or the cookie ecp_preview=always picks the preview slot.
    c += fmt::format("  map \"{}|$cookie_ecp_preview\" $ecp_upstream {{\n", header_variable(g.header));
    c += "    default ecp_traffic;\n    \"~^always\\|\" ecp_preview;\n    \"~\\|always$\" ecp_preview;\n  }\n";
  }
  c += "  server {\n";
  c += fmt::format("    listen {};\n", g.listen_port);
  for (const auto& line : g.directives) c += fmt::format("    {}\n", line);
  // ecp degrade: while DIR/degraded.html exists the gateway answers 503 with it
  // (nginx-made 503s only: an upstream's own pass through unchanged).
  c += "    error_page 503 /.ecp-degraded.html;\n";
  c += fmt::format("    location = /.ecp-degraded.html {{ internal; default_type text/html; alias {}; }}\n",
                   path("degraded.html"));
  c += "    location / {\n";
  c += fmt::format("      if (-f {}) {{ return 503; }}\n", path("degraded.html"));
  c += fmt::format("      proxy_pass http://{};\n", g.preview.empty() ? "ecp_traffic" : "$ecp_upstream");
  c += "      proxy_http_version 1.1;\n";
  c += "      proxy_set_header Connection \"\";\n";
  c += "      proxy_set_header Host $http_host;\n";
  c += "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n";
  // Conditions are words of one list (validate checks them): no quoting needed.
  for (const auto& r : g.retry_on)
    if (r.empty() || r.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789") != std::string::npos)
      fail(ErrorKind::validation, "'{}' is not a proxy_next_upstream condition", r);
  c += fmt::format("      proxy_next_upstream {};\n", text::join(g.retry_on, " "));
  if (g.tries > 0) c += fmt::format("      proxy_next_upstream_tries {};\n", g.tries);
  if (g.try_timeout_s > 0) c += fmt::format("      proxy_next_upstream_timeout {}s;\n", g.try_timeout_s);
  if (g.connect_timeout_s > 0) c += fmt::format("      proxy_connect_timeout {}s;\n", g.connect_timeout_s);
  c += "    }\n  }\n}\n";
  return c;
}

std::vector<GatewayServer> routed_servers(
    const backend::TargetStatus& st, const std::map<std::string, int>& weights, const std::string& preview,
    const std::vector<backend::InstanceRef>& leaving,
    const std::function<std::string(const backend::InstanceStatus&)>& address_of) {
  std::vector<std::pair<GatewayServer, bool>> all;  // with: is it leaving
  std::map<std::string, int> staying;               // per slot
  for (const auto& i : st.instances) {
    if (backend::is_down(i.state)) continue;
    bool wanted = !preview.empty() && i.ref.slot == preview;
    if (auto w = weights.find(i.ref.slot); w != weights.end() && w->second > 0) wanted = true;
    if (!wanted) continue;
    bool goes = std::find(leaving.begin(), leaving.end(), i.ref) != leaving.end();
    if (!goes) ++staying[i.ref.slot];
    all.push_back({{i.ref.slot, address_of(i), i.port}, goes});
  }
  std::vector<GatewayServer> out;
  for (auto& [s, goes] : all)
    if (!goes || staying[s.slot] == 0) out.push_back(std::move(s));
  return out;
}

std::string weights_text(const std::map<std::string, int>& weights) {
  return text::join(weights, " ", [](const auto& sw) { return fmt::format("{}={}", sw.first, sw.second); });
}

std::map<std::string, int> parse_weights(std::string_view text) {
  std::map<std::string, int> out;
  std::string word;
  auto take = [&] {
    auto eq = word.find('=');
    if (eq != std::string::npos && eq > 0) out[word.substr(0, eq)] = std::atoi(word.c_str() + eq + 1);
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t')
      take();
    else
      word += c;
  }
  take();
  return out;
}

std::map<std::string, backend::SlotTraffic> parse_access_log(std::string_view text,
                                                             const std::map<std::string, std::string>& slot_of) {
  std::map<std::string, std::vector<double>> times;
  std::map<std::string, backend::SlotTraffic> out;
  for (auto line : split(text, '\n')) {
    auto f = split(line, '|');
    if (f.size() < 6) continue;
    auto slot = slot_of.find(std::string(last_item(f[2])));
    if (slot == slot_of.end()) continue;
    int status = std::atoi(std::string(f[1]).c_str());
    auto& t = out[slot->second];
    ++t.requests;
    if (status >= 500) ++t.errors;
    auto up = last_item(f[4]);
    if (up != "-") times[slot->second].push_back(std::atof(std::string(up).c_str()));
  }
  for (auto& [slot, v] : times) {
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(v.size())));
    double p95 = v[std::max<std::size_t>(rank, 1) - 1];
    out[slot].p95 = backend::Duration(static_cast<long long>(std::llround(p95 * 1000)));
  }
  return out;
}

}  // namespace ecp::plugins::host
