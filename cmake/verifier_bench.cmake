# The verifier at corpus scale (`make bench` runs it when BPFRT_REAL_CORPUS
# names a corpus): bench/verifier_corpus.c compares verdicts and processed
# instructions with the kernel's, and reports bpfrt's time and peak memory.
add_executable(bench_verifier ${CMAKE_SOURCE_DIR}/bench/verifier_corpus.c)
target_include_directories(bench_verifier PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
target_link_libraries(bench_verifier bpfrt)
