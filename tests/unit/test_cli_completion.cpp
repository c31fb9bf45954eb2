#include <doctest/doctest.h>

#include <algorithm>

#include "cli/command_tree.hpp"
#include "cli/completion_gen.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/process.hpp"

using namespace ecp;
using namespace ecp::cli::completion;

namespace {

const CommandSpec* child(const CommandSpec& c, std::string_view name) {
  for (const auto& s : c.subcommands)
    if (s.name() == name) return &s;
  return nullptr;
}

// A tree with what the real one does not have yet: nesting, aliases, option
// groups, hidden options, Transformer maps, many positionals.
struct NestedTree {
  CLI::App app{"test", "ecp"};
  std::string s, env, hidden, mode;
  std::vector<std::string> files;
  NestedTree() {
    app.fallthrough();
    app.add_option("-o,--output", s)->check(CLI::IsMember({"text", "json"}));
    CLI::App* config = app.add_subcommand("config", "Work with config. Second sentence.");
    CLI::App* diff = config->add_subcommand("diff", "Show what changes");
    diff->alias("d");
    diff->add_option("--env", env, "The environment [name]")->check(CLI::IsMember({"dev", "prod"}));
    diff->add_option("--secret", hidden, "hidden")->group("");
    diff->add_option_group("extra")->add_option("--mode", mode)->transform(
        CLI::Transformer(std::map<std::string, std::string>{{"fast", "1"}, {"slow", "2"}}));
    diff->add_option("files", files, "Files to compare")->check(CLI::ExistingFile);
  }
};

std::string run_bash(const std::string& script, const std::string& driver) {
  fs::TempDir dir;
  fs::write_file_atomic(dir.path() / "c.bash", script);
  fs::write_file_atomic(dir.path() / "t.bash",
                        "source \"$1/c.bash\"\n"
                        "t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _ecp;"
                        " printf '%s\\n' \"${COMPREPLY[*]}\"; }\n" +
                            driver);
  auto r = process::run({"bash", (dir.path() / "t.bash").string(), dir.path().string()});
  CHECK(r.ok());
  return r.out;
}

}  // namespace

TEST_CASE("ecp::cli::completion::describe") {
  auto tree = cli::make_command_tree();
  CommandSpec root = describe(tree->root);

  SUBCASE("lists every subcommand of the real tree") {
    CHECK(root.name() == "ecp");
    CHECK(child(root, "validate") != nullptr);
    CHECK(child(root, "init") != nullptr);
    REQUIRE(child(root, "completion") != nullptr);
    CHECK(child(root, "completion")->path == std::vector<std::string>{"ecp", "completion"});
  }
  SUBCASE("reads option values from type names and validators") {
    const OptionSpec* out = root.find_option("--output");
    REQUIRE(out != nullptr);
    CHECK(out->names == std::vector<std::string>{"-o", "--output"});
    CHECK(out->value.kind == ValueKind::choice);
    CHECK(out->value.choices == std::vector<std::string>{"text", "json", "yaml", "csv"});
    CHECK(root.find_option("-C")->value.kind == ValueKind::dir);
    CHECK(root.find_option("--file")->value.kind == ValueKind::file);
    CHECK(root.find_option("--no-color")->value.kind == ValueKind::none);
    CHECK_FALSE(root.takes_value("--quiet"));
    CHECK(root.find_option("-v")->repeatable);
    CHECK_FALSE(root.find_option("-q")->repeatable);
  }
  SUBCASE("global options fall through to subcommands; positionals keep their choices") {
    const CommandSpec* c = child(root, "completion");
    CHECK(c->takes_value("--output"));
    REQUIRE(c->positionals.size() == 1);
    CHECK(c->positionals[0].value.choices == shells());
    // Each subcommand has its own --help; it is listed once.
    CHECK(std::count_if(c->options.begin(), c->options.end(),
                        [](const OptionSpec& o) { return o.names.back() == "--help"; }) == 1);
  }
  SUBCASE("nested commands, aliases, option groups, hidden options and maps") {
    NestedTree n;
    CommandSpec r = describe(n.app);
    const CommandSpec* diff = child(*child(r, "config"), "diff");
    REQUIRE(diff != nullptr);
    CHECK(diff->path == std::vector<std::string>{"ecp", "config", "diff"});
    CHECK(diff->aliases == std::vector<std::string>{"d"});
    CHECK(diff->find_option("--secret") == nullptr);
    REQUIRE(diff->find_option("--mode") != nullptr);
    CHECK(diff->find_option("--mode")->value.choices == std::vector<std::string>{"fast", "slow"});
    CHECK(diff->takes_value("--output"));
    REQUIRE(diff->positionals.size() == 1);
    CHECK(diff->positionals[0].many);
    CHECK(diff->positionals[0].value.kind == ValueKind::file);
  }
  SUBCASE("type names: folders, files, free text and flags") {
    CLI::App app{"t", "ecp"};
    std::string s;
    bool b = false;
    CHECK(value_of(*app.add_option("--a", s)->type_name("DIR[:TAG]")).kind == ValueKind::dir);
    CHECK(value_of(*app.add_option("--b", s)->type_name("OUT_DIR")).kind == ValueKind::dir);
    CHECK(value_of(*app.add_option("--c", s)->check(CLI::ExistingDirectory)).kind == ValueKind::dir);
    CHECK(value_of(*app.add_option("--d", s)->type_name("FILE")).kind == ValueKind::file);
    CHECK(value_of(*app.add_option("--e", s)->check(CLI::ExistingPath)).kind == ValueKind::file);
    CHECK(value_of(*app.add_option("--f", s)->type_name("N")).kind == ValueKind::any);
    CHECK(value_of(*app.add_option("--g", s)->type_name("PATHOLOGY")).kind == ValueKind::any);
    CHECK(value_of(*app.add_flag("--h", b)).kind == ValueKind::none);
  }
}

