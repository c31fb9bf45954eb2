// prepare(): the release's image onto the engine. The engine is asked for the
// image by its ID (the config digest) first, so a rollback or a config-only
// release transfers nothing. Otherwise, with a registry on the target, the engine
// pulls the image by digest (POST /images/create, `ecp release` pushed it there),
// with ecp's credentials for that registry alone in X-Registry-Auth; without one,
// ecp writes a docker-archive from its store to a temporary file and streams that
// file to /images/load.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "core/image/image.hpp"
#include "core/oci/reference.hpp"
#include "core/registry/credentials.hpp"
#include "core/util/error.hpp"
#include "core/util/fd.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "plugins/engine/engine_backend.hpp"

namespace ecp::plugins::engine {
namespace {

// The progress streams of /images/load and /images/create answer 200 and report
// a failure inside: {"error": "...", "errorDetail": {...}}.
void check_progress(const std::string& text, const std::string& what) {
  std::size_t p = 0;
  while (p < text.size()) {
    auto nl = text.find('\n', p);
    auto line = text.substr(p, nl == std::string::npos ? std::string::npos : nl - p);
    p = nl == std::string::npos ? text.size() : nl + 1;
    auto j = Json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("error"))
      fail(ErrorKind::deploy_failed, "{}: {}", what,
           j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump());
  }
}

// Keeps the tail of a progress stream: an error is its last line, after what
// may be megabytes of a big pull's progress bars.
std::function<void(std::string_view)> keep_progress(std::string& progress) {
  return [&progress](std::string_view chunk) {
    progress.append(chunk);
    constexpr std::size_t keep = 64u << 10;
    if (progress.size() > 16 * keep) {
      auto cut = progress.find('\n', progress.size() - keep);
      progress.erase(0, cut == std::string::npos ? progress.size() - keep : cut + 1);
    }
  };
}

}  // namespace

std::string registry_auth(const registry::Credentials& credentials, const std::string& server) {
  Json j = {{"username", credentials.username}, {"password", credentials.password}, {"serveraddress", server}};
  if (!credentials.identity_token.empty()) j["identitytoken"] = credentials.identity_token;
  // base64url (RFC 4648 section 5), padded: what dockerd and podman decode.
  auto text = text::base64_encode(j.dump());
  for (auto& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return text;
}

std::string EngineBackend::pull(const std::string& location, const backend::ReleaseSpec& release,
                                const std::string& config_id) {
  const std::string& from = release.pull_reference;
  // By the config digest when ecp's store knows it (the engine may hold the image
  // from an earlier load), else by the digest reference.
  auto probe = config_id.empty() ? from : config_id;
  auto inspect = [&](const std::string& name) {
    auto r = api(location).call({"GET", "/images/" + name + "/json"}, {404});
    auto j = r.status == 404 ? Json() : Json::parse(r.body, nullptr, false);
    return j.is_object() ? j.value("Id", "") : std::string();
  };
  if (auto id = inspect(probe); !id.empty()) return id;

  log::info("{}", step(location, fmt::format("pulling {}", from)));
  auto ref = oci::parse_reference(from);
  Request r{"POST", "/images/create?fromImage=" + text::url_encode(from)};
  // Only this registry's own credentials, and only when ecp has some.
  auto credentials = registry::find_credentials(ref.registry);
  if (!credentials.empty()) r.headers.push_back("X-Registry-Auth: " + registry_auth(credentials, ref.registry));
  r.timeout = std::chrono::minutes(30);
  std::string progress;
  r.sink = keep_progress(progress);
  std::string what = step(location, fmt::format("pulling image {} from {}", release.image, from));
  try {
    api(location).call(std::move(r));
  } catch (const EngineError& e) {
    if (e.status() == 0) throw;
    fail(ErrorKind::deploy_failed, "{}: {}", what, e.engine_message());
  }
  check_progress(progress, what);
  auto id = inspect(probe);
  if (id.empty()) fail(ErrorKind::deploy_failed, "{}: the engine pulled it but has no image {}", what, probe);
  return id;
}

void EngineBackend::prepare(const backend::ReleaseSpec& release) {
  each_engine([&](Engine& e) { prepare_at(e.location, release); });
  std::lock_guard l(mu_);
  configs_[release.revision] = {release.config_text, release.config_digest};
}

void EngineBackend::prepare_at(const std::string& location, const backend::ReleaseSpec& release) {
  auto store_dir = release.store.empty() ? fs::ecp_home() / "store" : std::filesystem::path(release.store);
  image::Store store(store_dir);
  std::string rev_tag = fmt::format("r{}", release.revision);
  std::optional<image::Image> img;
  try {
    img = image::load_image(store, release.image_digest);
  } catch (const Error& e) {
    // A registry has it: a rollback from a machine that never built the image.
    if (release.pull_reference.empty() || e.kind() == ErrorKind::interrupted) throw;
  }
  std::string id = img ? img->manifest.config.digest.to_string() : "";

  if (!release.pull_reference.empty()) {
    id = pull(location, release, id);
  } else if (api(location).call({"GET", "/images/" + id + "/json"}, {404}).status == 404) {
    log::info("{}",
              step(location, fmt::format("sending image {} ({} layers)", release.image, img->manifest.layers.size())));
    std::filesystem::create_directories(fs::ecp_home() / "tmp");
    fs::TempDir tmp(fs::ecp_home() / "tmp", "engine-");
    auto file = tmp.path() / "image.tar";
    image::export_docker_archive(store, *img, file, tag() + ":" + rev_tag);
    UniqueFd archive(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!archive) fail(ErrorKind::io, "{}: {}", file.string(), std::strerror(errno));
    int fd = archive.get();
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
    r.sink = keep_progress(progress);
    try {
      api(location).call(std::move(r));
    } catch (const EngineError& e) {
      fail(ErrorKind::deploy_failed, "{}",
           step(location,
                fmt::format("loading image {}: {}", release.image, e.status() ? e.engine_message() : e.what())));
    }
    check_progress(progress, step(location, "loading image " + release.image));
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
