// The build, as a straight list of steps:
//   1. load ecp.yaml (from the work tree, or from --git-ref's commit);
//   2. take the revision and the creation time from git / SOURCE_DATE_EPOCH;
//   3. read the base image into the store;
//   4. walk the layout folder and split it into layers (layer_plan.hpp);
//   5. write the layers in parallel (each one streaming, cached by file stats);
//   6. write config + manifest, tag <app>:<tag>, export when asked.
#include "core/ops/build.hpp"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "core/image/base_image.hpp"
#include "core/image/image.hpp"
#include "core/image/layer.hpp"
#include "core/image/layer_entry.hpp"
#include "core/image/store.hpp"
#include "core/ops/app_layers.hpp"
#include "core/ops/build_config.hpp"
#include "core/ops/build_interrupt.hpp"
#include "core/ops/git_source.hpp"
#include "core/ops/ignore_rules.hpp"
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

// SOURCE_DATE_EPOCH, else the commit's time; nullopt outside git, where each
// layer is dated by its newest file instead (newest_mtime()): the same files
// give the same image, an unchanged layer stays the same layer, and the image
// gets a real date rather than 1970.
std::optional<std::int64_t> fixed_time(const GitInfo& git) {
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e && *e) {
    char* end = nullptr;
    long long v = std::strtoll(e, &end, 10);
    if (*end != '\0' || v < 0) fail(ErrorKind::usage, "SOURCE_DATE_EPOCH='{}' is not a number of seconds", e);
    return v;
  }
  if (git.in_repo) return git.commit_time;
  return std::nullopt;
}

// The newest modification time (seconds) of a layer's files.
std::int64_t newest_mtime(const std::vector<image::LayerEntry>& entries) {
  std::int64_t newest = 0;
  for (const auto& e : entries)
    if (e.stat) newest = std::max<std::int64_t>(newest, e.stat->mtime_ns / 1000000000);
  return newest;
}

