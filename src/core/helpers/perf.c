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
