#include <doctest/doctest.h>

#include "core/descriptor/values.hpp"

using namespace ecp::descriptor;
using namespace std::chrono_literals;

TEST_CASE("ecp::descriptor::parse_duration") {
  SUBCASE("single units") {
    CHECK(parse_duration("500ms") == Duration(500));
    CHECK(parse_duration("10s") == Duration(10000));
    CHECK(parse_duration("2m") == Duration(120000));
    CHECK(parse_duration("1h") == Duration(3600000));
    CHECK(parse_duration("0s") == Duration(0));
  }
  SUBCASE("combinations, largest unit first") {
    CHECK(parse_duration("1m30s") == Duration(90000));
    CHECK(parse_duration("1h2m3s4ms") == Duration(3723004));
    CHECK(parse_duration("1s500ms") == Duration(1500));
  }
  SUBCASE("rejects bad forms with a reason") {
    std::string why;
    CHECK_FALSE(parse_duration("10", &why));
    CHECK(why.find("no unit") != std::string::npos);
    CHECK_FALSE(parse_duration("1.5s", &why));
    CHECK(why.find("1500ms") != std::string::npos);
    CHECK_FALSE(parse_duration("-5s", &why));
    CHECK(why.find("negative") != std::string::npos);
    CHECK_FALSE(parse_duration("10d", &why));
    CHECK(why.find("unknown unit 'd'") != std::string::npos);
    CHECK_FALSE(parse_duration("30s1m", &why));
    CHECK(why.find("largest first") != std::string::npos);
    CHECK_FALSE(parse_duration("1s1s"));
    CHECK_FALSE(parse_duration(""));
    CHECK_FALSE(parse_duration("s"));
    CHECK_FALSE(parse_duration("10 s"));
    CHECK_FALSE(parse_duration("99999999999999999999h", &why));
    CHECK(why.find("too long") != std::string::npos);
    CHECK_FALSE(parse_duration("9000h"));  // over a year
  }
  SUBCASE("format_duration reads back") {
    CHECK(format_duration(90s) == "1m30s");
    CHECK(format_duration(500ms) == "500ms");
    CHECK(format_duration(0s) == "0s");
    CHECK(format_duration(3723004ms) == "1h2m3s4ms");
    for (Duration d : {Duration(1ms), Duration(1500ms), Duration(61s), Duration(2h), Duration(3600001ms)})
      CHECK(parse_duration(format_duration(d)) == Duration(d));
  }
}

TEST_CASE("ecp::descriptor::parse_size") {
  SUBCASE("bytes and suffixes") {
    CHECK(parse_size("1048576") == 1048576u);
    CHECK(parse_size("512Mi") == 512ull << 20);
    CHECK(parse_size("1G") == 1000000000ull);
    CHECK(parse_size("2Gi") == 2ull << 30);
    CHECK(parse_size("1Ti") == 1ull << 40);
    CHECK(parse_size("64K") == 64000u);
    CHECK(parse_size("0") == 0u);
  }
  SUBCASE("explains common mistakes") {
    std::string why;
    CHECK_FALSE(parse_size("512MB", &why));
    CHECK(why.find("512M or 512Mi") != std::string::npos);
    CHECK_FALSE(parse_size("512m", &why));
    CHECK(why.find("milli") != std::string::npos);
    CHECK_FALSE(parse_size("1.5Gi", &why));
    CHECK(why.find("whole number") != std::string::npos);
    CHECK_FALSE(parse_size("-1", &why));
    CHECK_FALSE(parse_size("lots", &why));
    CHECK_FALSE(parse_size("", &why));
    CHECK_FALSE(parse_size("99999999999Ti", &why));
    CHECK(why.find("too large") != std::string::npos);
  }
}

TEST_CASE("ecp::descriptor::parse_cpu_millis") {
  CHECK(parse_cpu_millis("500m") == 500);
  CHECK(parse_cpu_millis("0.5") == 500);
  CHECK(parse_cpu_millis("2") == 2000);
  CHECK(parse_cpu_millis("1.25") == 1250);
  CHECK(parse_cpu_millis(".5") == 500);
  CHECK(parse_cpu_millis("0.001") == 1);
  std::string why;
  CHECK_FALSE(parse_cpu_millis("0", &why));
  CHECK(why.find("more than 0") != std::string::npos);
  CHECK_FALSE(parse_cpu_millis("0.0005", &why));
  CHECK(why.find("finer than 1m") != std::string::npos);
  CHECK_FALSE(parse_cpu_millis("m"));
  CHECK_FALSE(parse_cpu_millis("1.5m"));
  CHECK_FALSE(parse_cpu_millis("-1"));
  CHECK_FALSE(parse_cpu_millis("two"));
  CHECK_FALSE(parse_cpu_millis("."));
  CHECK_FALSE(parse_cpu_millis(""));
}

