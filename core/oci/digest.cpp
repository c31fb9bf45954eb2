#include "core/oci/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <utility>

#include "core/util/error.hpp"

namespace ecp::oci {
namespace {

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Fetched once: an implicit EVP_sha256() fetch on every init costs more than
// hashing a small manifest.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) fail(ErrorKind::internal, "OpenSSL has no SHA-256");
  return md;
}

}  // namespace

std::optional<Digest> Digest::try_parse(std::string_view text) {
  constexpr std::string_view prefix = "sha256:";
  if (text.size() != prefix.size() + 64 || text.substr(0, prefix.size()) != prefix) return std::nullopt;
  auto hex = text.substr(prefix.size());
  if (!is_lower_hex(hex)) return std::nullopt;
  Digest d;
  d.hex_ = std::string(hex);
  return d;
}

Digest Digest::parse(std::string_view text) {
  if (auto d = try_parse(text)) return *d;
  fail(ErrorKind::validation, "invalid digest '{}': expected sha256:<64 lowercase hex digits>", text);
}

Digest Digest::from_bytes(const unsigned char (&bytes)[32]) {
  static constexpr char digits[] = "0123456789abcdef";
  Digest d;
  d.hex_.resize(64);
  for (int i = 0; i < 32; ++i) {
    d.hex_[2 * i] = digits[bytes[i] >> 4];
    d.hex_[2 * i + 1] = digits[bytes[i] & 0xf];
  }
  return d;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, sha256_md(), nullptr) != 1)
    fail(ErrorKind::internal, "cannot initialise SHA-256");
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256::Sha256(Sha256&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  std::swap(ctx_, other.ctx_);
  return *this;
}

void Sha256::update(const void* data, std::size_t size) {
  if (size != 0 && EVP_DigestUpdate(ctx_, data, size) != 1) fail(ErrorKind::internal, "SHA-256 update failed");
}

Digest Sha256::finish() {
  unsigned char out[32];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, out, &len) != 1 || len != 32) fail(ErrorKind::internal, "SHA-256 final failed");
  return Digest::from_bytes(out);
}

Digest Sha256::of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char out[32];
  unsigned int len = 0;
  if (::HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) == nullptr ||
      len != 32)
    fail(ErrorKind::internal, "HMAC-SHA256 failed");
  return Digest::from_bytes(out).hex();
}

}  // namespace ecp::oci
