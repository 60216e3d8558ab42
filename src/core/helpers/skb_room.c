/* Header room helpers of tc programs: bpf_skb_adjust_room (insert or remove
 * room after the MAC or the base network header, for encapsulation and
 * decapsulation) and bpf_skb_change_proto (IPv4 <-> IPv6 header room), with
 * Linux 6.18's checks and errors. The packet is the run's linear skb: the
 * MAC header at data, the network header at data + net_off. Inserted room
 * is zeroed and the headers before it move to the new front (pkt_move.c:
 * bytes move only inside the packet and its buffer). Linux
 * reallocates an skb that lacks headroom; a test-run packet has the room
 * its hook gave it (-ENOMEM beyond). Linux also remembers that an skb was
 * encapsulated (a second encapsulation gives -EALREADY) and keeps inner
 * header offsets and GSO state; bpfrt models none of that. */
#include "core/helpers/helpers_internal.h"

#define ADJ_ROOM_FIXED_GSO     (1ULL << 0)
#define ADJ_ROOM_ENCAP_L3_IPV4 (1ULL << 1)
#define ADJ_ROOM_ENCAP_L3_IPV6 (1ULL << 2)
#define ADJ_ROOM_ENCAP_L4_GRE  (1ULL << 3)
#define ADJ_ROOM_ENCAP_L4_UDP  (1ULL << 4)
#define ADJ_ROOM_NO_CSUM_RESET (1ULL << 5)
#define ADJ_ROOM_ENCAP_L2_ETH  (1ULL << 6)
#define ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)
#define ADJ_ROOM_ENCAP_L2_SHIFT 56
#define ADJ_ROOM_ENCAP_L3_MASK (ADJ_ROOM_ENCAP_L3_IPV4 | ADJ_ROOM_ENCAP_L3_IPV6)
#define ADJ_ROOM_DECAP_L3_MASK (ADJ_ROOM_DECAP_L3_IPV4 | ADJ_ROOM_DECAP_L3_IPV6)
#define ADJ_ROOM_MASK (ADJ_ROOM_FIXED_GSO | ADJ_ROOM_ENCAP_L3_MASK | ADJ_ROOM_ENCAP_L4_GRE | \
                       ADJ_ROOM_ENCAP_L4_UDP | ADJ_ROOM_ENCAP_L2_ETH | \
                       (0xffULL << ADJ_ROOM_ENCAP_L2_SHIFT) | ADJ_ROOM_DECAP_L3_MASK)
enum { ADJ_ROOM_NET = 0, ADJ_ROOM_MAC = 1 };

#define SKB_MAX_LEN 16064u
#define IPV4_HLEN 20u
#define IPV6_HLEN 40u

/* Network-order EtherTypes as skb->protocol holds them. */
static uint16_t be16(uint16_t v)
{
    return (uint16_t)(v << 8 | v >> 8);
}
#define PROTO_IP   be16(0x0800)
#define PROTO_IPV6 be16(0x86dd)

static uint64_t pkt_len(const struct bpfrt_pkt *pkt)
{
    return (uint64_t)(pkt->data_end - pkt->data);
}

static int net_grow(struct bpfrt_run *run, uint32_t off, uint32_t len, uint64_t flags,
                    uint16_t proto)
{
    uint32_t inner_mac_len = (uint32_t)(flags >> ADJ_ROOM_ENCAP_L2_SHIFT);
    bool encap = flags & ADJ_ROOM_ENCAP_L3_MASK;
    if (encap) {
        if ((flags & ADJ_ROOM_ENCAP_L3_IPV4) && (flags & ADJ_ROOM_ENCAP_L3_IPV6))
            return -BPFRT_EINVAL;
        if ((flags & ADJ_ROOM_ENCAP_L4_GRE) && (flags & ADJ_ROOM_ENCAP_L4_UDP))
            return -BPFRT_EINVAL;
        if ((flags & ADJ_ROOM_ENCAP_L2_ETH) && inner_mac_len < BPFRT_ETH_HLEN)
            return -BPFRT_EINVAL;
        if (inner_mac_len > len)
            return -BPFRT_EINVAL;
    }
    int err = bpfrt_pkt_push(run, off, len);
    if (err)
        return err;
    if (encap) {
        /* the outer header's family becomes skb->protocol */
        if (proto == PROTO_IP && (flags & ADJ_ROOM_ENCAP_L3_IPV6))
            bpfrt_skb_set_protocol(run, PROTO_IPV6);
        else if (proto == PROTO_IPV6 && (flags & ADJ_ROOM_ENCAP_L3_IPV4))
            bpfrt_skb_set_protocol(run, PROTO_IP);
    }
    return 0;
}

static int net_shrink(struct bpfrt_run *run, uint32_t off, uint32_t len, uint64_t flags,
                      uint16_t proto)
{
    if (flags & ~(ADJ_ROOM_FIXED_GSO | ADJ_ROOM_DECAP_L3_MASK | ADJ_ROOM_NO_CSUM_RESET))
        return -BPFRT_EINVAL;
    int err = bpfrt_pkt_pop(run, off, len);
    if (err)
        return err;
    if (proto == PROTO_IP && (flags & ADJ_ROOM_DECAP_L3_IPV6))
        bpfrt_skb_set_protocol(run, PROTO_IPV6);
    else if (proto == PROTO_IPV6 && (flags & ADJ_ROOM_DECAP_L3_IPV4))
        bpfrt_skb_set_protocol(run, PROTO_IP);
    return 0;
}

