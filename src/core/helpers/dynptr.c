/* Dynptrs (kernel/bpf/helpers.c, kernel/bpf/ringbuf.c): a struct
 * bpf_dynptr on the program's stack describing memory - {data, size with
 * its type and read-only bit, offset} - read and written through helpers:
 * bpf_dynptr_from_mem, bpf_ringbuf_reserve/submit/discard_dynptr,
 * bpf_dynptr_read, bpf_dynptr_write, bpf_dynptr_data, and the one
 * bpf_user_ringbuf_drain hands its callback for each sample.
 *
 * A checked run cannot trust a dynptr's bytes (they are program stack the
 * program may overwrite), so every access through one must also land in
 * memory the run may touch - what it was made from. */
#include "core/helpers/helpers_internal.h"
#include "core/maps/map_family.h"

/* struct bpf_dynptr_kern */
struct dynptr {
    uint8_t *data;
    uint32_t size;               /* low 24 bits size, bits 28-30 type, bit 31 read-only */
    uint32_t offset;
};
_Static_assert(sizeof(struct dynptr) == 16, "struct bpf_dynptr is 16 bytes");

#define DYNPTR_MAX_SIZE ((1u << 24) - 1)
#define DYNPTR_SIZE_MASK 0xffffffu
#define DYNPTR_TYPE_SHIFT 28
#define DYNPTR_RDONLY (1u << 31)
enum { DYNPTR_TYPE_INVALID, DYNPTR_TYPE_LOCAL, DYNPTR_TYPE_RINGBUF };

static void dynptr_init(struct dynptr *d, void *data, uint32_t type, uint32_t size)
{
    d->data = data;
    d->offset = 0;
    d->size = size | type << DYNPTR_TYPE_SHIFT;
}

static void dynptr_set_null(struct dynptr *d)
{
    bpfrt_memset(d, 0, sizeof(*d));
}

static uint32_t dynptr_size(const struct dynptr *d) { return d->size & DYNPTR_SIZE_MASK; }
static uint32_t dynptr_type(const struct dynptr *d) { return (d->size >> DYNPTR_TYPE_SHIFT) & 7; }

/* bpf_dynptr_check_off_len */
static int check_off_len(const struct dynptr *d, uint32_t off, uint32_t len)
{
    uint32_t size = dynptr_size(d);
    return len > size || off > size - len ? -BPFRT_E2BIG : 0;
}

/* The bytes at off..off+len of d, or NULL when a checked run may not
 * touch them (the run then fails). */
static uint8_t *dynptr_bytes(struct bpfrt_run *run, const struct dynptr *d, uint32_t off, uint32_t len, bool write)
{
    uint8_t *p = d->data + d->offset + off;
    if (bpfrt_run_check_access(run, (uint64_t)(uintptr_t)p, len, write))
        return p;
    bpfrt_run_fail(run, BPFRT_RUN_BAD_HELPER_ARG, (uint64_t)(uintptr_t)p,
                   "dynptr: %u bytes at 0x%llx are not memory this program may %s", len,
                   (unsigned long long)(uintptr_t)p, write ? "write" : "read");
    return NULL;
}

/* bpf_dynptr_from_mem(data, size, flags, ptr): a local dynptr over the
 * program's memory; -E2BIG above 16 MiB - 1, -EINVAL for flags (ptr then
 * null). */
BPFRT_HELPER_DEF(dynptr_from_mem)
{
    struct dynptr *d = bpfrt_u2p(r4);
    uint32_t size = (uint32_t)r2;
    if (size > DYNPTR_MAX_SIZE || r3) {
        dynptr_set_null(d);
        return bpfrt_helper_err(size > DYNPTR_MAX_SIZE ? -BPFRT_E2BIG : -BPFRT_EINVAL);
    }
    dynptr_init(d, bpfrt_u2p(r1), DYNPTR_TYPE_LOCAL, size);
    return 0;
}

/* bpf_dynptr_read(dst, len, src, offset, flags) */
BPFRT_HELPER_DEF(dynptr_read)
{
    uint8_t *dst = bpfrt_u2p(r1);
    uint32_t len = (uint32_t)r2, off = (uint32_t)r4;
    const struct dynptr *src = bpfrt_u2p(r3);
    if (!src->data || r5)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    int err = check_off_len(src, off, len);
    if (err)
        return bpfrt_helper_err(err);
    const uint8_t *p = dynptr_bytes(run, src, off, len, false);
    if (p)
        bpfrt_memmove(dst, p, len);
    return 0;
}

/* bpf_dynptr_write(dst, offset, src, len, flags) */
BPFRT_HELPER_DEF(dynptr_write)
{
    const struct dynptr *dst = bpfrt_u2p(r1);
    uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
    if (!dst->data || (dst->size & DYNPTR_RDONLY) || r5)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    int err = check_off_len(dst, off, len);
    if (err)
        return bpfrt_helper_err(err);
    uint8_t *p = dynptr_bytes(run, dst, off, len, true);
    if (p)
        bpfrt_memmove(p, bpfrt_u2p(r3), len);
    return 0;
}

