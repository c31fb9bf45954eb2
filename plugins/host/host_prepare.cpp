// prepare(): installing a release on every host, hosts in parallel:
//   1. ask each host which layers it lacks (or whether a release of this image is
//      there already: then it is copied with hard links and nothing is sent);
//   2. for SSH hosts, decompress each layer they lack once, here: a layer that does
//      not compress (jars, images) travels as its plain tar, so the hosts do not
//      spend their CPU on gunzip, and is verified there by its diff_id;
//   3. check each such layer for unsafe entries - in the background, while the
//      layers travel, and once per layer (remembered on this machine);
//   4. send the missing layers (ssh: streamed from a file, hashed on the host as
//      they arrive; this machine: a hard link from ecp's store into the cache);
//   5. once the check passed, unpack into releases/REV with the rendered
//      configuration beside the files.
#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <future>
#include <map>
#include <memory>

#include "core/image/compress.hpp"
#include "core/image/layer_check.hpp"
#include "core/oci/digest.hpp"
#include "core/oci/media_types.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"
#include "core/util/text.hpp"
#include "plugins/host/host_backend.hpp"

namespace ecp::plugins::host {

namespace {
std::string compression_of(const std::string& media_type) {
  if (media_type.ends_with("+gzip") || media_type.ends_with(".gzip")) return "gzip";
  if (media_type.ends_with("+zstd") || media_type.ends_with(".zstd")) return "zstd";
  return "none";
}

std::string megabytes(std::int64_t bytes) { return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6); }

// How one layer travels: the blob itself, or its plain tar.
struct Transfer {
  std::string verb = "blob-put";  // or tar-put
  std::string hex;                // the digest the host verifies
  std::string path;
  std::int64_t size = 0;
};

class FileSink : public image::ByteSink {
 public:
  explicit FileSink(const std::filesystem::path& p) : f_(std::fopen(p.c_str(), "wbe")), path_(p) {
    if (!f_) fail(ErrorKind::io, "{}: cannot create: {}", p.string(), std::strerror(errno));
  }
  ~FileSink() override {
    if (f_) std::fclose(f_);
  }
  void write(const void* d, std::size_t n) override {
    if (std::fwrite(d, 1, n, f_) != n) fail(ErrorKind::io, "{}: write failed: {}", path_.string(), std::strerror(errno));
    size_ += static_cast<std::int64_t>(n);
  }
  std::int64_t close() {
    if (std::fclose(std::exchange(f_, nullptr)) != 0) fail(ErrorKind::io, "{}: write failed", path_.string());
    return size_;
  }

 private:
  std::FILE* f_;
  std::filesystem::path path_;
  std::int64_t size_ = 0;
};

// The plain tar of a compressed layer, written to `out`; returns its size.
std::int64_t decompress(const backend::LayerBlob& l, const std::filesystem::path& out) {
  FileSink sink(out);
  image::Decompressor dec(oci::media::layer_compression(l.layer.descriptor.media_type), sink);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(l.path.c_str(), "rbe"), std::fclose);
  if (!in) fail(ErrorKind::io, "{}: cannot open: {}", l.path, std::strerror(errno));
  std::vector<char> buf(1 << 20);
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), in.get())) > 0;) dec.write(buf.data(), n);
  dec.finish();
  return sink.close();
}

Transfer plan_transfer(const backend::LayerBlob& l, const std::filesystem::path& tmp) {
  const oci::Descriptor& d = l.layer.descriptor;
  Transfer t{"blob-put", d.digest.hex(), l.path, d.size};
  if (oci::media::layer_compression(d.media_type) == image::Compression::none || !l.layer.diff_id.valid()) return t;
  auto tar = tmp / ("layer-" + l.layer.diff_id.hex() + ".tar");
  std::int64_t size = decompress(l, tar);
  // Worth sending plain when it barely compressed: the wire carries about as much,
  // and every host is spared the decompression.
  if (size <= d.size + d.size / 4) return {"tar-put", l.layer.diff_id.hex(), tar.string(), size};
  std::error_code ec;
  std::filesystem::remove(tar, ec);
  return t;
}

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

using Needed = std::map<std::string, const backend::LayerBlob*>;

