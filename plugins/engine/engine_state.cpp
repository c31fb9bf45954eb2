// The KvStore of engine targets: the ledger and the lock live at the engine,
// so every machine that drives it sees the same history and the same lock.
//
// The one atomic primitive the Docker API offers is a name: creating a container
// whose name exists answers 409. Each key is a chain of never-started containers
// ecp-state-<app>-<env>-<hash of key>-v<N>, whose labels hold the key and its
// bytes (base64; a removal is a version marked deleted). The newest version is
// the value. A write reads the newest version vN, checks it (compare-and-swap),
// creates v(N+1): a 409 means another writer won, so it reads again. A writer
// that read long ago may find v(N+1) free because it was superseded and removed;
// so after creating, it lists the chain again and withdraws its version when a
// newer one exists. Versions older than the previous one are then removed.
//
// The containers need an image: a tiny one (one empty layer, Cmd /none) that ecp
// makes in memory and loads once. `docker container prune` removes stopped
// containers, and these with them: prune with --filter label!=ecp.state.
#include <fmt/format.h>
#include <sys/utsname.h>

#include <algorithm>

#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "plugins/engine/engine_backend.hpp"

namespace ecp::plugins::engine {
namespace {

std::string arch() {
  struct utsname u {};
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m.starts_with("arm")) return "arm";
  return m;
}

}  // namespace

std::string EngineBackend::ensure_state_image() {
  if (!state_image_.empty()) return state_image_;
  std::string layer(1024, '\0');  // an empty tar
  auto diff_id = oci::Sha256::of(layer).to_string();
  Json config = {{"architecture", arch()},
                 {"os", "linux"},
                 {"config", {{"Cmd", {"/none"}}, {"Labels", {{"ecp.state-image", "1"}}}}},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}};
  std::string config_text = config.dump();
  auto id = oci::Sha256::of(config_text);
  if (state_api().call({"GET", "/images/" + id.to_string() + "/json"}, {404}).status == 404) {
    Json manifest =
        Json::array({{{"Config", id.hex() + ".json"}, {"RepoTags", {"ecp-state:1"}}, {"Layers", {"layer/layer.tar"}}}});
    Request r{"POST", "/images/load?quiet=1"};
    r.body = tar_entry(id.hex() + ".json", config_text, 0644, 0, 0) + tar_entry("layer/layer.tar", layer, 0644, 0, 0) +
             tar_entry("manifest.json", manifest.dump(), 0644, 0, 0) + std::string(1024, '\0');
    r.content_type = "application/x-tar";
    state_api().call(std::move(r));
  }
  state_image_ = id.to_string();
  return state_image_;
}

