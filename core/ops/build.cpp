// The build, as a straight list of steps:
//   1. load ecp.yaml (from the work tree, or from --git-ref's commit);
//   2. take the revision and the creation time from git / SOURCE_DATE_EPOCH;
//   3. read the base image into the store;
//   4. walk the layout folder and split it into layers (layer_plan.hpp);
//   5. write the layers in parallel (each one streaming, cached by file stats);
//   6. write config + manifest, tag <app>:<tag>, export when asked.
#include "core/ops/build.hpp"

#include <time.h>

#include <algorithm>
#include <cstdlib>

#include "core/image/base_image.hpp"
#include "core/image/image.hpp"
#include "core/image/layer.hpp"
#include "core/image/layer_entry.hpp"
#include "core/image/store.hpp"
#include "core/ops/build_interrupt.hpp"
#include "core/ops/git_source.hpp"
#include "core/ops/layer_plan.hpp"
#include "core/ops/layout_walk.hpp"
#include "core/ops/pull.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {
namespace stdfs = std::filesystem;
namespace {

std::int64_t creation_time(const GitInfo& git) {
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e && *e) {
    char* end = nullptr;
    long long v = std::strtoll(e, &end, 10);
    if (*end != '\0' || v < 0) fail(ErrorKind::usage, "SOURCE_DATE_EPOCH='{}' is not a number of seconds", e);
    return v;
  }
  return git.in_repo ? git.commit_time : 0;  // outside git: 1970, so builds stay reproducible
}

// "oci:PATH[:tag]" / "docker-archive:FILE" with PATH made absolute against the project.
std::string base_spec(const descriptor::BaseImage& b, const stdfs::path& project_dir) {
  using descriptor::BaseKind;
  auto abs = [&](const std::string& p) { return (project_dir / p).lexically_normal().string(); };
  switch (b.kind) {
    case BaseKind::scratch: return "scratch";
    case BaseKind::oci_layout: return "oci:" + abs(b.path) + (b.tag.empty() ? "" : ":" + b.tag);
    case BaseKind::docker_archive: return "docker-archive:" + abs(b.path);
    case BaseKind::registry: break;
  }
  fail(ErrorKind::usage, "build.base '{}': registry base images are not supported yet; use scratch, oci:PATH or "
                         "docker-archive:FILE", b.text);
}

// libgit2's first call costs ~10 ms (its TLS backend parses the CA bundle), a
// third of an unchanged rebuild. Outside git it finds nothing: look for what its
// discovery looks for (".git", or a bare repository's HEAD) in the folder and
// its parents first, and skip it when nothing is there.
bool may_be_in_git(const stdfs::path& dir) {
  std::error_code ec;
  for (auto p = stdfs::absolute(dir, ec);; p = p.parent_path()) {
    if (stdfs::exists(p / ".git", ec) || stdfs::exists(p / "HEAD", ec)) return true;
    if (p == p.parent_path() || p.empty()) return false;
  }
}

// run.user "UID[:GID]" owns the files, so the app can write conf/ (autoconfig.sh)
// and data/. A user name cannot be resolved without the image's /etc/passwd: root owns.
void apply_run_user(image::LayerOptions& lo, const std::string& user) {
  if (user.empty()) return;
  auto colon = user.find(':');
  std::string u = user.substr(0, colon), g = colon == std::string::npos ? u : user.substr(colon + 1);
  auto numeric = [](const std::string& s) {
    return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!numeric(u) || !numeric(g)) {
    log::warn("run.user '{}' is not numeric: the image's files stay owned by root (0:0)", user);
    return;
  }
  lo.uid = static_cast<unsigned>(std::stoul(u));
  lo.gid = static_cast<unsigned>(std::stoul(g));
}

