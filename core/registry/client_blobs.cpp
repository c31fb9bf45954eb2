// Client: blob HEAD, GET (resumed with Range) and uploads (mount, POST + PUT,
// or chunked PATCHes that resume from the registry's acknowledged offset).
#include <algorithm>
#include <cstdlib>
#include <optional>

#include "core/registry/client.hpp"
#include "core/registry/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::registry {
namespace {

// "0-1234" or "bytes=0-1234" -> 1234; -1 when missing or malformed.
std::int64_t range_end(const std::string& range) {
  auto dash = range.rfind('-');
  if (dash == std::string::npos || dash + 1 >= range.size()) return -1;
  char* end = nullptr;
  long long v = std::strtoll(range.c_str() + dash + 1, &end, 10);
  return *end == '\0' && v >= 0 ? v : -1;
}

std::string with_query(const std::string& url, const std::string& kv) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + kv;
}

// The registry lost the upload session: start a new one.
bool session_lost(const RegistryError& e) {
  return e.status() == 404 || e.status() == 416 || e.has_code("BLOB_UPLOAD_UNKNOWN") ||
         e.has_code("BLOB_UPLOAD_INVALID");
}

// One blob upload into `repo`. A cross-repository mount first, when a sibling
// repository may hold the blob; else POST a session, PATCH chunks and PUT the
// last one. After a failure it asks the registry how much it has (GET the
// session) and goes on from there, or starts a new session when it lost ours.
class BlobUpload {
 public:
  BlobUpload(Client& client, const std::string& repo, const oci::Descriptor& blob, const BlobSource& source,
             const UploadOptions& options)
      : c_(client), repo_(repo), blob_(blob), source_(source), o_(options), digest_(blob.digest.to_string()) {}

  // No bytes move when a mount succeeds. A refused mount (202) still opens an
  // ordinary upload session, which send() then uses.
  bool mount() {
    for (const auto& from : o_.mount_from) {
      if (from == repo_) continue;
      auto sc = c_.scopes(repo_);
      sc.push_back(repository_scope(from, false));
      HttpResponse r;
      with_retries(
          policy(),
          [&] {
            r = c_.send("mount blob " + digest_ + " from " + from, repo_, sc,
                        [&] {
                          HttpRequest req;
                          req.method = "POST";
                          req.url = c_.base_url() + "/v2/" + repo_ +
                                    "/blobs/uploads/?mount=" + text::url_encode(digest_) +
                                    "&from=" + text::url_encode(from);
                          return req;
                        },
                        {201, 202});
          },
          o_.on_retry);
      if (r.status == 201) {
        report(blob_.size);
        return true;
      }
      location_ = c_.location(r, repo_, "mount blob " + digest_);
      log::debug("registry {}: mount of {} from {} refused; uploading", c_.registry(), digest_, from);
      return false;
    }
    return false;
  }

  // Sends every byte, resuming after failures, until the final PUT is accepted.
  void send() {
    for (;;) {
      try {
        if (location_.empty()) {
          open_session();
        } else if (need_status_) {
          ask_offset();
        }
        for (bool complete = false; !complete;) complete = send_chunk();
        return;
      } catch (const RegistryError& e) {
        bool lost = !location_.empty() && session_lost(e);
        if (!e.retryable() && !lost) throw;
        wait_to_retry(e, lost);
      }
    }
  }

 private:
  const RetryPolicy& policy() const { return c_.endpoint().retry; }
  void report(std::int64_t done) const {
    if (o_.progress) o_.progress(done);
  }

  void open_session() {
    auto r = c_.send("start upload of blob " + digest_, repo_, c_.scopes(repo_),
                     [&] {
                       HttpRequest req;
                       req.method = "POST";
                       req.url = c_.base_url() + "/v2/" + repo_ + "/blobs/uploads/";
                       return req;
                     },
                     {202});
    location_ = c_.location(r, repo_, "start upload of blob " + digest_);
    offset_ = 0;
    need_status_ = false;
  }

  // The session's Range says how much of the blob the registry has kept.
  void ask_offset() {
    auto r = c_.send("status of the upload of blob " + digest_, repo_, c_.scopes(repo_),
                     [&] {
                       HttpRequest req;
                       req.url = location_;
                       return req;
                     },
                     {204});
    if (!r.header("location").empty()) location_ = c_.location(r, repo_, "status of the upload of blob " + digest_);
    auto end = range_end(r.header("range"));
    offset_ = end > 0 ? end + 1 : 0;  // "0-0" means nothing (distribution 2.8's reading)
    need_status_ = false;
    log::debug("registry {}: resuming the upload of {} at byte {}", c_.registry(), digest_, offset_);
    report(offset_);
  }

  // PATCHes the next chunk, or PUTs the last one with the digest; true once the
  // registry has the whole blob.
  bool send_chunk() {
    std::int64_t remaining = blob_.size - offset_;
    std::int64_t chunk = c_.endpoint().chunk_size;
    bool last = remaining <= chunk;
    std::int64_t len = last ? remaining : chunk;
    std::int64_t at = offset_;
    auto r = c_.send(fmt::format("{} blob {} bytes {}-{}", last ? "PUT" : "PATCH", digest_, at, at + len), repo_,
                     c_.scopes(repo_), [&] { return chunk_request(at, len, last); }, {last ? 201L : 202L});
    if (last) {
      auto claimed = oci::Digest::try_parse(r.header("docker-content-digest"));
      if (claimed && *claimed != blob_.digest)
        throw RegistryError(ErrorInfo{c_.registry(), repo_, "PUT blob " + digest_, r.status, {}, "", false, {}},
                            fmt::format("the registry stored it as {}", claimed->to_string()));
      report(blob_.size);
      return true;
    }
    if (!r.header("location").empty()) location_ = c_.location(r, repo_, "PATCH blob " + digest_);
    auto end = range_end(r.header("range"));
    offset_ = end >= at ? end + 1 : at + len;
    consecutive_ = 0;
    return false;
  }

