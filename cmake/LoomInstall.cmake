# Install rules: the public headers (and the headers they include), the libraries they link, the
# tools, loom/Version.h and the `Loom` CMake package (LoomConfig.cmake, Loom::loom and Loom::<lib>).
#
# Layout under the prefix:
#   include/loom/<repo path>.h      e.g. include/loom/frontend/Jit/Jit.h (included as in the repo)
#   include/loom/Version.h          LOOM_VERSION (included as "loom/Version.h")
#   lib/libLoom*.a, bin/{loomc,loom-run,loom-opt,loom-jit}, lib/cmake/Loom/
# Included at the end of the top CMakeLists.txt, once every target exists.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The APIs a user includes, and the libraries that implement them. Everything else installed is
# what these need: the headers they include (found by the compiler at install time) and the
# libraries they link (found from the targets' link lists).
set(LOOM_PUBLIC_HEADERS
  frontend/Builder/Builder.h   # the C++ DSL
  frontend/Jit/Jit.h           # loom::jit and JitModule
  runtime/Engine/Engine.h)     # the serving engine
set(LOOM_PUBLIC_LIBRARIES LoomBuilder LoomJit LoomEngine)
set(LOOM_INSTALLED_TOOLS loomc loom-run loom-opt loom-jit)
set(LOOM_INCLUDE_ROOT ${CMAKE_INSTALL_INCLUDEDIR}/loom)
set(LOOM_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Loom)

# ---- loom/Version.h ----
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/loom/Version.h @ONLY CONTENT
[[// Loom's version, from project(VERSION) in the top CMakeLists.txt (generated; do not edit).
#pragma once

#define LOOM_VERSION_MAJOR @PROJECT_VERSION_MAJOR@
#define LOOM_VERSION_MINOR @PROJECT_VERSION_MINOR@
#define LOOM_VERSION_PATCH @PROJECT_VERSION_PATCH@
/// "major.minor.patch"
#define LOOM_VERSION "@PROJECT_VERSION@"
]])
install(FILES ${PROJECT_BINARY_DIR}/loom/Version.h DESTINATION ${LOOM_INCLUDE_ROOT})

# ---- libraries ----

# loom_link_closure(OUT roots...): the Loom libraries `roots` link, directly or not, PRIVATE
# ones too (a static library's private dependencies are part of what its users link).
function(loom_link_closure out)
  set(pending ${ARGN})
  set(closure)
  while(pending)
    list(POP_FRONT pending target)
    if(target IN_LIST closure)
      continue()
    endif()
    list(APPEND closure ${target})
    get_target_property(links ${target} LINK_LIBRARIES)
    get_target_property(interfaceLinks ${target} INTERFACE_LINK_LIBRARIES)
    foreach(link IN LISTS links interfaceLinks)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" link "${link}")
      if(link MATCHES "^Loom[A-Za-z0-9]*$" AND TARGET ${link})
        list(APPEND pending ${link})
      endif()
    endforeach()
  endwhile()
  set(${out} ${closure} PARENT_SCOPE)
endfunction()

loom_link_closure(LOOM_INSTALLED_LIBRARIES ${LOOM_PUBLIC_LIBRARIES})
list(SORT LOOM_INSTALLED_LIBRARIES)
foreach(library IN LISTS LOOM_INSTALLED_LIBRARIES)
  # Loom::Jit, Loom::Engine, Loom::GraphDialect, ...
  string(REGEX REPLACE "^Loom" "" exportName ${library})
  set_target_properties(${library} PROPERTIES EXPORT_NAME ${exportName})
  list(APPEND LOOM_EXPORT_NAMES ${exportName})
endforeach()

# Loom::loom: the three public APIs in one target.
add_library(LoomPublic INTERFACE)
add_library(Loom::loom ALIAS LoomPublic)
set_target_properties(LoomPublic PROPERTIES EXPORT_NAME loom)
target_link_libraries(LoomPublic INTERFACE ${LOOM_PUBLIC_LIBRARIES})
list(APPEND LOOM_EXPORT_NAMES loom)

