#pragma once
// Everything ecp prints goes through Output: results on stdout, progress and
// warnings on stderr. With --output json, stdout carries one JSON object per line
// (events, then a final {"type":"result"}), so CI can parse it line by line.
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/util/diagnostic.hpp"

namespace ecp::cli {

class Output {
 public:
  Output(bool json, bool color, bool quiet, int verbose);

  bool json() const { return json_; }
  bool color() const { return color_; }

  // A line of human output on stdout (ignored in JSON mode).
  void text(std::string_view line);
  // A progress or informational line on stderr (suppressed by -q; JSON event in JSON mode).
  void info(std::string_view line);
  void warn(std::string_view line);
  void debug(std::string_view line);
  // A JSON event line: {"type": type, ...fields}.
  void event(std::string_view type, nlohmann::json fields);
  // The final result object in JSON mode; {"type":"result","ok":true,...}.
  void result(nlohmann::json fields);

  // `s` with the control characters a terminal would act on (carriage return,
  // backspace, bell, escape sequences that move the cursor, clear the screen
  // or set the title) written as \xNN, so free text from a ledger, a target or
  // an error cannot rewrite what the operator sees. Newlines and tabs stay;
  // with colors on, the color sequences (ESC [ digits m) stay too. text(),
  // info(), warn() and debug() apply it; code printing on its own calls it.
  std::string safe(std::string_view s) const;

  // Wraps text in an ANSI color when colors are on.
  std::string bold(std::string_view s) const;
  std::string red(std::string_view s) const;
  std::string yellow(std::string_view s) const;
  std::string green(std::string_view s) const;

 private:
  bool json_;
  bool color_;
  bool quiet_;
  int verbose_;
};

// "FILE:LINE:COL: error: MESSAGE" (or "FILE: warning: ...") on stderr, colored
// and made safe as Output's own lines are.
void print_diagnostic(const Output& out, const Diagnostic& d);

}  // namespace ecp::cli