TEST_CASE("ecp::descriptor::name_problem") {
  SUBCASE("valid names") {
    for (const std::string& n : {std::string("hello"), std::string("a"), std::string("hello-world"), std::string("app2"),
                                  std::string("0x"), std::string(63, 'a')}) {
      CHECK_MESSAGE(is_valid_name(n), n);
      CHECK_FALSE(name_problem(n));
    }
  }
  SUBCASE("each kind of invalid name gets its own reason") {
    CHECK(name_problem("")->find("empty") != std::string::npos);
    CHECK(name_problem("my app")->find("spaces") != std::string::npos);
    CHECK(name_problem("MyApp")->find("lowercase ('myapp')") != std::string::npos);
    CHECK(name_problem("../etc")->find("not a path") != std::string::npos);
    CHECK(name_problem("a/b")->find("not a path") != std::string::npos);
    CHECK(name_problem("a_b")->find("'_'") != std::string::npos);
    CHECK(name_problem("-a")->find("start and end") != std::string::npos);
    CHECK(name_problem("a-")->find("start and end") != std::string::npos);
    CHECK(name_problem(std::string(64, 'a'))->find("63") != std::string::npos);
    CHECK(name_problem("caf\xC3\xA9"));
  }
}

TEST_CASE("ecp::descriptor::other value checks") {
  SUBCASE("config keys") {
    CHECK(is_valid_config_key("GREETING"));
    CHECK(is_valid_config_key("db.url"));
    CHECK(is_valid_config_key("_x1"));
    CHECK_FALSE(is_valid_config_key("9LIVES"));
    CHECK_FALSE(is_valid_config_key("MY-KEY"));
    CHECK_FALSE(is_valid_config_key(""));
    CHECK_FALSE(is_valid_config_key("A B"));
  }
  SUBCASE("user specs") {
    CHECK_FALSE(user_problem("1000:1000"));
    CHECK_FALSE(user_problem("app"));
    CHECK_FALSE(user_problem("www-data:0"));
    CHECK(user_problem("root:"));
    CHECK(user_problem(":0"));
    CHECK(user_problem("Root"));
    CHECK(user_problem("99999999999"));
    CHECK(user_problem("a:b:c"));
  }
  SUBCASE("paths stay inside the project") {
    CHECK_FALSE(relative_path_problem("app"));
    CHECK_FALSE(relative_path_problem("lib/*.jar"));
    CHECK(relative_path_problem("/abs"));
    CHECK(relative_path_problem("../up"));
    CHECK(relative_path_problem("a/../../b"));
    CHECK(relative_path_problem("~/x"));
    CHECK(relative_path_problem(""));
    CHECK_FALSE(relative_path_problem("a..b"));
  }
  SUBCASE("image references") {
    CHECK_FALSE(reference_problem("eclipse-temurin:17-jre"));
    CHECK_FALSE(reference_problem("registry.lab:5000/base/jdk:17"));
    CHECK_FALSE(reference_problem("localhost/x@sha256:" + std::string(64, 'a')));
    CHECK(reference_problem("Library/X"));
    CHECK(reference_problem("a b"));
    CHECK(reference_problem("x:bad tag"));
    CHECK(reference_problem("x@sha256:zz"));
    CHECK(reference_problem(":tag"));
  }
  SUBCASE("build.base forms") {
    auto b = parse_base_image("oci:../base:17");
    REQUIRE(b);
    CHECK(b->kind == BaseKind::oci_layout);
    CHECK(b->path == "../base");
    CHECK(b->tag == "17");
    b = parse_base_image("oci:/var/cache/base");
    REQUIRE(b);
    CHECK(b->path == "/var/cache/base");
    CHECK(b->tag.empty());
    CHECK(parse_base_image("docker-archive:base.tar")->kind == BaseKind::docker_archive);
    CHECK(parse_base_image("scratch")->kind == BaseKind::scratch);
    CHECK(parse_base_image("nginx:1.25")->kind == BaseKind::registry);
    CHECK_FALSE(parse_base_image("oci:"));
    CHECK_FALSE(parse_base_image("docker-archive:"));
    CHECK_FALSE(parse_base_image("Not A Ref"));
  }
}

TEST_CASE("ecp::descriptor::did_you_mean") {
  std::vector<std::string_view> keys = {"schema", "app", "type", "environments", "health", "replicas"};
  SUBCASE("edit distance counts transpositions as one edit") {
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("prot", "port") == 1);
    CHECK(edit_distance("same", "same") == 0);
  }
  SUBCASE("suggests close words") {
    CHECK(did_you_mean("enviroments", keys) == "environments");
    CHECK(did_you_mean("helth", keys) == "health");
    CHECK(did_you_mean("typ", keys) == "type");
    CHECK(did_you_mean("App", keys) == "app");
    CHECK(did_you_mean("replica", keys) == "replicas");
  }
  SUBCASE("stays quiet when nothing is close") {
    CHECK_FALSE(did_you_mean("zzzzzz", keys));
    CHECK_FALSE(did_you_mean("x", keys));
    CHECK_FALSE(did_you_mean("", keys));
    CHECK_FALSE(did_you_mean("app", keys));  // an exact match is not a suggestion
  }
}
