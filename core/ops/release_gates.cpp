#include "core/ops/release_gates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/descriptor/change_window.hpp"
#include "core/ops/governance.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

using Json = nlohmann::json;

std::optional<Freeze> read_freeze(KvStore& store) {
  auto bytes = store.get(freeze_key);
  if (!bytes) return std::nullopt;
  Json j = Json::parse(*bytes, nullptr, false);
  if (!j.is_object() || !j.contains("until_ms") || !j["until_ms"].is_number_integer())
    fail(ErrorKind::validation, "{}: not a freeze record; remove it with ecp unfreeze", store.describe(freeze_key));
  return Freeze{j["until_ms"].get<std::int64_t>(), j.value("reason", ""), j.value("who", "")};
}

std::string gate_problem(TargetContext& ctx, std::int64_t now_ms) {
  if (auto f = read_freeze(ctx.backend->state()); f && now_ms < f->until_ms)
    return fmt::format("{} is frozen until {} by {}{}", ctx.app.env, text::rfc3339_ms(f->until_ms), f->who,
                       f->reason.empty() ? "" : ": " + f->reason);
  const auto& all = ctx.project.targets.windows;
  auto w = std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.env == ctx.app.env; });
  if (w == all.end() || w->windows.empty()) return "";
  for (const auto& text : w->windows)
    if (auto cw = descriptor::parse_change_window(text, nullptr); cw && descriptor::in_window(*cw, now_ms / 1000))
      return "";
  return fmt::format("{} is outside its change windows ({}: {})", ctx.app.env,
                     fmt::format("{}:{}", w->location.file, w->location.line), text::join(w->windows, "; "));
}

void check_release_gates(TargetContext& ctx, const std::string& emergency) {
  bool gated = ctx.project.targets.windows.size() > 0 || ctx.backend->state().get(freeze_key).has_value();
  if (!gated) return;
  auto why = gate_problem(ctx, ctx.clock->unix_ms());
  if (why.empty()) return;
  if (emergency.empty())
    fail(ErrorKind::permission, "{}; release anyway with --emergency \"REASON\" (recorded in the audit log)", why);
  ledger::AuditEntry a;
  a.type = "emergency";
  a.message = fmt::format("{} (overridden: {})", emergency, why);
  audit(ctx, a);
}

std::int64_t until_arg(const std::string& text, std::int64_t now_ms) {
  if (auto t = text::parse_rfc3339_ms(text)) return *t;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-')
    if (auto t = text::parse_rfc3339_ms(text + "T00:00:00Z")) return *t;
  return now_ms + parse_duration_arg(text, "--until").count();
}

FreezeResult freeze(const FreezeOptions& o) {
  TargetContext ctx = open_target(o.project, o.env);
  authorize(ctx, Action::freeze);
  FreezeResult r{ctx.app.app, ctx.app.env, ctx.target.name, {}, false};
  auto now = ctx.clock->unix_ms();
  r.freeze = {until_arg(o.until, now), o.reason, actor_of(ctx).verified};
  if (r.freeze.until_ms <= now)
    fail(ErrorKind::usage, "--until {} is not in the future", text::rfc3339_ms(r.freeze.until_ms));
  r.was_frozen = read_freeze(ctx.backend->state()).has_value();
  Json j = {{"until_ms", r.freeze.until_ms},
            {"until", text::rfc3339_ms(r.freeze.until_ms)},
            {"reason", r.freeze.reason},
            {"who", r.freeze.who}};
  ctx.backend->state().put(freeze_key, j.dump());
  ledger::AuditEntry a;
  a.type = "freeze";
  a.message =
      fmt::format("frozen until {}{}", text::rfc3339_ms(r.freeze.until_ms), o.reason.empty() ? "" : ": " + o.reason);
  audit(ctx, a);
  return r;
}

FreezeResult unfreeze(const FreezeOptions& o) {
  TargetContext ctx = open_target(o.project, o.env);
  authorize(ctx, Action::freeze);
  FreezeResult r{ctx.app.app, ctx.app.env, ctx.target.name, {}, false};
  auto bytes = ctx.backend->state().get(freeze_key);
  if (!bytes) return r;
  try {
    if (auto f = read_freeze(ctx.backend->state())) r.freeze = *f;
  } catch (const Error&) {
    // A damaged record is removed all the same: that is what unfreeze is for.
  }
  r.was_frozen = ctx.backend->state().remove_if(freeze_key, *bytes);
  ledger::AuditEntry a;
  a.type = "unfreeze";
  a.message = o.reason.empty() ? "unfrozen" : "unfrozen: " + o.reason;
  audit(ctx, a);
  return r;
}

}  // namespace ecp::ops
