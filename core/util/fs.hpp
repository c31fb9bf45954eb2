#pragma once
// File helpers. Every write that replaces a file goes through write_file_atomic:
// a temporary file in the same folder, fsync, then rename, so readers see the old
// or the new content and never a torn one.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ecp::fs {

namespace stdfs = std::filesystem;

// Reads a whole file; throws Error(io) naming the path. Refuses files over max_bytes.
std::string read_file(const stdfs::path& path, std::size_t max_bytes = std::size_t(1) << 30);

// Writes `data` to `path` atomically with the given mode.
void write_file_atomic(const stdfs::path& path, std::string_view data, unsigned mode = 0644);

// A temporary folder removed with everything in it when the object dies.
class TempDir {
 public:
  explicit TempDir(const stdfs::path& parent = stdfs::temp_directory_path(), std::string_view prefix = "ecp-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const stdfs::path& path() const { return path_; }

 private:
  stdfs::path path_;
};

// $ECP_HOME, else $XDG_DATA_HOME/ecp, else ~/.local/share/ecp.
stdfs::path ecp_home();
// Where ecp keeps what it can always rebuild (where registries hold which blob,
// which layers a host checked): $ECP_HOME/cache when ECP_HOME is set (one
// folder for everything, as tests and CI want), else $XDG_CACHE_HOME/ecp, else
// ~/.cache/ecp.
stdfs::path ecp_cache();

}  // namespace ecp::fs
