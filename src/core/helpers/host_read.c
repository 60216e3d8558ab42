/* What the helpers that read arbitrary addresses may reach: bpf_probe_read_*,
 * bpf_copy_from_user and the %s/%pks/%pus/%pi4/%pI4/%pi6/%pI6 conversions
 * of the printf helpers. Linux offers these to privileged tracing, where
 * "any kernel address" is the point (mm/maccess.c copy_from_kernel_nofault);
 * a process running other people's programs must choose what they may see:
 *
 *   always       the run's own readable memory (a checked run's regions)
 *   NONE         nothing more (the default)
 *   RANGES       the ranges the embedder registered
 *   ALL          the whole process (tracing tools such as the CLI opt in)
 *
 * The platform's fault-safe copy stays the mechanism; this file only decides
 * whether to use it. A refused read looks like a fault (-EFAULT, zeroed
 * destination). Ranges are replaced copy-on-write and the old list freed
 * through the platform's deferred free, so they may change while programs
 * run. */
#include "core/helpers/helpers_internal.h"

struct host_range {
    uintptr_t start, end;
};

struct bpfrt_host_ranges {
    struct bpfrt_runtime *rt;
    size_t bytes;
    size_t count;
    struct host_range r[];
};

static struct bpfrt_host_reads *state(const struct bpfrt_runtime *rt)
{
    return bpfrt_helper_host_reads(rt);
}

int bpfrt_runtime_set_host_reads(struct bpfrt_runtime *rt, enum bpfrt_host_read_policy policy)
{
    struct bpfrt_host_reads *st = rt ? state(rt) : NULL;
    if (!st || (unsigned)policy > BPFRT_HOST_READS_ALL)
        return -BPFRT_EINVAL;
    __atomic_store_n(&st->policy, (uint32_t)policy, __ATOMIC_RELEASE);
    return 0;
}

enum bpfrt_host_read_policy bpfrt_runtime_host_reads(const struct bpfrt_runtime *rt)
{
    struct bpfrt_host_reads *st = rt ? state(rt) : NULL;
    return st ? (enum bpfrt_host_read_policy)__atomic_load_n(&st->policy, __ATOMIC_ACQUIRE)
              : BPFRT_HOST_READS_NONE;
}

static void ranges_free(void *arg)
{
    struct bpfrt_host_ranges *h = arg;
    bpfrt_free(h->rt, h, h->bytes);
}

static void writer_lock(struct bpfrt_host_reads *st)
{
    while (__atomic_exchange_n(&st->writer, 1, __ATOMIC_ACQUIRE))
        ;
}

static void writer_unlock(struct bpfrt_host_reads *st)
{
    __atomic_store_n(&st->writer, 0, __ATOMIC_RELEASE);
}

/* Publishes `next` (may be NULL: no ranges) and retires the current list. */
static void publish(struct bpfrt_runtime *rt, struct bpfrt_host_reads *st, struct bpfrt_host_ranges *next)
{
    struct bpfrt_host_ranges *old = __atomic_exchange_n(&st->ranges, next, __ATOMIC_ACQ_REL);
    if (!old)
        return;
    const struct bpfrt_platform *p = rt->plat;
    if (p->defer_free)
        p->defer_free(p->ctx, ranges_free, old);
    else
        ranges_free(old);
}

/* A copy of the current list with room for `extra` more, or NULL. */
static struct bpfrt_host_ranges *ranges_copy(struct bpfrt_runtime *rt, const struct bpfrt_host_ranges *cur, size_t extra)
{
    size_t n = (cur ? cur->count : 0) + extra, bytes;
    if (bpfrt_mul_overflow(n, sizeof(struct host_range), &bytes) || bytes > SIZE_MAX - sizeof(struct bpfrt_host_ranges))
        return NULL;
    bytes += sizeof(struct bpfrt_host_ranges);
    struct bpfrt_host_ranges *h = bpfrt_zalloc(rt, bytes);
    if (!h)
        return NULL;
    h->rt = rt;
    h->bytes = bytes;
    h->count = cur ? cur->count : 0;
    if (cur && cur->count)
        bpfrt_memcpy(h->r, cur->r, cur->count * sizeof(struct host_range));
    return h;
}

