/* test_vm_alu.c JIT-compiled with constant blinding: the same results. */
#define VT_JIT 1
#define VT_JIT_BLIND 1
#include "test_vm_alu.c"
