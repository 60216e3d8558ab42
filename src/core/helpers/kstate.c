/* The helpers' per-runtime state (kstate.h): created on first use with one
 * compare-and-swap, so runtimes that never look a route up or hand out a
 * task pay nothing; freed by bpfrt_helpers_fini with the runtime. */
#include "core/helpers/kstate.h"
#include "core/maps/host_objs.h"

struct bpfrt_kstate *bpfrt_kstate(struct bpfrt_runtime *rt)
{
    struct bpfrt_kstate *k = __atomic_load_n(&rt->kstate, __ATOMIC_ACQUIRE);
    if (k)
        return k;
    k = bpfrt_zalloc(rt, sizeof(*k));
    if (!k)
        return NULL;
    struct bpfrt_kstate *expected = NULL;
    if (!__atomic_compare_exchange_n(&rt->kstate, &expected, k, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        bpfrt_free(rt, k, sizeof(*k));
        return expected;
    }
    return k;
}

void bpfrt_kstate_free(struct bpfrt_runtime *rt)
{
    struct bpfrt_kstate *k = rt->kstate;
    if (k) {
        if (k->fib)
            bpfrt_fib_free(rt, k->fib);
        if (k->kobjs)
            bpfrt_kobjs_free(rt, k->kobjs);
        bpfrt_free(rt, k, sizeof(*k));
        rt->kstate = NULL;
    }
    bpfrt_host_objs_free(rt);
}
