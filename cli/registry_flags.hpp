#pragma once
// What the registry commands (push, pull, copy, login) share: their connection
// flags, the wiring of their options to the global flags, and the printing of
// blob transfers. build and release, which talk to registries too, take
// --timeout from here.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/command_tree.hpp"
#include "core/ops/push.hpp"

namespace ecp::cli {

// --ca-file, --tls-verify, --retries and --timeout; with `transfers`, -j/--jobs and
// --chunk-size too (login moves no blobs).
void add_registry_flags(CLI::App* cmd, ops::RegistryOptions& o, bool transfers = true);

// --timeout DURATION (a bare number is seconds): the deadline of each registry
// request, into `timeout`. Without it a request's deadline is sized by its bytes.
void add_timeout_flag(CLI::App* cmd, std::chrono::milliseconds& timeout);

// Transfer events: a bar per blob on a terminal, a line per finished blob when
// stderr is not one, and JSON events with --output json.
ops::TransferFn make_transfer_renderer(Output& out, bool quiet);

// "1.5 MiB".
std::string human_bytes(std::int64_t n);

// The end of a push or a copy: "N blobs: X already there, Y mounted, Z VERB
// (SIZE)" and the JSON result, `fields` plus the counts (the blobs sent under
// VERB and bytes_VERB).
void print_transfer(Output& out, const registry::TransferStats& s, std::string_view verb, nlohmann::json fields);

// When the command runs: the project the global flags name, and the renderer of
// its transfers.
template <class Options>
void wire_transfers(Options& o, const Globals& g, Output& out) {
  o.registry.project = project_of(g);
  o.on_event = make_transfer_renderer(out, g.quiet);
}

}  // namespace ecp::cli
