#pragma once
// The schema walks: each reads one section of the YAML tree into the model through a
// Reader, reporting every problem. Internal to core/descriptor.
#include "core/descriptor/model.hpp"
#include "core/descriptor/reader.hpp"

namespace ecp::descriptor::detail {

void read_descriptor(Reader& r, const Node& root, Descriptor& d);
void read_build(Reader& r, const Node& n, Build& b);
void read_run(Reader& r, const Node& n, Run& run);
void read_hooks(Reader& r, const Node& n, Hooks& hooks);
void read_pipeline(Reader& r, const Node& n, Descriptor& d);
void read_access(Reader& r, const Node& n, Access& access);
void read_approvals(Reader& r, const Node& n, const std::string& path, Approvals& a);
void read_windows(Reader& r, const Node& n, std::vector<EnvironmentWindows>& out);
void read_config(Reader& r, const Node& n, std::vector<ConfigKey>& keys);
void read_environments(Reader& r, const Node& n, std::vector<Environment>& envs);
void read_strategy(Reader& r, const Node& n, std::string_view field, strategy::Settings& s);
void read_targets_file(Reader& r, const Node& root, TargetsFile& t);

}  // namespace ecp::descriptor::detail