// The origin URL as the image's source label: credentials in it
// (https://user:token@host/...) must never reach an image, and a clone from a
// local folder names nothing another machine could fetch (and would make the
// digest depend on where the upstream lies), so it gives no label.
std::string public_source_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    // scp-like "[user@]host:path" (the colon before any slash); else a local path.
    auto colon = url.find(':'), slash = url.find('/');
    bool scp_like = colon != std::string::npos && colon > 0 && (slash == std::string::npos || colon < slash);
    return scp_like ? url : "";
  }
  std::string scheme = url.substr(0, scheme_end);
  if (scheme == "file") return "";
  auto host_start = scheme_end + 3;
  auto path_start = url.find('/', host_start);
  auto at = url.rfind('@', path_start == std::string::npos ? std::string::npos : path_start);
  if (at == std::string::npos || at < host_start) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}

std::string layer_history(const std::string& name, const descriptor::Descriptor& d) {
  return fmt::format("ecp build: {} layer of {} ({})", name, d.app, descriptor::to_string(d.type));
}

void set_image_config(oci::ImageConfig& c, const descriptor::Descriptor& d, const GitInfo& git,
                      const std::string& created, const std::string& version) {
  c.created = created;
  c.config.entrypoint = {"/app/bin/entrypoint.sh"};
  c.config.cmd.clear();
  c.config.working_dir = "/app";
  if (!d.run.user.empty()) c.config.user = d.run.user;
  for (const auto& p : d.run.ports) c.config.exposed_ports.insert(fmt::format("{}/tcp", p.number));
  c.config.set_env("ECP_APP", d.app);
  c.config.set_env("ECP_TYPE", std::string(descriptor::to_string(d.type)));
  c.config.set_env("ECP_VERSION", version);
  auto& l = c.config.labels;
  for (const auto& [k, v] : d.build.labels) l[k] = v;
  l["org.opencontainers.image.title"] = d.app;
  l["org.opencontainers.image.version"] = version;
  l["org.opencontainers.image.created"] = created;
  if (git.in_repo) l["org.opencontainers.image.revision"] = git.revision();
  if (auto source = public_source_url(git.remote_url); !source.empty()) l["org.opencontainers.image.source"] = source;
  l["ecp.app"] = d.app;
  if (!d.group.empty()) l["ecp.group"] = d.group;
  l["ecp.type"] = std::string(descriptor::to_string(d.type));
}

}  // namespace

