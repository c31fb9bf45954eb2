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

void Client::get_blob(const std::string& repo, const oci::Digest& digest,
                      const std::function<void(const char*, std::size_t)>& sink,
                      const std::function<void(std::int64_t)>& progress, std::int64_t offset) {
  std::int64_t received = offset;
  with_retries(endpoint_.retry, [&] {
    std::int64_t start = received;
    std::int64_t skip = 0;  // bytes to drop when a server ignores Range
    send("GET blob " + digest.to_string(), repo, scopes(repo), [&] {
      HttpRequest req;
      req.url = base_url() + "/v2/" + repo + "/blobs/" + digest.to_string();
      req.follow_redirects = true;
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
  const RetryPolicy& policy = endpoint_.retry;
  const std::string digest = blob.digest.to_string();
  auto report = [&](std::int64_t done) {
    if (o.progress) o.progress(done);
  };
  std::string location;

  // 1. A cross-repository mount: no bytes move. A refused mount (202) still
  //    opens an ordinary upload session, which we then use.
  for (const auto& from : o.mount_from) {
    if (from == repo) continue;
    auto sc = scopes(repo);
    sc.push_back(repository_scope(from, false));
    HttpResponse r;
    with_retries(policy, [&] {
      r = send("mount blob " + digest + " from " + from, repo, sc, [&] {
        HttpRequest req;
        req.method = "POST";
        req.url = base_url() + "/v2/" + repo + "/blobs/uploads/?mount=" + text::url_encode(digest) + "&from=" + text::url_encode(from);
        return req;
      }, {201, 202});
    }, o.on_retry);
    if (r.status == 201) {
      report(blob.size);
      return UploadOutcome::mounted;
    }
    location = absolute(r.header("location"));
    log::debug("registry {}: mount of {} from {} refused; uploading", endpoint_.registry, digest, from);
    break;
  }

  // 2. POST, then PATCH chunks and a final PUT. After a failure: ask the
  //    registry how much it has (GET the session) and go on from there, or
  //    start a new session when it lost ours.
  std::int64_t offset = 0;
  int consecutive = 0, failures = 0;
  bool need_status = false;
  std::optional<ErrorInfo> cause;  // the last failure that was not a lost session: the one worth reporting
  for (;;) {
    try {
      if (location.empty()) {
        auto r = send("start upload of blob " + digest, repo, scopes(repo), [&] {
          HttpRequest req;
          req.method = "POST";
          req.url = base_url() + "/v2/" + repo + "/blobs/uploads/";
          return req;
        }, {202});
        location = absolute(r.header("location"));
        offset = 0;
        need_status = false;
      } else if (need_status) {
        auto r = send("status of the upload of blob " + digest, repo, scopes(repo), [&] {
          HttpRequest req;
          req.url = location;
          return req;
        }, {204});
        if (auto l = r.header("location"); !l.empty()) location = absolute(l);
        auto end = range_end(r.header("range"));
        offset = end > 0 ? end + 1 : 0;  // "0-0" means nothing (distribution 2.8's reading)
        need_status = false;
        log::debug("registry {}: resuming the upload of {} at byte {}", endpoint_.registry, digest, offset);
        report(offset);
      }
      for (;;) {
        std::int64_t remaining = blob.size - offset;
        bool last = remaining <= endpoint_.chunk_size;
        std::int64_t len = last ? remaining : endpoint_.chunk_size;
        std::int64_t at = offset;
        std::shared_ptr<BlobReader> reader;
        auto r = send(fmt::format("{} blob {} bytes {}-{}", last ? "PUT" : "PATCH", digest, at, at + len), repo,
                      scopes(repo), [&] {
                        HttpRequest req;
                        req.method = last ? "PUT" : "PATCH";
                        req.url = last ? with_query(location, "digest=" + text::url_encode(digest)) : location;
                        req.headers.push_back("Content-Type: application/octet-stream");
                        if (!last && len > 0) req.headers.push_back(fmt::format("Content-Range: {}-{}", at, at + len - 1));
                        reader = source.open(at);
                        auto left = std::make_shared<std::int64_t>(len);
                        req.reader = [reader, left](char* buf, std::size_t n) -> std::size_t {
                          n = static_cast<std::size_t>(std::min<std::int64_t>(*left, static_cast<std::int64_t>(n)));
                          std::size_t got = n == 0 ? 0 : reader->read(buf, n);
                          if (n > 0 && got == 0) fail(ErrorKind::io, "the blob source ended early");
                          *left -= static_cast<std::int64_t>(got);
                          return got;
                        };
                        req.body_size = len;
                        req.on_sent = [&, at](std::int64_t sent) { report(at + sent); };
                        return req;
                      }, {last ? 201L : 202L});
        if (last) {
          auto claimed = oci::Digest::try_parse(r.header("docker-content-digest"));
          if (claimed && *claimed != blob.digest)
            throw RegistryError(ErrorInfo{endpoint_.registry, repo, "PUT blob " + digest, r.status, {}, "", false, {}},
                                fmt::format("the registry stored it as {}", claimed->to_string()));
          report(blob.size);
          return UploadOutcome::uploaded;
        }
        if (auto l = r.header("location"); !l.empty()) location = absolute(l);
        auto end = range_end(r.header("range"));
        offset = end >= at ? end + 1 : at + len;
        consecutive = 0;
      }
    } catch (const RegistryError& e) {
      bool lost = !location.empty() && session_lost(e);
      if (!e.retryable() && !lost) throw;
      if (!lost) cause = e.info();
      ++consecutive;
      ++failures;
      if (consecutive >= std::max(1, policy.attempts) || failures >= 4 * std::max(1, policy.attempts)) {
        auto info = lost && cause ? *cause : e.info();
        info.retryable = false;
        throw RegistryError(std::move(info), fmt::format("gave up after {} failed attempts{}", failures,
                                                         lost && cause ? "; the registry then lost the upload" : ""));
      }
      auto wait = backoff_delay(policy, consecutive, jitter_unit(), e.info().retry_after);
      if (o.on_retry) o.on_retry(e, consecutive + 1, wait);
      log::debug("retrying in {} ms: {}", wait.count(), e.what());
      sleep_for(wait);
      if (lost) {
        location.clear();
        offset = 0;
        report(0);
      } else {
        need_status = !location.empty();
      }
    }
  }
}

}  // namespace ecp::registry
