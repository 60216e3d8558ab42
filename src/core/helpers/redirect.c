/* bpf_redirect / bpf_redirect_map: record where the packet should go in
 * run->pkt (the hook reports it) and return the program's verdict, as
 * Linux does: XDP programs get XDP_REDIRECT, tc programs TC_ACT_REDIRECT. */
#include "core/helpers/helpers_internal.h"

/* (ifindex, flags). XDP accepts no flags (else XDP_ABORTED); tc/lwt accept
 * BPF_F_INGRESS (else TC_ACT_SHOT). */
BPFRT_HELPER_DEF(redirect)
{
    uint32_t ifindex = (uint32_t)r1;
    uint64_t flags = r2;
    bool xdp = bpfrt_helper_prog_type(run) == BPF_PROG_TYPE_XDP;
    if (xdp ? flags != 0 : (flags & ~BPF_F_INGRESS) != 0)
        return xdp ? XDP_ABORTED : TC_ACT_SHOT;
    struct bpfrt_pkt *pkt = run->pkt;
    if (pkt) {
        pkt->redirect_ifindex = ifindex;
        pkt->redirect_flags = flags;
        pkt->redirect_map = 0;
        pkt->redirect_key = 0;
    }
    return xdp ? XDP_REDIRECT : TC_ACT_REDIRECT;
}

/* (map, key, flags) for DEVMAP, DEVMAP_HASH, CPUMAP and XSKMAP. The low two
 * bits of flags are the verdict when `key` has no entry; DEVMAPs also take
 * BPF_F_BROADCAST (every entry; no lookup) and BPF_F_EXCLUDE_INGRESS. On
 * success pkt records the map, the key and what the slot holds (ifindex
 * for devmaps, queue id for xskmap, the CPU for cpumap) in
 * redirect_ifindex. */
BPFRT_HELPER_DEF(redirect_map)
{
    struct bpfrt_map *map = bpfrt_u2p(r1);
    uint32_t key = (uint32_t)r2;
    uint64_t flags = r3;
    const uint64_t action_mask = XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX;
    uint64_t flag_mask;
    if (!map)
        return XDP_ABORTED;
    switch (map->map_type) {
    case BPF_MAP_TYPE_DEVMAP:
    case BPF_MAP_TYPE_DEVMAP_HASH:
        flag_mask = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
        break;
    case BPF_MAP_TYPE_CPUMAP:
    case BPF_MAP_TYPE_XSKMAP:
        flag_mask = 0;
        break;
    default:
        return XDP_ABORTED; /* the verifier rejects other maps */
    }
    if (flags & ~(action_mask | flag_mask))
        return XDP_ABORTED;
    struct bpfrt_pkt *pkt = run->pkt;
    bool broadcast = flags & BPF_F_BROADCAST;
    uint32_t target = 0;
    if (!broadcast && bpfrt_map_redirect_target(map, key, &target) != 0) {
        /* a failed lookup clears any earlier target, as Linux */
        if (pkt) {
            pkt->redirect_map = 0;
            pkt->redirect_ifindex = 0;
            pkt->redirect_flags = 0;
        }
        return flags & action_mask;
    }
    if (pkt) {
        pkt->redirect_map = map;
        pkt->redirect_key = key;
        pkt->redirect_ifindex = target; /* ifindex, xsk queue or cpu the slot names */
        pkt->redirect_flags = broadcast ? flags : 0;
    }
    return XDP_REDIRECT;
}

/* (ifindex, flags): redirect to the peer of a veth/netkit device (tc
 * ingress). No flags (else TC_ACT_SHOT); the report carries
 * BPFRT_REDIRECT_PEER in redirect_flags. */
BPFRT_HELPER_DEF(redirect_peer)
{
    if (r2)
        return TC_ACT_SHOT;
    struct bpfrt_pkt *pkt = run->pkt;
    if (pkt) {
        pkt->redirect_ifindex = (uint32_t)r1;
        pkt->redirect_flags = BPFRT_REDIRECT_PEER;
        pkt->redirect_map = 0;
        pkt->redirect_key = 0;
    }
    return TC_ACT_REDIRECT;
}

/* (ifindex, params, plen, flags): redirect through the neighbour subsystem,
 * optionally to a given next hop (struct bpf_redir_neigh, 20 bytes). No
 * flags, and plen 0 or at least 20 (else TC_ACT_SHOT); the report carries
 * BPFRT_REDIRECT_NEIGH (| BPFRT_REDIRECT_NEXTHOP) in redirect_flags. */
BPFRT_HELPER_DEF(redirect_neigh)
{
    uint32_t plen = (uint32_t)r3;
    if ((plen && plen < 20) || r4)
        return TC_ACT_SHOT;
    struct bpfrt_pkt *pkt = run->pkt;
    if (pkt) {
        pkt->redirect_ifindex = (uint32_t)r1;
        pkt->redirect_flags = BPFRT_REDIRECT_NEIGH | (plen ? BPFRT_REDIRECT_NEXTHOP : 0);
        pkt->redirect_map = 0;
        pkt->redirect_key = 0;
    }
    return TC_ACT_REDIRECT;
}
