// libgit2, opened on first use (see core/util/lazy_library.hpp): only a build,
// a release and `ecp init` read the repository. Each function below has
// libgit2's own signature, which the compiler checks against <git2.h>.
#include <git2.h>

#include "core/util/lazy_library.hpp"
#include "ecp_sonames.hpp"

namespace {
constinit ecp::util::LazyLibrary library(ECP_GIT2_SONAME, "libgit2-1.5");
}  // namespace
#define LAZY(name) ECP_LAZY(library, name)

extern "C" {

void git_blob_free(git_blob* a0) { LAZY(git_blob_free)(a0); }
int git_blob_lookup(git_blob** a0, git_repository* a1, const git_oid* a2) { return LAZY(git_blob_lookup)(a0, a1, a2); }
const void* git_blob_rawcontent(const git_blob* a0) { return LAZY(git_blob_rawcontent)(a0); }
git_object_size_t git_blob_rawsize(const git_blob* a0) { return LAZY(git_blob_rawsize)(a0); }
void git_buf_dispose(git_buf* a0) { LAZY(git_buf_dispose)(a0); }
const git_signature* git_commit_committer(const git_commit* a0) { return LAZY(git_commit_committer)(a0); }
const git_oid* git_commit_id(const git_commit* a0) { return LAZY(git_commit_id)(a0); }
int git_commit_tree(git_tree** a0, const git_commit* a1) { return LAZY(git_commit_tree)(a0, a1); }
void git_config_free(git_config* a0) { LAZY(git_config_free)(a0); }
int git_config_get_string_buf(git_buf* a0, const git_config* a1, const char* a2) {
  return LAZY(git_config_get_string_buf)(a0, a1, a2);
}
int git_config_open_default(git_config** a0) { return LAZY(git_config_open_default)(a0); }
const git_error* git_error_last() { return LAZY(git_error_last)(); }
int git_libgit2_init() { return LAZY(git_libgit2_init)(); }
int git_libgit2_shutdown() { return LAZY(git_libgit2_shutdown)(); }
void git_object_free(git_object* a0) { LAZY(git_object_free)(a0); }
char* git_oid_tostr(char* a0, size_t a1, const git_oid* a2) { return LAZY(git_oid_tostr)(a0, a1, a2); }
void git_remote_free(git_remote* a0) { LAZY(git_remote_free)(a0); }
int git_remote_lookup(git_remote** a0, git_repository* a1, const char* a2) {
  return LAZY(git_remote_lookup)(a0, a1, a2);
}
const char* git_remote_url(const git_remote* a0) { return LAZY(git_remote_url)(a0); }
void git_repository_free(git_repository* a0) { LAZY(git_repository_free)(a0); }
int git_repository_is_bare(const git_repository* a0) { return LAZY(git_repository_is_bare)(a0); }
int git_repository_open_ext(git_repository** a0, const char* a1, unsigned int a2, const char* a3) {
  return LAZY(git_repository_open_ext)(a0, a1, a2, a3);
}
const char* git_repository_workdir(const git_repository* a0) { return LAZY(git_repository_workdir)(a0); }
int git_revparse_single(git_object** a0, git_repository* a1, const char* a2) {
  return LAZY(git_revparse_single)(a0, a1, a2);
}
size_t git_status_list_entrycount(git_status_list* a0) { return LAZY(git_status_list_entrycount)(a0); }
void git_status_list_free(git_status_list* a0) { LAZY(git_status_list_free)(a0); }
int git_status_list_new(git_status_list** a0, git_repository* a1, const git_status_options* a2) {
  return LAZY(git_status_list_new)(a0, a1, a2);
}
const git_tree_entry* git_tree_entry_byindex(const git_tree* a0, size_t a1) {
  return LAZY(git_tree_entry_byindex)(a0, a1);
}
int git_tree_entry_bypath(git_tree_entry** a0, const git_tree* a1, const char* a2) {
  return LAZY(git_tree_entry_bypath)(a0, a1, a2);
}
git_filemode_t git_tree_entry_filemode(const git_tree_entry* a0) { return LAZY(git_tree_entry_filemode)(a0); }
void git_tree_entry_free(git_tree_entry* a0) { LAZY(git_tree_entry_free)(a0); }
const git_oid* git_tree_entry_id(const git_tree_entry* a0) { return LAZY(git_tree_entry_id)(a0); }
const char* git_tree_entry_name(const git_tree_entry* a0) { return LAZY(git_tree_entry_name)(a0); }
size_t git_tree_entrycount(const git_tree* a0) { return LAZY(git_tree_entrycount)(a0); }
void git_tree_free(git_tree* a0) { LAZY(git_tree_free)(a0); }
int git_tree_lookup(git_tree** a0, git_repository* a1, const git_oid* a2) { return LAZY(git_tree_lookup)(a0, a1, a2); }

}  // extern "C"
