/* Allocation and logging through the runtime's platform: the one place every
 * core module allocates from (see core.h). */
#include "core/core.h"

void *bpfrt_zalloc_aligned(struct bpfrt_runtime *rt, size_t size, size_t align)
{
    if (size == 0)
        size = 1;
    return rt->plat->alloc(rt->plat->ctx, size, align);
}

void *bpfrt_zalloc(struct bpfrt_runtime *rt, size_t size)
{
    return bpfrt_zalloc_aligned(rt, size, 16);
}

void bpfrt_free(struct bpfrt_runtime *rt, void *ptr, size_t size)
{
    if (ptr)
        rt->plat->free(rt->plat->ctx, ptr, size ? size : 1);
}

void bpfrt_logf(struct bpfrt_runtime *rt, enum bpfrt_log_level level, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = bpfrt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (rt->plat->log)
        rt->plat->log(rt->plat->ctx, level, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
