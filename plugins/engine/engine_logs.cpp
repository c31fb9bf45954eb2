// logs(): each instance's container log, demultiplexed, all instances at once.
#include <fmt/format.h>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"
#include "plugins/engine/engine_backend.hpp"

namespace ecp::plugins::engine {

void EngineBackend::logs(const backend::LogOptions& options, const backend::LineSink& sink) {
  std::vector<backend::InstanceRef> refs = options.instances;
  if (refs.empty()) {
    auto s = status();
    for (const auto& u : s.unreachable) fail(ErrorKind::io, "{}", u);
    for (const auto& i : s.instances) refs.push_back(i.ref);
  }
  if (refs.empty()) {
    log::info("no instances of {}/{} on target {}", app_.app, app_.env, target_.name);
    return;
  }
  // Following streams never end, so every instance needs its own thread then.
  int jobs = options.follow ? static_cast<int>(refs.size()) : default_jobs();
  auto errors = parallel_try(refs.size(), jobs, [&](std::size_t i) {
    const auto& ref = refs[i];
    std::string pending, line;
    try {
      Request r{"GET", fmt::format("/containers/{}/logs?stdout=1&stderr=1&tail={}&follow={}", container_name(app_, ref),
                                   options.lines, options.follow ? 1 : 0)};
      // No deadline when following: it ends with an interrupt (or the container).
      r.timeout = options.follow ? Duration{0} : Duration{std::chrono::minutes(2)};
      r.sink = [&](std::string_view chunk) {
        demux_logs(pending, line, chunk, [&](std::string_view l) { sink(ref, l); });
      };
      api(ref.location).call(std::move(r));
      if (!line.empty()) sink(ref, line);
    } catch (const EngineError& e) {
      if (e.status() != 404) throw;  // 404: gone meanwhile
    }
  });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace ecp::plugins::engine
