#include <doctest/doctest.h>

#include "core/ledger/ledger.hpp"
#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "memory_store.hpp"

using namespace ecp;

namespace {
// A store that says where its keys live, as the host and engine stores do.
class DescribedStore : public testing::MemoryStore {
 public:
  std::string describe(const std::string& key) override { return "/srv/web/dev/state/" + key + " on h1"; }
};
}  // namespace

TEST_CASE("ecp::ledger::Ledger::fingerprint") {
  DescribedStore store;
  ledger::Ledger ledger(store);
  // No key yet: nothing made by a reader.
  CHECK(ledger.fingerprint("PIN=1234\n", false).empty());
  CHECK_FALSE(store.get("private/fingerprint.key"));
  auto fp = ledger.fingerprint("PIN=1234\n", true);
  CHECK(fp.starts_with("hmac-sha256:"));
  CHECK(fp.size() == 12 + 64);
  // Keyed: not the plain hash a guess could be checked against.
  CHECK(fp.substr(12) != oci::Sha256::of("PIN=1234\n").hex());
  CHECK(fp != ledger.fingerprint("PIN=1235\n", false));
  // Every machine that releases here reads the same key, so the same fingerprint.
  ledger::Ledger other(store);
  CHECK(other.fingerprint("PIN=1234\n", false) == fp);
  // Another target, another key.
  DescribedStore store2;
  ledger::Ledger third(store2);
  CHECK(third.fingerprint("PIN=1234\n", true) != fp);
  // A damaged key is an error, not a silent other fingerprint.
  DescribedStore store3;
  store3.put("private/fingerprint.key", "short");
  ledger::Ledger fourth(store3);
  CHECK_THROWS_AS(fourth.fingerprint("A=1\n", false), Error);
}

TEST_CASE("ecp::ledger::Ledger::exact_config") {
  DescribedStore store;
  ledger::Ledger ledger(store);
  const std::string exact = "GREETING=hello\nPIN=1234\n";
  const std::string refs = "GREETING=hello\nPIN=secret:env:PIN\n";
  ledger::Record r;
  r.revision = 1;
  r.config_digest = oci::Sha256::of(refs).to_string();
  r.config_fingerprint = ledger.fingerprint(exact, true);
  ledger.put_config(r.config_digest, refs, r.config_fingerprint, exact);
  const std::string key = "private/configs/" + r.config_fingerprint.substr(12) + ".properties";

  SUBCASE("the ledger's copy holds the reference, never the secret") {
    auto copy = store.get("configs/" + r.config_digest.substr(7) + ".properties");
    REQUIRE(copy);
    CHECK(copy->find("1234") == std::string::npos);
    for (const auto& [k, v] : store.list("ledger/")) CHECK(v.find("1234") == std::string::npos);
  }
  SUBCASE("the recorded bytes") { CHECK(ledger.exact_config(r, "the configuration of revision 1") == exact); }
  SUBCASE("none stored") {
    ledger::Record other = r;
    other.config_fingerprint = "hmac-sha256:" + std::string(64, '0');
    CHECK_FALSE(ledger.exact_config(other, "the configuration of revision 2"));
  }
  SUBCASE("bytes changed after the release: refused, naming the file and both fingerprints") {
    const std::string edited = "GREETING=owned\nPIN=1234\n";
    store.put(key, edited);
    try {
      ledger.exact_config(r, "the configuration of revision 1");
      FAIL("an edited configuration was accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::deploy_failed);
      CHECK(std::string(e.what()) == "the configuration of revision 1 does not match its record: /srv/web/dev/state/" +
                                         key + " on h1 holds " + ledger.fingerprint(edited, false) +
                                         ", the record says " + r.config_fingerprint +
                                         "; it was changed after it was released: refusing to deploy it");
    }
    // Even one byte more (a trailing newline) is not the recorded text.
    store.put(key, exact + "\n");
    CHECK_THROWS_AS(ledger.exact_config(r, "x"), Error);
  }
  SUBCASE("a record from before fingerprints: its configs/ copy, checked by digest") {
    ledger::Record old;
    old.revision = 1;
    old.config_digest = oci::Sha256::of(exact).to_string();
    const std::string old_key = "configs/" + old.config_digest.substr(7) + ".properties";
    store.put(old_key, exact);
    CHECK(ledger.exact_config(old, "the configuration of revision 1") == exact);
    store.put(old_key, "GREETING=owned\n");
    try {
      ledger.exact_config(old, "the configuration of revision 1");
      FAIL("an edited configuration was accepted");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find(oci::Sha256::of("GREETING=owned\n").to_string()) != std::string::npos);
      CHECK(std::string(e.what()).find(old.config_digest) != std::string::npos);
    }
  }
}

TEST_CASE("ecp::ledger::same_config") {
  ledger::Record a, b;
  a.config_digest = b.config_digest = "sha256:" + std::string(64, '1');
  CHECK(ledger::same_config(a, b));
  a.config_fingerprint = "hmac-sha256:" + std::string(64, '2');
  CHECK(ledger::same_config(a, b));  // b from before fingerprints: the digest decides
  b.config_fingerprint = "hmac-sha256:" + std::string(64, '3');
  CHECK_FALSE(ledger::same_config(a, b));  // a secret changed behind the same reference
  b.config_fingerprint = a.config_fingerprint;
  b.config_digest = "sha256:" + std::string(64, '4');
  CHECK_FALSE(ledger::same_config(a, b));
}

TEST_CASE("ecp::ledger::check_config") {
  CHECK_NOTHROW(ledger::check_config("", oci::Sha256::of("").to_string(), "s", "w"));
  CHECK_THROWS_AS(ledger::check_config("A=1\n", "sha256:" + std::string(64, '0'), "s", "w"), Error);
}
