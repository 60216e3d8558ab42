# The bpf() command layer: its concurrency test also runs under
# ThreadSanitizer (`ctest -L tsan`, make test-tsan).
if(TEST test_bpf_concurrency)
  set_tests_properties(test_bpf_concurrency PROPERTIES LABELS "tsan")
endif()
