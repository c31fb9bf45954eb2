#include "core/ops/approvals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "core/ops/governance.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

using Json = nlohmann::json;

namespace {

constexpr const char* prefix = "approvals/";

std::vector<Approval> read_approvals(KvStore& store) {
  std::vector<Approval> out;
  for (const auto& [key, value] : store.list(prefix)) {
    Json j = Json::parse(value, nullptr, false);
    if (!j.is_object()) continue;  // not one of ours: it approves nothing
    Approval a;
    a.approver = j.value("approver", "");
    a.names = j.value("names", std::vector<std::string>{});
    a.method = j.value("method", "");
    a.image_digest = j.value("image_digest", "");
    a.config_digest = j.value("config_digest", "");
    a.when_ms = j.value("when_ms", std::int64_t{0});
    a.expires_ms = j.value("expires_ms", std::int64_t{0});
    a.comment = j.value("comment", "");
    out.push_back(std::move(a));
  }
  return out;
}

bool in_groups(const descriptor::Access& access, const std::vector<std::string>& groups,
               const std::vector<std::string>& names) {
  if (groups.empty()) return true;
  for (const auto& [group, members] : access.groups)
    if (std::find(groups.begin(), groups.end(), group) != groups.end())
      for (const auto& m : members)
        if (std::find(names.begin(), names.end(), m) != names.end()) return true;
  return false;
}

std::string short_digest(const std::string& d) { return d.substr(0, 19); }

}  // namespace

std::string approval_problem(const descriptor::Approvals& rule, const descriptor::Access& access,
                             const std::vector<Approval>& approvals, const std::string& image,
                             const std::string& config, const backend::Identity& releaser, std::int64_t now_ms) {
  if (rule.required <= 0) return "";
  // Who the releaser is: their certificate's principals, else their user (two
  // people may share the SSH user and be told apart by their certificates).
  std::vector<std::string> releaser_names =
      releaser.principals.empty() ? std::vector<std::string>{releaser.user} : releaser.principals;
  auto same_person = [&](const Approval& a) {
    std::vector<std::string> names = a.names.empty() ? std::vector<std::string>{a.approver} : a.names;
    if (a.method == "ssh certificate" && names.size() > 1) names.pop_back();  // the shared SSH user
    return std::any_of(names.begin(), names.end(), [&](const auto& n) {
      return std::find(releaser_names.begin(), releaser_names.end(), n) != releaser_names.end();
    });
  };
  std::set<std::string> counted;
  int other_config = 0, other_image = 0, expired = 0, own = 0, outside = 0;
  for (const auto& a : approvals) {
    if (a.image_digest != image) {
      ++other_image;
    } else if (a.config_digest != config) {
      ++other_config;
    } else if (a.expires_ms <= now_ms) {
      ++expired;
    } else if (same_person(a)) {
      ++own;
    } else if (!in_groups(access, rule.from, a.names.empty() ? std::vector<std::string>{a.approver} : a.names)) {
      ++outside;
    } else {
      counted.insert(a.approver);
    }
  }
  if (static_cast<int>(counted.size()) >= rule.required) return "";
  std::vector<std::string> not_counted;
  if (other_config) not_counted.push_back(fmt::format("{} for another configuration", other_config));
  if (other_image) not_counted.push_back(fmt::format("{} for another image", other_image));
  if (expired) not_counted.push_back(fmt::format("{} expired", expired));
  if (own) not_counted.push_back(fmt::format("{} by the releaser", own));
  if (outside) not_counted.push_back(fmt::format("{} by people outside {}", outside, text::join(rule.from, ", ")));
  return fmt::format("needs {} approval(s){} of image {} with configuration {}; has {}{}", rule.required,
                     rule.from.empty() ? "" : " from " + text::join(rule.from, ", "), short_digest(image),
                     short_digest(config), counted.size(),
                     not_counted.empty() ? "" : " (not counted: " + text::join(not_counted, ", ") + ")");
}

