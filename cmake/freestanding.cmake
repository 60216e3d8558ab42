# The core must build freestanding and reference nothing outside itself.
add_test(NAME freestanding_core
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/freestanding/check.sh ${CMAKE_SOURCE_DIR}
          ${CMAKE_BINARY_DIR}/freestanding ${CMAKE_C_COMPILER})
set_tests_properties(freestanding_core PROPERTIES LABELS "no-sanitize")
