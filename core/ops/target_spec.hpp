#pragma once
// A target of the targets file as the backend boundary sees it: the neutral keys,
// and the plugin's own section handed over as written, with where each field is.
#include "core/backend/backend.hpp"
#include "core/descriptor/model.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::ops {

backend::TargetSpec target_spec(const descriptor::TargetsFile& file, const descriptor::Target& target);

// What the built-in plugins' validators say about the sections of `file`'s targets
// (an external plugin checks its own when it starts).
Diagnostics check_target_settings(const descriptor::TargetsFile& file);

}  // namespace ecp::ops
