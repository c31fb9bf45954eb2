#pragma once
// A random key kept in a file of its owner's alone (0600): made once, on first
// use, and never replaced, so that what was keyed with it stays comparable.
#include <cstddef>
#include <filesystem>
#include <string>

namespace ecp::fs {

// The `size` bytes at `path`. When the file is absent they are made (getrandom)
// and written to a 0600 temporary file that is then linked into place: of two
// processes that make it at once, both read the one that was linked first.
// Throws Error(permission) when the file is not a regular file of this user's
// that nobody else may read, and Error(io) when it cannot be read or made.
std::string read_or_create_key(const std::filesystem::path& path, std::size_t size = 32);

// `size` bytes from the kernel's random source (getrandom); Error(io) when it fails.
std::string random_bytes(std::size_t size);

}  // namespace ecp::fs
