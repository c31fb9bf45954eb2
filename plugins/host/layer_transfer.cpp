#include "plugins/host/layer_transfer.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/image/compress.hpp"
#include "core/oci/media_types.hpp"
#include "core/util/error.hpp"
#include "core/util/parallel.hpp"

namespace ecp::plugins::host {
namespace {

// Thrown by FileSink past its limit: the plain tar will not travel, so the rest
// need not be decompressed.
struct PastLimit {};

class FileSink : public image::ByteSink {
 public:
  FileSink(const std::filesystem::path& p, std::int64_t limit)
      : f_(std::fopen(p.c_str(), "wbe")), path_(p), limit_(limit) {
    if (!f_) fail(ErrorKind::io, "{}: cannot create: {}", p.string(), std::strerror(errno));
  }
  ~FileSink() override {
    if (f_) std::fclose(f_);
  }
  void write(const void* d, std::size_t n) override {
    if (size_ + static_cast<std::int64_t>(n) > limit_) throw PastLimit{};
    if (std::fwrite(d, 1, n, f_) != n)
      fail(ErrorKind::io, "{}: write failed: {}", path_.string(), std::strerror(errno));
    size_ += static_cast<std::int64_t>(n);
  }
  std::int64_t close() {
    if (std::fclose(std::exchange(f_, nullptr)) != 0) fail(ErrorKind::io, "{}: write failed", path_.string());
    return size_;
  }

 private:
  std::FILE* f_;
  std::filesystem::path path_;
  std::int64_t limit_;
  std::int64_t size_ = 0;
};

// The plain tar of a compressed layer, written to `out`; returns its size, or
// nothing as soon as it passes `limit` bytes (a partial file is left in `out`).
std::optional<std::int64_t> decompress(const backend::LayerBlob& l, const std::filesystem::path& out,
                                       std::int64_t limit) {
  FileSink sink(out, limit);
  image::Decompressor dec(oci::media::layer_compression(l.layer.descriptor.media_type), sink);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(l.path.c_str(), "rbe"), std::fclose);
  if (!in) fail(ErrorKind::io, "{}: cannot open: {}", l.path, std::strerror(errno));
  std::vector<char> buf(1 << 20);
  try {
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), in.get())) > 0;) dec.write(buf.data(), n);
    dec.finish();
  } catch (const PastLimit&) {
    return std::nullopt;
  }
  return sink.close();
}

}  // namespace

Transfer plan_transfer(const backend::LayerBlob& l, const std::filesystem::path& tmp) {
  const oci::Descriptor& d = l.layer.descriptor;
  Transfer t{"blob-put", d.digest.hex(), l.path, d.size};
  if (oci::media::layer_compression(d.media_type) == image::Compression::none || !l.layer.diff_id.valid()) return t;
  auto tar = tmp / ("layer-" + l.layer.diff_id.hex() + ".tar");
  // Worth sending plain when it barely compressed: the wire carries about as much,
  // and every host is spared the decompression. Past that size the blob travels,
  // so the decompression stops there: a layer that compresses well, or a gzip or
  // zstd bomb, never writes more than a quarter over its own size to this disk.
  if (auto size = decompress(l, tar, d.size + d.size / 4))
    return {"tar-put", l.layer.diff_id.hex(), tar.string(), *size};
  std::error_code ec;
  std::filesystem::remove(tar, ec);
  return t;
}

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

}  // namespace ecp::plugins::host
