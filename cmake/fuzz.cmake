# Coverage-guided fuzzing (tests/fuzz/, docs/fuzzing.md).
#  - every build: the seed corpora (fuzz-seeds/<target>/, made by
#    fuzz_seedgen from the conformance suite, the assembly examples and the
#    clang-built program corpus) and one replay executable per target
#    (fuzz_replay_<target>: the target's LLVMFuzzerTestOneInput fed from
#    files, no libFuzzer), registered as ctests over the regression inputs
#    and the seeds;
#  - BPFRT_FUZZ=ON (clang only; `make fuzz` uses build-fuzz/): the library
#    instrumented for coverage with ASan+UBSan, and one libFuzzer executable
#    per target (fuzz_<target>), built by the fuzz_targets target.
# The body runs deferred, at the end of the top-level CMakeLists.txt, because
# it needs the program corpus that progs.cmake (sorted after this file) sets up.
option(BPFRT_FUZZ "Build the libFuzzer targets (clang: -fsanitize=fuzzer,address,undefined)" OFF)
set(BPFRT_FUZZ_TARGETS elf btf asm exec)

function(bpfrt_fuzz_setup)
  set(src ${CMAKE_SOURCE_DIR}/tests/fuzz)
  set(seeds ${CMAKE_BINARY_DIR}/fuzz-seeds)

  if(BPFRT_FUZZ)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
      message(FATAL_ERROR "BPFRT_FUZZ=ON needs clang (cmake -DCMAKE_C_COMPILER=clang); `make fuzz` does this")
    endif()
    include(CheckCSourceCompiles)
    set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer")
    set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=fuzzer")
    check_c_source_compiles("#include <stdint.h>
#include <stddef.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }" BPFRT_HAVE_LIBFUZZER)
    if(NOT BPFRT_HAVE_LIBFUZZER)
      unset(BPFRT_HAVE_LIBFUZZER CACHE) # probe again once it is installed
      message(FATAL_ERROR "clang cannot link -fsanitize=fuzzer: libFuzzer's runtime is missing "
                          "(Debian: apt-get install libclang-rt-14-dev; `bash scripts/install-deps.sh fuzz`)")
    endif()
    # Coverage for the whole library (the freestanding core is its own
    # object library); the sanitizers reach every executable that links it.
    set(san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    set(cov -fsanitize=fuzzer-no-link -fsanitize-coverage-ignorelist=${src}/coverage-ignore.txt)
    # clang 14 -Werror refuses the hash table's list sentinels (a struct with
    # a flexible array member embedded in another, src/core/maps/maps_impl.h),
    # which gcc accepts; until that changes, the fuzz build lets them be.
    set(lax -Wno-gnu-variable-sized-type-not-at-end)
    foreach(lib bpfrt_core bpfrt)
      if(TARGET ${lib})
        target_compile_options(${lib} PRIVATE ${cov} ${san} ${lax})
      endif()
    endforeach()
    # The assembler matches each line against every template, character by
    # character: with comparison tracing that is a third of fuzz_asm's time,
    # and the dictionary (asm.dict) already holds the tokens it would learn.
    # Edge coverage stays.
    set_source_files_properties(${CMAKE_SOURCE_DIR}/src/core/isa/asm.c
      PROPERTIES COMPILE_OPTIONS -fno-sanitize-coverage=trace-cmp)
    target_compile_options(bpfrt INTERFACE ${san})
    target_link_options(bpfrt INTERFACE ${san})
  endif()

  add_executable(fuzz_seedgen ${src}/seedgen.c)
  target_include_directories(fuzz_seedgen PRIVATE ${CMAKE_SOURCE_DIR}/tools/conformance_plugin)
  target_link_libraries(fuzz_seedgen bpfrt)

  set(args)
  set(deps fuzz_seedgen)
  foreach(d tests negative)
    set(dir ${BPFRT_SHARED_DIR}/conformance/${d})
    if(IS_DIRECTORY ${dir})
      file(GLOB f CONFIGURE_DEPENDS ${dir}/*.data)
      list(APPEND args --conf ${dir})
      list(APPEND deps ${f})
    endif()
  endforeach()
  file(GLOB f CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/examples/asm/*)
  list(APPEND args --asm ${CMAKE_SOURCE_DIR}/examples/asm)
  list(APPEND deps ${f})
  if(BPFRT_HAVE_BPF_CLANG)
    foreach(d v1 v2 v3 v4 nog)
      if(d STREQUAL "v4" AND NOT BPFRT_HAVE_BPF_CLANG19)
        continue()
      endif()
      list(APPEND args --obj ${CMAKE_BINARY_DIR}/progs/${d})
    endforeach()
    list(APPEND args --obj ${CMAKE_BINARY_DIR}/examples)
    list(APPEND deps ${BPFRT_PROG_OBJS})
  endif()
  add_custom_command(OUTPUT ${seeds}/stamp
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${seeds}
    COMMAND fuzz_seedgen ${seeds} ${args}
    COMMAND ${CMAKE_COMMAND} -E touch ${seeds}/stamp
    DEPENDS ${deps}
    COMMENT "Generating the fuzz seed corpora in fuzz-seeds/"
    VERBATIM)
  add_custom_target(fuzz_seeds ALL DEPENDS ${seeds}/stamp)

  set(fuzzers)
  foreach(t ${BPFRT_FUZZ_TARGETS})
    add_executable(fuzz_replay_${t} ${src}/fuzz_${t}.c ${src}/replay_main.c)
    target_link_libraries(fuzz_replay_${t} bpfrt)
    add_test(NAME fuzz_replay_${t}
      COMMAND fuzz_replay_${t} ${src}/regressions/${t} ${seeds}/${t})
    set_tests_properties(fuzz_replay_${t} PROPERTIES SKIP_RETURN_CODE 77 LABELS fuzz)
    if(BPFRT_FUZZ)
      add_executable(fuzz_${t} ${src}/fuzz_${t}.c)
      target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
      target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
      target_link_libraries(fuzz_${t} bpfrt)
      list(APPEND fuzzers fuzz_${t})
    endif()
  endforeach()
  if(BPFRT_FUZZ)
    # Target-level dependencies (add_custom_target's DEPENDS is for files):
    # building fuzz_targets relinks each fuzzer against the library as it is.
    add_custom_target(fuzz_targets)
    add_dependencies(fuzz_targets ${fuzzers} fuzz_seeds)
  endif()
endfunction()

cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL bpfrt_fuzz_setup)
