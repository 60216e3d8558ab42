/* sk_buff state helpers beyond __sk_buff: the checksum state
 * (bpf_csum_level, bpf_csum_update) and the flow hash
 * (bpf_get_hash_recalc), kept in struct bpfrt_skb_ctx as Linux keeps
 * ip_summed, csum_level, csum and l4_hash/sw_hash in the sk_buff. */
#include "core/helpers/helpers_internal.h"

#define SKB_MAX_CSUM_LEVEL 3
enum { CSUM_LEVEL_QUERY, CSUM_LEVEL_INC, CSUM_LEVEL_DEC, CSUM_LEVEL_RESET };

void bpfrt_skb_reset_csum_unnecessary(struct bpfrt_run *run)
{
    struct bpfrt_skb_ctx *k = bpfrt_skb_state(run);
    if (k && k->ip_summed == BPFRT_CHECKSUM_UNNECESSARY) {
        k->ip_summed = BPFRT_CHECKSUM_NONE;
        k->csum_level = 0;
    }
}

/* (ctx, level): Linux's __skb_{incr,decr,reset}_checksum_unnecessary, or
 * the current level (-EACCES unless CHECKSUM_UNNECESSARY). */
BPFRT_HELPER_DEF(csum_level)
{
    struct bpfrt_skb_ctx *k = bpfrt_skb_state(run);
    if (r2 > CSUM_LEVEL_RESET)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!k)
        return r2 == CSUM_LEVEL_QUERY ? bpfrt_helper_err(-BPFRT_EACCES) : 0;
    switch (r2) {
    case CSUM_LEVEL_QUERY:
        return k->ip_summed == BPFRT_CHECKSUM_UNNECESSARY ? k->csum_level : bpfrt_helper_err(-BPFRT_EACCES);
    case CSUM_LEVEL_INC:
        if (k->ip_summed == BPFRT_CHECKSUM_UNNECESSARY) {
            if (k->csum_level < SKB_MAX_CSUM_LEVEL)
                k->csum_level++;
        } else if (k->ip_summed == BPFRT_CHECKSUM_NONE) {
            k->ip_summed = BPFRT_CHECKSUM_UNNECESSARY;
            k->csum_level = 0;
        }
        return 0;
    case CSUM_LEVEL_DEC:
        if (k->ip_summed == BPFRT_CHECKSUM_UNNECESSARY) {
            if (k->csum_level == 0)
                k->ip_summed = BPFRT_CHECKSUM_NONE;
            else
                k->csum_level--;
        }
        return 0;
    default:
        bpfrt_skb_reset_csum_unnecessary(run);
        return 0;
    }
}

/* (ctx, csum): folds a bpf_csum_diff result into a CHECKSUM_COMPLETE skb's
 * csum and returns the new csum; other skbs (every test run's) have no
 * csum to update: -ENOTSUPP. */
BPFRT_HELPER_DEF(csum_update)
{
    struct bpfrt_skb_ctx *k = bpfrt_skb_state(run);
    if (!k || k->ip_summed != BPFRT_CHECKSUM_COMPLETE)
        return bpfrt_helper_err(-BPFRT_ENOTSUPP);
    k->csum = bpfrt_csum_add(k->csum, (uint32_t)r2);
    return k->csum;
}

static uint32_t rol32(uint32_t w, unsigned s)
{
    return w << s | w >> (32 - s);
}

static uint32_t mix_word(uint32_t h, uint32_t w)
{
    w *= 0xcc9e2d51u;
    w = rol32(w, 15) * 0x1b873593u;
    h ^= w;
    return rol32(h, 13) * 5 + 0xe6546b64u;
}

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The flow hash Linux's flow dissector gives a packet: L3 protocol, IP
 * protocol, addresses and (for TCP/UDP/SCTP/UDP-Lite, first fragments) the
 * ports, ordered so both directions of a flow hash alike, never 0. The
 * mixing differs from Linux's siphash with a boot-time random key, whose
 * values no program can predict anyway; the properties programs rely on
 * (stable per flow, symmetric, non-zero) hold. */
static uint32_t flow_hash(struct bpfrt_run *run)
{
    const struct bpfrt_pkt *pkt = run->pkt;
    uint16_t be_proto = bpfrt_skb_protocol(run);
    uint32_t h = mix_word(0x5bd1e995u, be_proto);
    if (!pkt)
        return h ? h : 1;
    uint64_t len = (uint64_t)(pkt->data_end - pkt->data);
    const uint8_t *ip = pkt->data + pkt->net_off;
    uint64_t avail = len > pkt->net_off ? len - pkt->net_off : 0;
    uint32_t src[4] = {0}, dst[4] = {0}, nwords = 0, l4_off = 0;
    uint8_t ip_proto = 0;
    bool later_fragment = false;
    if (be_proto == 0x0008 && avail >= 20 && (ip[0] >> 4) == 4 && (ip[0] & 15) >= 5) {
        ip_proto = ip[9];
        src[0] = load32(ip + 12), dst[0] = load32(ip + 16), nwords = 1;
        later_fragment = ((ip[6] & 0x1f) << 8 | ip[7]) != 0;
        l4_off = (uint32_t)(ip[0] & 15) * 4;
    } else if (be_proto == 0xdd86 && avail >= 40 && (ip[0] >> 4) == 6) {
        ip_proto = ip[6];
        for (int i = 0; i < 4; i++)
            src[i] = load32(ip + 8 + 4 * i), dst[i] = load32(ip + 24 + 4 * i);
        nwords = 4;
        l4_off = 40;
    }
    uint16_t sport = 0, dport = 0;
    bool ports = ip_proto == 6 || ip_proto == 17 || ip_proto == 132 || ip_proto == 136;
    if (nwords && ports && !later_fragment && avail >= (uint64_t)l4_off + 4) {
        sport = (uint16_t)(ip[l4_off] << 8 | ip[l4_off + 1]);
        dport = (uint16_t)(ip[l4_off + 2] << 8 | ip[l4_off + 3]);
    }
    /* both directions alike: the smaller address (then port) first */
    int cmp = 0;
    for (uint32_t i = 0; i < nwords && !cmp; i++)
        cmp = src[i] < dst[i] ? -1 : src[i] > dst[i] ? 1 : 0;
    if (cmp > 0 || (cmp == 0 && sport > dport)) {
        for (uint32_t i = 0; i < nwords; i++) {
            uint32_t t = src[i];
            src[i] = dst[i], dst[i] = t;
        }
        uint16_t t = sport;
        sport = dport, dport = t;
    }
    h = mix_word(h, ip_proto);
    for (uint32_t i = 0; i < nwords; i++)
        h = mix_word(mix_word(h, src[i]), dst[i]);
    h = mix_word(h, (uint32_t)sport << 16 | dport);
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h ? h : 1;
}

/* (ctx): skb->hash, computed from the flow first unless it is valid (set
 * by bpf_set_hash or an earlier recalculation). */
BPFRT_HELPER_DEF(get_hash_recalc)
{
    struct __sk_buff *skb = bpfrt_skb_view(run);
    struct bpfrt_skb_ctx *k = bpfrt_skb_state(run);
    uint32_t hash = 0;
    if (!skb)
        return flow_hash(run);
    bpfrt_memcpy(&hash, &skb->hash, sizeof(hash));
    if (k && k->hash_valid)
        return hash;
    hash = flow_hash(run);
    bpfrt_memcpy(&skb->hash, &hash, sizeof(hash));
    if (k)
        k->hash_valid = 1;
    return hash;
}