std::map<std::string, std::vector<EngineBackend::Version>> EngineBackend::read_state(const std::string* key) {
  std::vector<std::string> labels = {fmt::format("ecp.state={}/{}", app_.app, app_.env)};
  if (key)
    labels.push_back(
        fmt::format("ecp.state.id={}/{}/{}", app_.app, app_.env, oci::Sha256::of(*key).hex().substr(0, 16)));
  auto list = state_api().json("GET", "/containers/json?all=1&" + filters_query({{"label", labels}}));
  std::map<std::string, std::vector<Version>> out;
  for (const auto& c : list) {
    if (!c.contains("Labels") || !c["Labels"].is_object()) continue;
    const auto& l = c["Labels"];
    Version v;
    v.number = std::atol(l.value("ecp.state.version", "0").c_str());
    v.id = c.value("Id", "");
    v.present = l.value("ecp.state.deleted", "") != "1";
    if (v.present) v.value = text::base64_decode(l.value("ecp.state.value", ""));
    out[l.value("ecp.state.key", "")].push_back(std::move(v));
  }
  for (auto& [k, vs] : out)
    std::sort(vs.begin(), vs.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  return out;
}

bool EngineBackend::write_state(const std::string& key, const std::optional<std::string>& data,
                                const std::function<Decision(const std::optional<std::string>&)>& decide) {
  std::string image = ensure_state_image();
  auto hash = oci::Sha256::of(key).hex().substr(0, 16);
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto all = read_state(&key);
    auto& chain = all[key];
    std::optional<std::string> cur;
    if (!chain.empty() && chain.back().present) cur = chain.back().value;
    auto d = decide(cur);
    if (d != Decision::write) return d == Decision::done;
    long n = chain.empty() ? 1 : chain.back().number + 1;
    Json labels = {{"ecp.state", fmt::format("{}/{}", app_.app, app_.env)},
                   {"ecp.state.id", fmt::format("{}/{}/{}", app_.app, app_.env, hash)},
                   {"ecp.state.key", key},
                   {"ecp.state.version", std::to_string(n)}};
    if (data)
      labels["ecp.state.value"] = text::base64_encode(*data);
    else
      labels["ecp.state.deleted"] = "1";
    Request create{"POST", fmt::format("/containers/create?name=ecp-state-{}-{}-{}-v{}", app_.app, app_.env, hash, n)};
    create.body =
        Json{{"Image", image}, {"Cmd", {"/none"}}, {"Labels", labels}, {"HostConfig", {{"NetworkMode", "none"}}}}
            .dump();
    create.content_type = "application/json";
    auto r = state_api().call(create, {409, 500});
    if (name_conflict(r)) continue;  // another writer made v(n) first
    if (r.status == 500)
      throw EngineError(ErrorKind::io,
                        step(ledger_location(), "writing the state key " + key + ": " + engine_message(r.body)), 500,
                        engine_message(r.body));
    std::string mine = Json::parse(r.body).value("Id", "");
    auto after = read_state(&key)[key];
    if (!after.empty() && after.back().number > n) {
      // Superseded while we read: our version never counted.
      state_api().call({"DELETE", "/containers/" + mine + "?force=true"}, {404});
      continue;
    }
    for (const auto& v : after)
      if (v.number < n - 1) state_api().call({"DELETE", "/containers/" + v.id + "?force=true"}, {404, 409});
    return true;
  }
  fail(ErrorKind::io, "{}",
       step(ledger_location(), "the state key " + key + " keeps changing under ecp (100 attempts)"));
}

std::optional<std::string> EngineBackend::get(const std::string& key) {
  auto all = read_state(&key);
  auto it = all.find(key);
  if (it == all.end() || it->second.empty() || !it->second.back().present) return std::nullopt;
  return it->second.back().value;
}

std::string EngineBackend::describe(const std::string& key) {
  return fmt::format("the state key {} at {} (containers ecp-state-{}-{}-{}-v*)", key, ledger_location(), app_.app,
                     app_.env, oci::Sha256::of(key).hex().substr(0, 16));
}

std::vector<std::pair<std::string, std::string>> EngineBackend::list(const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [k, chain] : read_state(nullptr))
    if (k.starts_with(prefix) && !chain.empty() && chain.back().present) out.emplace_back(k, chain.back().value);
  return out;  // std::map: sorted by key
}

void EngineBackend::put(const std::string& key, std::string_view data) {
  std::string d(data);
  write_state(key, d,
              [&](const std::optional<std::string>& cur) { return cur == d ? Decision::done : Decision::write; });
}

bool EngineBackend::put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) {
  std::string d(data);
  return write_state(key, d, [&](const std::optional<std::string>& cur) {
    if (cur == expected) return Decision::write;
    // Our own write, carried on by a writer that read it before we withdrew it.
    return cur == d ? Decision::done : Decision::refuse;
  });
}

bool EngineBackend::remove_if(const std::string& key, const std::string& expected) {
  return write_state(key, std::nullopt, [&](const std::optional<std::string>& cur) {
    if (cur == expected) return Decision::write;
    return Decision::refuse;
  });
}

}  // namespace ecp::plugins::engine
