/* bpf_perf_event_output(ctx, map, flags, data, size): appends a record to
 * a BPF_MAP_TYPE_PERF_EVENT_ARRAY buffer (flags & BPF_F_INDEX_MASK selects
 * it; BPF_F_CURRENT_CPU = the run's CPU). For packet programs Linux also
 * accepts BPF_F_CTXLEN_MASK: that many bytes of the packet are appended to
 * the record after `data`. */
#include "core/helpers/helpers_internal.h"

#define PT_PACKET (BPFRT_PT_SKB | PT(XDP))

BPFRT_HELPER_DEF(perf_event_output)
{
    struct bpfrt_map *map = bpfrt_u2p(r2);
    uint64_t flags = r3;
    const void *data = bpfrt_u2p(r4);
    uint64_t size = r5;
    bool packet_prog = (BPFRT_PROG_TYPE_BIT(bpfrt_helper_prog_type(run)) & PT_PACKET) != 0;
    uint64_t allowed = BPF_F_INDEX_MASK | (packet_prog ? BPF_F_CTXLEN_MASK : 0);
    if (flags & ~allowed)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!map || map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uint64_t ctx_len = (flags & BPF_F_CTXLEN_MASK) >> 32;
    uint64_t index = flags & BPF_F_INDEX_MASK;
    if (!ctx_len)
        return (uint64_t)bpfrt_perf_event_output(map, index, data, size, run->cpu);

    const struct bpfrt_pkt *pkt = run->pkt;
    if (!pkt || ctx_len > (uint64_t)(pkt->data_end - pkt->data))
        return bpfrt_helper_err(-BPFRT_EFAULT);
    if (!bpfrt_run_charge(run, ctx_len / 16)) /* the packet bytes copied */
        return bpfrt_helper_err(-BPFRT_ELOOP);
    size_t total = (size_t)size + (size_t)ctx_len;
    uint8_t *rec = bpfrt_zalloc(run->rt, total);
    if (!rec)
        return bpfrt_helper_err(-BPFRT_ENOMEM);
    if (size)
        bpfrt_memcpy(rec, data, size);
    bpfrt_memcpy(rec + size, pkt->data, ctx_len);
    long ret = bpfrt_perf_event_output(map, index, rec, total, run->cpu);
    bpfrt_free(run->rt, rec, total);
    return (uint64_t)ret;
}

/* bpf_perf_event_read(map, flags): the counter at flags & BPF_F_INDEX_MASK
 * (BPF_F_CURRENT_CPU: the run's CPU), or an error in the same u64 (Linux's
 * UAPI cannot tell small negative counts from errors either). */
BPFRT_HELPER_DEF(perf_event_read)
{
    uint64_t flags = r2;
    if (flags & ~BPF_F_INDEX_MASK)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    struct bpfrt_perf_counter_value v;
    int err = bpfrt_perf_event_read_counter(bpfrt_u2p(r1), flags & BPF_F_INDEX_MASK, run->cpu, &v);
    return err ? bpfrt_helper_err(err) : v.counter;
}

/* bpf_perf_event_read_value(map, flags, buf, size): counter, time enabled
 * and time running into buf (size must be 24); buf is zeroed on error. */
BPFRT_HELPER_DEF(perf_event_read_value)
{
    uint64_t flags = r2;
    struct bpf_perf_event_value *buf = bpfrt_u2p(r3);
    uint32_t size = (uint32_t)r4;
    int err = -BPFRT_EINVAL;
    struct bpfrt_perf_counter_value v;
    if (size == sizeof(*buf) && !(flags & ~BPF_F_INDEX_MASK))
        err = bpfrt_perf_event_read_counter(bpfrt_u2p(r1), flags & BPF_F_INDEX_MASK, run->cpu, &v);
    if (err) {
        bpfrt_memset(buf, 0, size);
        return bpfrt_helper_err(err);
    }
    buf->counter = v.counter;
    buf->enabled = v.enabled;
    buf->running = v.running;
    return 0;
}

/* bpf_perf_prog_read_value(ctx, buf, size): the counter of the perf event
 * that ran the program. bpfrt runs perf_event programs on a context the
 * hook gives, with no perf event behind it: -EINVAL and a zeroed buf, as
 * Linux answers for an event it cannot read (-EINVAL too for a size other
 * than 24). */
BPFRT_HELPER_DEF(perf_prog_read_value)
{
    bpfrt_memset(bpfrt_u2p(r2), 0, (uint32_t)r3);
    return bpfrt_helper_err(-BPFRT_EINVAL);
}
