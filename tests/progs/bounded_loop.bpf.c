// SPDX-License-Identifier: MIT
/* A bounded loop (no unrolling): one's-complement sum of the first 64 bytes
 * of the packet; the result goes to .bss and the verdict depends on it. */
#include "common.h"

__u32 last_sum;

SEC("xdp")
int xdp_sum(struct xdp_md *ctx)
{
    __u8 *p = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    __u32 sum = 0;
#pragma clang loop unroll(disable)
    for (int i = 0; i < 64; i++) {
        if ((void *)(p + i + 1) > end)
            break;
        sum += (i & 1) ? p[i] : ((__u32)p[i] << 8);
    }
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    last_sum = sum;
    return sum == 0xffff ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
