#pragma once
// Content digests ("sha256:<64 hex>") and a streaming SHA-256 hasher (OpenSSL EVP).
// Only sha256 is produced; parse() also accepts it only, which is what every
// registry and layout ecp talks to uses.
#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace ecp::oci {

class Digest {
 public:
  Digest() = default;  // an empty digest; valid() is false

  // Parses "sha256:<64 lowercase hex>"; throws Error(validation) otherwise.
  static Digest parse(std::string_view text);
  static std::optional<Digest> try_parse(std::string_view text);
  // From a raw 32-byte SHA-256 value.
  static Digest from_bytes(const unsigned char (&bytes)[32]);

  bool valid() const { return !hex_.empty(); }
  std::string_view algorithm() const { return "sha256"; }
  const std::string& hex() const { return hex_; }  // 64 lowercase hex digits
  std::string to_string() const { return valid() ? "sha256:" + hex_ : std::string(); }

  auto operator<=>(const Digest&) const = default;

 private:
  std::string hex_;
};

// HMAC-SHA256 of `data` under `key` (RFC 2104), as lowercase hex: a fingerprint
// that nobody without the key can recompute, so a guess cannot be confirmed.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Streaming SHA-256. Feed bytes with update(), then finish() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  Digest finish();

  static Digest of(std::string_view data);

 private:
  evp_md_ctx_st* ctx_ = nullptr;
};

}  // namespace ecp::oci
