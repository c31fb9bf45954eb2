#include "core/registry/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <mutex>

#include "core/registry/http_tls.hpp"
#include "core/registry/origin.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "ecp_version.hpp"

namespace ecp::registry {
namespace {

using detail::set_tls_options;
using detail::sni_redirect;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// State of one transfer, shared with libcurl's callbacks.
struct Transfer {
  const HttpRequest* req = nullptr;
  HttpResponse* resp = nullptr;
  std::size_t body_offset = 0;  // of a string body
  std::exception_ptr error;
  bool too_large = false;
  bool started = false;  // the sink has seen the response
};

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue or a redirect)
    t->resp->headers.clear();
    auto sp = line.find(' ');
    t->resp->status = sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos)
    t->resp->headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  return size * n;
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  bool ok = t->resp->status >= 200 && t->resp->status < 300;
  if (ok && t->req->sink) {
    try {
      if (!t->started && t->req->on_status) t->req->on_status(t->resp->status);
      t->started = true;
      t->req->sink(data, len);
      t->resp->received += static_cast<std::int64_t>(len);
    } catch (...) {
      t->error = std::current_exception();
      return 0;  // aborts the transfer
    }
    return len;
  }
  std::size_t limit = ok ? t->req->max_body : std::size_t(64) << 10;
  if (t->resp->body.size() + len > limit) {
    if (ok) {
      t->too_large = true;
      return 0;
    }
    len = limit - t->resp->body.size();  // an error page: keep the start, drop the rest
    t->resp->body.append(data, len);
    return size * n;
  }
  t->resp->body.append(data, len);
  return len;
}

std::size_t on_read(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t want = size * n;
  if (t->req->reader) {
    try {
      return t->req->reader(buf, want);
    } catch (...) {
      t->error = std::current_exception();
      return CURL_READFUNC_ABORT;
    }
  }
  std::size_t len = std::min(want, t->req->body.size() - t->body_offset);
  std::copy_n(t->req->body.data() + t->body_offset, len, buf);
  t->body_offset += len;
  return len;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  if (t->req->on_sent && ulnow > 0) t->req->on_sent(static_cast<std::int64_t>(ulnow));
  return 0;
}

// What every request sets: the URL and the only protocols it may use, timeouts
// that turn a stalled or trickling peer into a failure, buffer sizes, and where
// libcurl writes its error text.
void set_connection_options(CURL* h, const std::string& url, std::chrono::milliseconds left, char* errbuf,
                            bool allow_idle) {
  static const std::string user_agent = fmt::format("ecp/{}", ecp::version);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  // A realm or Location naming file://, gopher://, ... is never fetched (perform
  // refuses it first; this holds should a URL get past that).
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<std::int64_t>(1, left.count())));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled peer (no byte for a minute) is a failure to retry, not a hang.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, allow_idle ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, allow_idle ? 0L : 60L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
}

// The method, and for PUT, PATCH and POST the body's reader; true when the
// request has a body.
bool set_method(CURL* h, const HttpRequest& req, Transfer& t) {
  bool with_body = req.method == "PUT" || req.method == "PATCH" || req.method == "POST";
  if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (with_body) {
    curl_off_t size = req.reader ? req.body_size : static_cast<curl_off_t>(req.body.size());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, size);
    if (req.on_sent) {
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    }
  } else if (req.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  return with_body;
}

bool is_authorization(std::string_view line) {
  return line.size() >= 14 && lower(line.substr(0, 14)) == "authorization:";
}

// The request's headers for `url`; the caller frees the list. The credentials
// only when `url` is on their origin.
curl_slist* header_list(const HttpRequest& req, const std::string& url, bool with_body) {
  curl_slist* headers = nullptr;
  for (const auto& line : req.headers)
    if (!is_authorization(line)) headers = curl_slist_append(headers, line.c_str());
  if (!req.authorization.empty() && same_origin(url, req.authorization_origin))
    headers = curl_slist_append(headers, ("Authorization: " + req.authorization).c_str());
  // Bodies go at once: an "Expect: 100-continue" round trip buys nothing here.
  if (with_body) headers = curl_slist_append(headers, "Expect:");
  return headers;
}

