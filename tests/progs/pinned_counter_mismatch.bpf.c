// SPDX-License-Identifier: MIT
/* pinned_counter with shared_bytes declared larger: reusing the pinned map
 * must fail (libbpf's compatibility check). */
#define SHARED_ENTRIES 8
#include "pinned_counter.bpf.c"
