#include "plugins/host/transport.hpp"

namespace ecp::plugins::host {

namespace {
process::Options options_for(const Input& in, backend::Duration timeout) {
  process::Options o;
  o.stdin_data = in.data;
  o.stdin_file = in.file;
  o.timeout = timeout;
  if (in.on_line) {
    o.on_line = in.on_line;
    o.capture_lines = false;
  }
  return o;
}
}  // namespace

process::Result LocalTransport::run(const std::vector<std::string>& argv, const Input& in, backend::Duration timeout) {
  return process::run(argv, options_for(in, timeout));
}

process::Result SshTransport::run(const std::vector<std::string>& argv, const Input& in, backend::Duration timeout) {
  return master_.run(argv, options_for(in, timeout));
}

bool permission_denied(std::string_view text) {
  return text.find("Permission denied") != std::string_view::npos ||
         text.find("permission denied") != std::string_view::npos;
}

}  // namespace ecp::plugins::host
