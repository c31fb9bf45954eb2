// prepare(): installing a release on every host, in parallel:
//   1. ask the host which layers it lacks (or whether a release of this image is
//      there already: then it is copied with hard links and nothing is sent);
//   2. check each layer ecp sends for unsafe entries (once per layer, remembered);
//   3. send the missing layers (ssh: streamed from ecp's store, verified by
//      sha256 on the host; this machine: a hard link into the layer cache);
//   4. unpack into releases/REV with the rendered configuration beside the files.
#include <fmt/format.h>

#include "core/image/layer_check.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "plugins/host/host_backend.hpp"

namespace ecp::plugins::host {

namespace {
std::string hex_of(const std::string& digest) {
  auto colon = digest.find(':');
  return colon == std::string::npos ? digest : digest.substr(colon + 1);
}

std::string compression_of(const std::string& media_type) {
  if (media_type.ends_with("+gzip") || media_type.ends_with(".gzip")) return "gzip";
  if (media_type.ends_with("+zstd") || media_type.ends_with(".zstd")) return "zstd";
  return "none";
}

std::string megabytes(std::int64_t bytes) { return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6); }
}  // namespace

void HostBackend::ensure_checked(const backend::LayerBlob& layer) {
  std::string hex = hex_of(layer.digest);
  std::lock_guard l(checked_mu_);
  if (checked_.count(hex)) return;
  std::error_code ec;
  auto marker = checked_dir_ / hex;
  if (!std::filesystem::exists(marker, ec)) {
    // Refuses absolute names, "..", links leaving the root and entries reached
    // through a symlink: the agent's tar never sees such a layer.
    image::check_layer(layer.path, "layer " + layer.digest);
    std::filesystem::create_directories(checked_dir_, ec);
    fs::write_file_atomic(marker, layer.digest + "\n");
  }
  checked_.insert(hex);
}

void HostBackend::prepare_host(Host& h, const backend::ReleaseSpec& rel) {
  auto args = base_args();
  args.push_back(rel.image_digest);
  for (const auto& l : rel.layers) args.push_back(hex_of(l.digest));
  std::string plan = h.agent->must("checking the installed layers", "install-plan", args);
  std::vector<const backend::LayerBlob*> missing;
  std::string linked;
  for (std::size_t p = 0; p < plan.size();) {
    auto nl = plan.find('\n', p);
    std::string line = plan.substr(p, nl == std::string::npos ? std::string::npos : nl - p);
    p = nl == std::string::npos ? plan.size() : nl + 1;
    if (line.starts_with("have ")) linked = line.substr(5);
    if (line.starts_with("missing "))
      for (const auto& l : rel.layers)
        if (hex_of(l.digest) == line.substr(8)) missing.push_back(&l);
  }
  std::int64_t sent = 0;
  for (const auto* l : missing) {
    std::error_code ec;
    if (l->path.empty() || !std::filesystem::exists(l->path, ec))
      fail(ErrorKind::io, "{}: layer {} is neither on the host nor in ecp's store ({}); pull or build the image first",
           h.label, l->digest, rel.image);
    ensure_checked(*l);
    std::string hex = hex_of(l->digest);
    if (h.transport->local()) {
      // Same machine: a hard link into the layer cache (the store verified the bytes).
      auto dir = std::filesystem::path(root_) / ".ecp" / "blobs" / "sha256";
      std::filesystem::create_directories(dir, ec);
      auto dest = dir / hex;
      std::filesystem::create_hard_link(l->path, dest, ec);
      if (!ec || std::filesystem::exists(dest)) continue;
    }
    std::string step = fmt::format("sending layer {} ({})", l->digest.substr(0, 19), megabytes(l->size));
    auto timeout = std::chrono::seconds(120) + std::chrono::milliseconds(l->size / 1000);  // >= 1 MB/s
    h.agent->must(step, "blob-put", {root_, hex}, Input{{}, l->path, {}}, timeout);
    sent += l->size;
  }
  auto install = base_args();
  install.insert(install.end(), {std::to_string(rel.revision), rel.image_digest, rel.config_digest});
  for (const auto& l : rel.layers) install.push_back(hex_of(l.digest) + ":" + compression_of(l.media_type));
  std::string how = h.agent->must(fmt::format("installing revision {}", rel.revision), "install", install,
                                  Input{rel.config_text, {}, {}}, std::chrono::minutes(15));
  while (!how.empty() && how.back() == '\n') how.pop_back();
  if (how.starts_with("linked "))
    log::info("{}: revision {} ready (same image as revision {}: no transfer)", h.label, rel.revision, how.substr(7));
  else if (missing.empty())
    log::info("{}: revision {} ready (every layer was on the host)", h.label, rel.revision);
  else
    log::info("{}: revision {} ready ({} layer(s) sent, {})", h.label, rel.revision, missing.size(), megabytes(sent));
}

void HostBackend::prepare(const backend::ReleaseSpec& release) {
  auto hosts = all();
  auto errors = each(hosts, [&](Host& h) { prepare_host(h, release); });
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
  std::string all_messages;
  for (const auto& m : messages) all_messages += (all_messages.empty() ? "" : "; ") + m;
  if (hosts.size() == 1) throw Error(*kind, all_messages);
  fail(*kind, "preparing revision {} failed on {} of {} hosts: {}", release.revision, messages.size(), hosts.size(),
       all_messages);
}

}  // namespace ecp::plugins::host
