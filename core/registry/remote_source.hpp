#pragma once
// An ImageSource that reads blobs from a repository of a registry, for
// `ecp copy`: each reader runs a GET (resumed with Range on failures) on its
// own thread and hands the bytes over through a bounded buffer, so the
// download and the upload run at the same time and memory stays small.
#include <string>

#include "core/registry/client.hpp"
#include "core/registry/transfer.hpp"

namespace ecp::registry {

class RemoteSource : public ImageSource {
 public:
  RemoteSource(Client& client, std::string repository) : client_(client), repository_(std::move(repository)) {}
  BlobSource blob(const oci::Descriptor& d) override;
  std::string mount_repository(const std::string& registry) const override;

 private:
  Client& client_;
  std::string repository_;
};

}  // namespace ecp::registry
