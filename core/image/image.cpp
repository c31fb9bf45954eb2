#include "core/image/image.hpp"

#include "core/util/error.hpp"

namespace ecp::image {

Image write_image(const Store& store, const BaseImage& base, oci::ImageConfig config,
                  const std::vector<NewLayer>& layers, const std::map<std::string, std::string>& annotations) {
  if (base.config.diff_ids.size() != base.manifest.layers.size())
    fail(ErrorKind::build, "base image {}: {} layers but {} diff_ids", base.spec, base.manifest.layers.size(),
         base.config.diff_ids.size());
  Image img;
  img.manifest.layers = base.manifest.layers;
  config.diff_ids = base.config.diff_ids;
  for (const auto& l : layers) {
    img.manifest.layers.push_back(l.layer.descriptor);
    config.diff_ids.push_back(l.layer.diff_id);
    config.history.push_back(l.history);
  }
  auto config_json = oci::to_json(config);
  img.manifest.config = store.put_blob(config_json, std::string(oci::media::oci_config));
  img.manifest.annotations = annotations;
  img.config = std::move(config);
  img.descriptor = store.put_blob(oci::to_json(img.manifest), std::string(oci::media::oci_manifest));
  return img;
}

Image load_image(const Store& store, std::string_view name) {
  std::optional<oci::Descriptor> desc;
  if (auto d = oci::Digest::try_parse(name)) {
    for (const auto& t : store.tags())
      if (t.manifest.digest == *d) desc = t.manifest;
    if (!desc && store.has_blob(*d)) {
      desc = oci::Descriptor{};
      desc->media_type = std::string(oci::media::oci_manifest);
      desc->digest = *d;
      desc->size = store.blob_size(*d);
    }
  } else {
    desc = store.resolve(name);
  }
  if (!desc) fail(ErrorKind::usage, "no image '{}' in {}", name, store.dir().string());
  if (!oci::media::is_manifest(desc->media_type))
    fail(ErrorKind::usage, "'{}' is a {}, not an image manifest", name, desc->media_type);
  Image img;
  img.descriptor = *desc;
  img.descriptor.annotations.clear();
  img.manifest = oci::Manifest::from_json(store.read_blob(desc->digest));
  img.config = oci::ImageConfig::from_json(store.read_blob(img.manifest.config.digest));
  return img;
}

void export_oci_layout(const Store& store, const Image& image, const stdfs::path& dir, std::string_view tag) {
  Store::check_tag_name(tag);
  Store out(dir);
  for (const auto& l : image.manifest.layers) out.copy_blob_from(store, l.digest);
  out.copy_blob_from(store, image.manifest.config.digest);
  out.copy_blob_from(store, image.descriptor.digest);
  out.tag(tag, image.descriptor);
  out.tidy();
}

}  // namespace ecp::image
