/* The runtime object: creates and destroys the platform binding, the object
 * table and the helper table. Allocation lives in lib/alloc.c, so modules that
 * allocate do not depend on the module that creates them. */
#include "bpfrt/jit.h"
#include "bpfrt/prog.h"
#include "bpfrt/btf.h"
#include "core/core.h"

/* The engines this build has. bpfrt_engine_find answers NULL for the
 * others, and a load asking for one falls back to the interpreter
 * (src/core/prog/engine.c). The x86-64 JIT (src/core/jit/) exists on
 * x86-64 hosts; a platform without executable memory still gets the
 * interpreter from the JIT's prepare, with a note. */
static const struct bpfrt_engine_ops *const builtin_engines[BPFRT_ENGINE_COUNT] = {
    [BPFRT_ENGINE_INTERP] = &bpfrt_interp_ops,
#if defined(__x86_64__)
    [BPFRT_ENGINE_JIT] = &bpfrt_jit_ops,
    [BPFRT_ENGINE_JIT_TRUSTED] = &bpfrt_jit_trusted_ops,
#endif
};

/* Default trace sink: the platform log at INFO. */
static void trace_to_platform_log(void *arg, const char *line, size_t len)
{
    struct bpfrt_runtime *rt = arg;
    if (rt->plat->log)
        rt->plat->log(rt->plat->ctx, BPFRT_LOG_INFO, line, len);
}

int bpfrt_runtime_create(const struct bpfrt_platform *platform, struct bpfrt_runtime **out)
{
    *out = 0;
    if (!platform || !platform->alloc || !platform->free)
        return -BPFRT_EINVAL;
    struct bpfrt_runtime *rt = platform->alloc(platform->ctx, sizeof(*rt), 16);
    if (!rt)
        return -BPFRT_ENOMEM;
    rt->plat = platform;
    rt->ncpus = platform->ncpus ? platform->ncpus(platform->ctx) : 1;
    if (rt->ncpus == 0)
        rt->ncpus = 1;
    rt->hash_seed = platform->random_u32 ? platform->random_u32(platform->ctx) : 0x9e3779b9u;
    rt->trace_sink = trace_to_platform_log;
    rt->trace_sink_arg = rt;
    rt->engines = builtin_engines;
    rt->default_engine = BPFRT_ENGINE_INTERP;
    rt->jit_bmi2 = -1;
    int err = bpfrt_objtab_init(rt);
    if (!err) {
        err = bpfrt_helpers_init(rt);
        if (err)
            bpfrt_objtab_fini(rt);
    }
    if (err) {
        platform->free(platform->ctx, rt, sizeof(*rt));
        return err;
    }
    *out = rt;
    return 0;
}

void bpfrt_runtime_destroy(struct bpfrt_runtime *rt)
{
    if (!rt)
        return;
    /* Objects first (they may still reference helpers through programs). */
    bpfrt_objtab_fini(rt);
    /* Deferred frees of maps and programs still use the runtime. */
    if (rt->plat->defer_barrier)
        rt->plat->defer_barrier(rt->plat->ctx);
    bpfrt_helpers_fini(rt);
    if (rt->kernel_btf)
        bpfrt_btf_put(rt->kernel_btf);
    if (rt->scratch)
        bpfrt_free(rt, rt->scratch, *(size_t *)rt->scratch);
    const struct bpfrt_platform *plat = rt->plat;
    plat->free(plat->ctx, rt, sizeof(*rt));
}

void bpfrt_runtime_set_kernel_btf(struct bpfrt_runtime *rt, struct bpfrt_btf *btf)
{
    if (btf)
        bpfrt_btf_get(btf);
    if (rt->kernel_btf)
        bpfrt_btf_put(rt->kernel_btf);
    rt->kernel_btf = btf;
    bpfrt_kobjs_set_btf(rt, btf); /* the kernel objects helpers hand out follow it */
}

struct bpfrt_btf *bpfrt_runtime_kernel_btf(const struct bpfrt_runtime *rt)
{
    return rt->kernel_btf;
}

const struct bpfrt_platform *bpfrt_runtime_platform(const struct bpfrt_runtime *rt)
{
    return rt->plat;
}

void bpfrt_runtime_set_trace_sink(struct bpfrt_runtime *rt, bpfrt_trace_sink sink, void *arg)
{
    if (sink) {
        rt->trace_sink = sink;
        rt->trace_sink_arg = arg;
    } else {
        rt->trace_sink = trace_to_platform_log;
        rt->trace_sink_arg = rt;
    }
}
