#include "cli/command_tree.hpp"

namespace ecp::cli {

void add_init(CommandTree& t) {
  t.add(&t.root, "init", "Create ecp.yaml and the standard layout for a jar, nginx or tomcat app",
        [](Output&) { return 0; });
}

}  // namespace ecp::cli
