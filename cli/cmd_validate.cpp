#include "cli/command_tree.hpp"

namespace ecp::cli {

void add_validate(CommandTree& t) {
  t.add(&t.root, "validate", "Check ecp.yaml and the targets file and print every problem",
        [](Output&) { return 0; });
}

}  // namespace ecp::cli
