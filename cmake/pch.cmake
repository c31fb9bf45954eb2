# Precompiled headers: nlohmann/json, fmt, CLI11 and yaml-cpp take a large share
# of each translation unit's compile time in the sanitizer build, so each target
# that uses them parses them once, into a PCH, instead of once per source.
# The table below names, per target, the heavy headers its sources include
# (directly or through our headers). ECP_PCH=OFF turns it off (e.g. to check
# that every source includes what it uses).
#
# Through ccache, a source compiled with a PCH is cached only when ccache is told
# to trust it (sloppiness pch_defines,time_macros: ccache cannot see #defines or
# __TIME__ through a PCH); CMake includes the PCH with -include, which is what
# ccache needs to hash it. So when the launcher is ccache, it runs with
# CCACHE_SLOPPINESS set.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(ecp_pch_default ON)
else()
  set(ecp_pch_default OFF)  # clang (the fuzz build) would need -fno-pch-timestamp for ccache
endif()
option(ECP_PCH "Precompile the heavy third-party headers per target" ${ecp_pch_default})

function(ecp_precompile target)
  if(ECP_PCH AND TARGET ${target})
    get_target_property(type ${target} TYPE)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      set(headers)
      foreach(h IN LISTS ARGN)
        list(APPEND headers "<${h}>")
      endforeach()
      target_precompile_headers(${target} PRIVATE ${headers})
    endif()
  endif()
endfunction()

# Per target, the heavy headers most of its sources include (a header in the PCH
# is parsed for every source of the target, used or not). yaml-cpp is left out:
# core/descriptor and core/config include only its small event-parser headers,
# and only one unit test includes yaml-cpp/yaml.h. doctest is left out: its
# main needs DOCTEST_CONFIG_IMPLEMENT defined before the header.
function(ecp_precompile_all)
  foreach(t ecp_util ecp_descriptor ecp_config)
    ecp_precompile(${t} fmt/format.h)
  endforeach()
  foreach(t ecp_oci ecp_image ecp_registry ecp_backend ecp_strategy ecp_ledger ecp_ops ecp_plugins ecp_unit_tests)
    ecp_precompile(${t} nlohmann/json.hpp fmt/format.h)
  endforeach()
  ecp_precompile(ecp_cli CLI/CLI.hpp nlohmann/json.hpp fmt/format.h)
endfunction()

# A launcher that is ccache runs with two settings:
# - paths under the source folder are hashed relative to it (CCACHE_BASEDIR) and
#   debug info names them relative too (-fdebug-prefix-map, which ccache
#   understands), so a clean clone in another folder (CI) compiles from the cache
#   an earlier clone filled;
# - with PCH, sloppiness pch_defines,time_macros: ccache hashes the PCH a source
#   is compiled with, but caches such a source only with that setting (it cannot
#   see #defines or __TIME__ through a PCH).
function(ecp_ccache_launcher)
  set(envs CCACHE_BASEDIR=${PROJECT_SOURCE_DIR})
  if(ECP_PCH)
    list(APPEND envs CCACHE_SLOPPINESS=pch_defines,time_macros)
  endif()
  set(wrapped OFF)
  foreach(lang C CXX)
    set(launcher "${CMAKE_${lang}_COMPILER_LAUNCHER}")
    list(LENGTH launcher n)
    if(n EQUAL 1)
      get_filename_component(name "${launcher}" NAME)
      if(name STREQUAL "ccache")
        set(CMAKE_${lang}_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env ${envs} ${launcher} PARENT_SCOPE)
        set(wrapped ON)
      endif()
    endif()
  endforeach()
  if(wrapped)
    add_compile_options(-fdebug-prefix-map=${PROJECT_SOURCE_DIR}=.)
  endif()
endfunction()