// Works out, in the background, how each needed layer travels (`plan`), at most
// one layer per core at a time. transfers[digest] is ready as
// soon as its layer is planned, so sending starts with the first one; the result
// fails with the first error.
std::shared_future<void> start_layers(const Needed& needed,
                                      std::map<std::string, std::shared_future<Transfer>>& transfers,
                                      std::function<Transfer(const backend::LayerBlob&)> plan) {
  auto promised = std::make_shared<std::vector<std::promise<Transfer>>>(needed.size());
  std::vector<const backend::LayerBlob*> order;
  for (const auto& [d, l] : needed) {
    transfers[d] = (*promised)[order.size()].get_future().share();
    order.push_back(l);
  }
  auto work = [promised, order, plan] {
    std::vector<std::atomic<bool>> started(order.size());
    try {
      parallel_for(order.size(), default_jobs(), [&](std::size_t i) {
        started[i] = true;
        Transfer t;
        try {
          t = plan(*order[i]);
        } catch (...) {
          (*promised)[i].set_exception(std::current_exception());
          throw;
        }
        (*promised)[i].set_value(t);
      });
    } catch (...) {
      // Layers never started after a failure: their hosts must not wait forever.
      for (std::size_t i = 0; i < order.size(); ++i)
        if (!started[i]) (*promised)[i].set_exception(std::current_exception());
      throw;
    }
  };
  return std::async(std::launch::async, work).share();
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

void HostBackend::prepare(const backend::ReleaseSpec& rel) {
  auto hosts = all();
  std::map<const Host*, HostPlan> plans;
  for (auto* h : hosts) plans[h];

  std::vector<AgentLayer> layers;
  for (const auto& l : rel.layers)
    layers.push_back(
        {l.layer.descriptor.digest.hex(), l.layer.diff_id.hex(), compression_of(l.layer.descriptor.media_type)});

  // 1. What each host lacks.
  auto errors = each(hosts, [&](Host& h) {
    std::string out =
        h.agent->must("checking the installed layers", verbs::install_plan(place(), rel.image_digest, layers));
    HostPlan& p = plans.at(&h);
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
  });
  raise(hosts, errors, fmt::format("preparing revision {}", rel.revision));

  // 2. How each missing layer travels (decompressed once, here, for SSH hosts), and
  // 3. the safety check of what will be unpacked - both in the background.
  std::map<std::string, const backend::LayerBlob*> needed;
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
    const oci::Descriptor& d = l.layer.descriptor;
    return remote ? plan_transfer(l, tmp->path()) : Transfer{"", d.digest.hex(), l.path, d.size};
  });
  auto check_all = [&] {
    if (needed.empty()) return;
    std::vector<image::LayerFile> files;
    std::string sequence;
    for (const auto& l : rel.layers) {
      std::string digest = l.layer.descriptor.digest.to_string();
      sequence += digest + "\n";
      auto t = transfers.find(digest);
      std::string path = t != transfers.end() ? t->second.get().path : l.path;
      // Without a file here it is on every host already, brought (and checked)
      // by an earlier revision.
      if (!path.empty()) files.push_back({path, "layer " + digest});
    }
    ensure_checked(files, oci::Sha256::of(sequence).hex());
  };
  std::shared_future<void> checked = std::async(std::launch::async, [planned, check_all] {
                                       planned.get();
                                       check_all();
                                     }).share();

  // 4. Send, 5. unpack.
  errors = each(hosts, [&](Host& h) {
    HostPlan& p = plans.at(&h);
    for (const auto* l : p.missing) {
      const oci::Digest& digest = l->layer.descriptor.digest;
      if (h.transport->local()) {
        // Same machine: a hard link into the layer cache (the store verified the bytes).
        std::string hex = digest.hex();
        std::error_code ec;
        auto dir = std::filesystem::path(root_) / ".ecp" / "blobs" / "sha256";
        std::filesystem::create_directories(dir, ec);
        std::filesystem::create_hard_link(l->path, dir / hex, ec);
        if (!ec || std::filesystem::exists(dir / hex, ec)) continue;
      }
      Transfer t = transfers.at(digest.to_string()).get();
      if (t.verb.empty()) t = {"blob-put", digest.hex(), l->path, l->layer.descriptor.size};
      std::string step = fmt::format("sending layer {} ({})", digest.to_string().substr(0, 19), megabytes(t.size));
      auto timeout = std::chrono::seconds(120) + std::chrono::milliseconds(t.size / 1000);  // >= 1 MB/s
      h.agent->must(step, verbs::blob_put(root_, t.hex, t.size, t.verb == "tar-put"), Input{{}, t.path, {}}, timeout);
      p.sent += t.size;
    }
    checked.get();  // nothing is unpacked before every layer passed the check
    std::string how = h.agent->must(fmt::format("installing revision {}", rel.revision),
                                    verbs::install(place(), rel.revision, rel.image_digest, rel.config_digest, layers),
                                    Input{rel.config_text, {}, {}}, std::chrono::minutes(15));
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
  });
  // A layer that failed its check (or could not be decompressed) says more than
  // the hosts that all waited for it.
  for (const auto& [d, f] : transfers) f.get();
  checked.get();
  raise(hosts, errors, fmt::format("preparing revision {}", rel.revision));
}

}  // namespace ecp::plugins::host
