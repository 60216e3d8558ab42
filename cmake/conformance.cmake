# Conformance: the bpf_conformance runner over the shared suite, and
# end-to-end tests of the official runner's plugin (built with the tools in
# CMakeLists.txt) and `bpfrt run`.
add_executable(run_conformance ${CMAKE_SOURCE_DIR}/tests/conformance/run_conformance.c)
target_include_directories(run_conformance PRIVATE ${CMAKE_SOURCE_DIR}/tools/conformance_plugin)
target_link_libraries(run_conformance bpfrt)
target_compile_definitions(run_conformance PRIVATE BPFRT_SHARED_DEFAULT="${BPFRT_SHARED_DIR}")

set(BPFRT_CONF_ENV "BPFRT_SHARED=${BPFRT_SHARED_DIR};BPFRT_BUILD=${CMAKE_BINARY_DIR}")

# All 313 suite tests plus the benchmark programs' small-input data files.
add_test(NAME conformance COMMAND run_conformance)
# Malformed programs: none may pass, none may crash.
add_test(NAME conformance_negative COMMAND run_conformance --negative)
set_tests_properties(conformance conformance_negative PROPERTIES
  ENVIRONMENT "${BPFRT_CONF_ENV}" SKIP_RETURN_CODE 77)

add_test(NAME conformance_plugin
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/conformance/plugin_test.sh $<TARGET_FILE:bpfrt_conformance_plugin>)
add_test(NAME cli_run
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/conformance/cli_run_test.sh $<TARGET_FILE:bpfrt_cli>)
set_tests_properties(conformance_plugin cli_run PROPERTIES
  ENVIRONMENT "${BPFRT_CONF_ENV}" SKIP_RETURN_CODE 77)

# The whole suite again, each program through a plugin process exactly as
# the official bpf_conformance runner drives it.
add_test(NAME conformance_via_plugin
  COMMAND run_conformance --plugin $<TARGET_FILE:bpfrt_conformance_plugin>)
set_tests_properties(conformance_via_plugin PROPERTIES
  ENVIRONMENT "${BPFRT_CONF_ENV}" SKIP_RETURN_CODE 77)

# The interpreter's concurrency test also runs under ThreadSanitizer
# (ctest -L tsan, make test-tsan).
if(TEST test_vm_threads)
  set_tests_properties(test_vm_threads PROPERTIES LABELS "tsan")
endif()
