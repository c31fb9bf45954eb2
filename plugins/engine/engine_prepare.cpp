// prepare(): the release's image onto the engine, without a registry. The engine
// is asked for the image by its ID (the config digest) first, so a rollback or a
// config-only release transfers nothing; otherwise ecp writes a docker-archive
// from its store to a temporary file and streams that file to /images/load.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/image/image.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "plugins/engine/engine_backend.hpp"

namespace ecp::plugins::engine {
namespace {

// The progress stream of /images/load answers 200 and reports a failure inside.
void check_load_stream(const std::string& text, const std::string& where) {
  std::size_t p = 0;
  while (p < text.size()) {
    auto nl = text.find('\n', p);
    auto line = text.substr(p, nl == std::string::npos ? std::string::npos : nl - p);
    p = nl == std::string::npos ? text.size() : nl + 1;
    auto j = Json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("error"))
      fail(ErrorKind::deploy_failed, "{}: loading the image: {}", where, j["error"].dump());
  }
}

}  // namespace

void EngineBackend::prepare(const backend::ReleaseSpec& release) {
  each_engine([&](Engine& e) { prepare_at(e.location, release); });
  std::lock_guard l(mu_);
  configs_[release.revision] = {release.config_text, release.config_digest};
}

void EngineBackend::prepare_at(const std::string& location, const backend::ReleaseSpec& release) {
  auto store_dir = release.store.empty() ? fs::ecp_home() / "store" : std::filesystem::path(release.store);
  image::Store store(store_dir);
  auto img = image::load_image(store, release.image_digest);
  std::string id = img.manifest.config.digest.to_string();
  std::string rev_tag = fmt::format("r{}", release.revision);

  auto have = api(location).call({"GET", "/images/" + id + "/json"}, {404});
  if (have.status == 404) {
    log::info("{}",
              step(location, fmt::format("sending image {} ({} layers)", release.image, img.manifest.layers.size())));
    std::filesystem::create_directories(fs::ecp_home() / "tmp");
    fs::TempDir tmp(fs::ecp_home() / "tmp", "engine-");
    auto file = tmp.path() / "image.tar";
    image::export_docker_archive(store, img, file, tag() + ":" + rev_tag);
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(ErrorKind::io, "{}: {}", file.string(), std::strerror(errno));
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    Request r;
    r.method = "POST";
    r.path = "/images/load?quiet=1";
    r.content_type = "application/x-tar";
    r.timeout = std::chrono::minutes(30);
    r.reader = [fd, &file](char* buf, std::size_t size) -> std::size_t {
      for (;;) {
        ssize_t n = ::read(fd, buf, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(ErrorKind::io, "{}: {}", file.string(), std::strerror(errno));
        return static_cast<std::size_t>(n);
      }
    };
    std::string progress;
    r.sink = [&](std::string_view chunk) {
      if (progress.size() < (1u << 20)) progress.append(chunk);
    };
    try {
      api(location).call(std::move(r));
    } catch (const EngineError& e) {
      fail(ErrorKind::deploy_failed, "{}",
           step(location,
                fmt::format("loading image {}: {}", release.image, e.status() ? e.engine_message() : e.what())));
    }
    check_load_stream(progress, step(location, "image " + release.image));
    auto now = api(location).call({"GET", "/images/" + id + "/json"}, {404});
    if (now.status == 404)
      fail(ErrorKind::deploy_failed, "{}",
           step(location, fmt::format("the engine loaded image {} but has no image {}", release.image, id)));
  }
  // The revision's tag keeps the image until cleanup() drops the revision.
  api(location).call({"POST", fmt::format("/images/{}/tag?repo={}&tag={}", id, tag(), rev_tag)});
  std::lock_guard l(mu_);
  prepared_[release.revision] = id;
}

}  // namespace ecp::plugins::engine
