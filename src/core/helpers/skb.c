/* sk_buff data helpers on the run's packet: bpf_skb_load_bytes,
 * bpf_skb_store_bytes, bpf_skb_load_bytes_relative. The packet is linear:
 * skb->data = pkt->data, skb->len = data_end - data, the network header at
 * data + net_off and the MAC header ETH_HLEN before it. Offsets are
 * checked here (the prototype only covers the program-side buffer), with
 * Linux's errors. */
#include "core/helpers/helpers_internal.h"

#define INT_MAX_U32 0x7fffffffu

static uint64_t pkt_len(const struct bpfrt_pkt *pkt)
{
    return (uint64_t)(pkt->data_end - pkt->data);
}

/* (ctx, offset, to, len): -EFAULT with `to` zeroed when [offset, offset+len)
 * is not inside the packet. */
BPFRT_HELPER_DEF(skb_load_bytes)
{
    const struct bpfrt_pkt *pkt = run->pkt;
    uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
    void *to = bpfrt_u2p(r3);
    if (!pkt || off > INT_MAX_U32 || (uint64_t)off + len > pkt_len(pkt)) {
        bpfrt_memset(to, 0, len);
        return bpfrt_helper_err(-BPFRT_EFAULT);
    }
    bpfrt_memmove(to, pkt->data + off, len); /* `to` may be packet memory */
    return 0;
}

/* (ctx, offset, from, len, flags). BPF_F_RECOMPUTE_CSUM only matters for
 * CHECKSUM_COMPLETE skbs and BPF_F_INVALIDATE_HASH clears skb->hash: the
 * test-run model has neither, so both are accepted and have no effect. */
BPFRT_HELPER_DEF(skb_store_bytes)
{
    struct bpfrt_pkt *pkt = run->pkt;
    uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
    uint64_t flags = r5;
    if (flags & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!pkt || off > INT_MAX_U32 || (uint64_t)off + len > pkt_len(pkt))
        return bpfrt_helper_err(-BPFRT_EFAULT);
    bpfrt_memmove(pkt->data + off, bpfrt_u2p(r3), len);
    return 0;
}

/* (ctx, offset, to, len, start_header): like load_bytes but relative to the
 * MAC or network header; the end is the packet's end. */
BPFRT_HELPER_DEF(skb_load_bytes_relative)
{
    const struct bpfrt_pkt *pkt = run->pkt;
    uint32_t off = (uint32_t)r2, len = (uint32_t)r4, hdr = (uint32_t)r5;
    void *to = bpfrt_u2p(r3);
    if (!pkt || off > 0xffff)
        goto fault;
    uintptr_t net = (uintptr_t)pkt->data + pkt->net_off, start;
    if (hdr == BPF_HDR_START_MAC) {
        if (net < (uintptr_t)pkt->buf + BPFRT_ETH_HLEN)
            goto fault; /* no MAC header in the buffer */
        start = net - BPFRT_ETH_HLEN;
    } else if (hdr == BPF_HDR_START_NET) {
        start = net;
    } else {
        goto fault;
    }
    if (start + off + (uint64_t)len > (uintptr_t)pkt->data_end)
        goto fault;
    bpfrt_memmove(to, (const void *)(start + off), len);
    return 0;
fault:
    bpfrt_memset(to, 0, len);
    return bpfrt_helper_err(-BPFRT_EFAULT);
}

/* (ctx, len): makes the first len bytes (0: the linear head) directly
 * accessible and writable. A test-run packet is linear and writable, so
 * this only checks that len bytes exist (Linux: -ENOMEM when it cannot
 * pull them). */
BPFRT_HELPER_DEF(skb_pull_data)
{
    const struct bpfrt_pkt *pkt = run->pkt;
    uint32_t len = (uint32_t)r2;
    if (!pkt)
        return bpfrt_helper_err(-BPFRT_ENOMEM);
    return len <= pkt_len(pkt) ? 0 : bpfrt_helper_err(-BPFRT_ENOMEM);
}

/* Largest skb the resizing helpers allow (Linux's SKB_MAX_ALLOC on 4 KiB
 * pages: four pages less struct skb_shared_info). */
#define SKB_MAX_LEN 16064u

/* (ctx, new_len, flags): grows (zero-filled) or trims the packet to
 * new_len. It must keep the headers before the network header and stay
 * within SKB_MAX_LEN (-EINVAL). Linux reallocates an skb that lacks
 * tailroom; a test-run packet has the room its hook gave it (-ENOMEM
 * beyond: pkt_move.c). */
BPFRT_HELPER_DEF(skb_change_tail)
{
    struct bpfrt_pkt *pkt = run->pkt;
    uint32_t new_len = (uint32_t)r2;
    if (r3 || new_len > SKB_MAX_LEN || !pkt)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    return bpfrt_helper_err(bpfrt_pkt_set_len(run, new_len));
}

/* (ctx, head_room, flags): pushes head_room zeroed bytes in front of the
 * packet, which become the new MAC header; the network header stays where
 * it was. Linux reallocates an skb that lacks headroom; a test-run packet
 * has the headroom its hook gave it (-ENOMEM beyond). */
BPFRT_HELPER_DEF(skb_change_head)
{
    struct bpfrt_pkt *pkt = run->pkt;
    uint32_t head_room = (uint32_t)r2;
    if (!pkt)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uint64_t new_len = pkt_len(pkt) + (uint64_t)head_room;
    if (r3 || new_len > SKB_MAX_LEN)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    int err = bpfrt_pkt_push(run, 0, head_room);
    if (!err)
        pkt->net_off += head_room;
    return bpfrt_helper_err(err);
}
