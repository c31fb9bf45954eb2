#pragma once
// How prepare() moves layers to SSH hosts: a layer that barely compresses
// (jars, images) travels as its plain tar, decompressed once on this machine,
// so the hosts do not spend their CPU on gunzip; the host verifies it by its
// diff_id. Planned in the background, one layer per core at a time.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <string>

#include "core/backend/types.hpp"

namespace ecp::plugins::host {

// How one layer travels: the blob itself, or its plain tar.
struct Transfer {
  std::string verb = "blob-put";  // or tar-put
  std::string hex;                // the digest the host verifies
  std::string path;
  std::int64_t size = 0;
};

// The blob itself, or its plain tar written under `tmp` when that is at most a
// quarter larger; the decompression stops once it passes that size, so what it
// writes is bounded by the blob's size, not by what the blob expands to.
Transfer plan_transfer(const backend::LayerBlob& l, const std::filesystem::path& tmp);

using Needed = std::map<std::string, const backend::LayerBlob*>;

// Works out, in the background, how each needed layer travels (`plan`), at most
// one layer per core at a time. transfers[digest] is ready as
// soon as its layer is planned, so sending starts with the first one; the result
// fails with the first error.
std::shared_future<void> start_layers(const Needed& needed,
                                      std::map<std::string, std::shared_future<Transfer>>& transfers,
                                      std::function<Transfer(const backend::LayerBlob&)> plan);

}  // namespace ecp::plugins::host
