#pragma once
// `ecp build`: the layout folder -> an OCI image in ecp's store, tagged <app>:<tag>.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/ops/validate.hpp"

namespace ecp::ops {

struct BuildOptions {
  ValidateOptions project;       // ecp.yaml and targets file
  std::string tag;               // empty: the git short sha (+ "-dirty"), else version, else "latest"
  std::string git_ref;           // build this commit from the object database instead of the work tree
  std::string compression = "gzip";  // gzip | zstd
  int level = -1;                // -1: the compressor's default
  std::string oci_layout;        // also export to DIR[:tag]
  std::string tarball;           // also export a docker-archive FILE
  std::string image_refs;        // also write "<app>:<tag>@<digest>" to FILE (ko's --image-refs)
  std::filesystem::path store;   // empty: $ECP_HOME/store
  bool use_cache = true;
  std::chrono::milliseconds registry_timeout{0};  // --timeout of the base image's pull; 0 = sized by its bytes
};

struct BuiltLayer {
  std::string name;  // dependencies, application, app, ...
  std::string digest;
  std::string diff_id;
  std::int64_t size = 0;
  std::string media_type;
  std::vector<std::string> files;
  bool cached = false;
};

struct BuildResult {
  std::string reference;  // <app>:<tag>
  std::string digest;     // the manifest's
  std::int64_t size = 0;  // manifest + config + all layers
  std::string revision;   // git revision, empty outside git
  std::string created;    // RFC 3339
  std::string base;       // the base spec
  std::vector<BuiltLayer> layers;  // ecp's layers only, bottom first
};

BuildResult build(const BuildOptions& options);

}  // namespace ecp::ops
