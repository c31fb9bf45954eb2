// A release's configuration at the target, in two forms (ledger.hpp): the
// reference form anyone with the ledger may read, and the exact bytes, kept
// apart under a keyed fingerprint, that only a release deploying them again reads.
#include <fmt/format.h>

#include "core/ledger/ledger.hpp"
#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "core/util/private_key.hpp"

namespace ecp::ledger {
namespace {

constexpr const char* key_entry = "private/fingerprint.key";
constexpr std::string_view hmac_prefix = "hmac-sha256:";

// The hex of "sha256:<hex>" or "hmac-sha256:<hex>", checked: it names a file.
std::string hex_of(const std::string& sum, std::string_view what) {
  auto colon = sum.rfind(':');
  std::string hex = colon == std::string::npos ? sum : sum.substr(colon + 1);
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
    fail(ErrorKind::validation, "'{}' is not a {}", sum, what);
  return hex;
}

std::string config_key(const std::string& digest) {
  return "configs/" + hex_of(digest, "config digest") + ".properties";
}

std::string exact_key(const std::string& fingerprint) {
  return "private/configs/" + hex_of(fingerprint, "config fingerprint") + ".properties";
}

[[noreturn]] void refuse(std::string_view subject, const std::string& where, const std::string& actual,
                         const std::string& recorded) {
  fail(ErrorKind::deploy_failed,
       "{} does not match its record: {} holds {}, the record says {}; it was changed after it was released: "
       "refusing to deploy it",
       subject, where, actual, recorded);
}

}  // namespace

std::string Ledger::fingerprint(std::string_view exact, bool create) {
  auto key = key_ ? key_ : storage_.get(key_entry);
  if (!key && create) {
    // Of two releases that make it at once, the first written wins; both read it.
    storage_.put_if(key_entry, oci::Sha256::of(fs::random_bytes(32)).hex(), std::nullopt);
    key = storage_.get(key_entry);
  }
  if (!key) {
    if (create) fail(ErrorKind::io, "the config fingerprint key at {} cannot be made", storage_.describe(key_entry));
    return "";
  }
  if (key->size() < 32)
    fail(ErrorKind::deploy_failed, "the config fingerprint key at {} is damaged ({} bytes)",
         storage_.describe(key_entry), key->size());
  key_ = key;
  return std::string(hmac_prefix) + oci::hmac_sha256_hex(*key, exact);
}

void Ledger::put_config(const std::string& config_digest, std::string_view reference_text,
                        const std::string& fingerprint, std::string_view exact) {
  storage_.put(exact_key(fingerprint), exact);
  storage_.put(config_key(config_digest), reference_text);
}

std::optional<std::string> Ledger::exact_config(const Record& r, std::string_view subject) {
  if (r.config_fingerprint.empty()) {  // a record from before fingerprints: the configs/ copy is exact
    std::string key = config_key(r.config_digest);
    auto text = storage_.get(key);
    if (text) check_config(*text, r.config_digest, subject, storage_.describe(key));
    return text;
  }
  std::string key = exact_key(r.config_fingerprint);
  auto text = storage_.get(key);
  if (!text) return std::nullopt;
  auto actual = fingerprint(*text, false);
  if (actual != r.config_fingerprint)
    refuse(subject, storage_.describe(key), actual.empty() ? "bytes with no fingerprint key at the target" : actual,
           r.config_fingerprint);
  return text;
}

bool same_config(const Record& a, const Record& b) {
  if (a.config_digest != b.config_digest) return false;
  return a.config_fingerprint.empty() || b.config_fingerprint.empty() || a.config_fingerprint == b.config_fingerprint;
}

void check_config(std::string_view text, const std::string& config_digest, std::string_view subject,
                  const std::string& where) {
  std::string actual = oci::Sha256::of(text).to_string();
  if (actual != config_digest) refuse(subject, where, actual, config_digest);
}

}  // namespace ecp::ledger