// A transfer that failed: status 0 and libcurl's words for why.
void record_failure(HttpResponse& resp, CURLcode rc, const char* errbuf, const Transfer& t) {
  resp.status = 0;
  resp.curl_code = static_cast<int>(rc);
  resp.error = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
  while (!resp.error.empty() && resp.error.back() == '\n') resp.error.pop_back();
  if (t.too_large) resp.error = fmt::format("the response is larger than {} bytes", t.req->max_body);
  resp.tls_handshake_failed = rc == CURLE_SSL_CONNECT_ERROR;
}

// A request ecp does not send (or a redirect it does not follow): not worth retrying.
HttpResponse refusal(CURLcode code, std::string why, std::string url) {
  HttpResponse r;
  r.url = std::move(url);
  r.curl_code = static_cast<int>(code);
  r.error = std::move(why);
  r.refused = true;
  return r;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

struct Http::Impl {
  TlsConfig tls;
  DeadlinePolicy deadline;
  std::string ca_blob;  // system bundle + extra CAs, when there are extra CAs
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;
  std::mutex pool_mutex;
  std::vector<CURL*> idle;

  static void lock(CURL*, curl_lock_data d, curl_lock_access, void* p) { static_cast<Impl*>(p)->locks[d].lock(); }
  static void unlock(CURL*, curl_lock_data d, void* p) { static_cast<Impl*>(p)->locks[d].unlock(); }

  CURL* acquire() {
    {
      std::lock_guard g(pool_mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        curl_easy_reset(h);  // keeps the handle's live connections
        return h;
      }
    }
    CURL* h = curl_easy_init();
    if (h == nullptr) fail(ErrorKind::internal, "libcurl: cannot create a handle");
    curl_easy_setopt(h, CURLOPT_SHARE, share);  // survives curl_easy_reset
    return h;
  }
  void release(CURL* h) {
    std::lock_guard g(pool_mutex);
    idle.push_back(h);
  }
  HttpResponse perform_once(const HttpRequest& req, const std::string& url, std::chrono::milliseconds left);
};

Http::Http(TlsConfig tls, DeadlinePolicy deadline) : impl_(std::make_unique<Impl>()) {
  init_curl();
  impl_->tls = std::move(tls);
  impl_->deadline = deadline;
  if (!impl_->tls.extra_ca_pem.empty())
    impl_->ca_blob =
        impl_->tls.only_extra_ca ? impl_->tls.extra_ca_pem : system_ca_bundle() + "\n" + impl_->tls.extra_ca_pem;
  impl_->share = curl_share_init();
  curl_share_setopt(impl_->share, CURLSHOPT_LOCKFUNC, &Impl::lock);
  curl_share_setopt(impl_->share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock);
  curl_share_setopt(impl_->share, CURLSHOPT_USERDATA, impl_.get());
  curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
}

Http::~Http() {
  for (CURL* h : impl_->idle) curl_easy_cleanup(h);
  curl_share_cleanup(impl_->share);
}

// One hop of a request: `url` within `left`, redirects not followed.
HttpResponse Http::Impl::perform_once(const HttpRequest& req, const std::string& url, std::chrono::milliseconds left) {
  HttpResponse resp;
  Transfer t;
  t.req = &req;
  t.resp = &resp;
  CURL* h = acquire();
  struct Release {
    Impl* impl;
    CURL* h;
    ~Release() { impl->release(h); }
  } release{this, h};

  char errbuf[CURL_ERROR_SIZE] = {0};
  set_connection_options(h, url, left, errbuf, req.allow_idle);
  curl_blob blob{}, cert{}, key{};
  set_tls_options(h, tls, ca_blob, blob, cert, key);
  curl_slist* connect_to = nullptr;
  std::string sni_url = url;
  if (!tls.server_name.empty()) connect_to = sni_redirect(url, tls.server_name, sni_url);
  if (connect_to != nullptr) {
    curl_easy_setopt(h, CURLOPT_URL, sni_url.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to);
  }
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // perform() follows, checking every hop
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  bool with_body = set_method(h, req, t);
  curl_slist* headers = header_list(req, url, with_body);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_CONNECT_TO, nullptr);
  curl_slist_free_all(connect_to);
  if (t.error) std::rethrow_exception(t.error);
  if (rc != CURLE_OK) record_failure(resp, rc, errbuf, t);
  return resp;
}