TEST_CASE("ecp::cli::completion::script_for") {
  NestedTree n;
  CommandSpec r = describe(n.app);
  SUBCASE("refuses an unknown shell with a usage error") {
    try {
      script_for("tcsh", r);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::usage);
    }
  }
  SUBCASE("bash completes nested commands, aliases and inherited options") {
    std::string got = run_bash(script_for("bash", r),
                               "t ecp ''\n"
                               "t ecp config ''\n"
                               "t ecp config diff --e\n"
                               "t ecp config d --env ''\n"
                               "t ecp -o json config diff --mode=f\n"
                               "t ecp config diff --output = j\n");
    CHECK(got == "config\ndiff\n--env\ndev prod\n--mode=fast\njson\n");
  }
  SUBCASE("zsh has one function per command and escapes descriptions") {
    std::string z = script_for("zsh", r);
    CHECK(z.starts_with("#compdef ecp\n"));
    CHECK(z.find("_ecp__config__diff() {") != std::string::npos);
    CHECK(z.find("'(-o --output)--output=[]:TEXT:(text json)'") != std::string::npos);
    CHECK(z.find("The environment \\[name\\]") != std::string::npos);
    CHECK(z.find("'diff'|'d') _ecp__config__diff") != std::string::npos);
    CHECK(z.find("'config:Work with config'") != std::string::npos);
  }
  SUBCASE("fish guards each line with the command path") {
    std::string f = script_for("fish", r);
    CHECK(f.find("complete -c ecp -n '__ecp_at \\'ecp config\\'' -a 'diff'") != std::string::npos);
    CHECK(f.find("-l 'env' -x -a '\\'dev\\' \\'prod\\''") != std::string::npos);
    CHECK(f.find("case 'ecp config|diff' 'ecp config|d'") != std::string::npos);
  }
}

TEST_CASE("ecp::cli::completion quoting") {
  CHECK(sh_quote("it's") == "'it'\\''s'");
  CHECK(fish_quote("a'b\\c") == "'a\\'b\\\\c'");
  CHECK(first_sentence("Do this. Then that.") == "Do this");
  CHECK(first_sentence("One line\nmore") == "One line");
}
