/* Tunnel metadata helpers (net/core/filter.c: bpf_skb_get_tunnel_key,
 * bpf_skb_set_tunnel_key, bpf_skb_get_tunnel_opt, bpf_skb_set_tunnel_opt).
 * Linux keeps the metadata in the skb's metadata dst; here it is the
 * packet's struct bpfrt_tunnel_info, which the hook fills for a received
 * tunnel packet and reads back after the run. As in Linux, a key set by
 * the program reads back with remote and local swapped (the TX key's
 * destination is the remote end, an RX key's source is), and options may
 * only be set after a key. */
#include "core/helpers/helpers_internal.h"

/* Linux's TUNNEL_* bits (the low 16 of IP_TUNNEL_*_BIT). */
#define TUNNEL_CSUM          0x0001u
#define TUNNEL_KEY           0x0004u
#define TUNNEL_SEQ           0x0008u
#define TUNNEL_DONT_FRAGMENT 0x0100u
#define TUNNEL_GENEVE_OPT    0x0800u
#define TUNNEL_VXLAN_OPT     0x1000u
#define TUNNEL_NOCACHE       0x2000u
#define TUNNEL_ERSPAN_OPT    0x4000u
#define TUNNEL_GTP_OPT       0x8000u
#define TUNNEL_PFCP_OPT      0x20000u
#define TUNNEL_OPTIONS_PRESENT \
    (TUNNEL_GENEVE_OPT | TUNNEL_VXLAN_OPT | TUNNEL_ERSPAN_OPT | TUNNEL_GTP_OPT | TUNNEL_PFCP_OPT)

#define IPV6_FLOWLABEL_MASK 0x000fffffu

/* Sizes of the older struct bpf_tunnel_key layouts Linux still accepts:
 * up to remote_ipv6[1] (IPv4 only), tunnel_ext, tunnel_label, local_ipv6. */
#define KEY_SIZE_IPV4_ONLY 8u
#define KEY_SIZE_TO_EXT    22u
#define KEY_SIZE_TO_LABEL  24u
#define KEY_SIZE_TO_LOCAL  28u

