/* Shared by the corpus programs: packet parsing helpers in the style of
 * xdp-tutorial's parsing_helpers.h (written for bpfrt). */
#ifndef BPFRT_PROGS_COMMON_H
#define BPFRT_PROGS_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct hdr_cursor {
    void *pos;
};

static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end, struct ethhdr **eth)
{
    struct ethhdr *e = nh->pos;
    if ((void *)(e + 1) > data_end)
        return -1;
    nh->pos = e + 1;
    *eth = e;
    __u16 proto = e->h_proto;
    if (proto == bpf_htons(ETH_P_8021Q)) {
        struct vlan_hdr *v = nh->pos;
        if ((void *)(v + 1) > data_end)
            return -1;
        nh->pos = v + 1;
        proto = v->h_vlan_encapsulated_proto;
    }
    return proto; /* network byte order */
}

static __always_inline int parse_iphdr(struct hdr_cursor *nh, void *data_end, struct iphdr **ip)
{
    struct iphdr *h = nh->pos;
    if ((void *)(h + 1) > data_end)
        return -1;
    int len = h->ihl * 4;
    if (len < (int)sizeof(*h))
        return -1;
    if (nh->pos + len > data_end)
        return -1;
    nh->pos += len;
    *ip = h;
    return h->protocol;
}

static __always_inline int parse_udphdr(struct hdr_cursor *nh, void *data_end, struct udphdr **udp)
{
    struct udphdr *h = nh->pos;
    if ((void *)(h + 1) > data_end)
        return -1;
    nh->pos = h + 1;
    *udp = h;
    return bpf_ntohs(h->len) - (int)sizeof(*h);
}

static __always_inline int parse_tcphdr(struct hdr_cursor *nh, void *data_end, struct tcphdr **tcp)
{
    struct tcphdr *h = nh->pos;
    if ((void *)(h + 1) > data_end)
        return -1;
    int len = h->doff * 4;
    if (len < (int)sizeof(*h) || nh->pos + len > data_end)
        return -1;
    nh->pos += len;
    *tcp = h;
    return len;
}

#endif
