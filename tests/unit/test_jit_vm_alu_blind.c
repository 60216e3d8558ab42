/* test_vm_alu.c JIT-compiled with constant blinding: the same results. */
#define VT_JIT (1 | BPFRT_JIT_BLIND)
#include "test_vm_alu.c"
