// plan_transfer: how a layer travels to SSH hosts, and what that costs this
// machine's disk. A well-compressed layer (or a gzip bomb) must not be written
// out in full just to learn that the blob itself will travel.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>

#include <random>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "plugins/host/layer_transfer.hpp"
#include "test_image_helpers.hpp"

using namespace ecp;
using namespace image_test;
namespace host = ecp::plugins::host;

namespace {

// The layer of a gzip blob written to `dir`, with the diff_id of `tar`.
backend::LayerBlob gzip_layer(const stdfs::path& dir, const std::string& tar) {
  auto blob = compressed(image::Compression::gzip, tar);
  backend::LayerBlob l;
  l.layer.descriptor.media_type = std::string(oci::media::oci_layer_gzip);
  l.layer.descriptor.digest = oci::Sha256::of(blob);
  l.layer.descriptor.size = static_cast<std::int64_t>(blob.size());
  l.layer.diff_id = oci::Sha256::of(tar);
  l.path = (dir / l.layer.descriptor.digest.hex()).string();
  fs::write_file_atomic(l.path, blob);
  return l;
}

// While alive, no file of this process may grow past `bytes`: a write beyond
// fails (EFBIG) instead of raising SIGXFSZ.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit r{bytes, old_.rlim_max};
    ::setrlimit(RLIMIT_FSIZE, &r);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  sighandler_t old_handler_;
};

}  // namespace

TEST_CASE("plan_transfer") {
  fs::TempDir tmp;
  auto out = tmp.path() / "out";
  stdfs::create_directories(out);
  SUBCASE("a layer that barely compresses travels as its plain tar, written whole") {
    std::mt19937 rng(7);
    std::string noise(1 << 20, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    auto tar = tar_header("app/lib/x.jar", static_cast<std::int64_t>(noise.size())) + noise + std::string(1024, '\0');
    auto l = gzip_layer(tmp.path(), tar);
    auto t = host::plan_transfer(l, out);
    CHECK(t.verb == "tar-put");
    CHECK(t.hex == l.layer.diff_id.hex());
    CHECK(t.size == static_cast<std::int64_t>(tar.size()));
    CHECK(fs::read_file(t.path, 4u << 20) == tar);
  }
  SUBCASE("a layer that expands a thousand times is not written out: the blob travels") {
    // 64 MiB of zeros in about 64 KiB. With files capped at 1 MiB, writing the
    // plain tar in full would fail; stopping past a quarter over the blob does not.
    auto l = gzip_layer(tmp.path(), zeros_tar("app/data/zeros", std::int64_t(64) << 20));
    REQUIRE(l.layer.descriptor.size < (256 << 10));
    host::Transfer t;
    {
      FileSizeLimit limit(1 << 20);
      t = host::plan_transfer(l, out);
    }
    CHECK(t.verb == "blob-put");
    CHECK(t.hex == l.layer.descriptor.digest.hex());
    CHECK(t.path == l.path);
    CHECK(stdfs::is_empty(out));  // the partial tar is gone
  }
}
