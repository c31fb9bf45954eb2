#include "core/ops/history.hpp"

#include <algorithm>

#include "core/ops/deploy_context.hpp"

namespace ecp::ops {

HistoryResult history(const HistoryOptions& o) {
  TargetContext ctx = open_target(o.project, o.env);
  HistoryResult r;
  r.app = ctx.app.app;
  r.env = ctx.app.env;
  r.target = ctx.target.name;
  r.records = ctx.ledger->records();
  std::reverse(r.records.begin(), r.records.end());
  if (o.limit > 0 && static_cast<int>(r.records.size()) > o.limit) r.records.resize(static_cast<std::size_t>(o.limit));
  r.events = ctx.ledger->events();
  std::reverse(r.events.begin(), r.events.end());
  return r;
}

}  // namespace ecp::ops
