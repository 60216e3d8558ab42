// SPDX-License-Identifier: MIT
/* cgroup_skb egress policy: deny TCP to destination ports listed in a hash
 * map (value = denial counter); everything else is allowed (1). */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u16);
    __type(value, __u64);
    __uint(max_entries, 32);
} denied_ports SEC(".maps");

SEC("cgroup_skb/egress")
int egress_policy(struct __sk_buff *skb)
{
    struct iphdr ip;
    if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
        return 1;
    if (ip.version != 4 || ip.protocol != IPPROTO_TCP)
        return 1;
    __u16 ports[2];
    if (bpf_skb_load_bytes(skb, ip.ihl * 4, ports, sizeof(ports)) < 0)
        return 1;
    __u16 dport = bpf_ntohs(ports[1]);
    __u64 *cnt = bpf_map_lookup_elem(&denied_ports, &dport);
    if (!cnt)
        return 1;
    __sync_fetch_and_add(cnt, 1);
    return 0;
}

char _license[] SEC("license") = "GPL";
