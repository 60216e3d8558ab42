/* The compile's working memory: one block, reused from compile to compile.
 *
 * A compile needs a dozen arrays proportional to the program (decoded
 * instructions, the emitted code, the jump records, the layout), all freed
 * at its end. Fresh from the allocator each time they cost more than the
 * compile itself: the platform's allocator zeroes them and, for large
 * sizes, the host maps fresh pages, each a page fault on first touch (about
 * 60% of a 100,000-instruction compile here). So the runtime keeps one
 * block (rt->scratch, its size in its first word), which a compile takes
 * with an atomic exchange and hands out by bumping a pointer; concurrent
 * compiles find it taken and use a block of their own. A compile that
 * outgrows the block takes the rest from the allocator and leaves behind a
 * block big enough for itself. Linux's JIT has no such cache: it allocates
 * per compile (bpf_int_jit_compile's kvcalloc of addrs). */
#include "core/jit/jit.h"

#define SCRATCH_MAX ((size_t)64 << 20) /* a bigger block is not kept */
#define SCRATCH_HDR 64                 /* the block's size, then the arrays */

static size_t round16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

void bpfrt_jit_scratch_begin(struct jit_ctx *c)
{
    struct jit_scratch *s = &c->scratch;
    /* (heap[] is read only below nheap: not cleared) */
    s->base = __atomic_exchange_n(&c->prog->rt->scratch, NULL, __ATOMIC_ACQUIRE);
    s->size = s->base ? *(size_t *)s->base : 0;
    s->used = SCRATCH_HDR;
    s->need = SCRATCH_HDR;
    s->nheap = 0;
}

void *bpfrt_jit_scratch_more(struct jit_ctx *c, size_t size, bool zero)
{
    struct jit_scratch *s = &c->scratch;
    (void)zero; /* the allocator's memory is zeroed */
    if (s->nheap == sizeof(s->heap) / sizeof(s->heap[0]))
        return NULL;
    void *p = bpfrt_zalloc(c->prog->rt, size);
    if (p) {
        s->heap[s->nheap].p = p;
        s->heap[s->nheap++].size = size;
    }
    return p;
}

void bpfrt_jit_scratch_end(struct jit_ctx *c)
{
    struct jit_scratch *s = &c->scratch;
    struct bpfrt_runtime *rt = c->prog->rt;
    for (unsigned i = 0; i < s->nheap; i++)
        bpfrt_free(rt, s->heap[i].p, s->heap[i].size);
    uint8_t *keep = s->base;
    if (s->nheap && s->need <= SCRATCH_MAX) {
        /* outgrown: a block that fits this compile (a quarter more) */
        bpfrt_free(rt, keep, keep ? s->size : 0);
        size_t size = round16(s->need + s->need / 4);
        keep = bpfrt_zalloc(rt, size);
        if (keep)
            *(size_t *)keep = size;
    }
    if (!keep)
        return;
    void *expected = NULL;
    if (!__atomic_compare_exchange_n(&rt->scratch, &expected, keep, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        bpfrt_free(rt, keep, *(size_t *)keep); /* another compile returned one first */
}
