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

TEST_CASE("ecp::ledger::Ledger::verified_config") {
  DescribedStore store;
  ledger::Ledger ledger(store);
  const std::string text = "GREETING=hello\nLISTEN_PORT=8080\n";
  const std::string digest = oci::Sha256::of(text).to_string();
  const std::string key = "configs/" + digest.substr(7) + ".properties";
  ledger.put_config(digest, text);

  SUBCASE("the recorded bytes") { CHECK(ledger.verified_config(digest, "the configuration of revision 1") == text); }
  SUBCASE("none stored") {
    CHECK_FALSE(ledger.verified_config(oci::Sha256::of("other").to_string(), "the configuration of revision 2"));
  }
  SUBCASE("bytes changed after the release: refused, naming the file and both digests") {
    const std::string edited = "GREETING=owned\nLISTEN_PORT=8080\n";
    store.put(key, edited);
    try {
      ledger.verified_config(digest, "the configuration of revision 1");
      FAIL("an edited configuration was accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::deploy_failed);
      CHECK(std::string(e.what()) == "the configuration of revision 1 does not match its record: /srv/web/dev/state/" +
                                         key + " on h1 holds " + oci::Sha256::of(edited).to_string() +
                                         ", the record says " + digest +
                                         "; it was changed after it was released: refusing to deploy it");
    }
    // Even one byte more (a trailing newline) is not the recorded text.
    store.put(key, text + "\n");
    CHECK_THROWS_AS(ledger.verified_config(digest, "x"), Error);
  }
  SUBCASE("the plain read still returns whatever is stored (for display)") {
    store.put(key, "X=1\n");
    CHECK(ledger.config(digest) == "X=1\n");
  }
}

TEST_CASE("ecp::ledger::check_config") {
  CHECK_NOTHROW(ledger::check_config("", oci::Sha256::of("").to_string(), "s", "w"));
  CHECK_THROWS_AS(ledger::check_config("A=1\n", "sha256:" + std::string(64, '0'), "s", "w"), Error);
}
