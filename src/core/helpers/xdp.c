/* XDP buffer helpers on the run's packet. The buffer is
 *   pkt->buf | Linux's struct xdp_frame reserve (40 bytes) | headroom | meta | data .. data_end | tailroom | buf + buf_size
 * so, as in Linux: the head may grow down to buf + 40 + metadata length and
 * must keep ETH_HLEN bytes; the tail may grow up to the end of the buffer
 * (the hook sizes it: Linux's frame end minus skb_shared_info) and must
 * keep ETH_HLEN bytes; metadata is at most 255 bytes in 4-byte steps.
 * A packet without metadata support has data_meta == NULL. Every new
 * layout lies inside the buffer (the invariants of pkt_move.c). */
#include "core/helpers/helpers_internal.h"

/* (ctx, delta): data += delta (negative grows the head). */
BPFRT_HELPER_DEF(xdp_adjust_head)
{
    struct bpfrt_pkt *pkt = run->pkt;
    int32_t delta = (int32_t)r2;
    if (!bpfrt_pkt_valid(pkt))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uintptr_t data = (uintptr_t)pkt->data, meta = (uintptr_t)pkt->data_meta;
    uintptr_t metalen = meta ? data - meta : 0;
    intptr_t lo = (intptr_t)((uintptr_t)pkt->buf + BPFRT_XDP_FRAME_RESERVE + metalen);
    intptr_t hi = (intptr_t)((uintptr_t)pkt->data_end - BPFRT_ETH_HLEN);
    intptr_t nd = (intptr_t)data + delta;
    if (nd < lo || nd > hi)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    struct bpfrt_pkt_snap old = bpfrt_pkt_snapshot(pkt);
    if (meta) {
        if (metalen)
            bpfrt_memmove((void *)(meta + delta), (void *)meta, metalen);
        pkt->data_meta = (uint8_t *)(meta + delta);
    }
    pkt->data = (uint8_t *)nd;
    bpfrt_pkt_resync(run, &old);
    return 0;
}

/* (ctx, delta): data_end += delta; grown bytes are zeroed. */
BPFRT_HELPER_DEF(xdp_adjust_tail)
{
    struct bpfrt_pkt *pkt = run->pkt;
    int32_t delta = (int32_t)r2;
    if (!bpfrt_pkt_valid(pkt))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    intptr_t ne = (intptr_t)(uintptr_t)pkt->data_end + delta;
    if (ne > (intptr_t)((uintptr_t)pkt->buf + pkt->buf_size))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (ne < (intptr_t)((uintptr_t)pkt->data + BPFRT_ETH_HLEN))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (delta > 0 && !bpfrt_run_charge(run, 1 + (uint32_t)delta / 16))
        return bpfrt_helper_err(-BPFRT_ELOOP);
    struct bpfrt_pkt_snap old = bpfrt_pkt_snapshot(pkt);
    if (delta > 0)
        bpfrt_memset(pkt->data_end, 0, (size_t)delta);
    pkt->data_end = (uint8_t *)ne;
    bpfrt_pkt_resync(run, &old);
    return 0;
}

/* (ctx, delta): data_meta += delta (negative grows the metadata). */
BPFRT_HELPER_DEF(xdp_adjust_meta)
{
    struct bpfrt_pkt *pkt = run->pkt;
    int32_t delta = (int32_t)r2;
    if (!bpfrt_pkt_valid(pkt) || !pkt->data_meta)
        return bpfrt_helper_err(-BPFRT_ENOTSUPP);
    intptr_t nm = (intptr_t)(uintptr_t)pkt->data_meta + delta;
    if (nm < (intptr_t)((uintptr_t)pkt->buf + BPFRT_XDP_FRAME_RESERVE) ||
        nm > (intptr_t)(uintptr_t)pkt->data)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uintptr_t metalen = (uintptr_t)pkt->data - (uintptr_t)nm;
    if ((metalen & 3) || metalen > BPFRT_XDP_META_MAX)
        return bpfrt_helper_err(-BPFRT_EACCES);
    struct bpfrt_pkt_snap old = bpfrt_pkt_snapshot(pkt);
    pkt->data_meta = (uint8_t *)nm;
    bpfrt_pkt_resync(run, &old);
    return 0;
}

BPFRT_HELPER_DEF(xdp_get_buff_len)
{
    const struct bpfrt_pkt *pkt = run->pkt;
    return pkt ? (uint64_t)(pkt->data_end - pkt->data) : 0;
}

/* Shared bounds rule of xdp_load_bytes/xdp_store_bytes (bpf_xdp_pointer). */
static int xdp_range(const struct bpfrt_pkt *pkt, uint32_t off, uint32_t len)
{
    if (off > 0xffff || len > 0xffff)
        return -BPFRT_EFAULT;
    if (!pkt || (uint64_t)off + len > (uint64_t)(pkt->data_end - pkt->data))
        return -BPFRT_EINVAL;
    return 0;
}

/* (ctx, offset, buf, len) */
BPFRT_HELPER_DEF(xdp_load_bytes)
{
    int err = xdp_range(run->pkt, (uint32_t)r2, (uint32_t)r4);
    if (err)
        return bpfrt_helper_err(err);
    bpfrt_memmove(bpfrt_u2p(r3), run->pkt->data + (uint32_t)r2, (uint32_t)r4); /* buf may be packet memory */
    return 0;
}

BPFRT_HELPER_DEF(xdp_store_bytes)
{
    int err = xdp_range(run->pkt, (uint32_t)r2, (uint32_t)r4);
    if (err)
        return bpfrt_helper_err(err);
    bpfrt_memmove(run->pkt->data + (uint32_t)r2, bpfrt_u2p(r3), (uint32_t)r4);
    return 0;
}
