# Link MLIR and LLVM statically, so our binaries run where no LLVM is installed.
#
# Debian's MLIR targets name the `LLVM` shared library in their link interface.
# Swap that entry for LLVM's static component libraries and drop libz3, which
# nothing we use needs. With --as-needed, zlib/zstd fall away unless used.
set(LOOM_LLVM_STATIC_COMPONENTS
  LLVMSupport LLVMDemangle LLVMCore LLVMRemarks LLVMBitstreamReader
  LLVMTargetParser LLVMBinaryFormat)

function(loom_replace_llvm_dylib target)
  get_target_property(libs ${target} INTERFACE_LINK_LIBRARIES)
  if(NOT libs)
    return()
  endif()
  list(FIND libs LLVM index)
  if(index EQUAL -1)
    return()
  endif()
  list(REMOVE_ITEM libs LLVM)
  list(APPEND libs ${LOOM_LLVM_STATIC_COMPONENTS})
  set_target_properties(${target} PROPERTIES INTERFACE_LINK_LIBRARIES "${libs}")
endfunction()

get_property(loom_imported DIRECTORY "${PROJECT_SOURCE_DIR}" PROPERTY IMPORTED_TARGETS)
foreach(t IN LISTS loom_imported)
  if(t MATCHES "^MLIR")
    loom_replace_llvm_dylib(${t})
  endif()
endforeach()

if(TARGET LLVMSupport)
  get_target_property(support_libs LLVMSupport INTERFACE_LINK_LIBRARIES)
  list(FILTER support_libs EXCLUDE REGEX "z3")
  set_target_properties(LLVMSupport PROPERTIES INTERFACE_LINK_LIBRARIES "${support_libs}")
endif()
