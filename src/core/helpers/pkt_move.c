/* The packet's invariants, and the only ways the sk_buff helpers move
 * packet bytes (Linux's bpf_skb_generic_push/pop and skb_put/skb_trim in
 * net/core/filter.c, on the run's one linear buffer):
 *
 *     buf <= data_meta <= data <= data_end <= buf + buf_size
 *     net_off <= data_end - data        (the network header is in the packet)
 *
 * (data_meta NULL: the packet has no metadata). Each primitive checks that
 * every byte it moves lies inside the packet and every byte it claims inside
 * the buffer before it touches memory, so no argument a program passes can
 * move data out of the buffer; the work is charged to the run's budget. A
 * hook (test-run) trusts none of this when it copies out: it checks
 * bpfrt_pkt_valid again. */
#include "core/helpers/helpers_internal.h"

/* One unit of budget per this many bytes moved or cleared. */
#define PKT_BYTES_PER_UNIT 16

bool bpfrt_pkt_valid(const struct bpfrt_pkt *pkt)
{
    if (!pkt || !pkt->buf || !pkt->data || !pkt->data_end)
        return false;
    uintptr_t buf = (uintptr_t)pkt->buf, end = buf + pkt->buf_size;
    uintptr_t data = (uintptr_t)pkt->data, data_end = (uintptr_t)pkt->data_end;
    uintptr_t meta = pkt->data_meta ? (uintptr_t)pkt->data_meta : data;
    return end >= buf && buf <= meta && meta <= data && data <= data_end && data_end <= end &&
           pkt->net_off <= data_end - data;
}

static uint64_t pkt_len(const struct bpfrt_pkt *pkt)
{
    return (uint64_t)(pkt->data_end - pkt->data);
}

static uint64_t meta_len(const struct bpfrt_pkt *pkt)
{
    return pkt->data_meta ? (uint64_t)(pkt->data - pkt->data_meta) : 0;
}

static int charge(struct bpfrt_run *run, uint64_t bytes)
{
    return bpfrt_run_charge(run, 1 + bytes / PKT_BYTES_PER_UNIT) ? 0 : -BPFRT_ELOOP;
}

int bpfrt_pkt_push(struct bpfrt_run *run, uint32_t off, uint32_t len)
{
    struct bpfrt_pkt *pkt = run->pkt;
    if (!bpfrt_pkt_valid(pkt))
        return -BPFRT_EINVAL;
    if (off > pkt_len(pkt))
        return -BPFRT_EFAULT; /* the headers to move are not all in the packet */
    uint64_t meta = meta_len(pkt);
    if ((uint64_t)(pkt->data - pkt->buf) < (uint64_t)len + meta)
        return -BPFRT_ENOMEM; /* Linux's skb_cow_head would reallocate */
    int err = charge(run, meta + off + len);
    if (err)
        return err;
    struct bpfrt_pkt_snap old = bpfrt_pkt_snapshot(pkt);
    if (meta) {
        bpfrt_memmove(pkt->data_meta - len, pkt->data_meta, meta);
        pkt->data_meta -= len;
    }
    pkt->data -= len;
    bpfrt_memmove(pkt->data, pkt->data + len, off);
    bpfrt_memset(pkt->data + off, 0, len);
    bpfrt_skb_publish(run, &old);
    return 0;
}

int bpfrt_pkt_pop(struct bpfrt_run *run, uint32_t off, uint32_t len)
{
    struct bpfrt_pkt *pkt = run->pkt;
    if (!bpfrt_pkt_valid(pkt))
        return -BPFRT_EINVAL;
    if ((uint64_t)off + len > pkt_len(pkt))
        return -BPFRT_EFAULT;
    uint64_t meta = meta_len(pkt);
    int err = charge(run, meta + off);
    if (err)
        return err;
    struct bpfrt_pkt_snap old = bpfrt_pkt_snapshot(pkt);
    bpfrt_memmove(pkt->data + len, pkt->data, off);
    pkt->data += len;
    if (meta) {
        bpfrt_memmove(pkt->data_meta + len, pkt->data_meta, meta);
        pkt->data_meta += len;
    }
    /* the network header stays where it was in the bytes */
    if (pkt->net_off > pkt_len(pkt))
        pkt->net_off = (uint32_t)pkt_len(pkt);
    bpfrt_skb_publish(run, &old);
    return 0;
}

int bpfrt_pkt_set_len(struct bpfrt_run *run, uint32_t len)
{
    struct bpfrt_pkt *pkt = run->pkt;
    if (!bpfrt_pkt_valid(pkt))
        return -BPFRT_EINVAL;
    if (len < pkt->net_off)
        return -BPFRT_EINVAL;
    if (len > (uint64_t)(pkt->buf + pkt->buf_size - pkt->data))
        return -BPFRT_ENOMEM; /* Linux would reallocate for more tailroom */
    uint64_t cur = pkt_len(pkt);
    int err = charge(run, len > cur ? len - cur : 0);
    if (err)
        return err;
    struct bpfrt_pkt_snap old = bpfrt_pkt_snapshot(pkt);
    if (len > cur)
        bpfrt_memset(pkt->data + cur, 0, len - cur);
    pkt->data_end = pkt->data + len;
    bpfrt_skb_publish(run, &old);
    return 0;
}
