/* packets' twin: the same walk over length-prefixed frames of the prefix
 * and the same per-frame parsing. The record loop runs at most once per 4
 * bytes (a record takes at least 4), and each header access is behind a
 * test against data_end, which the walk's own length tests already imply
 * (the prefix ends at data_end), so they never change the result. */
/* TWIN_LEN must be a power of 2 (the record offset is masked with it). */
#include "twin.h"
#define TWIN_LEN 4096

#define BE16(x) __builtin_bswap16(x)
#define BE32(x) __builtin_bswap32(x)

TWIN(packets)
{
    if (data + TWIN_LEN > end)
        return 0;
    u64 off = 0;
    u64 n_pkts = 0, n_bad = 0, n_vlan = 0, n_tcp80 = 0, n_tcp = 0, n_udp53 = 0, n_udp = 0, n_other = 0;
    u64 hash = 0x9E3779B97F4A7C15ull;
    for (u32 k = 0; k < TWIN_LEN / 4; k++) {
        /* (off < TWIN_LEN here: the mask only tells the verifier so) */
        const u8 *rec = data + (off & (TWIN_LEN - 1));
        if (off + 2 > TWIN_LEN || rec + 2 > end)
            break;
        u64 flen = *(const u16 *)rec;
        const u8 *f = rec + 2;
        u64 next = (off + 2 + flen + 3) & ~3ull;
        if (flen == 0 || off + 2 + flen > TWIN_LEN)
            break;
        off = next;
        n_pkts++;
        if (flen < 14 || f + 14 > end) {
            n_bad++;
            continue;
        }
        u64 l3 = 14;
        u16 eth_type = BE16(*(const u16 *)(f + 12));
        if (eth_type == 0x8100) {
            if (flen < 18 || f + 18 > end) {
                n_bad++;
                continue;
            }
            n_vlan++;
            eth_type = BE16(*(const u16 *)(f + 16));
            l3 = 18;
        }
        if (eth_type != 0x0800 || l3 + 20 > flen || f + l3 + 20 > end) {
            n_other++;
            continue;
        }
        const u8 *ip = f + l3;
        u8 ver_ihl = ip[0];
        u64 ihl = (u64)(ver_ihl & 0xF) * 4;
        if ((ver_ihl >> 4) != 4 || ihl < 20 || l3 + ihl > flen) {
            n_bad++;
            continue;
        }
        u8 proto = ip[9];
        u32 saddr = BE32(*(const u32 *)(ip + 12));
        u32 daddr = BE32(*(const u32 *)(ip + 16));
        const u8 *l4 = ip + ihl;
        u32 ports = 0;
        if (proto == 6) {
            if (l3 + ihl + 20 > flen || l4 + 20 > end) {
                n_bad++;
                continue;
            }
            u16 sport = BE16(*(const u16 *)l4);
            u16 dport = BE16(*(const u16 *)(l4 + 2));
            ports = ((u32)sport << 16) | dport;
            n_tcp++;
            if (dport == 80)
                n_tcp80++;
        } else if (proto == 17) {
            if (l3 + ihl + 8 > flen || l4 + 8 > end) {
                n_bad++;
                continue;
            }
            u16 sport = BE16(*(const u16 *)l4);
            u16 dport = BE16(*(const u16 *)(l4 + 2));
            ports = ((u32)sport << 16) | dport;
            n_udp++;
            if (dport == 53)
                n_udp53++;
        } else {
            n_other++;
        }
        hash ^= ((u64)saddr << 32) | daddr;
        hash *= 0x100000001b3ull;
        hash ^= ((u64)ports << 8) | proto;
        hash *= 0x100000001b3ull;
    }
    return hash ^ (n_pkts << 48) ^ (n_bad << 40) ^ (n_vlan << 32) ^ (n_tcp80 << 24) ^ (n_tcp << 16) ^
           (n_udp53 << 8) ^ n_udp ^ (n_other << 56);
}
