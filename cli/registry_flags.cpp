#include "cli/registry_flags.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <map>
#include <mutex>

#include "core/ops/deploy_context.hpp"
#include "core/util/error.hpp"

namespace ecp::cli {
namespace {

// "90" (seconds, as curl's --max-time) or a duration ("90s", "2m"), more than
// 0. A wrong value is a usage error (exit 2), as CLI11's own.
std::chrono::milliseconds parse_timeout(const std::string& text) {
  bool seconds = !text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789") == std::string::npos;
  std::chrono::milliseconds d{0};
  try {
    d = seconds ? std::chrono::seconds(std::stoll(text)) : ops::parse_duration_arg(text, "--timeout");
  } catch (const Error& e) {
    throw CLI::ValidationError(e.what());
  }
  if (d.count() <= 0) throw CLI::ValidationError(fmt::format("--timeout '{}': must be more than 0", text));
  return d;
}

}  // namespace

void add_timeout_flag(CLI::App* cmd, std::chrono::milliseconds& timeout) {
  cmd->add_option_function<std::string>(
         "--timeout", [&timeout](const std::string& text) { timeout = parse_timeout(text); },
         "Give up on a registry request (each try) after DURATION; a bare number is seconds "
         "(default: 60s plus 1s per 64 KiB it moves)")
      ->type_name("DURATION");
}

void add_registry_flags(CLI::App* cmd, ops::RegistryOptions& o, bool transfers) {
  cmd->add_option("--ca-file", o.ca_file, "Trust the CA certificates in this PEM file (besides the system's)")
      ->type_name("PATH");
  cmd->add_option("--tls-verify", o.tls_verify,
                  "--tls-verify=false: do not check registry certificates, and allow plain HTTP (warns; "
                  "prefer --ca-file or the targets file's per-registry 'insecure')")
      ->type_name("BOOL");
  cmd->add_option("--retries", o.retries, "Tries per registry operation before giving up (default: 6)")
      ->type_name("N")
      ->check(CLI::Range(1, 100));
  add_timeout_flag(cmd, o.timeout);
  if (!transfers) return;
  cmd->add_option("-j,--jobs", o.jobs, "Blobs transferred in parallel (default: the number of cores)")
      ->type_name("N")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--chunk-size", o.chunk_size, "Upload blobs larger than this in chunks of this many bytes "
                                                "(default: 32 MiB)")
      ->type_name("BYTES")
      ->check(CLI::Range(std::int64_t(1) << 16, std::int64_t(1) << 34));
}

std::string human_bytes(std::int64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  if (n < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(n) / 1024);
  if (n < 1024LL * 1024 * 1024) return fmt::format("{:.1f} MiB", static_cast<double>(n) / (1024 * 1024));
  return fmt::format("{:.2f} GiB", static_cast<double>(n) / (1024.0 * 1024 * 1024));
}

ops::TransferFn make_transfer_renderer(Output& out, bool quiet) {
  using K = ops::TransferEvent::Kind;
  if (out.json())
    return [&out](const ops::TransferEvent& e) {
      out.event("transfer", {{"event", std::string(registry::to_string(e.kind))},
                             {"registry", e.registry},
                             {"repository", e.repository},
                             {"digest", e.digest},
                             {"media_type", e.media_type},
                             {"size", e.size},
                             {"done", e.done},
                             {"message", e.message}});
    };
  if (quiet) return {};
  if (::isatty(STDERR_FILENO) != 1)
    return [&out](const ops::TransferEvent& e) {
      std::string what = fmt::format("{}/{} {}", e.registry, e.repository, e.digest.substr(0, 19));
      switch (e.kind) {
        case K::exists: out.info(fmt::format("{}: exists", what)); break;
        case K::mount: out.info(fmt::format("{}: mounted", what)); break;
        case K::done: out.info(fmt::format("{}: {} ({})", what, e.media_type.find("manifest") != std::string::npos ? "done" : "transferred", human_bytes(e.size))); break;
        case K::retry: out.warn(fmt::format("{}: {}", what, e.message)); break;
        case K::manifest: out.info(fmt::format("{}/{}:{} -> {}", e.registry, e.repository, e.message, e.digest)); break;
        default: break;
      }
    };
  // A terminal: one line per blob, redrawn in place.
  struct Bars {
    std::mutex m;
    std::map<std::string, int> line;  // key -> line index
    int lines = 0;
  };
  auto bars = std::make_shared<Bars>();
  return [&out, bars](const ops::TransferEvent& e) {
    if (e.kind == K::manifest) {
      out.info(fmt::format("{}/{}:{} -> {}", e.registry, e.repository, e.message, e.digest));
      return;
    }
    if (e.kind == K::retry) {
      out.warn(e.message);
      return;
    }
    std::lock_guard g(bars->m);
    std::string key = e.registry + "/" + e.repository + "@" + e.digest;
    auto [it, added] = bars->line.try_emplace(key, bars->lines);
    if (added) {
      ++bars->lines;
      fmt::print(stderr, "\n");
    }
    std::string state;
    double frac = e.size > 0 ? static_cast<double>(e.done) / static_cast<double>(e.size) : 1.0;
    switch (e.kind) {
      case K::check: state = "waiting"; frac = 0; break;
      case K::exists: state = "exists"; frac = 1; break;
      case K::mount: state = "mounted"; frac = 1; break;
      case K::done: state = "done"; frac = 1; break;
      case K::download: case K::upload: case K::progress: state = e.kind == K::download ? "pulling" : "pushing"; break;
      default: state = std::string(registry::to_string(e.kind)); break;
    }
    int width = 30, fill = static_cast<int>(frac * width);
    std::string bar = std::string(static_cast<std::size_t>(fill), '=') + std::string(static_cast<std::size_t>(width - fill), ' ');
    int up = bars->lines - it->second;
    fmt::print(stderr, "\x1b[{}A\r\x1b[2K{} {:<8} [{}] {:>10} / {:<10}\x1b[{}B\r", up, e.digest.substr(7, 12), state, bar,
               human_bytes(e.done), human_bytes(e.size), up);
    std::fflush(stderr);
  };
}

void print_transfer(Output& out, const registry::TransferStats& s, std::string_view verb, nlohmann::json fields) {
  out.info(fmt::format("{} blobs: {} already there, {} mounted, {} {} ({})", s.blobs, s.existing, s.mounted,
                       s.uploaded, verb, human_bytes(s.bytes_uploaded)));
  fields.update({{"blobs", s.blobs},
                 {"existing", s.existing},
                 {"mounted", s.mounted},
                 {std::string(verb), s.uploaded},
                 {fmt::format("bytes_{}", verb), s.bytes_uploaded}});
  out.result(fields);
}

}  // namespace ecp::cli
