#pragma once
// `ecp push`: an image of the local store -> one or more registry references.
// Also the registry settings shared by push, pull, copy and login.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/ops/validate.hpp"
#include "core/registry/registries_conf.hpp"
#include "core/registry/transfer.hpp"

namespace ecp::ops {

using TransferEvent = registry::TransferEvent;
using TransferFn = registry::TransferFn;

struct RegistryOptions {
  ValidateOptions project;               // the targets file gives per-registry insecure and ca
  std::string ca_file;                   // --ca-file: extra CAs for every registry of the command
  bool tls_verify = true;                // --tls-verify=false: no certificate checks, plain HTTP allowed
  int jobs = 0;                          // parallel blob transfers; 0 = the number of cores
  int retries = -1;                      // tries per operation; -1 = the default (6)
  std::int64_t chunk_size = 0;           // 0 = the default (32 MiB)
  std::chrono::milliseconds timeout{0};  // --timeout of each request; 0 = sized by its bytes
  std::filesystem::path store;           // empty: $ECP_HOME/store
};

// Registry clients for one command, built from the targets file (insecure,
// ca), --ca-file and docker's credentials. One client per registry host.
class Registries {
 public:
  explicit Registries(const RegistryOptions& options);
  ~Registries();
  registry::Client& client(const std::string& registry);
  // The settings of a registry (insecure, CAs, retries), without credentials.
  registry::Endpoint endpoint(const std::string& registry) const;
  registry::BlobLocations& locations() { return *locations_; }
  // Where to pull REGISTRY/REPOSITORY from: registries.conf's mirrors, then its location.
  std::vector<registry::PullSource> pull_sources(const std::string& registry, const std::string& repository,
                                                 bool by_digest) const;
  int jobs() const;
  std::filesystem::path store_dir() const;

 private:
  RegistryOptions options_;
  descriptor::TargetsFile targets_;
  registry::RegistriesConf conf_;  // containers-registries.conf(5): mirrors, insecure
  std::vector<std::unique_ptr<registry::Client>> clients_;
  std::unique_ptr<registry::BlobLocations> locations_;
};

struct PushOptions {
  RegistryOptions registry;
  std::string image;                      // a store tag (APP:TAG); empty: the project's image
  std::string tag;                        // the project's image tag (default: as `ecp build` names it)
  std::vector<std::string> destinations;  // references; a missing tag is the image's tag
  std::string registry_name;              // --registry NAME of the targets file: URL/APP:TAG
  TransferFn on_event;
};

struct PushResult {
  std::string image;                    // the store tag pushed
  std::string digest;                   // its manifest digest
  std::vector<std::string> references;  // what was pushed, normalised
  registry::TransferStats stats;
};

PushResult push(const PushOptions& options);

// Where `ecp push --registry NAME` (and `ecp release` to a target with a
// registry) puts an app's images: the registry's URL without its scheme, then
// the app name ("127.0.0.1:5000/team/hello").
std::string registry_repository(const descriptor::Registry& registry, const std::string& app);

}  // namespace ecp::ops
