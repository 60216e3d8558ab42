// SPDX-License-Identifier: MIT
/* Weak __ksym externs guarded the libbpf way (bpf_ksym_exists): outside a
 * kernel they resolve to NULL, the guarded code is skipped, and the object
 * still loads with its BTF (which Linux would refuse with extern entries). */
#include "common.h"

extern const int bpf_prog_active __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym __weak;

#define bpf_ksym_exists(sym) (!!(sym))

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 2);
} seen SEC(".maps");

__u32 have_var, have_kfunc;

SEC("xdp")
int xdp_ksyms(struct xdp_md *ctx)
{
    have_var = bpf_ksym_exists(&bpf_prog_active);
    have_kfunc = bpf_ksym_exists(bpf_rcu_read_lock);
    __u32 k = have_var;
    __u64 *v = bpf_map_lookup_elem(&seen, &k);
    if (v)
        *v += 1;
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
