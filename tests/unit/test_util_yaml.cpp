#include <doctest/doctest.h>

#include <string>

#include "core/util/yaml.hpp"

using namespace ecp;

namespace {
bool mentions(const Diagnostics& ds, std::string_view text) {
  for (const auto& d : ds)
    if (d.message.find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("ecp::yaml::parse builds a tree with positions") {
  Diagnostics out;
  auto doc = yaml::parse("a: 1\nb:\n  - \"x\"\n  - y\nc:\n", "f.yaml", out);
  REQUIRE(out.empty());
  REQUIRE(doc.root);
  CHECK_FALSE(doc.empty);
  const auto& root = *doc.root;
  REQUIRE(root.kind == yaml::Kind::map);
  REQUIRE(root.entries.size() == 3);
  CHECK(root.entries[1].key == "b");
  CHECK(root.entries[1].line == 2);
  const auto& list = *root.entries[1].value;
  REQUIRE(list.items.size() == 2);
  CHECK_FALSE(list.items[0]->plain);  // quoted
  CHECK(list.items[1]->plain);
  CHECK(list.items[1]->line == 4);
  CHECK(list.items[1]->column == 5);
  // An empty value is placed at its key.
  CHECK(root.entries[2].value->kind == yaml::Kind::null);
  CHECK(root.entries[2].value->line == 5);
  CHECK(root.weight == 6);  // the map, 1, the list and its 2 items, the empty value
}

TEST_CASE("ecp::yaml::parse options") {
  SUBCASE("duplicates are reported by default and the first is kept") {
    Diagnostics out;
    auto doc = yaml::parse("a: 1\na: 2\n", "f", out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].line == 2);
    CHECK(mentions(out, "duplicate key 'a' on line 2 (first defined on line 1)"));
    CHECK(doc.root->entries.size() == 1);
  }
  SUBCASE("duplicates kept for the caller") {
    Diagnostics out;
    auto doc = yaml::parse("a: 1\na: 2\n", "f", out, {.report_duplicates = false});
    CHECK(out.empty());
    REQUIRE(doc.root->entries.size() == 2);
    CHECK(doc.root->entries[1].line == 2);
    CHECK(doc.root->entries[1].value->value == "2");
  }
  SUBCASE("aliases allowed by default, refused on request") {
    Diagnostics out;
    auto doc = yaml::parse("a: &x 1\nb: *x\n", "f", out);
    CHECK(out.empty());
    CHECK(doc.root->entries[1].value->value == "1");
    yaml::parse("a: &x 1\nb: *x\n", "f", out, {.aliases = false});
    REQUIRE(out.size() == 1);
    CHECK(out[0].line == 2);
    CHECK(out[0].field == "b");
    CHECK(mentions(out, "aliases (*name) are not supported"));
  }
}

TEST_CASE("ecp::yaml::parse limits") {
  SUBCASE("alias bombs stop at max_nodes") {
    std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i <= 9; ++i) {
      std::string prev = "*a" + std::to_string(i - 1);
      bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
      for (int k = 1; k < 10; ++k) bomb += ", " + prev;
      bomb += "]\n";
    }
    Diagnostics out;
    auto doc = yaml::parse(bomb, "f", out);
    CHECK_FALSE(doc.root);
    CHECK(mentions(out, "nodes once aliases are expanded"));
  }
  SUBCASE("an alias repeating a long scalar stops at the alias that passes max_expanded_bytes") {
    // Far under max_nodes: only the bytes give it away.
    std::string text = "big: &a '" + std::string(500000, 'x') + "'\nlist:\n";
    for (int i = 0; i < 200; ++i) text += "  - *a\n";
    Diagnostics out;
    auto doc = yaml::parse(text, "f.yaml", out);
    CHECK_FALSE(doc.root);
    REQUIRE(out.size() == 1);
    // The 135th alias passes 64 MiB (134 x 500000 = 67000000 <= 67108864); it is on line 2 + 135.
    CHECK(out[0].line == 137);
    CHECK(out[0].column == 5);
    CHECK(out[0].file == "f.yaml");
    CHECK(mentions(out, "aliases expand the document to more than 64 MiB of text (this one repeats 500000 bytes)"));
  }
  SUBCASE("nested aliases count the text they expand to") {
    // *b repeats a list of four *a: 4 x 400000 bytes per use, 41 uses pass 64 MiB.
    std::string text = "a: &a '" + std::string(400000, 'y') + "'\nb: &b [*a, *a, *a, *a]\nc:\n";
    for (int i = 0; i < 50; ++i) text += "  - *b\n";
    Diagnostics out;
    yaml::parse(text, "f", out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].line == 3 + 41);
    CHECK(mentions(out, "this one repeats 1600000 bytes"));
  }
  SUBCASE("under the budget, the tree keeps its expanded size") {
    Diagnostics out;
    auto doc = yaml::parse("a: &x hello\nb: *x\nc: [*x, *x]\n", "f", out);
    REQUIRE(out.empty());
    CHECK(doc.root->bytes == 3 + 4 * 5);  // the keys a, b, c and four times hello
  }
  SUBCASE("depth") {
    Diagnostics out;
    yaml::parse(std::string(yaml::max_depth + 1, '[') + std::string(yaml::max_depth + 1, ']'), "f", out);
    CHECK(mentions(out, "nested more than"));
  }
  SUBCASE("size") {
    Diagnostics out;
    auto doc = yaml::parse(std::string(yaml::max_bytes + 1, ' '), "f", out);
    CHECK_FALSE(doc.root);
    CHECK(mentions(out, "up to 1 MiB"));
  }
  SUBCASE("a syntax error names its place") {
    Diagnostics out;
    auto doc = yaml::parse("a: 1\nb: [1, 2\nc: 3\n", "f", out);
    CHECK_FALSE(doc.root);
    REQUIRE_FALSE(out.empty());
    CHECK(out[0].file == "f");
    CHECK(out[0].line >= 2);
    CHECK(mentions(out, "YAML syntax error"));
  }
  SUBCASE("comments only: an empty document") {
    Diagnostics out;
    auto doc = yaml::parse("# nothing\n", "f", out);
    CHECK(out.empty());
    CHECK(doc.empty);
  }
}