install(TARGETS LoomPublic ${LOOM_INSTALLED_LIBRARIES}
  EXPORT LoomTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${LOOM_INCLUDE_ROOT} ${CMAKE_INSTALL_INCLUDEDIR})

foreach(tool IN LISTS LOOM_INSTALLED_TOOLS)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

# ---- headers: the public ones and everything of the repo they include ----
# The public APIs name internal types (rt::Manifest, ref::HostTensor, rt::Stream, ...), so their
# headers travel along; the compiler lists them (-MM) when installing, so the set is always the
# include closure of today's public headers, never a hand-kept list.
set(LOOM_HEADER_SCAN_SOURCE ${PROJECT_BINARY_DIR}/LoomPublicHeaders.cpp)
list(TRANSFORM LOOM_PUBLIC_HEADERS REPLACE "(.+)" "#include \"\\1\"\n" OUTPUT_VARIABLE includeLines)
string(JOIN "" includeLines ${includeLines})
file(CONFIGURE OUTPUT ${LOOM_HEADER_SCAN_SOURCE} CONTENT "${includeLines}")

set(LOOM_HEADER_SCAN_COMMAND ${CMAKE_CXX_COMPILER} -std=c++20 -MM -MG -x c++
  -I${PROJECT_SOURCE_DIR} -I${PROJECT_BINARY_DIR})
foreach(dir IN LISTS LLVM_INCLUDE_DIRS MLIR_INCLUDE_DIRS CUDAToolkit_INCLUDE_DIRS)
  list(APPEND LOOM_HEADER_SCAN_COMMAND -isystem ${dir})
endforeach()
list(APPEND LOOM_HEADER_SCAN_COMMAND ${LOOM_HEADER_SCAN_SOURCE})

install(CODE "
set(loomScanCommand [==[${LOOM_HEADER_SCAN_COMMAND}]==])
set(loomRoots [==[${PROJECT_BINARY_DIR}/;${PROJECT_SOURCE_DIR}/]==])
set(loomIncludeRoot [==[${LOOM_INCLUDE_ROOT}]==])")
install(CODE [[
execute_process(COMMAND ${loomScanCommand} OUTPUT_VARIABLE deps ERROR_VARIABLE errors
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "listing the public headers' includes failed:\n${errors}")
endif()
string(REPLACE "\\\n" " " deps "${deps}")
string(REGEX REPLACE "^[^:]*:" "" deps "${deps}")
separate_arguments(deps UNIX_COMMAND "${deps}")
set(installed 0)
foreach(header IN LISTS deps)
  if(NOT header MATCHES "\\.(h|hpp|inc)$")
    continue()
  endif()
  get_filename_component(header "${header}" ABSOLUTE)
  foreach(root IN LISTS loomRoots)  # the build folder may sit inside the source folder
    string(FIND "${header}" "${root}" at)
    if(at EQUAL 0)
      file(RELATIVE_PATH relative "${root}" "${header}")
      get_filename_component(subdir "${relative}" DIRECTORY)
      file(INSTALL "${header}" DESTINATION "${CMAKE_INSTALL_PREFIX}/${loomIncludeRoot}/${subdir}")
      math(EXPR installed "${installed} + 1")
      break()
    endif()
  endforeach()
endforeach()
message(STATUS "Loom: ${installed} headers (the public APIs and what they include)")
]])

# ---- the CMake package ----
install(EXPORT LoomTargets NAMESPACE Loom:: DESTINATION ${LOOM_PACKAGE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/LoomConfig.cmake.in
  ${PROJECT_BINARY_DIR}/LoomConfig.cmake
  INSTALL_DESTINATION ${LOOM_PACKAGE_DIR})
# 0.x: a minor version may change the API, so 0.1 accepts 0.1.* only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/LoomConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/LoomConfig.cmake ${PROJECT_BINARY_DIR}/LoomConfigVersion.cmake
  DESTINATION ${LOOM_PACKAGE_DIR})
