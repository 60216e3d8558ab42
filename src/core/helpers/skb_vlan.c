/* VLAN helpers: bpf_skb_vlan_push and bpf_skb_vlan_pop, as Linux's
 * skb_vlan_push/skb_vlan_pop. An skb carries one tag out of band (Linux's
 * hardware-accelerated tag: __sk_buff.vlan_present/vlan_tci/vlan_proto) and
 * any further tags in the packet after the MAC addresses. Pushing moves an
 * existing out-of-band tag into the packet; popping drops the out-of-band
 * tag (or the outer in-band one) and lifts the next in-band tag out of
 * band. The tag state lives in the __sk_buff at the start of the context,
 * so these helpers need one (-EINVAL without). */
#include "core/helpers/helpers_internal.h"

#define VLAN_HLEN 4u
#define ETH_ALEN 6u

static uint16_t swap16(uint16_t v)
{
    return (uint16_t)(v << 8 | v >> 8);
}
#define BE_8021Q  swap16(0x8100)
#define BE_8021AD swap16(0x88a8)

static bool is_vlan(uint16_t be_proto)
{
    return be_proto == BE_8021Q || be_proto == BE_8021AD;
}

static uint32_t rd32(const uint32_t *p)
{
    uint32_t v;
    bpfrt_memcpy(&v, p, sizeof(v));
    return v;
}

static void wr32(uint32_t *p, uint32_t v)
{
    bpfrt_memcpy(p, &v, sizeof(v));
}

/* Removes the in-band tag after the MAC addresses (Linux's __skb_vlan_pop);
 * the encapsulated EtherType becomes skb->protocol. */
static int pop_inband(struct bpfrt_run *run, struct __sk_buff *skb, uint16_t *tci)
{
    struct bpfrt_pkt *pkt = run->pkt;
    if ((uint64_t)(pkt->data_end - pkt->data) < BPFRT_ETH_HLEN + VLAN_HLEN)
        return -BPFRT_ENOMEM;
    uint8_t *d = pkt->data;
    *tci = (uint16_t)(d[14] << 8 | d[15]);
    uint16_t inner;
    bpfrt_memcpy(&inner, d + 16, 2);
    int err = bpfrt_pkt_pop(run, 2 * ETH_ALEN, VLAN_HLEN); /* the MAC addresses move up */
    if (err)
        return err;
    uint16_t proto;
    if (swap16(inner) >= 0x0600)
        proto = inner;
    else if (pkt->data_end - pkt->data >= 16 && pkt->data[14] == 0xff && pkt->data[15] == 0xff)
        proto = swap16(0x0001); /* ETH_P_802_3 */
    else
        proto = swap16(0x0004); /* ETH_P_802_2 */
    wr32(&skb->protocol, proto);
    pkt->net_off = pkt->net_off >= BPFRT_ETH_HLEN + VLAN_HLEN ? pkt->net_off - VLAN_HLEN : BPFRT_ETH_HLEN;
    return 0;
}

static void put_tag(struct __sk_buff *skb, uint16_t be_proto, uint16_t tci)
{
    wr32(&skb->vlan_present, 1);
    wr32(&skb->vlan_tci, tci);
    wr32(&skb->vlan_proto, be_proto);
}

static void clear_tag(struct __sk_buff *skb)
{
    wr32(&skb->vlan_present, 0);
    wr32(&skb->vlan_tci, 0);
    wr32(&skb->vlan_proto, 0);
}

/* (ctx, vlan_proto, vlan_tci): an unknown proto means 802.1Q. */
BPFRT_HELPER_DEF(skb_vlan_push)
{
    struct bpfrt_pkt *pkt = run->pkt;
    struct __sk_buff *skb = bpfrt_skb_view(run);
    uint16_t proto = (uint16_t)r2, tci = (uint16_t)r3;
    if (!skb || !pkt)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!is_vlan(proto))
        proto = BE_8021Q;
    if (rd32(&skb->vlan_present)) {
        /* the current out-of-band tag goes into the packet, after the MAC
         * addresses (Linux would reallocate an skb without the headroom) */
        if ((uint64_t)(pkt->data_end - pkt->data) < 2 * ETH_ALEN)
            return bpfrt_helper_err(-BPFRT_ENOMEM);
        uint16_t old_proto = (uint16_t)rd32(&skb->vlan_proto);
        uint16_t old_tci = (uint16_t)rd32(&skb->vlan_tci);
        int err = bpfrt_pkt_push(run, 2 * ETH_ALEN, VLAN_HLEN);
        if (err)
            return bpfrt_helper_err(err);
        bpfrt_memcpy(pkt->data + 12, &old_proto, 2);
        pkt->data[14] = (uint8_t)(old_tci >> 8);
        pkt->data[15] = (uint8_t)old_tci;
        wr32(&skb->protocol, old_proto);
        pkt->net_off += VLAN_HLEN;
    }
    put_tag(skb, proto, tci);
    return 0;
}

/* (ctx) */
BPFRT_HELPER_DEF(skb_vlan_pop)
{
    struct bpfrt_pkt *pkt = run->pkt;
    struct __sk_buff *skb = bpfrt_skb_view(run);
    if (!skb || !pkt)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uint16_t tci;
    if (rd32(&skb->vlan_present)) {
        clear_tag(skb);
    } else {
        if (!is_vlan((uint16_t)rd32(&skb->protocol)))
            return 0;
        int err = pop_inband(run, skb, &tci);
        if (err)
            return bpfrt_helper_err(err);
    }
    /* the next in-band tag becomes the out-of-band one */
    uint16_t proto = (uint16_t)rd32(&skb->protocol);
    if (!is_vlan(proto))
        return 0;
    int err = pop_inband(run, skb, &tci);
    if (err)
        return bpfrt_helper_err(err);
    put_tag(skb, proto, tci);
    return 0;
}
