// prepare(): installing a release on every host, hosts in parallel:
//   1. ask each host which layers it lacks (or whether a release of this image is
//      there already: then it is copied with hard links and nothing is sent);
//   2. for SSH hosts, decompress each layer they lack once, here: a layer that does
//      not compress (jars, images) travels as its plain tar, so the hosts do not
//      spend their CPU on gunzip, and is verified there by its diff_id
//      (layer_transfer.hpp);
//   3. check each such layer for unsafe entries - in the background, while the
//      layers travel, and once per layer (remembered on this machine);
//   4. send the missing layers (ssh: streamed from a file, hashed on the host as
//      they arrive; this machine: a hard link from ecp's store into the cache);
//   5. once the check passed, unpack into releases/REV with the rendered
//      configuration beside the files.
#include <fmt/format.h>

#include <functional>
#include <future>
#include <map>

#include "core/image/layer_check.hpp"
#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "plugins/host/host_backend.hpp"
#include "plugins/host/layer_transfer.hpp"

namespace ecp::plugins::host {

namespace {
std::string compression_of(const std::string& media_type) {
  if (media_type.ends_with("+gzip") || media_type.ends_with(".gzip")) return "gzip";
  if (media_type.ends_with("+zstd") || media_type.ends_with(".zstd")) return "zstd";
  return "none";
}

std::string megabytes(std::int64_t bytes) { return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6); }

struct HostPlan {
  std::vector<const backend::LayerBlob*> missing;
  std::string linked;  // a release of the same image is there: its revision
  std::int64_t sent = 0;
};

// Throws one Error for the hosts that failed (naming each), keeping a permission kind.
void raise(const std::vector<Host*>& hosts, const std::vector<std::exception_ptr>& errors, const std::string& what) {
  std::vector<std::string> messages;
  std::optional<ErrorKind> kind;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i]) continue;
    try {
      std::rethrow_exception(errors[i]);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      if (!kind || e.kind() == ErrorKind::permission) kind = e.kind();
      messages.push_back(e.what());
    } catch (const std::exception& e) {
      kind = kind.value_or(ErrorKind::io);
      messages.push_back(fmt::format("{}: {}", hosts[i]->label, e.what()));
    }
  }
  if (messages.empty()) return;
  std::string all = text::join(messages, "; ");
  if (hosts.size() == 1) throw Error(*kind, all);
  fail(*kind, "{} failed on {} of {} hosts: {}", what, messages.size(), hosts.size(), all);
}

std::vector<AgentLayer> agent_layers(const backend::ReleaseSpec& rel) {
  std::vector<AgentLayer> layers;
  for (const auto& l : rel.layers)
    layers.push_back(
        {l.layer.descriptor.digest.hex(), l.layer.diff_id.hex(), compression_of(l.layer.descriptor.media_type)});
  return layers;
}

// Step 1 on one host: install-plan answers "have REV" (a release of this image
// is there) and "missing HEX" lines; a missing layer must be in ecp's store.
HostPlan read_host_plan(Host& h, const AgentPlace& place, const backend::ReleaseSpec& rel,
                        const std::vector<AgentLayer>& layers) {
  std::string out =
      h.agent->must("checking the installed layers", verbs::install_plan(place, rel.image_digest, layers));
  HostPlan p;
  for (std::size_t pos = 0; pos < out.size();) {
    auto nl = out.find('\n', pos);
    std::string line = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? out.size() : nl + 1;
    if (line.starts_with("have ")) p.linked = line.substr(5);
    if (line.starts_with("missing "))
      for (const auto& l : rel.layers)
        if (l.layer.descriptor.digest.hex() == line.substr(8)) p.missing.push_back(&l);
  }
  for (const auto* l : p.missing) {
    std::error_code ec;
    if (l->path.empty() || !std::filesystem::exists(l->path, ec))
      fail(ErrorKind::io, "{}: layer {} is neither on the host nor in ecp's store; pull or build {} first", h.label,
           l->layer.descriptor.digest.to_string(), rel.image);
  }
  return p;
}

// The files the safety check reads: each layer as it will travel, or from the
// store; and the key it is remembered by (the revision's layer sequence).
std::pair<std::vector<image::LayerFile>, std::string> files_to_check(
    const backend::ReleaseSpec& rel, const std::map<std::string, std::shared_future<Transfer>>& transfers) {
  std::vector<image::LayerFile> files;
  std::string sequence;
  for (const auto& l : rel.layers) {
    sequence += l.layer.descriptor.digest.to_string() + "\n";
    auto t = transfers.find(l.layer.descriptor.digest.to_string());
    std::string path = t != transfers.end() ? t->second.get().path : l.path;
    // Without a file here it is on every host already, brought (and checked)
    // by an earlier revision.
    if (!path.empty()) files.push_back({path, "layer " + l.layer.descriptor.digest.to_string()});
  }
  return {files, oci::Sha256::of(sequence).hex()};
}

// Step 4 for one layer: the bytes sent (none when this machine linked it).
std::int64_t send_layer(Host& h, const std::string& root, const backend::LayerBlob& l,
                        const std::shared_future<Transfer>& transfer) {
  if (h.transport->local()) {
    // Same machine: a hard link into the layer cache (the store verified the bytes).
    std::string hex = l.layer.descriptor.digest.hex();
    std::error_code ec;
    auto dir = std::filesystem::path(root) / ".ecp" / "blobs" / "sha256";
    std::filesystem::create_directories(dir, ec);
    std::filesystem::create_hard_link(l.path, dir / hex, ec);
    if (!ec || std::filesystem::exists(dir / hex, ec)) return 0;
  }
  Transfer t = transfer.get();
  if (t.verb.empty()) t = {"blob-put", l.layer.descriptor.digest.hex(), l.path, l.layer.descriptor.size};
  std::string step =
      fmt::format("sending layer {} ({})", l.layer.descriptor.digest.to_string().substr(0, 19), megabytes(t.size));
  auto timeout = std::chrono::seconds(120) + std::chrono::milliseconds(t.size / 1000);  // >= 1 MB/s
  h.agent->must(step, verbs::blob_put(root, t.hex, t.size, t.verb == "tar-put"), Input{{}, t.path, {}}, timeout);
  return t.size;
}