void check_approvals(TargetContext& ctx, const ReleaseInput& in) {
  const auto& rule = ctx.env.approvals;
  // A rollback, a scale or a failover runs what was released (and approved) before.
  if (rule.required <= 0 || in.kind == ledger::Kind::rollback || in.runs > 0) return;
  auto why = approval_problem(rule, ctx.project.targets.access, read_approvals(ctx.backend->state()), in.image.digest,
                              in.config.digest, ctx.backend->identity(), ctx.clock->unix_ms());
  if (why.empty()) return;
  ledger::AuditEntry a;
  a.type = "denied";
  a.image_digest = in.image.digest;
  a.config_digest = in.config.digest;
  a.message = fmt::format("{}: {}", in.promoted_from ? "promote" : "release", why);
  audit(ctx, a);
  fail(ErrorKind::permission, "{} {}; approve with: ecp approve --env {} --image {} --config {}", ctx.app.env, why,
       ctx.app.env, in.image.digest, in.config.digest);
}

ApproveResult approve(const ApproveOptions& o) {
  Project project = load_project(o.project);
  ApproveResult r;
  Approval& a = r.approval;
  // What is approved: an image digest and the configuration digest it will run with.
  if (!o.revision_of.empty()) {
    auto colon = o.revision_of.find(':');
    std::string env = o.revision_of.substr(0, colon);
    TargetContext src = open_target(project, env);
    auto records = src.ledger->records();
    std::optional<ledger::Record> rec;
    if (colon == std::string::npos) {
      rec = ledger::current(records);
    } else {
      int n = std::atoi(o.revision_of.c_str() + colon + 1);
      for (const auto& x : records)
        if (x.revision == n) rec = x;
    }
    if (!rec) fail(ErrorKind::usage, "--revision-of {}: no such revision in {}", o.revision_of, env);
    a.image_digest = rec->image_digest;
  } else {
    a.image_digest = o.image;
  }
  if (a.image_digest.empty()) fail(ErrorKind::usage, "what is approved? give --revision-of ENV[:N] or --image DIGEST");
  a.config_digest = !o.config.empty() ? o.config : render_deploy_config(o.project, project, o.env, {}).digest;
  TargetContext ctx = open_target(std::move(project), o.env);
  authorize(ctx, Action::approve);
  auto id = ctx.backend->identity();
  a.approver = actor_of(ctx).verified;
  a.names = names_of(id);
  a.method = id.method;
  a.comment = o.comment;
  a.when_ms = ctx.clock->unix_ms();
  a.expires_ms = a.when_ms + ctx.env.approvals.ttl.count();
  r.app = ctx.app.app;
  r.env = ctx.app.env;
  r.target = ctx.target.name;
  if (!in_groups(ctx.project.targets.access, ctx.env.approvals.from, a.names)) {
    std::string why = fmt::format("{} ({}) is not in {}, whose approvals {} asks for", a.approver, a.method,
                                  text::join(ctx.env.approvals.from, ", "), ctx.app.env);
    ledger::AuditEntry e;
    e.type = "denied";
    e.image_digest = a.image_digest;
    e.config_digest = a.config_digest;
    e.message = "approve: " + why;
    audit(ctx, e);
    fail(ErrorKind::permission, "{}", why);
  }
  Json j = {{"approver", a.approver},
            {"names", a.names},
            {"method", a.method},
            {"image_digest", a.image_digest},
            {"config_digest", a.config_digest},
            {"when_ms", a.when_ms},
            {"when", text::rfc3339_ms(a.when_ms)},
            {"expires_ms", a.expires_ms},
            {"expires", text::rfc3339_ms(a.expires_ms)},
            {"comment", a.comment}};
  std::string key = fmt::format("{}{}-{:08x}.json", prefix, a.when_ms, std::random_device{}());
  if (!ctx.backend->state().put_if(key, j.dump(), std::nullopt))
    fail(ErrorKind::io, "approval {} exists already at target {}", key, ctx.target.name);
  ledger::AuditEntry e;
  e.type = "approve";
  e.image_digest = a.image_digest;
  e.config_digest = a.config_digest;
  e.message =
      fmt::format("approved until {}{}", text::rfc3339_ms(a.expires_ms), a.comment.empty() ? "" : ": " + a.comment);
  audit(ctx, e);
  return r;
}

}  // namespace ecp::ops
