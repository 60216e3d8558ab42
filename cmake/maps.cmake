# Maps: the concurrency test also runs under ThreadSanitizer (`ctest -L tsan`
# in a -DBPFRT_TSAN=ON build), and the map benchmark (`make bench` runs
# $BUILD/bench_maps).
if(TEST test_map_concurrency)
  set_tests_properties(test_map_concurrency PROPERTIES LABELS "tsan")
endif()

add_executable(bench_maps ${CMAKE_SOURCE_DIR}/bench/map_bench.c)
target_link_libraries(bench_maps bpfrt)