BuildResult build(const BuildOptions& options) {
  // 0. Ctrl-C from here on removes what the build has half written (build_interrupt.hpp).
  InterruptGuard interrupt;

  // 1. The project: the work tree, or a commit exported from the object database.
  auto descriptor_path = stdfs::absolute(options.project.descriptor);
  auto project_dir = descriptor_path.parent_path();
  std::optional<fs::TempDir> exported;
  GitInfo git;
  ValidateOptions vo = options.project;
  if (!options.git_ref.empty()) {
    exported.emplace(stdfs::temp_directory_path(), "ecp-git-");
    interrupt.remove_on_interrupt(exported->path());
    git = git_export(project_dir, options.git_ref, exported->path());
    vo.descriptor = exported->path() / descriptor_path.filename();
    project_dir = exported->path();
    log::info("building {} from commit {}", options.git_ref, git.commit.substr(0, 12));
  } else {
    if (may_be_in_git(project_dir)) git = git_describe(project_dir);
  }
  Project project = load_project(vo);
  const auto& d = project.descriptor;

  // 2. Names and times.
  std::string tag = options.tag;
  if (tag.empty()) tag = git.in_repo ? git.default_tag() : (d.version.empty() ? "latest" : d.version);
  std::string reference = d.app + ":" + tag;
  image::Store::check_tag_name(reference);
  std::string version = d.version.empty() ? tag : d.version;
  std::int64_t epoch = creation_time(git);
  std::string created = text::rfc3339(epoch);

  image::LayerOptions lo;
  lo.compression = image::parse_compression(options.compression);
  lo.level = options.level;
  if (lo.level >= 0) image::check_level(lo.compression, lo.level);
  lo.epoch = epoch;
  lo.use_cache = options.use_cache;
  apply_run_user(lo, d.run.user);

  stdfs::path store_dir = options.store.empty() ? fs::ecp_home() / "store" : options.store;
  image::Store store(store_dir);

  // 3. The base image.
  // A registry base is pulled into the store first (ops/pull.hpp), then read from there.
  std::string spec = d.build.base.kind == descriptor::BaseKind::registry
                         ? registry_base_spec(d.build.base.text, store_dir, vo)
                         : base_spec(d.build.base, project_dir);
  image::BaseImage base = image::read_base(store, spec);

  // 4. The layout, split into layers.
  stdfs::path root = project_dir / d.build.root;
  if (!stdfs::is_directory(root))
    fail(ErrorKind::build, "{}: the layout folder (build.root: {}) does not exist", root.string(), d.build.root);
  auto paths = walk_layout(root);
  if (d.type == descriptor::AppType::jar &&
      std::find(paths.begin(), paths.end(), "lib/application.jar") == paths.end())
    fail(ErrorKind::build, "{}: the jar layout needs lib/application.jar (build your jar first)",
         (root / "lib").string());
  auto plans = plan_layers(d.type, paths, d.build.dependencies.value_or(std::string(descriptor::default_dependencies)));

  std::vector<std::vector<image::LayerEntry>> entries(plans.size());
  for (size_t i = 0; i < plans.size(); ++i)
    for (const auto& rel : plans[i].paths) entries[i].push_back(image::entry_from_disk(root / rel, "/app/" + rel, root));
  entries.back().push_back(image::LayerEntry::directory("/app/data"));  // the volume's mount point

  // 5. Layers in parallel: each is streaming and independent. The layout fixes how
  // many there are (a handful), so each gets its own thread.
  std::vector<image::Layer> layers(plans.size());
  parallel_for(plans.size(), static_cast<int>(plans.size()),
               [&](std::size_t i) { layers[i] = image::write_layer(store, std::move(entries[i]), lo); });

  // 6. Config, manifest, tag, exports.
  oci::ImageConfig config = base.config;
  set_image_config(config, d, git, created, version);
  std::vector<image::NewLayer> new_layers;
  for (size_t i = 0; i < plans.size(); ++i)
    new_layers.push_back({layers[i], oci::History{created, layer_history(plans[i].name, d), "", "", false}});
  std::map<std::string, std::string> annotations;
  if (base.manifest_digest) {
    annotations["org.opencontainers.image.base.digest"] = base.manifest_digest->to_string();
    annotations["org.opencontainers.image.base.name"] = d.build.base.text;
  }
  image::Image img = image::write_image(store, base, config, new_layers, annotations);
  // An unchanged rebuild writes nothing: index.json (and its fsync, which waits
  // for whatever else the disk is flushing) only when the tag moves.
  if (auto current = store.resolve(reference); !current || current->digest != img.descriptor.digest)
    store.tag(reference, img.descriptor);
  if (!options.oci_layout.empty()) {
    auto [dir, out_tag] = image::split_path_tag(options.oci_layout);
    image::export_oci_layout(store, img, dir, out_tag.empty() ? tag : out_tag);
  }
  if (!options.tarball.empty()) image::export_docker_archive(store, img, options.tarball, reference);

  BuildResult r;
  r.reference = reference;
  r.digest = img.descriptor.digest.to_string();
  r.size = img.descriptor.size + img.manifest.config.size;
  for (const auto& l : img.manifest.layers) r.size += l.size;
  r.revision = git.in_repo ? git.revision() : "";
  r.created = created;
  r.base = d.build.base.text;
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& l = layers[i];
    r.layers.push_back({plans[i].name, l.descriptor.digest.to_string(), l.diff_id.to_string(), l.descriptor.size,
                        l.descriptor.media_type, l.files, l.cached});
  }
  return r;
}

}  // namespace ecp::ops
