# The install test (cmake -P): install Loom into WORK_DIR/prefix, check what is there, then build
# examples/external against that prefix only and run it. Any failed step fails the test.
cmake_minimum_required(VERSION 3.20)

# run(command...): runs it; stops the test with its output when it exits non-zero.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    string(JOIN " " command ${ARGN})
    message(FATAL_ERROR "`${command}` failed (${result}):\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

# expect(text regex what): stops the test unless `text` matches `regex`.
function(expect text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: expected /${regex}/ in:\n${text}")
  endif()
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/external)
file(REMOVE_RECURSE ${prefix} ${build})

# ---- the install ----
run(${CMAKE_COMMAND} --install ${LOOM_BUILD_DIR} --prefix ${prefix})
foreach(path
    lib/cmake/Loom/LoomConfig.cmake lib/cmake/Loom/LoomConfigVersion.cmake
    lib/cmake/Loom/LoomTargets.cmake lib/libLoomJit.a lib/libLoomBuilder.a lib/libLoomEngine.a
    include/loom/frontend/Builder/Builder.h include/loom/frontend/Jit/Jit.h
    include/loom/runtime/Engine/Engine.h bin/loomc bin/loom-run bin/loom-opt bin/loom-jit)
  if(NOT EXISTS ${prefix}/${path})
    message(FATAL_ERROR "the install has no ${path}")
  endif()
endforeach()
# Only the public headers' include closure: no sources, no pass internals, no test headers.
file(GLOB_RECURSE sources RELATIVE ${prefix} ${prefix}/include/*.cpp ${prefix}/include/*.td
     ${prefix}/include/loom/test/*)
if(sources OR EXISTS ${prefix}/include/loom/compiler/Pipelines/Pipelines.h)
  message(FATAL_ERROR "internal files were installed: ${sources}")
endif()
file(READ ${prefix}/include/loom/Version.h version)
expect("${version}" "#define LOOM_VERSION \"${EXPECTED_VERSION}\"" "include/loom/Version.h")
run(${prefix}/bin/loom-opt --show-dialects)
expect("${output}" "graph.*tile" "loom-opt --show-dialects")

# ---- examples/external against the prefix ----
run(${CMAKE_COMMAND} -S ${LOOM_SOURCE_DIR}/examples/external -B ${build} -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
# Its headers come from the prefix, never from Loom's source or build folder.
file(READ ${build}/compile_commands.json commands)
string(REGEX MATCHALL "(-I|-isystem )[^ \"]+" includeFlags "${commands}")
foreach(flag IN LISTS includeFlags)
  string(REGEX REPLACE "^(-I|-isystem )" "" dir "${flag}")
  string(FIND "${dir}/" "${LOOM_SOURCE_DIR}/" inSource)
  string(FIND "${dir}/" "${prefix}/" inPrefix)
  if(inSource EQUAL 0 AND NOT inPrefix EQUAL 0)
    message(FATAL_ERROR "examples/external compiles with ${flag}, inside Loom's tree")
  endif()
endforeach()
run(${CMAKE_COMMAND} --build ${build})

# MLIR and LLVM are linked in statically: no libLLVM/libMLIR needed at run time.
file(GET_RUNTIME_DEPENDENCIES EXECUTABLES ${build}/loom-external
     RESOLVED_DEPENDENCIES_VAR resolved UNRESOLVED_DEPENDENCIES_VAR unresolved)
foreach(library IN LISTS resolved unresolved)
  if(library MATCHES "lib(LLVM|MLIR)")
    message(FATAL_ERROR "loom-external needs ${library} at run time")
  endif()
endforeach()

run(${build}/loom-external)
message(STATUS "loom-external:\n${output}")
expect("${output}" "^Loom ${EXPECTED_VERSION}\n" "the version line")
expect("${output}" "jit: [1-9][0-9]* kernel\\(s\\) for sm_" "the jit line")
expect("${output}" "cpu reference interpreter: matches the plain C\\+\\+ loops"
       "the CPU reference run")
expect("${output}" "gpu: (none here|matches the plain C\\+\\+ loops)" "the GPU run")
