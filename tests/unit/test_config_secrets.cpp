#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "core/config/secrets.hpp"
#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

using namespace ecp::config;
namespace stdfs = std::filesystem;

namespace {

std::string error_of(const SecretRef& ref, const SecretContext& where) {
  try {
    SystemSecretResolver{}.resolve(ref, where);
  } catch (const ecp::Error& e) {
    CHECK(e.kind() == ecp::ErrorKind::validation);
    return e.what();
  }
  FAIL("no error");
  return "";
}

SecretRef ref_of(std::string_view text) {
  std::string problem;
  auto r = parse_secret_ref(text, problem);
  REQUIRE_MESSAGE(r, problem);
  return *r;
}

void write(const stdfs::path& p, std::string_view text, unsigned mode) {
  ecp::fs::write_file_atomic(p, text, mode);
  ::chmod(p.c_str(), mode);  // write_file_atomic's mode passes through the umask
}

}  // namespace

TEST_CASE("ecp::config::parse_secret_ref") {
  std::string problem;
  auto e = parse_secret_ref("secret:env:DB_PASSWORD", problem);
  REQUIRE(e);
  CHECK(e->kind == SecretKind::env);
  CHECK(e->name == "DB_PASSWORD");
  auto f = parse_secret_ref("secret:file:../secrets/db:pw", problem);
  REQUIRE(f);
  CHECK(f->kind == SecretKind::file);
  CHECK(f->name == "../secrets/db:pw");
  auto c = parse_secret_ref("secret:cmd:vault:kv/prod/db#password", problem);
  REQUIRE(c);
  CHECK(c->kind == SecretKind::cmd);
  CHECK(c->name == "vault");
  CHECK(c->arg == "kv/prod/db#password");
  CHECK(c->text == "secret:cmd:vault:kv/prod/db#password");
  auto c2 = parse_secret_ref("secret:cmd:pass", problem);
  REQUIRE(c2);
  CHECK(c2->arg.empty());

  CHECK_FALSE(parse_secret_ref("secret:vault:x", problem));
  CHECK(problem.find("unknown kind 'vault'") != std::string::npos);
  CHECK_FALSE(parse_secret_ref("secret:env:1BAD", problem));
  CHECK_FALSE(parse_secret_ref("secret:env:", problem));
  CHECK_FALSE(parse_secret_ref("secret:file:", problem));
  CHECK_FALSE(parse_secret_ref("secret:cmd:../../bin/sh", problem));
  CHECK_FALSE(parse_secret_ref("secret:", problem));
  CHECK(is_secret_ref("secret:x"));
  CHECK_FALSE(is_secret_ref("not secret:env:X"));
}

TEST_CASE("ecp::config::mask hides the value and shows a change, keyed") {
  set_fingerprint_key_source([] { return std::string("the key"); });
  auto m = mask("hunter2");
  CHECK(m.rfind("\u2022\u2022\u2022\u2022", 0) == 0);
  CHECK(m.find("hunter2") == std::string::npos);
  CHECK(m.substr(m.size() - 6) == ecp::oci::hmac_sha256_hex("the key", "hunter2").substr(0, 6));
  // Not the unkeyed hash: a guess cannot be checked against the mask without the key.
  CHECK(m.substr(m.size() - 6) != ecp::oci::Sha256::of("hunter2").hex().substr(0, 6));
  CHECK(mask("hunter2") == m);
  CHECK(mask("hunter3") != m);
  set_fingerprint_key_source([] { return std::string("another key"); });
  CHECK(mask("hunter2") != m);
  set_fingerprint_key_source({});  // a random key of this process's own
  CHECK(mask("hunter2") == mask("hunter2"));
}

TEST_CASE("ecp::config::SystemSecretResolver") {
  ecp::fs::TempDir tmp;
  SecretContext where{"app", "prod", "DB_PASSWORD", Origin{(tmp.path() / "ecp.yaml").string(), 7, 3, "default"}};
  SystemSecretResolver resolver;

  SUBCASE("environment variable") {
    ::setenv("ECP_TEST_SECRET_VALUE", "s3cr=t\nline", 1);
    CHECK(resolver.resolve(ref_of("secret:env:ECP_TEST_SECRET_VALUE"), where) == "s3cr=t\nline");
    ::unsetenv("ECP_TEST_SECRET_VALUE");
    auto msg = error_of(ref_of("secret:env:ECP_TEST_SECRET_VALUE"), where);
    CHECK(msg.find("ECP_TEST_SECRET_VALUE is not set") != std::string::npos);
    CHECK(msg.find("ecp.yaml:7:3: DB_PASSWORD") != std::string::npos);
  }
  SUBCASE("file relative to the file that names it, one trailing newline dropped") {
    stdfs::create_directories(tmp.path() / "secrets");
    write(tmp.path() / "secrets" / "db", "pa ss\n\n", 0600);
    CHECK(resolver.resolve(ref_of("secret:file:secrets/db"), where) == "pa ss\n");
  }
  SUBCASE("missing file names the path") {
    auto msg = error_of(ref_of("secret:file:secrets/nope"), where);
    CHECK(msg.find((tmp.path() / "secrets" / "nope").string()) != std::string::npos);
    CHECK(msg.find("No such file") != std::string::npos);
  }
  SUBCASE("a file readable by everyone is refused") {
    write(tmp.path() / "open", "pw", 0644);
    auto msg = error_of(ref_of("secret:file:open"), where);
    CHECK(msg.find("readable by everyone (mode 0644)") != std::string::npos);
    CHECK(msg.find("chmod o-r") != std::string::npos);
  }
  SUBCASE("a folder is refused") {
    stdfs::create_directories(tmp.path() / "dir");
    auto msg = error_of(ref_of("secret:file:dir"), where);
    CHECK(msg.find("not a regular file") != std::string::npos);
  }
  SUBCASE("command hook: ecp-secret-NAME on PATH, argv without a shell") {
    write(tmp.path() / "ecp-secret-test",
          "#!/bin/sh\n"
          "[ \"$1\" = 'kv/a b;$(x)' ] || { echo \"bad arg: $1\" >&2; exit 3; }\n"
          "printf '%s|%s|%s\\n' \"$ECP_SECRET_KEY\" \"$ECP_SECRET_ENV\" \"$ECP_SECRET_APP\"\n",
          0700);
    write(tmp.path() / "ecp-secret-fails", "#!/bin/sh\necho 'vault is sealed' >&2\nexit 4\n", 0700);
    std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
    ::setenv("PATH", (tmp.path().string() + ":" + old_path).c_str(), 1);
    CHECK(resolver.resolve(ref_of("secret:cmd:test:kv/a b;$(x)"), where) == "DB_PASSWORD|prod|app");
    auto msg = error_of(ref_of("secret:cmd:fails"), where);
    CHECK(msg.find("exited with status 4: vault is sealed") != std::string::npos);
    msg = error_of(ref_of("secret:cmd:absent-helper"), where);
    CHECK(msg.find("ecp-secret-absent-helper was not found on PATH") != std::string::npos);
    ::setenv("PATH", old_path.c_str(), 1);
  }
}
