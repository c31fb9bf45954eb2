#pragma once
// Checks that need the whole model, or the descriptor and the targets file together:
// environments naming unknown targets, health.port naming an unknown port, keys that
// apply to another app type, undeclared config overrides (a warning).
#include "core/descriptor/model.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::descriptor {

// Every problem found; empty when the pair is consistent. Run it on parsed models
// (parse.hpp); a TargetsFile{} means "no targets file": only "local" exists.
Diagnostics validate(const Descriptor& d, const TargetsFile& targets);

}  // namespace ecp::descriptor