int bpfrt_runtime_allow_host_read(struct bpfrt_runtime *rt, const void *start, size_t size)
{
    struct bpfrt_host_reads *st = rt ? state(rt) : NULL;
    uintptr_t s = (uintptr_t)start, e = s + size;
    if (!st || !size || e < s)
        return -BPFRT_EINVAL;
    writer_lock(st);
    struct bpfrt_host_ranges *next = ranges_copy(rt, st->ranges, 1);
    if (!next) {
        writer_unlock(st);
        return -BPFRT_ENOMEM;
    }
    next->r[next->count++] = (struct host_range){ s, e };
    publish(rt, st, next);
    writer_unlock(st);
    return 0;
}

int bpfrt_runtime_disallow_host_read(struct bpfrt_runtime *rt, const void *start, size_t size)
{
    struct bpfrt_host_reads *st = rt ? state(rt) : NULL;
    uintptr_t s = (uintptr_t)start, e = s + size;
    if (!st)
        return -BPFRT_EINVAL;
    writer_lock(st);
    const struct bpfrt_host_ranges *cur = st->ranges;
    size_t at = 0;
    while (cur && at < cur->count && !(cur->r[at].start == s && cur->r[at].end == e))
        at++;
    if (!cur || at == cur->count) {
        writer_unlock(st);
        return -BPFRT_ENOENT;
    }
    struct bpfrt_host_ranges *next = NULL;
    if (cur->count > 1) {
        next = ranges_copy(rt, cur, 0);
        if (!next) {
            writer_unlock(st);
            return -BPFRT_ENOMEM;
        }
        next->r[at] = next->r[--next->count];
    }
    publish(rt, st, next);
    writer_unlock(st);
    return 0;
}

void bpfrt_host_reads_fini(struct bpfrt_runtime *rt, struct bpfrt_host_reads *st)
{
    struct bpfrt_host_ranges *h = st->ranges;
    st->ranges = NULL;
    if (h)
        ranges_free(h);
    (void)rt;
}

/* Bytes readable from addr (up to `want`) under the run's own memory and
 * the policy; 0 when addr is not readable at all. */
static size_t allowed_span(const struct bpfrt_run *run, uintptr_t addr, size_t want)
{
    struct bpfrt_host_reads *st = state(run->rt);
    uint32_t policy = st ? __atomic_load_n(&st->policy, __ATOMIC_ACQUIRE) : BPFRT_HOST_READS_NONE;
    if (policy == BPFRT_HOST_READS_ALL)
        return want;
    size_t best = run->checked ? bpfrt_helper_span(run, (const void *)addr) : 0;
    if (addr >= run->stack_lo && addr < run->stack_hi && run->stack_hi - addr > best)
        best = run->stack_hi - addr; /* the run's own stack (verified runs have no regions) */
    /* the kernel objects the runtime made for programs (a task_struct and
     * what it points to) are the runtime's own, readable under any policy */
    size_t kobj = 0;
    if (bpfrt_kernel_object_range(run->rt, (const void *)addr, &kobj) && kobj > best)
        best = kobj;
    if (policy == BPFRT_HOST_READS_RANGES) {
        const struct bpfrt_host_ranges *h = __atomic_load_n(&st->ranges, __ATOMIC_ACQUIRE);
        for (size_t i = 0; h && i < h->count; i++)
            if (addr >= h->r[i].start && addr < h->r[i].end && h->r[i].end - addr > best)
                best = h->r[i].end - addr;
    }
    return best < want ? best : want;
}

int bpfrt_host_read(struct bpfrt_run *run, void *dst, const void *src, size_t size, bool user)
{
    const struct bpfrt_platform *p = run->rt->plat;
    if (!size)
        return 0;
    if (allowed_span(run, (uintptr_t)src, size) < size || !p->probe_read) {
        bpfrt_memset(dst, 0, size);
        return -BPFRT_EFAULT;
    }
    return p->probe_read(p->ctx, dst, src, size, user);
}

long bpfrt_host_read_str(struct bpfrt_run *run, void *dst, const void *src, size_t size, bool user)
{
    const struct bpfrt_platform *p = run->rt->plat;
    if (!size)
        return 0;
    size_t span = allowed_span(run, (uintptr_t)src, size);
    if (!span || !p->probe_read_str) {
        bpfrt_memset(dst, 0, size);
        return -BPFRT_EFAULT;
    }
    if (span == size)
        return p->probe_read_str(p->ctx, dst, src, size, user);
    /* Read at most span bytes; a string that does not end inside them runs
     * into memory the run may not read: a fault there. */
    long n = p->probe_read_str(p->ctx, dst, src, span + 1, user);
    if (n > (long)span) {
        bpfrt_memset(dst, 0, size);
        return -BPFRT_EFAULT;
    }
    return n;
}
