#pragma once
// A target of the targets file as the backend boundary sees it: the neutral keys,
// and the plugin's own section handed over as written, with where each field is.
#include "core/backend/backend.hpp"
#include "core/descriptor/model.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::ops {

backend::TargetSpec target_spec(const descriptor::TargetsFile& file, const descriptor::Target& target);

// A backend at `target` bound to no environment of its own, for the questions
// about every (app, env) there (ecp top --target, ecp degrade): its AppSpec
// names `app` and the placeholder environment `purpose`, which nothing uses.
std::unique_ptr<backend::Backend> open_target_wide(const descriptor::TargetsFile& file,
                                                   const descriptor::Target& target, const std::string& app,
                                                   const std::string& purpose);

// What the built-in plugins' validators say about the sections of `file`'s targets
// (an external plugin checks its own when it starts), and an error for a plugin
// that is neither built in nor an ecp-plugin-NAME on PATH: a release to it would
// fail only after the build otherwise (issue 15).
Diagnostics check_target_settings(const descriptor::TargetsFile& file);

}  // namespace ecp::ops
