#pragma once
// A canary step's metrics, from the target's Prometheus: the analysis queries of
// ecp.yaml run as instant queries (GET URL/api/v1/query), each answering one
// number. error_rate is a fraction of the requests (0.05 = 5%), p95 seconds.
// A query that cannot be run, or answers more than one series, fails the step:
// a canary nobody can judge is not promoted. No sample, or NaN (no requests
// yet), leaves that measure unjudged, as too few requests do at a gateway.
#include <optional>
#include <string>
#include <string_view>

#include "core/descriptor/model.hpp"
#include "core/strategy/strategy.hpp"

namespace ecp::ops {

// The one number of an instant query's answer (the Prometheus HTTP API's JSON):
// nullopt for an empty vector or NaN. Throws Error(deploy_failed) for an error
// answer, more than one series, or a body that is not such an answer.
std::optional<double> query_answer(std::string_view body);

// Runs `analysis`'s queries for the step and judges them (error_rate against
// max_error_rate, p95 against max_p95 when set).
strategy::Verdict judge_metrics(const descriptor::Prometheus& prometheus, const strategy::Analysis& analysis,
                                const strategy::QueryVars& vars);

}  // namespace ecp::ops
