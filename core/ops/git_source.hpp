#pragma once
// What git says about the project being built: the commit (the image's revision),
// whether the work tree differs from it, and the commit time (the image's created
// time, so rebuilding a commit on another day gives the same digest).
#include <cstdint>
#include <filesystem>
#include <string>

namespace ecp::ops {

struct GitInfo {
  bool in_repo = false;
  std::string commit;        // full sha of the commit
  bool dirty = false;        // tracked or untracked files under the project differ
  std::int64_t commit_time = 0;  // seconds since the epoch (committer time)
  std::string remote_url;    // origin's URL, when there is one (org.opencontainers.image.source)

  // The default image tag: the 12-character short sha, plus "-dirty".
  std::string default_tag() const;
  // The revision label: the full sha, plus "-dirty".
  std::string revision() const;
};

// Describes HEAD of the repository that holds `project_dir`. Not a repository: in_repo false.
GitInfo git_describe(const std::filesystem::path& project_dir);

// Writes the files of `project_dir` as they are in commit `ref` (a sha, branch or tag)
// into `dest`, straight from the object database: the work tree is not touched.
// Returns that commit's info (never dirty).
GitInfo git_export(const std::filesystem::path& project_dir, const std::string& ref,
                   const std::filesystem::path& dest);

}  // namespace ecp::ops
