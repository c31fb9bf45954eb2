// libarchive, opened on first use (see core/util/lazy_library.hpp): only the
// commands that write or read layers map it and the libraries it links (icu
// alone is 30 MB). Each function below has libarchive's own signature, which
// the compiler checks against <archive.h> and <archive_entry.h>.
#include <archive.h>
#include <archive_entry.h>

#include "core/util/lazy_library.hpp"
#include "ecp_sonames.hpp"

namespace {
constinit ecp::util::LazyLibrary library(ECP_ARCHIVE_SONAME, "libarchive13");
}  // namespace
#define LAZY(name) ECP_LAZY(library, name)

extern "C" {

void archive_entry_copy_pathname(struct archive_entry* a0, const char* a1) {
  LAZY(archive_entry_copy_pathname)(a0, a1);
}
void archive_entry_copy_symlink(struct archive_entry* a0, const char* a1) { LAZY(archive_entry_copy_symlink)(a0, a1); }
mode_t archive_entry_filetype(struct archive_entry* a0) { return LAZY(archive_entry_filetype)(a0); }
void archive_entry_free(struct archive_entry* a0) { LAZY(archive_entry_free)(a0); }
const char* archive_entry_hardlink(struct archive_entry* a0) { return LAZY(archive_entry_hardlink)(a0); }
const char* archive_entry_hardlink_utf8(struct archive_entry* a0) { return LAZY(archive_entry_hardlink_utf8)(a0); }
struct archive_entry* archive_entry_new() {
  return LAZY(archive_entry_new)();
}
const char* archive_entry_pathname(struct archive_entry* a0) { return LAZY(archive_entry_pathname)(a0); }
const char* archive_entry_pathname_utf8(struct archive_entry* a0) { return LAZY(archive_entry_pathname_utf8)(a0); }
void archive_entry_set_filetype(struct archive_entry* a0, unsigned int a1) { LAZY(archive_entry_set_filetype)(a0, a1); }
void archive_entry_set_gid(struct archive_entry* a0, la_int64_t a1) { LAZY(archive_entry_set_gid)(a0, a1); }
void archive_entry_set_mtime(struct archive_entry* a0, time_t a1, long a2) {
  LAZY(archive_entry_set_mtime)(a0, a1, a2);
}
void archive_entry_set_perm(struct archive_entry* a0, mode_t a1) { LAZY(archive_entry_set_perm)(a0, a1); }
void archive_entry_set_size(struct archive_entry* a0, la_int64_t a1) { LAZY(archive_entry_set_size)(a0, a1); }
void archive_entry_set_uid(struct archive_entry* a0, la_int64_t a1) { LAZY(archive_entry_set_uid)(a0, a1); }
la_int64_t archive_entry_size(struct archive_entry* a0) { return LAZY(archive_entry_size)(a0); }
int archive_entry_size_is_set(struct archive_entry* a0) { return LAZY(archive_entry_size_is_set)(a0); }
int archive_entry_sparse_count(struct archive_entry* a0) { return LAZY(archive_entry_sparse_count)(a0); }
const char* archive_entry_symlink(struct archive_entry* a0) { return LAZY(archive_entry_symlink)(a0); }
const char* archive_entry_symlink_utf8(struct archive_entry* a0) { return LAZY(archive_entry_symlink_utf8)(a0); }
const char* archive_error_string(struct archive* a0) { return LAZY(archive_error_string)(a0); }
la_int64_t archive_filter_bytes(struct archive* a0, int a1) { return LAZY(archive_filter_bytes)(a0, a1); }
int archive_filter_count(struct archive* a0) { return LAZY(archive_filter_count)(a0); }
la_ssize_t archive_read_data(struct archive* a0, void* a1, size_t a2) { return LAZY(archive_read_data)(a0, a1, a2); }
int archive_read_data_skip(struct archive* a0) { return LAZY(archive_read_data_skip)(a0); }
int archive_read_free(struct archive* a0) { return LAZY(archive_read_free)(a0); }
struct archive* archive_read_new() {
  return LAZY(archive_read_new)();
}
int archive_read_next_header(struct archive* a0, struct archive_entry** a1) {
  return LAZY(archive_read_next_header)(a0, a1);
}
int archive_read_open_filename(struct archive* a0, const char* a1, size_t a2) {
  return LAZY(archive_read_open_filename)(a0, a1, a2);
}
int archive_read_support_filter_gzip(struct archive* a0) { return LAZY(archive_read_support_filter_gzip)(a0); }
int archive_read_support_filter_zstd(struct archive* a0) { return LAZY(archive_read_support_filter_zstd)(a0); }
int archive_read_support_format_empty(struct archive* a0) { return LAZY(archive_read_support_format_empty)(a0); }
int archive_read_support_format_tar(struct archive* a0) { return LAZY(archive_read_support_format_tar)(a0); }
int archive_write_close(struct archive* a0) { return LAZY(archive_write_close)(a0); }
la_ssize_t archive_write_data(struct archive* a0, const void* a1, size_t a2) {
  return LAZY(archive_write_data)(a0, a1, a2);
}
int archive_write_free(struct archive* a0) { return LAZY(archive_write_free)(a0); }
int archive_write_header(struct archive* a0, struct archive_entry* a1) { return LAZY(archive_write_header)(a0, a1); }
struct archive* archive_write_new() {
  return LAZY(archive_write_new)();
}
int archive_write_open2(struct archive* a0, void* a1, archive_open_callback* a2, archive_write_callback* a3,
                        archive_close_callback* a4, archive_free_callback* a5) {
  return LAZY(archive_write_open2)(a0, a1, a2, a3, a4, a5);
}
int archive_write_set_bytes_per_block(struct archive* a0, int a1) {
  return LAZY(archive_write_set_bytes_per_block)(a0, a1);
}
int archive_write_set_format_option(struct archive* a0, const char* a1, const char* a2, const char* a3) {
  return LAZY(archive_write_set_format_option)(a0, a1, a2, a3);
}
int archive_write_set_format_pax_restricted(struct archive* a0) {
  return LAZY(archive_write_set_format_pax_restricted)(a0);
}

}  // extern "C"
