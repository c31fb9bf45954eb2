#pragma once
// Credentials as docker keeps them: $DOCKER_CONFIG/config.json (else
// ~/.docker/config.json) with "auths" (base64 user:password, or an identity
// token), "credsStore" (one helper for every registry) and "credHelpers"
// (a helper per registry). A helper is the program docker-credential-<name>,
// run with an argv (no shell) and spoken to over stdin/stdout:
//   get   <- server URL        -> {"ServerURL","Username","Secret"}
//   store <- {"ServerURL","Username","Secret"}
//   erase <- server URL
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/registry/auth.hpp"

namespace ecp::registry {

std::filesystem::path docker_config_path();

// The files credentials are read from, in this order, those that exist:
// docker's config.json (docker_config_path()), then the files skopeo and podman
// read, in their order: $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json,
// ~/.config/containers/auth.json (containers-auth.json(5): the same "auths" and
// "credHelpers" as docker's). ecp login writes to docker's file only.
std::vector<std::filesystem::path> credential_files();

// The key a registry has in config.json: "https://index.docker.io/v1/" for
// Docker Hub, else host[:port] as written.
std::string config_key(std::string_view registry);

// credHelpers[registry], else credsStore, else auths, of one file. Empty when
// none is found. Throws Error(auth) for a broken file or a helper that fails.
Credentials find_credentials(std::string_view registry, const std::filesystem::path& config);
// The first credentials for `registry` in credential_files().
Credentials find_credentials(std::string_view registry);

// Saves credentials (ecp login): through the registry's helper when one is
// configured, else into "auths" of config.json, written atomically with mode
// 0600. Returns where they went ("<path>" or "docker-credential-<name>").
std::string store_credentials(std::string_view registry, const Credentials& credentials,
                              const std::filesystem::path& config = docker_config_path());

// Removes them (ecp logout). False when there were none.
bool erase_credentials(std::string_view registry, const std::filesystem::path& config = docker_config_path());

struct HelperResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};
// Runs docker-credential-<name> <verb> with `input` on stdin. Throws Error(auth)
// when the program cannot be started.
HelperResult run_credential_helper(std::string_view name, std::string_view verb, std::string_view input);

}  // namespace ecp::registry
