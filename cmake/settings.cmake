# ccache, when installed and no launcher was chosen (-DCMAKE_<LANG>_COMPILER_LAUNCHER
# or the environment variable of that name): a rebuild of unchanged sources, as
# CI runs on a machine that ran it before, comes from the cache. ECP_CCACHE=OFF
# turns it off.
option(ECP_CCACHE "Compile through ccache when it is installed" ON)
if(ECP_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER AND NOT DEFINED ENV{CMAKE_CXX_COMPILER_LAUNCHER})
  find_program(ECP_CCACHE_PROGRAM ccache)
  if(ECP_CCACHE_PROGRAM)
    set(CMAKE_C_COMPILER_LAUNCHER ${ECP_CCACHE_PROGRAM})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${ECP_CCACHE_PROGRAM})
    message(STATUS "Compiling through ${ECP_CCACHE_PROGRAM}")
  endif()
endif()
include(${CMAKE_CURRENT_LIST_DIR}/pch.cmake)
ecp_ccache_launcher()

# Shared compile settings as INTERFACE targets, linked by every module.
add_library(ecp_settings INTERFACE)
target_include_directories(ecp_settings INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
# Beside -Wall -Wextra, ccache's own set: a polymorphic class deleted through a
# base without a virtual destructor, an overload that hides a virtual one, a
# dereference of a provable null (GCC sees those only when optimising), a cast
# that raises alignment, and && / || with the same operand twice (GCC only).
target_compile_options(ecp_settings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor -Woverloaded-virtual>
  -Wnull-dereference -Wcast-align $<$<CXX_COMPILER_ID:GNU>:-Wlogical-op>)
if(ECP_DEV)
  target_compile_options(ecp_settings INTERFACE -Werror)
endif()
if(ECP_SANITIZE AND ECP_TSAN)
  message(FATAL_ERROR "ECP_SANITIZE (ASan+UBSan) and ECP_TSAN (ThreadSanitizer) exclude each other: use a build folder for each")
endif()
if(ECP_SANITIZE)
  target_compile_options(ecp_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(ecp_settings INTERFACE -fsanitize=address,undefined)
endif()
if(ECP_TSAN)
  target_compile_options(ecp_settings INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(ecp_settings INTERFACE -fsanitize=thread)
endif()

# ecp_module(NAME [PUBLIC DEPS...] [PRIVATE DEPS...]) makes core/NAME a static library
# from the .cpp files in the current folder. A dependency is PUBLIC only when one of
# the module's headers includes it. The ecp_* names of its link list are the
# dependency rule: tests/integration/layering.sh reads them and checks includes.
function(ecp_module name)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(srcs)
    add_library(ecp_${name} STATIC ${srcs})
    target_link_libraries(ecp_${name} PUBLIC ecp_settings)
    target_link_libraries(ecp_${name} ${ARGN})
  else()
    add_library(ecp_${name} INTERFACE)
    list(REMOVE_ITEM ARGN PUBLIC PRIVATE)
    target_link_libraries(ecp_${name} INTERFACE ecp_settings ${ARGN})
  endif()
endfunction()
