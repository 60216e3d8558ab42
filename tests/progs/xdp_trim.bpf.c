// SPDX-License-Identifier: MIT
/* XDP: truncate packets longer than a configured snap length (bpf_xdp_adjust_tail),
 * as packet samplers do; the snap length is a .rodata knob. */
#include "common.h"

const volatile __u32 snaplen = 64;
__u64 trimmed_bytes;

SEC("xdp")
int xdp_trim(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    if (len <= snaplen)
        return XDP_PASS;
    int delta = (int)snaplen - (int)len;
    if (bpf_xdp_adjust_tail(ctx, delta))
        return XDP_ABORTED;
    trimmed_bytes += len - snaplen;
    return XDP_TX;
}

char _license[] SEC("license") = "GPL";
