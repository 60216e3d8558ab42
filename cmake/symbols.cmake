# Every exported symbol starts with bpfrt_ (nm -g --defined-only).
if(BPFRT_SHARED)
  add_test(NAME exported_symbols COMMAND bash ${CMAKE_SOURCE_DIR}/tests/install/symbols.sh
           $<TARGET_FILE:bpfrt> $<TARGET_FILE:bpfrt_shared>)
else()
  add_test(NAME exported_symbols COMMAND bash ${CMAKE_SOURCE_DIR}/tests/install/symbols.sh $<TARGET_FILE:bpfrt>)
endif()
