#include <doctest/doctest.h>

#include <string>

#include "core/ops/prometheus.hpp"
#include "core/util/error.hpp"

using namespace ecp;

namespace {

std::string error_of(const std::string& body) {
  try {
    ops::query_answer(body);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("ops::query_answer: one number from the Prometheus API's answer") {
  CHECK(ops::query_answer(R"({"status":"success","data":{"resultType":"vector","result":[
          {"metric":{},"value":[1700000000.1,"0.0125"]}]}})") == doctest::Approx(0.0125));
  CHECK(ops::query_answer(R"({"status":"success","data":{"resultType":"scalar","result":[1,"2.5"]}})") ==
        doctest::Approx(2.5));
  // No sample, or NaN (0/0 before any request): nothing to judge.
  CHECK_FALSE(ops::query_answer(R"({"status":"success","data":{"resultType":"vector","result":[]}})"));
  CHECK_FALSE(ops::query_answer(R"({"status":"success","data":{"resultType":"vector","result":[
          {"metric":{},"value":[1,"NaN"]}]}})"));
  CHECK(error_of(R"({"status":"success","data":{"resultType":"vector","result":[
          {"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"2"]}]}})")
            .find("answers 2 series, not one") != std::string::npos);
  CHECK(error_of(R"({"status":"error","errorType":"bad_data","error":"parse error at char 4"})") ==
        "bad_data: parse error at char 4");
  CHECK(error_of(R"({"status":"success","data":{"resultType":"matrix","result":[]}})").find("a matrix") !=
        std::string::npos);
  CHECK(
      error_of(R"({"status":"success","data":{"resultType":"scalar","result":[1,"12abc"]}})").find("is not a number") !=
      std::string::npos);
  CHECK(error_of("<html>proxy error</html>").find("not the JSON") != std::string::npos);
}

TEST_CASE("strategy::expand_query: the placeholders of an analysis query") {
  strategy::QueryVars v{"shop", "prod", "b", 12, std::chrono::milliseconds(30500)};
  CHECK(strategy::expand_query(R"(rate(x{app="{{app}}",env="{{env}}",slot="{{slot}}",rev="{{revision}}"}[{{window}}]))",
                               v) == R"(rate(x{app="shop",env="prod",slot="b",rev="12"}[30s]))");
  v.window = std::chrono::milliseconds(200);  // a window is at least a second
  CHECK(strategy::expand_query("[{{window}}] {{other}} {{", v) == "[1s] {{other}} {{");
  CHECK(strategy::unknown_placeholder("a {{app}} {{slott}} {{x}}") == "{{slott}}");
  CHECK(strategy::unknown_placeholder("sum(x{a=\"{{app}}\"})") == "");
}
