/* Ring buffer helpers (BPF_MAP_TYPE_RINGBUF), over the map layer's
 * producer API (kernel/bpf/ringbuf.c). A reserved record is returned as
 * RET_PTR_TO_MEM_OR_NULL of `size` bytes: the checked interpreter adds it as
 * a region. It is also a reference, as in Linux's verifier: a checked run
 * tracks it from reserve to submit/discard, and discards a record the
 * program still holds at exit (a busy record would block the consumer, and
 * so every producer's later records, forever). */
#include "core/helpers/helpers_internal.h"

static bool is_ringbuf(const struct bpfrt_map *map)
{
    return map && map->map_type == BPF_MAP_TYPE_RINGBUF;
}

BPFRT_HELPER_DEF(ringbuf_output)
{
    struct bpfrt_map *map = bpfrt_u2p(r1);
    if (!is_ringbuf(map))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    return (uint64_t)bpfrt_ringbuf_output(map, bpfrt_u2p(r2), r3, r4);
}

static void discard_record(void *sample)
{
    bpfrt_ringbuf_discard(sample, 0);
}

BPFRT_HELPER_DEF(ringbuf_reserve)
{
    struct bpfrt_map *map = bpfrt_u2p(r1);
    if (!is_ringbuf(map))
        return 0;
    void *rec = bpfrt_ringbuf_reserve(map, r2, r3);
    if (rec && bpfrt_run_ref_acquire(run, rec, discard_record, "ring buffer record") != 0) {
        /* the run holds as many as it may: as if the ring were full */
        bpfrt_ringbuf_discard(rec, 0);
        return 0;
    }
    return (uint64_t)(uintptr_t)rec;
}

/* The record is the consumer's now: no longer a reference of the run,
 * nor memory the program may touch. */
static void release_record(struct bpfrt_run *run, void *rec)
{
    bpfrt_run_ref_drop(run, rec);
    bpfrt_run_remove_region(run, rec);
}

BPFRT_HELPER_DEF(ringbuf_submit)
{
    release_record(run, bpfrt_u2p(r1));
    bpfrt_ringbuf_submit(bpfrt_u2p(r1), r2);
    return 0;
}

BPFRT_HELPER_DEF(ringbuf_discard)
{
    release_record(run, bpfrt_u2p(r1));
    bpfrt_ringbuf_discard(bpfrt_u2p(r1), r2);
    return 0;
}

BPFRT_HELPER_DEF(ringbuf_query)
{
    struct bpfrt_map *map = bpfrt_u2p(r1);
    if (!is_ringbuf(map))
        return 0;
    return bpfrt_ringbuf_query(map, r2);
}