/* sk_skb programs' variant: room at the front only, no mode or flags. */
static uint64_t sk_skb_adjust_room(struct bpfrt_run *run, int32_t len_diff, uint32_t mode,
                                   uint64_t flags)
{
    struct bpfrt_pkt *pkt = run->pkt;
    uint32_t abs = len_diff < 0 ? 0u - (uint32_t)len_diff : (uint32_t)len_diff;
    if (flags || mode)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (abs > 0xfff)
        return bpfrt_helper_err(-BPFRT_EFAULT);
    if (!pkt)
        return bpfrt_helper_err(-BPFRT_ENOMEM);
    int err = len_diff < 0 ? bpfrt_pkt_pop(run, 0, abs) : bpfrt_pkt_push(run, 0, abs);
    return bpfrt_helper_err(err);
}

/* (ctx, len_diff, mode, flags) */
BPFRT_HELPER_DEF(skb_adjust_room)
{
    struct bpfrt_pkt *pkt = run->pkt;
    int32_t len_diff = (int32_t)r2;
    uint32_t mode = (uint32_t)r3;
    uint64_t flags = r4;
    if (bpfrt_helper_prog_type(run) == BPF_PROG_TYPE_SK_SKB)
        return sk_skb_adjust_room(run, len_diff, mode, flags);
    uint32_t abs = len_diff < 0 ? 0u - (uint32_t)len_diff : (uint32_t)len_diff;
    bool shrink = len_diff < 0;
    if (flags & ~(ADJ_ROOM_MASK | ADJ_ROOM_NO_CSUM_RESET))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (abs > 0xfff)
        return bpfrt_helper_err(-BPFRT_EFAULT);
    uint16_t proto = bpfrt_skb_protocol(run);
    if (!pkt || (proto != PROTO_IP && proto != PROTO_IPV6))
        return bpfrt_helper_err(-BPFRT_ENOTSUPP);
    uint32_t base = proto == PROTO_IP ? IPV4_HLEN : IPV6_HLEN;
    uint32_t off = pkt->net_off; /* the MAC header's length */
    if (mode == ADJ_ROOM_NET)
        off += base;
    else if (mode != ADJ_ROOM_MAC)
        return bpfrt_helper_err(-BPFRT_ENOTSUPP);
    uint32_t len_min = base;
    if (flags & ADJ_ROOM_DECAP_L3_MASK) {
        if (!shrink)
            return bpfrt_helper_err(-BPFRT_EINVAL);
        switch (flags & ADJ_ROOM_DECAP_L3_MASK) {
        case ADJ_ROOM_DECAP_L3_IPV4:
            len_min = IPV4_HLEN;
            break;
        case ADJ_ROOM_DECAP_L3_IPV6:
            len_min = IPV6_HLEN;
            break;
        default:
            return bpfrt_helper_err(-BPFRT_EINVAL);
        }
    }
    uint64_t len = pkt_len(pkt);
    uint64_t len_cur = len > pkt->net_off ? len - pkt->net_off : 0;
    if ((shrink && (abs >= len_cur || len_cur - abs < len_min)) ||
        (!shrink && len + abs > SKB_MAX_LEN))
        return bpfrt_helper_err(-BPFRT_ENOTSUPP);
    int err = shrink ? net_shrink(run, off, abs, flags, proto) : net_grow(run, off, abs, flags, proto);
    /* the inner headers' checksums were verified for the old outer ones */
    if (!err && !(flags & ADJ_ROOM_NO_CSUM_RESET))
        bpfrt_skb_reset_csum_unnecessary(run);
    return bpfrt_helper_err(err);
}

/* (ctx, proto, flags): IPv4 -> IPv6 inserts 20 zeroed bytes after the MAC
 * header, IPv6 -> IPv4 removes 20; the program rewrites the header. */
BPFRT_HELPER_DEF(skb_change_proto)
{
    struct bpfrt_pkt *pkt = run->pkt;
    uint16_t to = (uint16_t)r2;
    if (r3)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uint16_t from = bpfrt_skb_protocol(run);
    if (!pkt)
        return bpfrt_helper_err(-BPFRT_ENOTSUPP);
    int err;
    if (from == PROTO_IP && to == PROTO_IPV6) {
        err = bpfrt_pkt_push(run, pkt->net_off, IPV6_HLEN - IPV4_HLEN);
    } else if (from == PROTO_IPV6 && to == PROTO_IP) {
        err = bpfrt_pkt_pop(run, pkt->net_off, IPV6_HLEN - IPV4_HLEN);
    } else {
        return bpfrt_helper_err(-BPFRT_ENOTSUPP);
    }
    if (!err)
        bpfrt_skb_set_protocol(run, to);
    return bpfrt_helper_err(err);
}
