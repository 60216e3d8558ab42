# The hosted platform's read-side sections against deferred frees also run
# under ThreadSanitizer (ctest -L tsan, make test-tsan), on both of its
# fences: membarrier (where the kernel has it) and, forced, seq_cst.
if(TEST test_platform_epoch)
  set_tests_properties(test_platform_epoch PROPERTIES LABELS "tsan")
  add_test(NAME test_platform_epoch_seqcst COMMAND test_platform_epoch WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(test_platform_epoch_seqcst PROPERTIES LABELS "tsan"
    ENVIRONMENT "BPFRT_FUZZ_ITERS=${BPFRT_FUZZ_ITERS};BPFRT_HOSTED_MEMBARRIER=0")
endif()