  // The request for bytes [at, at + len), read from the source as curl asks.
  HttpRequest chunk_request(std::int64_t at, std::int64_t len, bool last) const {
    HttpRequest req;
    req.method = last ? "PUT" : "PATCH";
    req.url = last ? with_query(location_, "digest=" + text::url_encode(digest_)) : location_;
    req.headers.push_back("Content-Type: application/octet-stream");
    if (!last && len > 0) req.headers.push_back(fmt::format("Content-Range: {}-{}", at, at + len - 1));
    std::shared_ptr<BlobReader> reader = source_.open(at);
    auto left = std::make_shared<std::int64_t>(len);
    req.reader = [reader, left](char* buf, std::size_t n) -> std::size_t {
      n = static_cast<std::size_t>(std::min<std::int64_t>(*left, static_cast<std::int64_t>(n)));
      std::size_t got = n == 0 ? 0 : reader->read(buf, n);
      if (n > 0 && got == 0) fail(ErrorKind::io, "the blob source ended early");
      *left -= static_cast<std::int64_t>(got);
      return got;
    };
    req.body_size = len;
    req.on_sent = [this, at](std::int64_t sent) { report(at + sent); };
    return req;
  }

  // Gives up after `attempts` failures in a row, or four times that in all
  // (a session that keeps breaking); else waits, and the next round resumes
  // the session or, when the registry lost it, starts again from byte 0.
  void wait_to_retry(const RegistryError& e, bool lost) {
    if (!lost) cause_ = e.info();
    ++consecutive_;
    ++failures_;
    int attempts = std::max(1, policy().attempts);
    if (consecutive_ >= attempts || failures_ >= 4 * attempts) {
      // A lost session is the consequence; the failure before it is the one worth reporting.
      auto info = lost && cause_ ? *cause_ : e.info();
      info.retryable = false;
      throw RegistryError(std::move(info), fmt::format("gave up after {} failed attempts{}", failures_,
                                                       lost && cause_ ? "; the registry then lost the upload" : ""));
    }
    auto wait = backoff_delay(policy(), consecutive_, jitter_unit(), e.info().retry_after);
    if (o_.on_retry) o_.on_retry(e, consecutive_ + 1, wait);
    log::debug("retrying in {} ms: {}", wait.count(), e.what());
    sleep_for(wait);
    if (lost) {
      location_.clear();
      offset_ = 0;
      report(0);
    } else {
      need_status_ = !location_.empty();
    }
  }

  Client& c_;
  const std::string& repo_;
  const oci::Descriptor& blob_;
  const BlobSource& source_;
  const UploadOptions& o_;
  const std::string digest_;
  std::string location_;  // the upload session's URL; empty before one is open
  std::int64_t offset_ = 0;
  int consecutive_ = 0, failures_ = 0;
  bool need_status_ = false;
  std::optional<ErrorInfo> cause_;  // the last failure that was not a lost session
};

}  // namespace

std::optional<std::int64_t> Client::head_blob(const std::string& repo, const oci::Digest& digest) {
  std::optional<std::int64_t> out;
  with_retries(endpoint_.retry, [&] {
    auto r = send("HEAD blob " + digest.to_string(), repo, scopes(repo), [&] {
      HttpRequest req;
      req.method = "HEAD";
      req.url = base_url() + "/v2/" + repo + "/blobs/" + digest.to_string();
      return req;
    }, {200, 404});
    if (r.status == 200) out = std::atoll(r.header("content-length").c_str());
  });
  return out;
}

void Client::get_blob(const std::string& repo, const oci::Descriptor& blob,
                      const std::function<void(const char*, std::size_t)>& sink,
                      const std::function<void(std::int64_t)>& progress, std::int64_t offset) {
  std::int64_t received = offset;
  const std::string digest = blob.digest.to_string();
  with_retries(endpoint_.retry, [&] {
    std::int64_t start = received;
    std::int64_t skip = 0;  // bytes to drop when a server ignores Range
    send("GET blob " + digest, repo, scopes(repo), [&] {
      HttpRequest req;
      req.url = base_url() + "/v2/" + repo + "/blobs/" + digest;
      req.follow_redirects = true;
      req.expected_bytes = blob.size;  // all of it: a server may ignore the Range
      if (start > 0) req.headers.push_back(fmt::format("Range: bytes={}-", start));
      req.on_status = [&, start](long status) { skip = status == 206 ? 0 : start; };
      req.sink = [&](const char* data, std::size_t n) {
        if (skip > 0) {
          auto drop = std::min<std::int64_t>(skip, static_cast<std::int64_t>(n));
          skip -= drop;
          data += drop;
          n -= static_cast<std::size_t>(drop);
        }
        if (n == 0) return;
        sink(data, n);
        received += static_cast<std::int64_t>(n);
        if (progress) progress(received);
      };
      return req;
    }, {200, 206});
  });
}

UploadOutcome Client::upload_blob(const std::string& repo, const oci::Descriptor& blob, const BlobSource& source,
                                  const UploadOptions& o) {
  BlobUpload upload(*this, repo, blob, source, o);
  if (upload.mount()) return UploadOutcome::mounted;
  upload.send();
  return UploadOutcome::uploaded;
}

}  // namespace ecp::registry
