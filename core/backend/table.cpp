// The built-in table and the lookup of external plugins; base64 for the protocol.
#include <fmt/format.h>

#include "core/backend/backend.hpp"
#include "core/backend/external.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"

namespace ecp::backend {

void Table::add(std::string name, Factory factory, Validator validator) {
  entries_[std::move(name)] = Entry{std::move(factory), std::move(validator)};
}

const Factory* Table::find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second.factory;
}

const Validator* Table::validator(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() || !it->second.validator ? nullptr : &it->second.validator;
}

std::vector<std::string> Table::names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

Table& builtin_table() {
  static Table table;
  return table;
}

std::unique_ptr<Backend> open_backend(const TargetSpec& target, const AppSpec& app) {
  if (const Factory* f = builtin_table().find(target.plugin)) return (*f)(target, app);
  std::string program = "ecp-plugin-" + target.plugin;
  auto path = process::find_program(program);
  if (!path) {
    std::string builtins;
    for (const auto& n : builtin_table().names()) builtins += (builtins.empty() ? "" : ", ") + n;
    fail(ErrorKind::validation,
         "target '{}': plugin '{}' is neither built in ({}) nor an executable {} on PATH", target.name,
         target.plugin, builtins.empty() ? "none registered" : builtins, program);
  }
  return std::make_unique<ExternalBackend>(*path, target, app);
}

namespace {
constexpr char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (unsigned char)data[i] << 16 | (unsigned char)data[i + 1] << 8 | (unsigned char)data[i + 2];
    for (int s : {18, 12, 6, 0}) out += b64chars[(v >> s) & 63];
  }
  if (i + 1 == data.size()) {
    unsigned v = (unsigned char)data[i] << 16;
    out += b64chars[(v >> 18) & 63];
    out += b64chars[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    unsigned v = (unsigned char)data[i] << 16 | (unsigned char)data[i + 1] << 8;
    for (int s : {18, 12, 6}) out += b64chars[(v >> s) & 63];
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned acc = 0;
  int bits = 0, pad = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = value(c);
    if (v < 0 || pad > 0) fail(ErrorKind::validation, "invalid base64 text");
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (pad > 2) fail(ErrorKind::validation, "invalid base64 padding");
  return out;
}

}  // namespace ecp::backend
