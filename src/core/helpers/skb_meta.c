/* sk_buff metadata helpers: the packet type, the flow hash and ECN marking.
 * The metadata lives in the user-visible __sk_buff at the start of the
 * context (what the program reads back); without one there is nothing to
 * change. */
#include "core/helpers/helpers_internal.h"

#define PACKET_OTHERHOST 3 /* skb_pkt_type_ok(): host, broadcast, multicast, otherhost */

/* (ctx, pkt_type): only between the first four packet types, as Linux. */
BPFRT_HELPER_DEF(skb_change_type)
{
    struct __sk_buff *skb = bpfrt_skb_view(run);
    uint32_t type = (uint32_t)r2, cur = 0;
    if (skb)
        bpfrt_memcpy(&cur, &skb->pkt_type, sizeof(cur));
    if (cur > PACKET_OTHERHOST || type > PACKET_OTHERHOST)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (skb)
        bpfrt_memcpy(&skb->pkt_type, &type, sizeof(type));
    return 0;
}

/* valid: Linux's sw_hash/l4_hash, which stop bpf_get_hash_recalc from
 * recomputing it */
static void set_skb_hash(struct bpfrt_run *run, uint32_t hash, bool valid)
{
    struct __sk_buff *skb = bpfrt_skb_view(run);
    struct bpfrt_skb_ctx *k = bpfrt_skb_state(run);
    if (skb)
        bpfrt_memcpy(&skb->hash, &hash, sizeof(hash));
    if (k)
        k->hash_valid = valid;
}

/* (ctx): skb->hash = 0 (Linux recomputes it when next asked). */
BPFRT_HELPER_DEF(set_hash_invalid)
{
    set_skb_hash(run, 0, false);
    return 0;
}

/* (ctx, hash): a software hash chosen by the program. */
BPFRT_HELPER_DEF(set_hash)
{
    set_skb_hash(run, (uint32_t)r2, true);
    return 0;
}

static uint16_t swap16(uint16_t v)
{
    return (uint16_t)(v << 8 | v >> 8);
}

/* (ctx): sets ECN "congestion experienced" in the IPv4/IPv6 header when the
 * packet is ECN-capable (IPv4: fixing the header checksum incrementally).
 * Returns 1 when the packet now carries CE (IPv4: also when it already
 * did), 0 otherwise, as Linux's INET_ECN_set_ce. */
BPFRT_HELPER_DEF(skb_ecn_set_ce)
{
    struct bpfrt_pkt *pkt = run->pkt;
    uint16_t proto = bpfrt_skb_protocol(run);
    if (!pkt)
        return 0;
    uint32_t hlen;
    if (proto == swap16(0x0800))
        hlen = 20;
    else if (proto == swap16(0x86dd))
        hlen = 40;
    else
        return 0;
    uint64_t len = (uint64_t)(pkt->data_end - pkt->data);
    /* Linux checks the linear length from skb->data, then that the header
     * after the network offset is complete */
    if (len < hlen || (uint64_t)pkt->net_off + hlen > len)
        return 0;
    uint8_t *ip = pkt->data + pkt->net_off;
    if (hlen == 20) {
        uint32_t ecn = (uint32_t)(ip[1] + 1) & 3; /* NOT_ECT 1, ECT_1 2, ECT_0 3, CE 0 */
        if (!(ecn & 2))
            return !ecn;
        uint16_t check, add = (uint16_t)(swap16(0xfffb) + swap16((uint16_t)ecn));
        bpfrt_memcpy(&check, ip + 10, 2);
        uint16_t sum = (uint16_t)(check + add);
        sum = (uint16_t)(sum + (sum < add));
        bpfrt_memcpy(ip + 10, &sum, 2);
        ip[1] |= 3;
        return 1;
    }
    /* IPv6: traffic class straddles bytes 0 and 1; ECN is its low 2 bits */
    uint8_t dsfield = (uint8_t)(((ip[0] << 8 | ip[1]) >> 4) & 0xff);
    if ((dsfield & 3) == 0)
        return 0;
    ip[1] |= 3 << 4;
    return 1;
}
