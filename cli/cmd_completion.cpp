// ecp completion SHELL: prints the completion script generated from the command
// tree this very binary runs, so it can never disagree with the binary.
#include <memory>

#include "cli/command_tree.hpp"
#include "cli/completion_gen.hpp"

namespace ecp::cli {

void add_completion(CommandTree& t) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = t.add(&t.root, "completion", "Print a shell completion script for bash, zsh or fish",
                        [&t, shell](Output& out) {
                          std::string script = completion::script_for(*shell, completion::describe(t.root));
                          if (out.json()) {
                            out.result({{"shell", *shell}, {"script", script}});
                          } else {
                            if (!script.empty() && script.back() == '\n') script.pop_back();
                            out.text(script);
                          }
                          return 0;
                        });
  cmd->add_option("shell", *shell, "The shell to print the script for: bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember(completion::shells()))
      ->type_name("SHELL");
  cmd->footer(
      "Install: bash: ecp completion bash > /usr/share/bash-completion/completions/ecp\n"
      "         zsh:  ecp completion zsh > \"${fpath[1]}/_ecp\"\n"
      "         fish: ecp completion fish > ~/.config/fish/completions/ecp.fish\n"
      "Or load it into the running shell: source <(ecp completion bash)\n\n" +
      global_options_help());
}

}  // namespace ecp::cli
