# Included after progs.cmake (fragments load in sorted order): needs BPFRT_HAVE_BPF_CLANG.
# examples/embed.c: the embedding walk-through, built like a user would and
# run against the clang-built XDP firewall (skipped without a BPF clang).
add_executable(example_embed ${CMAKE_SOURCE_DIR}/examples/embed.c)
target_link_libraries(example_embed bpfrt)
if(BPFRT_HAVE_BPF_CLANG)
  add_dependencies(example_embed bpfrt_progs)
  add_test(NAME example_embed COMMAND example_embed ${CMAKE_BINARY_DIR}/examples/xdp_firewall.o)
  set_tests_properties(example_embed PROPERTIES PASS_REGULAR_EXPRESSION "counters: 2 dropped, 2 passed")
endif()

# make install, then a user's builds of the example against the installed
# tree (pkg-config, find_package with the shared and the static library).
if(BPFRT_HAVE_BPF_CLANG AND BPFRT_SHARED)
  add_test(NAME install_and_embed
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/install/check.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR} ${CMAKE_C_COMPILER})
  set_tests_properties(install_and_embed PROPERTIES LABELS "no-sanitize"
    PASS_REGULAR_EXPRESSION "counters: 2 dropped, 2 passed(.|\n)*install check: all passed")
endif()

# make demo, as a test: every step must succeed (it stops at the first failure).
add_test(NAME demo COMMAND bash ${CMAKE_SOURCE_DIR}/examples/demo.sh ${CMAKE_BINARY_DIR})
set_tests_properties(demo PROPERTIES LABELS "no-sanitize")

# The README's "$ " examples, pasted in order: each runs and prints what the README shows.
if(BPFRT_HAVE_BPF_CLANG)
  add_test(NAME readme_examples
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/install/readme.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
endif()
