// SPDX-License-Identifier: MIT
/* perf event output: a sample per packet with its length and a counter. */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} samples SEC(".maps");

__u64 seq;

struct sample {
    __u64 seq;
    __u32 len;
    __u32 magic;
};

SEC("xdp")
int xdp_perf(struct xdp_md *ctx)
{
    struct sample s = {.seq = ++seq, .len = ctx->data_end - ctx->data, .magic = 0xfeedf00d};
    long rc = bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, &s, sizeof(s));
    return rc == 0 ? XDP_PASS : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
