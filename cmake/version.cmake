# The commit ecp is built from, for `ecp --version`. ECP_COMMIT overrides it
# (release tarballs have no .git).
if(NOT DEFINED ECP_COMMIT)
  execute_process(COMMAND git -C ${PROJECT_SOURCE_DIR} rev-parse --short=12 HEAD
    OUTPUT_VARIABLE ECP_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND git -C ${PROJECT_SOURCE_DIR} status --porcelain --untracked-files=no
    OUTPUT_VARIABLE _ecp_dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT ECP_COMMIT)
    set(ECP_COMMIT "unknown")
  elseif(_ecp_dirty)
    set(ECP_COMMIT "${ECP_COMMIT}-dirty")
  endif()
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.hpp.in ${PROJECT_BINARY_DIR}/generated/ecp_version.hpp @ONLY)
