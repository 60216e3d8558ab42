# Only bpfrt_ symbols, and only the public API exported from a shared build.
add_test(NAME symbols
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/symbols/check.sh ${CMAKE_SOURCE_DIR}
          $<TARGET_FILE:bpfrt> ${CMAKE_BINARY_DIR}/symbols ${CMAKE_C_COMPILER})
set_tests_properties(symbols PROPERTIES LABELS "no-sanitize")
