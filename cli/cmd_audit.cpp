#include <fmt/format.h>

#include <chrono>

#include "cli/command_tree.hpp"
#include "cli/text_table.hpp"
#include "core/ops/audit_read.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::cli {

namespace {

// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A text table cell: a line break or escape in a reason or a CI variable must
// not print what looks like another entry.
std::string cell(std::string s) {
  for (auto& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return s;
}

std::vector<std::string> row(const ledger::AuditEntry& e) {
  return {std::to_string(e.seq),
          e.when,
          e.env,
          e.type,
          e.actor.verified,
          e.actor.method,
          e.actor.reported,
          e.revision ? std::to_string(e.revision) : "",
          e.outcome,
          e.change_id,
          e.image_digest,
          e.message};
}

}  // namespace

void add_audit(CommandTree& t) {
  struct Options {
    ops::AuditOptions audit;
    std::string since;
    bool verify = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = t.add(
      &t.root, "audit", "List the audit log kept at each environment's target (-o json|csv), or --verify it",
      [&g = t.globals, o](Output& out) {
        o->audit.project = project_of(g);
        if (!o->since.empty())
          o->audit.since_ms = ops::since_arg(o->since, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                           std::chrono::system_clock::now().time_since_epoch())
                                                           .count());
        auto logs = ops::read_audit(o->audit);
        std::vector<std::string> problems;
        nlohmann::json entries = nlohmann::json::array();
        static const std::vector<std::string> head = {"SEQ",      "WHEN", "ENV",     "TYPE",   "ACTOR", "VERIFIED BY",
                                                      "REPORTED", "REV",  "OUTCOME", "CHANGE", "IMAGE", "MESSAGE"};
        if (g.output == "csv") {
          std::vector<std::string> h;
          for (const auto& c : head) h.push_back(csv_field(c));
          fmt::print("{}\r\n", text::join(h, ","));
        }
        TextTable table({{"SEQ", true},
                         {"WHEN"},
                         {"ENV"},
                         {"TYPE"},
                         {"ACTOR"},
                         {"VERIFIED BY"},
                         {"REPORTED"},
                         {"REV", true},
                         {"OUTCOME"},
                         {"CHANGE"},
                         {"MESSAGE"}});
        for (const auto& log : logs) {
          for (const auto& p : log.problems) problems.push_back(fmt::format("{}: {}", log.env, p));
          for (const auto& e : log.entries) {
            entries.push_back(ledger::audit_json(e));
            auto r = row(e);
            if (g.output == "csv") {
              for (auto& f : r) f = csv_field(f);
              fmt::print("{}\r\n", text::join(r, ","));
            }
            r = row(e);
            r.erase(r.begin() + 10);  // the image digest: in JSON and CSV only
            for (auto& f : r) f = cell(f);
            table.add(r);
          }
        }
        if (g.output == "csv") {
          std::fflush(stdout);
        } else {
          for (const auto& line : table.lines()) out.text(line);
          for (const auto& p : problems) out.warn(p);
          out.result({{"entries", entries}, {"problems", problems}, {"verified", problems.empty()}});
        }
        if (o->verify && !problems.empty())
          fail(ErrorKind::deploy_failed, "the audit log does not verify: {}", text::join(problems, "; "));
        if (o->verify) out.info("the audit log verifies: every entry is the one written after the one before it");
        return 0;
      });
  cmd->add_option("-e,--env", o->audit.env, "One environment (default: every environment of ecp.yaml)")
      ->type_name("ENV");
  cmd->add_option("--since", o->since, "Only entries from this long ago on (30d, 12h, 90m)")->type_name("DURATION");
  cmd->add_flag("--verify", o->verify, "Check every entry's hash and the chain; exit 7 when one was changed");
}

}  // namespace ecp::cli
