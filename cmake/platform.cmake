# The hosted platform's read-side sections against deferred frees also run
# under ThreadSanitizer (ctest -L tsan, make test-tsan).
if(TEST test_platform_epoch)
  set_tests_properties(test_platform_epoch PROPERTIES LABELS "tsan")
endif()
