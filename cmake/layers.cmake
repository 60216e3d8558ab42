# No call cycle between src/core folders (beyond prog arrays holding programs).
add_test(NAME core_layers
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/layers/check.sh $<TARGET_OBJECTS:bpfrt_core>
  COMMAND_EXPAND_LISTS)
