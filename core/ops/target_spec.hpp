#pragma once
// A target of the targets file as the backend boundary sees it: the neutral keys,
// and the plugin's own section handed over as written, with where each field is.
#include "core/backend/backend.hpp"
#include "core/descriptor/model.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::ops {

backend::TargetSpec target_spec(const descriptor::TargetsFile& file, const descriptor::Target& target);

// What the built-in plugins' validators say about the sections of `file`'s targets
// (an external plugin checks its own when it starts), and an error for a plugin
// that is neither built in nor an ecp-plugin-NAME on PATH: a release to it would
// fail only after the build otherwise (issue 15).
Diagnostics check_target_settings(const descriptor::TargetsFile& file);

}  // namespace ecp::ops