HttpResponse Http::perform(const HttpRequest& req) {
  using std::chrono::milliseconds;
  constexpr int max_redirects = 5;
  std::int64_t bytes = std::max<std::int64_t>(req.expected_bytes,
                                              req.reader ? req.body_size : static_cast<std::int64_t>(req.body.size()));
  const milliseconds budget = req.deadline.count() > 0 ? req.deadline : impl_->deadline.for_bytes(bytes);
  const auto start = std::chrono::steady_clock::now();
  auto spent = [&] { return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start); };
  // Only a body-less request can be sent again to where a redirect points.
  bool follow = req.follow_redirects && (req.method == "GET" || req.method == "HEAD");
  std::string url = req.url;
  for (int hop = 0;; ++hop) {
    if (!parse_origin(url))
      return refusal(CURLE_UNSUPPORTED_PROTOCOL,
                     fmt::format("{}'{}' is not an http or https URL: ecp does not go there",
                                 hop > 0 ? "the redirect to " : "", url),
                     url);
    HttpResponse resp;
    if (spent() < budget) resp = impl_->perform_once(req, url, budget - spent());
    resp.url = url;
    // libcurl times with a clock of its own, in whole milliseconds, so its
    // timeout can end a transfer a little before this clock reaches the deadline:
    // a timeout within that slack of the deadline is the deadline (seen under load).
    constexpr milliseconds curl_slack{100};
    bool out_of_time =
        spent() >= budget || (resp.curl_code == CURLE_OPERATION_TIMEDOUT && spent() + curl_slack >= budget);
    if (resp.status == 0 && (resp.curl_code == 0 || resp.curl_code == CURLE_OPERATION_TIMEDOUT) && out_of_time) {
      resp.curl_code = CURLE_OPERATION_TIMEDOUT;
      resp.deadline_exceeded = true;
      resp.error =
          "no complete answer within the deadline of " +
          (req.deadline.count() > 0 ? fmt::format("{} ms", req.deadline.count()) : impl_->deadline.describe(bytes));
    }
    if (!follow || !is_redirect(resp.status)) return resp;
    if (hop == max_redirects)
      return refusal(CURLE_TOO_MANY_REDIRECTS,
                     fmt::format("more than {} redirects, the last to '{}'", max_redirects, resp.header("location")),
                     url);
    auto next = resolve_url(url, resp.header("location"));
    if (!next)
      return refusal(CURLE_URL_MALFORMAT,
                     fmt::format("a redirect to '{}', which is not a URL", resp.header("location")), url);
    url = *next;  // checked, and given credentials or not, at the top of the loop
  }
}

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::vector<std::string> HttpResponse::all_headers(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers)
    if (k == name) out.push_back(v);
  return out;
}

// A mutex, not std::call_once: opening libcurl may throw (not installed), and
// the next command's call must then try again (call_once after a throw hangs
// under ThreadSanitizer).
void init_curl() {
  static std::mutex mutex;
  static bool done = false;
  std::lock_guard lock(mutex);
  if (done) return;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) fail(ErrorKind::internal, "libcurl failed to initialise");
  done = true;
}

const std::string& system_ca_bundle() {
  static const std::string bundle = [] {
    init_curl();
    std::string path;
    if (CURL* h = curl_easy_init()) {
      char* p = nullptr;
      if (curl_easy_getinfo(h, CURLINFO_CAINFO, &p) == CURLE_OK && p != nullptr) path = p;
      curl_easy_cleanup(h);
    }
    if (path.empty()) path = "/etc/ssl/certs/ca-certificates.crt";
    try {
      return fs::read_file(path, 16u << 20);
    } catch (const Error&) {
      return std::string();
    }
  }();
  return bundle;
}

}  // namespace ecp::registry
