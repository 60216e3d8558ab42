# The BPF program corpus (tests/progs/*.bpf.c) and the examples
# (examples/*.bpf.c), compiled with clang -target bpf during the build:
#   progs/v1, v2, v3   clang (14) -O2 -g -mcpu=vN
#   progs/v4           clang-19 -O2 -g -mcpu=v4   (skipped when clang-19 is absent)
#   progs/nog          clang -O2 -mcpu=v3 without -g (no BTF)
#   examples/NAME.o    clang -O2 -g -mcpu=v3
# Everything is skipped cleanly (tests then skip) when clang lacks the BPF target.

find_program(BPFRT_CLANG NAMES clang clang-14)
find_program(BPFRT_CLANG19 NAMES clang-19 PATHS /usr/bin /usr/lib/llvm-19/bin NO_DEFAULT_PATH)

function(bpfrt_clang_has_bpf compiler outvar)
  set(ok FALSE)
  if(compiler)
    set(probe ${CMAKE_BINARY_DIR}/bpf_probe.c)
    file(WRITE ${probe} "int f(void) { return 0; }\n")
    execute_process(COMMAND ${compiler} -O2 -target bpf -c ${probe} -o ${CMAKE_BINARY_DIR}/bpf_probe.o
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
      set(ok TRUE)
    endif()
  endif()
  set(${outvar} ${ok} PARENT_SCOPE)
endfunction()

bpfrt_clang_has_bpf("${BPFRT_CLANG}" BPFRT_HAVE_BPF_CLANG)
bpfrt_clang_has_bpf("${BPFRT_CLANG19}" BPFRT_HAVE_BPF_CLANG19)

set(BPFRT_PROGS_INC ${CMAKE_SOURCE_DIR}/tests/progs/include)
file(GLOB BPFRT_PROG_SRCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/progs/*.bpf.c)
file(GLOB BPFRT_EXAMPLE_SRCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/examples/*.bpf.c)
file(GLOB BPFRT_PROG_HDRS CONFIGURE_DEPENDS ${BPFRT_PROGS_INC}/*.h ${BPFRT_PROGS_INC}/bpf/*.h
     ${CMAKE_SOURCE_DIR}/tests/progs/*.h)
set(BPFRT_PROG_OBJS)

function(bpfrt_bpf_compile compiler src outdir flags)
  get_filename_component(name ${src} NAME)
  string(REPLACE ".bpf.c" ".o" oname ${name})
  set(out ${outdir}/${oname})
  separate_arguments(flag_list UNIX_COMMAND "${flags}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
    COMMAND ${compiler} -target bpf ${flag_list} -Wall -Wno-unused-function
            -I ${BPFRT_PROGS_INC} -I ${CMAKE_SOURCE_DIR}/tests/progs -c ${src} -o ${out}
    DEPENDS ${src} ${BPFRT_PROG_HDRS}
    COMMENT "clang -target bpf ${flags} ${name}"
    VERBATIM)
  set(BPFRT_PROG_OBJS ${BPFRT_PROG_OBJS} ${out} PARENT_SCOPE)
endfunction()

if(BPFRT_HAVE_BPF_CLANG)
  foreach(src ${BPFRT_PROG_SRCS})
    foreach(cpu v1 v2 v3)
      bpfrt_bpf_compile(${BPFRT_CLANG} ${src} ${CMAKE_BINARY_DIR}/progs/${cpu} "-O2 -g -mcpu=${cpu} -DBPFRT_MCPU=${cpu}")
    endforeach()
    bpfrt_bpf_compile(${BPFRT_CLANG} ${src} ${CMAKE_BINARY_DIR}/progs/nog "-O2 -mcpu=v3 -DBPFRT_MCPU=v3 -DBPFRT_NO_DEBUG_INFO")
    if(BPFRT_HAVE_BPF_CLANG19)
      bpfrt_bpf_compile(${BPFRT_CLANG19} ${src} ${CMAKE_BINARY_DIR}/progs/v4 "-O2 -g -mcpu=v4 -DBPFRT_MCPU=v4")
    endif()
  endforeach()
  foreach(src ${BPFRT_EXAMPLE_SRCS})
    bpfrt_bpf_compile(${BPFRT_CLANG} ${src} ${CMAKE_BINARY_DIR}/examples "-O2 -g -mcpu=v3")
  endforeach()
  add_custom_target(bpfrt_progs ALL DEPENDS ${BPFRT_PROG_OBJS})
  foreach(t test_corpus test_corpus_kernel test_loader_pin test_loader_elf test_loader_fuzz test_loader_cli test_loader_core test_btf_parse)
    if(TARGET ${t})
      add_dependencies(${t} bpfrt_progs)
    endif()
  endforeach()
  if(TARGET test_loader_cli AND TARGET bpfrt_cli)
    add_dependencies(test_loader_cli bpfrt_cli) # it runs the CLI
  endif()
else()
  message(WARNING "bpfrt: clang has no BPF target (install clang): the program corpus is not built "
                  "and every test that needs it is SKIPPED")
endif()

# A class of tests that cannot run says so where it is seen: at configure
# time, and as a skipped ctest in every run's summary.
if(NOT BPFRT_HAVE_BPF_CLANG19)
  message(WARNING "bpfrt: no clang-19 (scripts/install-deps.sh installs it): the -mcpu=v4 corpus is not "
                  "built and its runs are SKIPPED")
  add_test(NAME corpus_v4_needs_clang19
    COMMAND sh -c "echo 'SKIPPED: no clang-19, so the -mcpu=v4 corpus (v4 instructions: sdiv, movsx, bswap, ...) is not tested'; exit 77")
  set_tests_properties(corpus_v4_needs_clang19 PROPERTIES SKIP_RETURN_CODE 77)
endif()
