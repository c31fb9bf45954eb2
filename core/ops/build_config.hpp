#pragma once
// What a build writes besides the layers' bytes: who owns the files, each
// layer's history line, and the image config (entrypoint, environment, OCI labels).
#include <string>

#include "core/descriptor/model.hpp"
#include "core/image/layer.hpp"
#include "core/oci/image_config.hpp"
#include "core/ops/git_source.hpp"

namespace ecp::ops {

// run.user "UID[:GID]" owns the files, so the app can write conf/ (autoconfig.sh)
// and data/. A user name cannot be resolved without the image's /etc/passwd: root owns.
void apply_run_user(image::LayerOptions& lo, const std::string& user);

// "ecp build: NAME layer of APP (TYPE)".
std::string layer_history(const std::string& name, const descriptor::Descriptor& d);

// The build's settings over the base image's config.
void set_image_config(oci::ImageConfig& c, const descriptor::Descriptor& d, const GitInfo& git,
                      const std::string& created, const std::string& version);

}  // namespace ecp::ops
