/* The interpreter's semantic tests of test_vm_maps.c, hand-derived values
 * and exact error reports included, run JIT-compiled: checked mode for
 * unverified programs, verified mode where they mark the program verified. */
#define VT_JIT 1
#include "test_vm_maps.c"