/* bpf_dynptr_data(ptr, offset, len): a pointer to len bytes inside, or
 * NULL (null or read-only dynptr, out of bounds). */
BPFRT_HELPER_DEF(dynptr_data)
{
    const struct dynptr *d = bpfrt_u2p(r1);
    uint32_t off = (uint32_t)r2, len = (uint32_t)r3;
    if (!d->data || check_off_len(d, off, len) || (d->size & DYNPTR_RDONLY))
        return 0;
    uint8_t *p = dynptr_bytes(run, d, off, len, true);
    if (p)
        bpfrt_run_add_region(run, p, len, true);
    return (uint64_t)(uintptr_t)p;
}

/* ---- ring buffer records as dynptrs ---- */

static void discard_record(void *sample) { bpfrt_ringbuf_discard(sample, 0); }

/* bpf_ringbuf_reserve_dynptr(map, size, flags, ptr): 0, or the dynptr is
 * null and -E2BIG / -EINVAL (flags) / -EAGAIN (no room). The record is a
 * reference until submitted or discarded. */
BPFRT_HELPER_DEF(ringbuf_reserve_dynptr)
{
    struct bpfrt_map *map = bpfrt_u2p(r1);
    uint32_t size = (uint32_t)r2;
    struct dynptr *d = bpfrt_u2p(r4);
    int err = 0;
    if (r2 > DYNPTR_MAX_SIZE)
        err = -BPFRT_E2BIG;
    else if (r3)
        err = -BPFRT_EINVAL;
    void *rec = err || !map || map->map_type != BPF_MAP_TYPE_RINGBUF ? NULL : bpfrt_ringbuf_reserve(map, size, 0);
    if (rec && bpfrt_run_ref_acquire(run, rec, discard_record, "ring buffer record") != 0) {
        bpfrt_ringbuf_discard(rec, 0);
        rec = NULL;
    }
    if (!rec) {
        dynptr_set_null(d);
        return bpfrt_helper_err(err ? err : -BPFRT_EAGAIN);
    }
    bpfrt_run_add_region(run, rec, size, true);
    dynptr_init(d, rec, DYNPTR_TYPE_RINGBUF, size);
    return 0;
}

static uint64_t ringbuf_commit_dynptr(struct bpfrt_run *run, struct dynptr *d, uint64_t flags, bool discard)
{
    void *rec = d->data;
    if (!rec)
        return 0;
    if (dynptr_type(d) != DYNPTR_TYPE_RINGBUF || !bpfrt_run_ref_held(run, rec)) {
        bpfrt_run_fail(run, BPFRT_RUN_BAD_HELPER_ARG, (uint64_t)(uintptr_t)rec,
                       "dynptr: not a ring buffer record this program reserved");
        return 0;
    }
    bpfrt_run_ref_drop(run, rec);
    bpfrt_run_remove_region(run, rec);
    if (discard)
        bpfrt_ringbuf_discard(rec, flags);
    else
        bpfrt_ringbuf_submit(rec, flags);
    dynptr_set_null(d);
    return 0;
}

BPFRT_HELPER_DEF(ringbuf_submit_dynptr)
{
    return ringbuf_commit_dynptr(run, bpfrt_u2p(r1), r2, false);
}

BPFRT_HELPER_DEF(ringbuf_discard_dynptr)
{
    return ringbuf_commit_dynptr(run, bpfrt_u2p(r1), r2, true);
}

/* ---- bpf_user_ringbuf_drain ---- */

struct drain_state {
    struct bpfrt_run *run;
    uint64_t func, ctx;
};

/* One sample: the callback gets a local dynptr over it (on this helper's
 * stack) and, in a checked run, may touch both for the call only. */
static int drain_one(void *arg, void *sample, uint32_t size)
{
    struct drain_state *st = arg;
    struct bpfrt_run *run = st->run;
    struct dynptr d;
    dynptr_init(&d, sample, DYNPTR_TYPE_LOCAL, size);
    uint32_t mark = bpfrt_run_scope_begin(run);
    uint64_t ret = 0;
    int err = bpfrt_run_scope_add(run, &d, sizeof(d), false);
    if (!err && size)
        err = bpfrt_run_scope_add(run, sample, size, true);
    if (!err)
        err = bpfrt_run_callback(run, st->func, (uint64_t)(uintptr_t)&d, st->ctx, 0, 0, 0, &ret);
    bpfrt_run_scope_end(run, mark);
    return err ? err : ret ? 1 : 0;
}

/* bpf_user_ringbuf_drain(map, callback, ctx, flags): callback(dynptr, ctx)
 * for each sample user space submitted, until it returns 1; the number of
 * samples handed to it, -EINVAL (flags other than the wakeup ones),
 * -EBUSY (another drain), or a bad header's error. */
BPFRT_HELPER_DEF(user_ringbuf_drain)
{
    if (r4 & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    struct drain_state st = { run, r2, r3 };
    return (uint64_t)bpfrt_user_ringbuf_drain(bpfrt_u2p(r1), drain_one, &st);
}
