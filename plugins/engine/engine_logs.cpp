// logs(): each instance's container log, demultiplexed, all instances at once.
#include <fmt/format.h>

#include <thread>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
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
  std::vector<std::exception_ptr> errors(refs.size());
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < refs.size(); ++i)
      threads.emplace_back([&, i] {
        const auto& ref = refs[i];
        std::string pending, line;
        try {
          Request r{"GET", fmt::format("/containers/{}/logs?stdout=1&stderr=1&tail={}&follow={}",
                                       container_name(app_, ref), options.lines, options.follow ? 1 : 0)};
          // No deadline when following: it ends with an interrupt (or the container).
          r.timeout = options.follow ? Duration{0} : Duration{std::chrono::minutes(2)};
          r.sink = [&](std::string_view chunk) {
            demux_logs(pending, line, chunk, [&](std::string_view l) { sink(ref, l); });
          };
          api_->call(std::move(r));
          if (!line.empty()) sink(ref, line);
        } catch (const EngineError& e) {
          if (e.status() == 404) return;  // gone meanwhile
          errors[i] = std::current_exception();
        } catch (...) {
          errors[i] = std::current_exception();
        }
      });
  }
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace ecp::plugins::engine
