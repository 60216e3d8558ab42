# `make bench`: the eight CPU benchmarks of shared/bench, built with its own
# Makefile into the build tree (never into the source tree), run natively and
# in the interpreter by bench/bench_cpu.c. Not part of the default build or
# of ctest: timings are reported by bench/run.sh, never asserted.
set(BPFRT_BENCH_SRC ${BPFRT_SHARED_DIR}/bench)
if(EXISTS ${BPFRT_BENCH_SRC}/Makefile)
  set(BPFRT_BENCH_OUT ${CMAKE_BINARY_DIR}/bench-out)
  set(BPFRT_BENCH_NAMES sum32 crc32 fnv1a sieve bubble fib modexp packets)
  set(bench_objs)
  set(bench_outputs ${BPFRT_BENCH_OUT}/inputs.stamp)
  set(bench_sources ${BPFRT_BENCH_SRC}/bench.h ${BPFRT_BENCH_SRC}/inputs.h ${BPFRT_BENCH_SRC}/gen_inputs.c)
  foreach(n ${BPFRT_BENCH_NAMES})
    list(APPEND bench_objs ${BPFRT_BENCH_OUT}/${n}.native.o)
    list(APPEND bench_outputs ${BPFRT_BENCH_OUT}/${n}.native.o ${BPFRT_BENCH_OUT}/${n}.bin)
    list(APPEND bench_sources ${BPFRT_BENCH_SRC}/${n}.c)
  endforeach()
  add_custom_command(OUTPUT ${bench_outputs}
    COMMAND make -s -C ${BPFRT_BENCH_SRC} OUT=${BPFRT_BENCH_OUT}
    DEPENDS ${bench_sources}
    COMMENT "Building the benchmark programs from shared/bench into bench-out/")
  set_source_files_properties(${bench_objs} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  # The verified column's twins (bench/twins/NAME.c: XDP programs the
  # verifier accepts), compiled by clang as shared/bench compiles its own.
  find_program(BPFRT_CLANG NAMES clang clang-14)
  set(BPFRT_BENCH_TWINS sum32 fnv1a fib modexp packets)
  set(twin_objs)
  foreach(n ${BPFRT_BENCH_TWINS})
    add_custom_command(OUTPUT ${BPFRT_BENCH_OUT}/twin_${n}.o
      COMMAND ${BPFRT_CLANG} -O2 -target bpf -mcpu=v3 -Wall -c ${CMAKE_SOURCE_DIR}/bench/twins/${n}.c
              -o ${BPFRT_BENCH_OUT}/twin_${n}.o
      DEPENDS ${CMAKE_SOURCE_DIR}/bench/twins/${n}.c ${CMAKE_SOURCE_DIR}/bench/twins/twin.h ${bench_outputs}
      COMMENT "Building the benchmark twin ${n} into bench-out/")
    list(APPEND twin_objs ${BPFRT_BENCH_OUT}/twin_${n}.o)
  endforeach()
  add_custom_target(bench_twins DEPENDS ${twin_objs})
  add_executable(bench_cpu EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/bench/bench_cpu.c
    ${CMAKE_SOURCE_DIR}/bench/bench_compile.c ${CMAKE_SOURCE_DIR}/bench/bench_ubpf.c ${bench_objs})
  target_link_libraries(bench_cpu bpfrt m)
  add_dependencies(bench_cpu bench_twins)
  # uBPF beside bpfrt: a build the user made from uBPF's own sources
  # (libubpf.a and its headers in one directory; the project never fetches
  # or builds it), which bench/run.sh passes as BPFRT_UBPF_DIR.
  set(BPFRT_UBPF_DIR "" CACHE PATH "a directory with uBPF's libubpf.a and ubpf.h (make bench measures it beside bpfrt)")
  if(BPFRT_UBPF_DIR AND EXISTS ${BPFRT_UBPF_DIR}/libubpf.a)
    target_compile_definitions(bench_cpu PRIVATE BPFRT_BENCH_UBPF)
    target_include_directories(bench_cpu PRIVATE ${BPFRT_UBPF_DIR} ${BPFRT_UBPF_DIR}/inc ${BPFRT_UBPF_DIR}/src/vm/inc)
    target_link_libraries(bench_cpu ${BPFRT_UBPF_DIR}/libubpf.a)
  endif()
endif()