// "oci:PATH[:tag]" / "docker-archive:FILE" with PATH made absolute against the project.
std::string base_spec(const descriptor::BaseImage& b, const stdfs::path& project_dir) {
  using descriptor::BaseKind;
  auto abs = [&](const std::string& p) { return (project_dir / p).lexically_normal().string(); };
  switch (b.kind) {
    case BaseKind::scratch:
      return "scratch";
    case BaseKind::oci_layout:
      return "oci:" + abs(b.path) + (b.tag.empty() ? "" : ":" + b.tag);
    case BaseKind::docker_archive:
      return "docker-archive:" + abs(b.path);
    case BaseKind::registry:
      break;
  }
  fail(ErrorKind::usage,
       "build.base '{}': registry base images are not supported yet; use scratch, oci:PATH or "
       "docker-archive:FILE",
       b.text);
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

// Step 1's result: where the project is, what git says of it, and its ecp.yaml.
struct BuildSource {
  GitInfo git;
  ValidateOptions vo;
  stdfs::path project_dir;
  Project project;
};

// The work tree, or a commit exported from the object database into `exported`
// (removed on Ctrl-C, and when the build ends).
BuildSource load_source(const BuildOptions& options, InterruptGuard& interrupt, std::optional<fs::TempDir>& exported) {
  auto descriptor_path = stdfs::absolute(options.project.descriptor);
  BuildSource s;
  s.project_dir = descriptor_path.parent_path();
  s.vo = options.project;
  if (!options.git_ref.empty()) {
    exported.emplace(stdfs::temp_directory_path(), "ecp-git-");
    interrupt.remove_on_interrupt(exported->path());
    s.git = git_export(s.project_dir, options.git_ref, exported->path());
    s.vo.descriptor = exported->path() / descriptor_path.filename();
    s.project_dir = exported->path();
    log::info("building {} from commit {}", options.git_ref, s.git.commit.substr(0, 12));
  } else {
    if (may_be_in_git(s.project_dir)) s.git = git_describe(s.project_dir);
  }
  s.project = load_project(s.vo);
  return s;
}

struct BuildNames {
  std::string tag;        // --tag, else the git short sha, else version, else "latest"
  std::string reference;  // <app>:<tag>
  std::string version;
  std::int64_t epoch = 0;
  std::string created;          // epoch in RFC 3339
  bool per_layer_time = false;  // outside git: each layer's own newest mtime, `created` the newest of all
};

BuildNames names_and_times(const BuildOptions& options, const descriptor::Descriptor& d, const GitInfo& git) {
  BuildNames n;
  n.tag = options.tag;
  if (n.tag.empty()) n.tag = git.in_repo ? git.default_tag() : (d.version.empty() ? "latest" : d.version);
  n.reference = d.app + ":" + n.tag;
  image::Store::check_tag_name(n.reference);
  n.version = d.version.empty() ? n.tag : d.version;
  auto fixed = fixed_time(git);
  n.per_layer_time = !fixed;
  n.epoch = fixed.value_or(0);
  n.created = text::rfc3339(n.epoch);
  return n;
}

image::LayerOptions layer_options(const BuildOptions& options, const descriptor::Descriptor& d, std::int64_t epoch) {
  image::LayerOptions lo;
  lo.compression = image::parse_compression(options.compression);
  lo.level = options.level;
  if (lo.level >= 0) image::check_level(lo.compression, lo.level);
  lo.epoch = epoch;
  lo.use_cache = options.use_cache;
  apply_run_user(lo, d.run.user);
  return lo;
}

// The layout folder's files, split into layers: each plan with its entries.
struct LayoutLayers {
  std::vector<LayerPlan> plans;
  std::vector<std::vector<image::LayerEntry>> entries;
};

LayoutLayers plan_layout(const descriptor::Descriptor& d, const stdfs::path& project_dir) {
  stdfs::path root = project_dir / d.build.root;
  if (!stdfs::is_directory(root))
    fail(ErrorKind::build, "{}: the layout folder (build.root: {}) does not exist", root.string(), d.build.root);
  auto paths = walk_layout(root);
  // .ecpignore speaks of paths from the project folder ("app/data/cache.db").
  auto rules = load_ignore_rules(project_dir);
  std::string base = stdfs::path(d.build.root).lexically_normal().generic_string();
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::erase_if(paths, [&](const std::string& p) { return rules.ignored(base == "." ? p : base + "/" + p); });
  if (d.type == descriptor::AppType::jar && std::find(paths.begin(), paths.end(), "lib/application.jar") == paths.end())
    fail(ErrorKind::build, "{}: the jar layout needs lib/application.jar (build your jar first)",
         (root / "lib").string());
  LayoutLayers out;
  out.plans = plan_layers(d.type, paths, d.build.dependencies.value_or(std::string(descriptor::default_dependencies)));
  out.entries.resize(out.plans.size());
  for (size_t i = 0; i < out.plans.size(); ++i)
    for (const auto& rel : out.plans[i].paths)
      out.entries[i].push_back(image::entry_from_disk(root / rel, "/app/" + rel, root));
  out.entries.back().push_back(image::LayerEntry::directory("/app/data"));  // the volume's mount point
  return out;
}

// Config and manifest over the base; tagged unless the tag already names it.
image::Image write_tagged_image(image::Store& store, const image::BaseImage& base, const descriptor::Descriptor& d,
                                const GitInfo& git, const BuildNames& n, const std::vector<LayerPlan>& plans,
                                const std::vector<image::Layer>& layers) {
  oci::ImageConfig config = base.config;
  set_image_config(config, d, git, n.created, n.version);
  std::vector<image::NewLayer> new_layers;
  std::vector<oci::Digest> diff_ids;
  for (size_t i = 0; i < plans.size(); ++i) {
    new_layers.push_back({layers[i], oci::History{n.created, layer_history(plans[i].name, d), "", "", false}});
    diff_ids.push_back(layers[i].diff_id);
  }
  // Which layers are the app's, by digest: what a host unpacks (app_layers.hpp).
  config.config.labels[std::string(app_layers_label)] = app_layers_label_value(diff_ids);
  std::map<std::string, std::string> annotations;
  if (base.manifest_digest) {
    annotations["org.opencontainers.image.base.digest"] = base.manifest_digest->to_string();
    annotations["org.opencontainers.image.base.name"] = d.build.base.text;
  }
  image::Image img = image::write_image(store, base, config, new_layers, annotations);
  // An unchanged rebuild writes nothing: index.json (and its fsync, which waits
  // for whatever else the disk is flushing) only when the tag moves.
  if (auto current = store.resolve(n.reference); !current || current->digest != img.descriptor.digest)
    store.tag(n.reference, img.descriptor);
  return img;
}

BuildResult build_result(const image::Image& img, const descriptor::Descriptor& d, const GitInfo& git,
                         const BuildNames& n, const std::vector<LayerPlan>& plans,
                         const std::vector<image::Layer>& layers) {
  BuildResult r;
  r.reference = n.reference;
  r.digest = img.descriptor.digest.to_string();
  r.size = img.descriptor.size + img.manifest.config.size;
  for (const auto& l : img.manifest.layers) r.size += l.size;
  r.revision = git.in_repo ? git.revision() : "";
  r.created = n.created;
  r.base = d.build.base.text;
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& l = layers[i];
    r.layers.push_back({plans[i].name, l.descriptor.digest.to_string(), l.diff_id.to_string(), l.descriptor.size,
                        l.descriptor.media_type, l.files, l.cached});
  }
  return r;
}

}  // namespace

