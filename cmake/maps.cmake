# Maps: the concurrency tests (maps alone, per-CPU LRU lists, real programs on several
# threads) also run under ThreadSanitizer (`ctest -L tsan`
# in a -DBPFRT_TSAN=ON build), and the map benchmark (`make bench` runs
# $BUILD/bench_maps).
foreach(t test_map_concurrency test_map_progs test_map_lru)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES LABELS "tsan")
  endif()
endforeach()

add_executable(bench_maps ${CMAKE_SOURCE_DIR}/bench/map_bench.c)
target_link_libraries(bench_maps bpfrt)
