#include <fmt/format.h>

#include "cli/release_flags.hpp"
#include "cli/text_table.hpp"
#include "core/ops/history.hpp"

namespace ecp::cli {

void add_history(CommandTree& t) {
  auto o = std::make_shared<ops::HistoryOptions>();
  auto* cmd = t.add(&t.root, "history", "Show the release ledger of an environment, newest first",
                    [&g = t.globals, o](Output& out) {
                      o->project = project_of(g);
                      auto h = ops::history(*o);
                      nlohmann::json records = nlohmann::json::array(), events = nlohmann::json::array();
                      TextTable table({{"REV", true},
                                       {"KIND"},
                                       {"OUTCOME"},
                                       {"IMAGE"},
                                       {"CONFIG"},
                                       {"STRATEGY"},
                                       {"WHEN"},
                                       {"WHO"},
                                       {"CHANGE"}});
                      for (const auto& r : h.records) {
                        std::string kind(ledger::to_string(r.kind));
                        if (r.kind == ledger::Kind::rollback) kind += fmt::format("->{}", r.rollback_to);
                        if (r.kind == ledger::Kind::scale) kind += fmt::format("x{}", r.replicas);
                        // Where a promoted revision came from: promote<-staging:3.
                        if (r.promoted_from)
                          kind = fmt::format("promote<-{}:{}", r.promoted_from->env, r.promoted_from->revision);
                        table.add({std::to_string(r.revision), kind, std::string(ledger::to_string(r.outcome)), r.image,
                                   r.config_digest.substr(0, 19), r.strategy, r.when, r.who, r.change_id});
                        if (!r.message.empty() && r.outcome != ledger::Outcome::succeeded) table.note(r.message);
                        if (!r.emergency.empty()) table.note("EMERGENCY: " + r.emergency);
                        records.push_back(ledger::record_json(r));
                      }
                      for (const auto& line : table.lines()) out.text(line);
                      if (h.records.empty()) out.text(fmt::format("{}/{} has no releases yet", h.app, h.env));
                      for (const auto& e : h.events) {
                        out.text(fmt::format("event {} {} by {}: {}", e.when, e.type, e.who, e.message));
                        events.push_back(ledger::event_json(e));
                      }
                      out.result({{"app", h.app}, {"env", h.env}, {"target", h.target}, {"records", records},
                                  {"events", events}});
                      return 0;
                    });
  add_env_flag(cmd, *o);
  cmd->add_option("-n,--limit", o->limit, "Show the newest N revisions only")->type_name("N");
}

}  // namespace ecp::cli
