// What the gateway container is made of and what ecp reads back from it, as
// pure functions: its create body, tar archives in and out, nginx's reload log.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "core/util/text.hpp"
#include "plugins/engine/engine_backend.hpp"
#include "plugins/engine/engine_gateway.hpp"

namespace ecp::plugins::engine {

Json gateway_create_body(const std::string& image, const backend::AppSpec& app) {
  // The labels are not the instances' (ecp.app, ecp.env): status() lists those.
  Json labels = {{"ecp.gateway", app.app + "/" + app.env}, {"ecp.gateway.app", app.app}, {"ecp.gateway.env", app.env}};
  // The engine host's network: nginx listens on the gateway port there and
  // reaches the instances where clients would, at their published ports.
  Json host = {{"NetworkMode", "host"}, {"RestartPolicy", {{"Name", "unless-stopped"}, {"MaximumRetryCount", 0}}}};
  return {{"Image", image},
          {"Cmd", {"nginx", "-g", "daemon off;", "-c", std::string(gateway_dir) + "/nginx.conf"}},
          {"Labels", labels},
          {"HostConfig", host}};
}

std::string tar_files(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  for (const auto& [name, data] : entries) {
    if (!name.ends_with('/')) {
      out += tar_entry(name, data, 0644, 0, 0);
      continue;
    }
    // A folder: tar_entry's header with type '5' and its checksum again.
    std::string h = tar_entry(name, "", 0755, 0, 0);
    h[156] = '5';
    std::memset(h.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (std::size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(h[i]);
    std::snprintf(h.data() + 148, 8, "%06o", sum);
    out += h;
  }
  return out + std::string(1024, '\0');
}

std::optional<std::string> tar_first_file(std::string_view tar) {
  std::size_t p = 0;
  while (p + 512 <= tar.size() && tar[p] != '\0') {
    std::string size_field(tar.substr(p + 124, 12));
    auto size = static_cast<std::size_t>(std::strtoull(size_field.c_str(), nullptr, 8));
    char type = tar[p + 156];
    if (p + 512 + size > tar.size()) return std::nullopt;
    if (type == '0' || type == '\0') return std::string(tar.substr(p + 512, size));
    p += 512 + (size + 511) / 512 * 512;  // pax headers, folders, links: skipped
  }
  return std::nullopt;
}

std::int64_t log_time_ms(std::string_view ts) {
  // "2026-12-05T18:33:31.123456789Z" (dockerd); podman's have whole seconds: the
  // end of that second then, so that no request before it counts as after.
  auto ms = text::parse_rfc3339_ms(ts);
  if (!ms) return 0;
  return *ms + (ts.find('.') == std::string_view::npos ? 999 : 0);
}

std::string host_port(const std::string& address, int port) {
  bool v6 = address.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", v6 ? "[" : "", address, v6 ? "]" : "", port);
}

long signaller_pid(std::string_view output) {
  auto at = output.find(": signal process started");
  if (at == std::string_view::npos) return 0;
  auto hash = output.rfind('#', at);
  auto start = output.rfind(' ', hash);
  if (hash == std::string_view::npos || start == std::string_view::npos || start > hash) return 0;
  return std::atol(std::string(output.substr(start + 1, hash - start - 1)).c_str());
}

ReloadOutcome reload_outcome(const std::vector<std::string>& lines, long pid) {
  // From the master's "signal 1 (SIGHUP) received from PID" on; `pid` 0 (nginx
  // before 1.19 does not name the sender): from the last SIGHUP line.
  auto mark = pid > 0 ? fmt::format("(SIGHUP) received from {},", pid) : std::string("(SIGHUP) received");
  std::size_t from = lines.size();
  for (std::size_t i = lines.size(); i-- > 0;)
    if (lines[i].find(mark) != std::string::npos) {
      from = i;
      break;
    }
  if (from == lines.size()) return {};  // not seen yet
  ReloadOutcome out;
  int started = 0;                  // new workers: as many as the old ones (worker_processes)
  std::set<std::string> old, gone;  // the old workers' pids: shutting down, exited
  for (std::size_t i = from + 1; i < lines.size(); ++i) {
    const auto& l = lines[i];
    if (!out.done && (l.find("[emerg]") != std::string::npos || l.find("[alert]") != std::string::npos)) {
      out.failed = true;
      // "TS 2026/12/05 18:33:31 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: ...)"
      auto m = l.find(": ", l.find(']'));
      out.detail = m != std::string::npos ? l.substr(m + 2) : l;
      return out;
    }
    // "TS 2026/12/05 18:33:31 [notice] 6#6: MESSAGE": the pid before '#'.
    auto bracket = l.find("] ");
    auto hash = bracket == std::string::npos ? std::string::npos : l.find('#', bracket);
    std::string who = hash == std::string::npos ? "" : l.substr(bracket + 2, hash - bracket - 2);
    auto colon = hash == std::string::npos ? std::string::npos : l.find(": ", hash);
    std::string_view said = colon == std::string::npos ? std::string_view() : std::string_view(l).substr(colon + 2);
    if (said.starts_with("start worker process ")) ++started;  // not "start worker processes"
    if (said == "gracefully shutting down") {
      if (!out.done) out.at_ms = log_time_ms(l.substr(0, l.find(' ')));
      out.done = true;
      old.insert(who);
    }
    if (said == "exit") gone.insert(who);
    // the master's word: "worker process 6 exited with code 0"
    if (said.starts_with("worker process ") && said.find(" exited") != std::string_view::npos)
      gone.insert(std::string(said.substr(15, said.find(' ', 15) - 15)));
  }
  out.drained = out.done && static_cast<int>(old.size()) >= started &&
                std::all_of(old.begin(), old.end(), [&](const auto& p) { return gone.count(p) > 0; });
  return out;
}

}  // namespace ecp::plugins::engine
