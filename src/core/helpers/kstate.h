/* Internal to src/core/helpers: the runtime's state behind the helpers that
 * see host objects - the routing table (fib.c), the fabricated kernel
 * objects and the target BTF that lays them out (kobj.c) - created on first
 * use and freed with the runtime. */
#ifndef BPFRT_KSTATE_H
#define BPFRT_KSTATE_H

#include "core/helpers/helpers_internal.h"
#include "core/maps/maps_impl.h" /* bpfrt_raw_spin_lock */

struct bpfrt_fib;
struct bpfrt_kobjs;

struct bpfrt_kstate {
    uint32_t lock;               /* creation of the parts below */
    struct bpfrt_fib *fib;
    struct bpfrt_kobjs *kobjs;
};

/* The runtime's state, created on first use; NULL when out of memory. */
struct bpfrt_kstate *bpfrt_kstate(struct bpfrt_runtime *rt);
void bpfrt_kstate_free(struct bpfrt_runtime *rt);

/* Parts' destructors (each file frees its own). */
void bpfrt_fib_free(struct bpfrt_runtime *rt, struct bpfrt_fib *fib);
void bpfrt_kobjs_free(struct bpfrt_runtime *rt, struct bpfrt_kobjs *k);

#endif
