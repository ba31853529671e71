# loom_add_gtest(NAME n SOURCES a.cpp ... [LIBS l ...] [LABELS unit|gpu ...])
# One GoogleTest executable registered as one ctest test, labelled (default label: unit).
include(GoogleTest)
function(loom_add_gtest)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE
    LOOM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    LOOM_SHARED_DIR="${LOOM_SHARED_DIR}")
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}")
endfunction()

# loom_add_present_subdirectories(a b/c ...): add each listed folder that has a CMakeLists.txt.
# Lets an area grow new folders without every change touching the parent's CMakeLists.
function(loom_add_present_subdirectories)
  foreach(dir ${ARGN})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
      add_subdirectory(${dir})
    endif()
  endforeach()
endfunction()