// `how`: the install verb's answer ("linked REV" when it copied a release).
void log_ready(const Host& h, const backend::ReleaseSpec& rel, const HostPlan& p, std::string how) {
  while (!how.empty() && how.back() == '\n') how.pop_back();
  if (how.starts_with("linked "))
    log::info("{}: revision {} ready (same image as revision {}: no transfer)", h.label, rel.revision, how.substr(7));
  else if (p.missing.empty())
    log::info("{}: revision {} ready (every layer was on the host)", h.label, rel.revision);
  else if (h.transport->local())
    log::info("{}: revision {} ready ({} layer(s) linked from ecp's store)", h.label, rel.revision, p.missing.size());
  else
    log::info("{}: revision {} ready ({} layer(s) sent, {})", h.label, rel.revision, p.missing.size(),
              megabytes(p.sent));
}
}  // namespace

void HostBackend::ensure_checked(const std::vector<image::LayerFile>& layers, const std::string& key) {
  {
    std::lock_guard l(checked_mu_);
    if (checked_.count(key)) return;
  }
  std::error_code ec;
  auto marker = checked_dir_ / key;
  if (!std::filesystem::exists(marker, ec)) {
    // Refuses absolute names, "..", links leaving the release folder and entries
    // reached through a symlink, resolved across all the layers (a link made by
    // one layer and written through by the next): the agent's tar never sees such
    // a layer.
    image::check_layers(layers, image::LayerRoot::host);
    std::filesystem::create_directories(checked_dir_, ec);
    fs::write_file_atomic(marker, key + "\n");
  }
  std::lock_guard l(checked_mu_);
  checked_.insert(key);
}

// An SSH host runs its instances again after a reboot (agent verbs boot-hook
// and resume); this machine (the local target) is a developer's, and gets none.
void HostBackend::ensure_boot_hook(Host& h) {
  if (h.transport->local()) return;
  auto r = h.agent->call(verbs::boot_hook(root_));
  std::string how(text::trim(r.out));
  // Said once per host (the agent remembers), not at every release.
  if (how.starts_with("none (known)"))
    log::debug("{}: its instances will not come back after a reboot: {}", h.label, how.substr(14));
  else if (!r.ok() || how.starts_with("none"))
    log::warn("{}: its instances will not come back after a reboot: {}", h.label,
              r.ok() ? how.substr(std::min<std::size_t>(how.size(), 6)) : r.last_line());
  else
    log::debug("{}: its instances come back after a reboot ({})", h.label, how);
}

void HostBackend::prepare(const backend::ReleaseSpec& rel) {
  auto hosts = all();
  std::map<const Host*, HostPlan> plans;
  for (auto* h : hosts) plans[h];
  auto layers = agent_layers(rel);
  std::string what = fmt::format("preparing revision {}", rel.revision);

  // 1. What each host lacks.
  raise(hosts, each(hosts, [&](Host& h) { plans.at(&h) = read_host_plan(h, place(), rel, layers); }), what);

  // 2. How each missing layer travels (decompressed once, here, for SSH hosts), and
  // 3. the safety check of what will be unpacked - both in the background.
  Needed needed;
  for (const auto& [h, p] : plans)
    for (const auto* l : p.missing) needed[l->layer.descriptor.digest.to_string()] = l;
  bool remote = !hosts_.front()->transport->local();
  std::optional<fs::TempDir> tmp;
  if (remote && !needed.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(tmp_dir_, ec);
    tmp.emplace(tmp_dir_, "ecp-layers-");
  }
  std::map<std::string, std::shared_future<Transfer>> transfers;
  std::shared_future<void> planned = start_layers(needed, transfers, [&](const backend::LayerBlob& l) {
    return remote ? plan_transfer(l, tmp->path())
                  : Transfer{"", l.layer.descriptor.digest.hex(), l.path, l.layer.descriptor.size};
  });
  auto check_all = [&] {
    if (needed.empty()) return;
    auto [files, key] = files_to_check(rel, transfers);
    ensure_checked(files, key);
  };
  std::shared_future<void> checked = std::async(std::launch::async, [planned, check_all] {
                                       planned.get();
                                       check_all();
                                     }).share();

  // 4. Send, 5. unpack.
  auto errors = each(hosts, [&](Host& h) {
    HostPlan& p = plans.at(&h);
    for (const auto* l : p.missing)
      p.sent += send_layer(h, root_, *l, transfers.at(l->layer.descriptor.digest.to_string()));
    checked.get();  // nothing is unpacked before every layer passed the check
    log_ready(h, rel, p,
              h.agent->must(fmt::format("installing revision {}", rel.revision),
                            verbs::install(place(), rel.revision, rel.image_digest, rel.config_digest,
                                           {app_.user, app_.resources, app_.priority, app_.health.path}, layers),
                            Input{rel.config_text, {}, {}}, std::chrono::minutes(15)));
    ensure_boot_hook(h);
  });
  // A layer that failed its check (or could not be decompressed) says more than
  // the hosts that all waited for it.
  for (const auto& [d, f] : transfers) f.get();
  checked.get();
  raise(hosts, errors, what);
}

}  // namespace ecp::plugins::host
