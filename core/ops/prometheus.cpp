#include "core/ops/prometheus.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/registry/http.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// The sample value of a vector element or a scalar: [time, "value"].
double sample_value(const Json& pair) {
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string())
    fail(ErrorKind::deploy_failed, "the answer's sample is not [time, \"value\"]");
  const std::string& v = pair[1].get_ref<const std::string&>();
  if (v == "NaN") return std::nan("");
  if (v == "+Inf") return INFINITY;
  if (v == "-Inf") return -INFINITY;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size())
    fail(ErrorKind::deploy_failed, "the sample value '{}' is not a number", v);
  return d;
}

std::optional<double> run_query(registry::Http& http, const descriptor::Prometheus& p, const std::string& query) {
  registry::HttpRequest req;
  req.url = p.url + "/api/v1/query?query=" + text::url_encode(query);
  req.deadline = 10s;  // a query that takes longer judges nothing in time
  req.max_body = std::size_t(1) << 20;
  auto r = http.perform(req);
  if (r.status == 0) fail(ErrorKind::deploy_failed, "{}: {}", p.url, r.error.empty() ? "no answer" : r.error);
  // 400 and 422 carry the API's own error in the same JSON shape.
  if (r.status != 200 && r.status != 400 && r.status != 422)
    fail(ErrorKind::deploy_failed, "{}: HTTP {}", p.url, r.status);
  return query_answer(r.body);
}

}  // namespace

std::optional<double> query_answer(std::string_view body) {
  auto j = Json::parse(body, nullptr, false);
  if (!j.is_object()) fail(ErrorKind::deploy_failed, "the answer is not the JSON of the Prometheus API");
  if (j.value("status", "") != "success")
    fail(ErrorKind::deploy_failed, "{}: {}", j.value("errorType", "error"), j.value("error", "(no message)"));
  auto data = j.value("data", Json::object());
  std::string type = data.value("resultType", "");
  const Json result = data.value("result", Json());
  double v = 0;
  if (type == "scalar") {
    v = sample_value(result);
  } else if (type == "vector" && result.is_array()) {
    if (result.empty()) return std::nullopt;
    if (result.size() > 1)
      fail(ErrorKind::deploy_failed, "the query answers {} series, not one (aggregate it, e.g. with sum())",
           result.size());
    v = sample_value(result[0].value("value", Json()));
  } else {
    fail(ErrorKind::deploy_failed, "the query answers a {}, not a vector or a scalar", type.empty() ? "?" : type);
  }
  if (std::isnan(v)) return std::nullopt;
  return v;
}

strategy::Verdict judge_metrics(const descriptor::Prometheus& prometheus, const strategy::Analysis& analysis,
                                const strategy::QueryVars& vars) {
  strategy::Verdict verdict;
  registry::TlsConfig tls;
  if (!prometheus.ca.empty()) tls.extra_ca_pem = fs::read_file(prometheus.ca, 16u << 20);
  tls.skip_verify = prometheus.insecure;
  registry::Http http(tls);
  std::vector<std::string> seen;
  auto ask = [&](const char* name, const std::string& query) -> std::optional<double> {
    try {
      return run_query(http, prometheus, strategy::expand_query(query, vars));
    } catch (const Error& e) {
      verdict.ok = false;
      verdict.detail = fmt::format("prometheus {} query: {}: the step cannot be judged", name, e.what());
      return std::nullopt;
    }
  };
  if (!analysis.error_rate_query.empty()) {
    auto rate = ask("error_rate", analysis.error_rate_query);
    if (!verdict.ok) return verdict;
    if (!rate) {
      seen.push_back("prometheus error rate: no data");
    } else if (*rate * 100 > analysis.max_error_rate) {
      verdict.ok = false;
      verdict.detail = fmt::format("prometheus error rate {:.1f}% > {}%", *rate * 100, analysis.max_error_rate);
      return verdict;
    } else {
      verdict.judged = true;
      seen.push_back(fmt::format("prometheus error rate {:.1f}%", *rate * 100));
    }
  }
  if (!analysis.p95_query.empty()) {
    auto p95 = ask("p95", analysis.p95_query);
    if (!verdict.ok) return verdict;
    if (!p95) {
      seen.push_back("prometheus p95: no data");
    } else if (analysis.max_p95.count() > 0 && *p95 * 1000 > static_cast<double>(analysis.max_p95.count())) {
      verdict.ok = false;
      verdict.detail = fmt::format("prometheus p95 {:.0f} ms > {} ms", *p95 * 1000, analysis.max_p95.count());
      return verdict;
    } else {
      verdict.judged = true;
      seen.push_back(fmt::format("prometheus p95 {:.0f} ms", *p95 * 1000));
    }
  }
  verdict.detail = text::join(seen, ", ");
  return verdict;
}

}  // namespace ecp::ops
