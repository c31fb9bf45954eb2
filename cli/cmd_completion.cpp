#include "cli/command_tree.hpp"

namespace ecp::cli {

void add_completion(CommandTree& t) {
  t.add(&t.root, "completion", "Print a shell completion script for bash, zsh or fish",
        [](Output&) { return 0; });
}

}  // namespace ecp::cli