BuildResult build(const BuildOptions& options) {
  // 0. Ctrl-C from here on removes what the build has half written (build_interrupt.hpp).
  InterruptGuard interrupt;

  // 1. The project: the work tree, or a commit exported from the object database.
  std::optional<fs::TempDir> exported;
  BuildSource src = load_source(options, interrupt, exported);
  const auto& d = src.project.descriptor;

  // 2. Names and times.
  BuildNames names = names_and_times(options, d, src.git);
  image::LayerOptions lo = layer_options(options, d, names.epoch);
  stdfs::path store_dir = options.store.empty() ? fs::ecp_home() / "store" : options.store;
  image::Store store(store_dir);

  // 3. The base image.
  // A registry base is pulled into the store first (ops/pull.hpp), then read from there.
  std::string spec = d.build.base.kind == descriptor::BaseKind::registry
                         ? registry_base_spec(d.build.base.text, store_dir, src.vo, options.registry_timeout)
                         : base_spec(d.build.base, src.project_dir);
  image::BaseImage base = image::read_base(store, spec);

  // 4. The layout, split into layers.
  LayoutLayers layout = plan_layout(d, src.project_dir);

  // 5. Layers in parallel: each is streaming and independent. The layout fixes how
  // many there are (a handful), so each gets its own thread.
  const auto& plans = layout.plans;
  std::vector<image::LayerOptions> layer_lo(plans.size(), lo);
  if (names.per_layer_time) {
    for (std::size_t i = 0; i < plans.size(); ++i) {
      layer_lo[i].epoch = newest_mtime(layout.entries[i]);
      names.epoch = std::max(names.epoch, layer_lo[i].epoch);
    }
    names.created = text::rfc3339(names.epoch);
  }
  std::vector<image::Layer> layers(plans.size());
  parallel_for(plans.size(), static_cast<int>(plans.size()), [&](std::size_t i) {
    layers[i] = image::write_layer(store, std::move(layout.entries[i]), layer_lo[i]);
  });

  // 6. Config, manifest, tag, exports.
  image::Image img = write_tagged_image(store, base, d, src.git, names, plans, layers);
  if (!options.oci_layout.empty()) {
    auto [dir, out_tag] = image::split_path_tag(options.oci_layout);
    image::export_oci_layout(store, img, dir, out_tag.empty() ? names.tag : out_tag);
  }
  if (!options.tarball.empty()) image::export_docker_archive(store, img, options.tarball, names.reference);
  auto result = build_result(img, d, src.git, names, plans, layers);
  if (!options.image_refs.empty())
    fs::write_file_atomic(options.image_refs, fmt::format("{}@{}\n", result.reference, result.digest));
  return result;
}

}  // namespace ecp::ops
