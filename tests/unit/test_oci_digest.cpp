#include <doctest/doctest.h>

#include "core/oci/digest.hpp"
#include "core/util/error.hpp"

using namespace ecp;
using ecp::oci::Digest;
using ecp::oci::Sha256;

TEST_CASE("ecp::oci::hmac_sha256_hex follows RFC 4231") {
  // RFC 4231 test case 2.
  CHECK(oci::hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block is hashed first.
  CHECK(oci::hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("ecp::oci::Digest") {
  const std::string hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  SUBCASE("parses and prints sha256 digests") {
    auto d = Digest::parse("sha256:" + hex);
    CHECK(d.valid());
    CHECK(d.hex() == hex);
    CHECK(d.to_string() == "sha256:" + hex);
  }
  SUBCASE("refuses malformed digests with a validation error") {
    for (std::string bad : {std::string("sha256:") + hex.substr(1), "sha256:" + hex + "0", "sha512:" + hex,
                            "sha256:" + std::string(64, 'G'), "sha256:E3B0" + hex.substr(4), hex, std::string()}) {
      CAPTURE(bad);
      CHECK_FALSE(Digest::try_parse(bad));
      try {
        Digest::parse(bad);
        FAIL("expected an error");
      } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::validation);
      }
    }
  }
  SUBCASE("an empty digest is invalid and prints as nothing") {
    Digest d;
    CHECK_FALSE(d.valid());
    CHECK(d.to_string().empty());
  }
  SUBCASE("compares by value") {
    CHECK(Digest::parse("sha256:" + hex) == Sha256::of(""));
    CHECK(Digest::parse("sha256:" + hex) != Sha256::of("x"));
  }
}

TEST_CASE("ecp::oci::Sha256") {
  SUBCASE("matches the FIPS 180-2 test vectors") {
    CHECK(Sha256::of("").hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(Sha256::of("abc").hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(Sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex() ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  }
  SUBCASE("streaming in pieces gives the one-shot digest") {
    std::string data(1000003, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + 7);
    Sha256 h;
    for (std::size_t off = 0; off < data.size(); off += 4097) h.update(std::string_view(data).substr(off, 4097));
    CHECK(h.finish() == Sha256::of(data));
  }
  SUBCASE("a moved-from hasher's state travels with it") {
    Sha256 a;
    a.update("ab");
    Sha256 b(std::move(a));
    b.update("c");
    CHECK(b.finish() == Sha256::of("abc"));
  }
}
