// SPDX-License-Identifier: MIT
/* Tunnel metadata as a tc program on an encapsulating device sets and
 * reads it (bpf_skb_set/get_tunnel_key, bpf_skb_set/get_tunnel_opt): the
 * errors before a key exists, the key read back (remote and local swap:
 * a TX key's destination reads as the remote end), the flags a set key
 * carries, options, the older key layouts, IPv6 keys with a flow label.
 * Every result lands in a global the corpus test compares with the
 * kernel's test run of the same program. */
#include "common.h"

struct tun_key {
    __u32 tunnel_id;
    union {
        __u32 remote_ipv4;
        __u32 remote_ipv6[4];
    };
    __u8 tunnel_tos;
    __u8 tunnel_ttl;
    union {
        __u16 tunnel_ext;
        __be16 tunnel_flags;
    };
    __u32 tunnel_label;
    union {
        __u32 local_ipv4;
        __u32 local_ipv6[4];
    };
};

static long (*get_key)(void *skb, struct tun_key *key, __u32 size, __u64 flags) = (void *)20;
static long (*set_key)(void *skb, const struct tun_key *key, __u32 size, __u64 flags) = (void *)21;
static long (*get_opt)(void *skb, void *opt, __u32 size) = (void *)29;
static long (*set_opt)(void *skb, const void *opt, __u32 size) = (void *)30;

#define F_TUNINFO_IPV6 (1ULL << 0)
#define F_ZERO_CSUM_TX (1ULL << 1)
#define F_DONT_FRAGMENT (1ULL << 2)
#define F_SEQ_NUMBER (1ULL << 3)
#define F_NO_TUNNEL_KEY (1ULL << 4)
#define F_TUNINFO_FLAGS (1ULL << 4)

__s64 rc[24];
struct tun_key got, got_flags, got_flags_opts, got_compat, got_v6, got_v6_flags;
__u8 opt_got[16], opt_small[4];

SEC("tc")
int tunnel_key(struct __sk_buff *skb)
{
    struct tun_key k = {}, tmp = {};
    __u8 opt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    rc[0] = get_key(skb, &tmp, sizeof(tmp), 0);          /* no metadata yet */
    rc[1] = get_opt(skb, opt_got, sizeof(opt_got));
    rc[2] = set_opt(skb, opt, sizeof(opt));              /* options need a key first */

    k.tunnel_id = 42;
    k.remote_ipv4 = 0x0a000001;
    k.local_ipv4 = 0x0a000002;
    k.tunnel_tos = 3;
    k.tunnel_ttl = 64;
    rc[3] = set_key(skb, &k, sizeof(k), F_ZERO_CSUM_TX | F_DONT_FRAGMENT);
    rc[4] = get_key(skb, &got, sizeof(got), 0);
    rc[5] = get_key(skb, &got_flags, sizeof(got_flags), F_TUNINFO_FLAGS);
    rc[6] = get_key(skb, &tmp, sizeof(tmp), F_TUNINFO_IPV6);  /* an IPv4 key */
    rc[7] = get_key(skb, &tmp, sizeof(tmp), 1ULL << 9);
    rc[8] = get_opt(skb, opt_got, sizeof(opt_got));           /* a key, no options */
    rc[9] = set_opt(skb, opt, 6);                              /* not a multiple of 4 */
    rc[10] = set_opt(skb, opt, sizeof(opt));
    rc[11] = get_opt(skb, opt_got, sizeof(opt_got));
    rc[12] = get_opt(skb, opt_small, sizeof(opt_small));
    rc[13] = get_key(skb, &got_flags_opts, sizeof(got_flags_opts), F_TUNINFO_FLAGS);

    k.tunnel_label = 5;
    rc[14] = set_key(skb, &k, sizeof(k), 0);                   /* a label needs IPv6 */
    k.tunnel_label = 0;
    rc[15] = set_key(skb, &k, sizeof(k), 1ULL << 7);
    rc[16] = set_key(skb, &k, 24, F_SEQ_NUMBER);               /* up to tunnel_label */
    rc[17] = get_key(skb, &got_compat, 24, F_TUNINFO_FLAGS);
    rc[18] = set_key(skb, &k, 20, 0);

    struct tun_key k6 = {};
    k6.tunnel_id = 7;
    k6.remote_ipv6[0] = 0x20010db8;
    k6.remote_ipv6[3] = 1;
    k6.local_ipv6[0] = 0x20010db8;
    k6.local_ipv6[3] = 2;
    k6.tunnel_label = 0xfff12345;
    rc[19] = set_key(skb, &k6, sizeof(k6), F_TUNINFO_IPV6 | F_SEQ_NUMBER | F_NO_TUNNEL_KEY);
    rc[20] = get_key(skb, &got_v6, sizeof(got_v6), F_TUNINFO_IPV6);
    rc[21] = get_key(skb, &got_v6_flags, sizeof(got_v6_flags), F_TUNINFO_IPV6 | F_TUNINFO_FLAGS);
    rc[22] = get_key(skb, &tmp, 8, F_TUNINFO_IPV6);            /* the 8-byte layout is IPv4's */
    rc[23] = get_key(skb, &tmp, sizeof(tmp), 0);
    return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
