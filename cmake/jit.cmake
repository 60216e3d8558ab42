# The x86-64 JIT: the whole conformance suite in each JIT mode (checked is
# what unverified programs get, trusted runs them without checks, verified
# marks them verified as the verifier would), and through the plugin with
# --engine jit.
foreach(mode jit trusted verified)
  add_test(NAME conformance_${mode} COMMAND run_conformance --engine ${mode})
  set_tests_properties(conformance_${mode} PROPERTIES ENVIRONMENT "${BPFRT_CONF_ENV}" SKIP_RETURN_CODE 77)
endforeach()
add_test(NAME conformance_jit_via_plugin
  COMMAND run_conformance --engine jit --plugin $<TARGET_FILE:bpfrt_conformance_plugin>)
set_tests_properties(conformance_jit_via_plugin PROPERTIES ENVIRONMENT "${BPFRT_CONF_ENV}" SKIP_RETURN_CODE 77)
# The corpus differential test needs the clang-built programs.
if(TARGET bpfrt_progs AND TARGET test_jit_corpus)
  add_dependencies(test_jit_corpus bpfrt_progs)
endif()
# The CLI's --jit, --trusted, --dump-jited and `prog dump jited`.
add_test(NAME cli_jit COMMAND bash ${CMAKE_SOURCE_DIR}/tests/jit/cli_jit_test.sh $<TARGET_FILE:bpfrt_cli> ${CMAKE_BINARY_DIR})
# Concurrent compiles sharing the runtime's compile memory also run under
# ThreadSanitizer (ctest -L tsan, make test-tsan).
if(TARGET test_jit_api)
  set_tests_properties(test_jit_api PROPERTIES LABELS "tsan")
endif()