static bool compat_size(uint32_t size)
{
    return size == KEY_SIZE_TO_LOCAL || size == KEY_SIZE_TO_LABEL || size == KEY_SIZE_TO_EXT;
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static struct bpfrt_tunnel_info *tunnel_of(struct bpfrt_run *run)
{
    return run->pkt ? &run->pkt->tunnel : NULL;
}

/* bpf_skb_get_tunnel_key(skb, key, size, flags) */
BPFRT_HELPER_DEF(skb_get_tunnel_key)
{
    uint8_t *out = bpfrt_u2p(r2);
    uint32_t size = (uint32_t)r3;
    uint64_t flags = r4;
    const struct bpfrt_tunnel_info *info = tunnel_of(run);
    struct bpf_tunnel_key key;
    int err = -BPFRT_EINVAL;
    if (!info || !info->present || (flags & ~(BPF_F_TUNINFO_IPV6 | BPF_F_TUNINFO_FLAGS)))
        goto clear;
    bool info_v6 = info->mode & BPFRT_TUNNEL_IPV6;
    if (info_v6 != !!(flags & BPF_F_TUNINFO_IPV6)) {
        err = -BPFRT_EPROTO;
        goto clear;
    }
    if (size != sizeof(key) && !compat_size(size) && !(size == KEY_SIZE_IPV4_ONLY && !info_v6))
        goto clear;
    bpfrt_memset(&key, 0, sizeof(key));
    key.tunnel_id = (uint32_t)info->tun_id;
    key.tunnel_tos = info->tos;
    key.tunnel_ttl = info->ttl;
    if (flags & BPF_F_TUNINFO_FLAGS) {
        uint16_t f = (uint16_t)info->flags;
        key.tunnel_flags = (uint16_t)(f >> 8 | f << 8);
    }
    if (info_v6) {
        bpfrt_memcpy(key.remote_ipv6, info->src, 16);
        bpfrt_memcpy(key.local_ipv6, info->dst, 16);
        key.tunnel_label = info->label;
    } else {
        key.remote_ipv4 = be32_at(info->src);
        key.local_ipv4 = be32_at(info->dst);
    }
    bpfrt_memcpy(out, &key, size < sizeof(key) ? size : sizeof(key));
    return 0;
clear:
    bpfrt_memset(out, 0, size);
    return bpfrt_helper_err(err);
}

/* bpf_skb_set_tunnel_key(skb, key, size, flags) */
BPFRT_HELPER_DEF(skb_set_tunnel_key)
{
    const uint8_t *from = bpfrt_u2p(r2);
    uint32_t size = (uint32_t)r3;
    uint64_t flags = r4;
    struct bpfrt_tunnel_info *info = tunnel_of(run);
    if (flags & ~(BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER |
                  BPF_F_NO_TUNNEL_KEY))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (size != sizeof(struct bpf_tunnel_key) && !compat_size(size) && size != KEY_SIZE_IPV4_ONLY)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    struct bpf_tunnel_key key;
    bpfrt_memset(&key, 0, sizeof(key));
    bpfrt_memcpy(&key, from, size);
    if ((!(flags & BPF_F_TUNINFO_IPV6) && key.tunnel_label) || key.tunnel_ext)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!info)
        return bpfrt_helper_err(-BPFRT_EINVAL); /* no packet to carry it */
    bpfrt_memset(info, 0, sizeof(*info));
    info->present = true;
    info->from_helper = true;
    info->mode = BPFRT_TUNNEL_TX;
    info->flags = TUNNEL_NOCACHE;
    if (flags & BPF_F_DONT_FRAGMENT)
        info->flags |= TUNNEL_DONT_FRAGMENT;
    if (!(flags & BPF_F_ZERO_CSUM_TX))
        info->flags |= TUNNEL_CSUM;
    if (flags & BPF_F_SEQ_NUMBER)
        info->flags |= TUNNEL_SEQ;
    if (!(flags & BPF_F_NO_TUNNEL_KEY))
        info->flags |= TUNNEL_KEY;
    info->tun_id = key.tunnel_id;
    info->tos = key.tunnel_tos;
    info->ttl = key.tunnel_ttl;
    if (flags & BPF_F_TUNINFO_IPV6) {
        info->mode |= BPFRT_TUNNEL_IPV6;
        bpfrt_memcpy(info->dst, key.remote_ipv6, 16);
        bpfrt_memcpy(info->src, key.local_ipv6, 16);
        info->label = key.tunnel_label & IPV6_FLOWLABEL_MASK;
    } else {
        put_be32(info->dst, key.remote_ipv4);
        put_be32(info->src, key.local_ipv4);
    }
    return 0;
}

/* bpf_skb_get_tunnel_opt(skb, opt, size): the options' length, or
 * -ENOENT (none) / -ENOMEM (size too small) with opt zeroed. */
BPFRT_HELPER_DEF(skb_get_tunnel_opt)
{
    uint8_t *to = bpfrt_u2p(r2);
    uint32_t size = (uint32_t)r3;
    const struct bpfrt_tunnel_info *info = tunnel_of(run);
    int err;
    if (!info || !info->present || !(info->flags & TUNNEL_OPTIONS_PRESENT)) {
        err = -BPFRT_ENOENT;
        goto clear;
    }
    if (size < info->opts_len) {
        err = -BPFRT_ENOMEM;
        goto clear;
    }
    bpfrt_memcpy(to, info->opts, info->opts_len);
    bpfrt_memset(to + info->opts_len, 0, size - info->opts_len);
    return info->opts_len;
clear:
    bpfrt_memset(to, 0, size);
    return bpfrt_helper_err(err);
}

/* bpf_skb_set_tunnel_opt(skb, opt, size): only on the key this program
 * set; size a multiple of 4 (-EINVAL) of at most 255 bytes (-ENOMEM). */
BPFRT_HELPER_DEF(skb_set_tunnel_opt)
{
    const uint8_t *from = bpfrt_u2p(r2);
    uint32_t size = (uint32_t)r3;
    struct bpfrt_tunnel_info *info = tunnel_of(run);
    if (!info || !info->present || !info->from_helper || (size & 3))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (size > BPFRT_TUNNEL_OPTS_MAX)
        return bpfrt_helper_err(-BPFRT_ENOMEM);
    info->opts_len = (uint8_t)size;
    if (size) {
        bpfrt_memcpy(info->opts, from, size);
        info->flags |= TUNNEL_OPTIONS_PRESENT;
    }
    return 0;
}
