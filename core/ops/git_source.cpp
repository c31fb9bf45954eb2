#include "core/ops/git_source.hpp"

#include <git2.h>

#include <memory>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace ecp::ops {
namespace stdfs = std::filesystem;
namespace {

// libgit2 handles freed by their own functions.
template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Repo = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using Object = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using StatusList = std::unique_ptr<git_status_list, Deleter<git_status_list, git_status_list_free>>;
using Remote = std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;

struct Library {
  Library() { git_libgit2_init(); }
  ~Library() { git_libgit2_shutdown(); }
};

std::string last_git_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

std::string oid_hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

// The project folder relative to the work tree, "" for the root, with a trailing '/'.
std::string project_prefix(git_repository* repo, const stdfs::path& project_dir) {
  const char* wd = git_repository_workdir(repo);
  if (wd == nullptr) return "";
  auto rel = stdfs::weakly_canonical(project_dir).lexically_relative(stdfs::weakly_canonical(wd));
  std::string s = rel.generic_string();
  if (s == "." || s.empty()) return "";
  return s + "/";
}

void fill_from_commit(GitInfo& info, git_repository* repo, git_commit* commit) {
  info.in_repo = true;
  info.commit = oid_hex(git_commit_id(commit));
  info.commit_time = git_commit_committer(commit)->when.time;
  git_remote* raw = nullptr;
  if (git_remote_lookup(&raw, repo, "origin") == 0) {
    Remote remote(raw);
    if (const char* url = git_remote_url(remote.get())) info.remote_url = url;
  }
}

bool is_dirty(git_repository* repo, const std::string& prefix) {
  git_status_options opts = GIT_STATUS_OPTIONS_INIT;
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  std::string spec = prefix.empty() ? "*" : prefix + "*";
  char* specs[] = {spec.data()};
  opts.pathspec = {specs, 1};
  git_status_list* raw = nullptr;
  if (git_status_list_new(&raw, repo, &opts) != 0)
    fail(ErrorKind::build, "git status failed: {}", last_git_error());
  StatusList list(raw);
  return git_status_list_entrycount(list.get()) > 0;
}

Repo open_repo(const stdfs::path& dir) {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, dir.c_str(), 0, nullptr) != 0) return Repo(nullptr);
  return Repo(raw);
}

void write_tree(git_repository* repo, git_tree* tree, const stdfs::path& dest) {
  stdfs::create_directories(dest);
  for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    std::string name = git_tree_entry_name(e);
    // git refuses such names, but a crafted object database might not.
    if (name == "." || name == ".." || name.find('/') != std::string::npos)
      fail(ErrorKind::build, "git tree holds an unsafe entry name '{}'", name);
    auto out = dest / name;
    git_filemode_t mode = git_tree_entry_filemode(e);
    if (mode == GIT_FILEMODE_TREE) {
      git_tree* sub = nullptr;
      if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) != 0)
        fail(ErrorKind::build, "git: cannot read tree {}: {}", out.string(), last_git_error());
      Tree holder(sub);
      write_tree(repo, sub, out);
      continue;
    }
    if (mode == GIT_FILEMODE_COMMIT) continue;  // submodules are not part of the app
    git_blob* b = nullptr;
    if (git_blob_lookup(&b, repo, git_tree_entry_id(e)) != 0)
      fail(ErrorKind::build, "git: cannot read blob {}: {}", out.string(), last_git_error());
    Blob blob(b);
    std::string_view content(static_cast<const char*>(git_blob_rawcontent(b)),
                             static_cast<size_t>(git_blob_rawsize(b)));
    if (mode == GIT_FILEMODE_LINK) {
      stdfs::create_symlink(std::string(content), out);
    } else {
      fs::write_file_atomic(out, content, mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
    }
  }
}

}  // namespace

std::string GitInfo::default_tag() const { return commit.substr(0, 12) + (dirty ? "-dirty" : ""); }
std::string GitInfo::revision() const { return commit + (dirty ? "-dirty" : ""); }

GitInfo git_describe(const stdfs::path& project_dir) {
  Library lib;
  GitInfo info;
  Repo repo = open_repo(project_dir);
  if (!repo) return info;
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo.get(), "HEAD^{commit}") != 0) return info;  // no commits yet
  Object obj(raw);
  fill_from_commit(info, repo.get(), reinterpret_cast<git_commit*>(obj.get()));
  if (!git_repository_is_bare(repo.get()))
    info.dirty = is_dirty(repo.get(), project_prefix(repo.get(), project_dir));
  return info;
}

GitInfo git_export(const stdfs::path& project_dir, const std::string& ref, const stdfs::path& dest) {
  Library lib;
  Repo repo = open_repo(project_dir);
  if (!repo) fail(ErrorKind::usage, "--git-ref {}: {} is not inside a git repository", ref, project_dir.string());
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo.get(), (ref + "^{commit}").c_str()) != 0)
    fail(ErrorKind::usage, "--git-ref {}: no such commit, branch or tag: {}", ref, last_git_error());
  Object obj(raw);
  auto* commit = reinterpret_cast<git_commit*>(obj.get());
  GitInfo info;
  fill_from_commit(info, repo.get(), commit);
  git_tree* root_raw = nullptr;
  if (git_commit_tree(&root_raw, commit) != 0) fail(ErrorKind::build, "git: {}", last_git_error());
  Tree root(root_raw);
  std::string prefix = project_prefix(repo.get(), project_dir);
  if (prefix.empty()) {
    write_tree(repo.get(), root.get(), dest);
    return info;
  }
  prefix.pop_back();
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, root.get(), prefix.c_str()) != 0)
    fail(ErrorKind::usage, "--git-ref {}: the project folder {} does not exist in that commit", ref, prefix);
  std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>> holder(entry);
  git_tree* sub = nullptr;
  if (git_tree_lookup(&sub, repo.get(), git_tree_entry_id(entry)) != 0)
    fail(ErrorKind::build, "git: {}", last_git_error());
  Tree subtree(sub);
  write_tree(repo.get(), sub, dest);
  return info;
}

}  // namespace ecp::ops
