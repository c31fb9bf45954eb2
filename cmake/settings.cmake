# Shared compile settings as INTERFACE targets, linked by every module.
add_library(ecp_settings INTERFACE)
target_include_directories(ecp_settings INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
target_compile_options(ecp_settings INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
if(ECP_DEV)
  target_compile_options(ecp_settings INTERFACE -Werror)
endif()
if(ECP_SANITIZE)
  target_compile_options(ecp_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(ecp_settings INTERFACE -fsanitize=address,undefined)
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
