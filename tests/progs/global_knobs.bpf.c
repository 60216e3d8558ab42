// SPDX-License-Identifier: MIT
/* Global data: .rodata knobs set before load (like a skeleton's const
 * volatile), .data with initial values, .bss counters, a string constant
 * (.rodata.str1.1) and a static variable. */
#include "common.h"

const volatile __u32 min_len = 60;       /* .rodata */
const volatile __u32 verdict_short = XDP_DROP;
const volatile char tag[8] = "knobs";
__u32 seen_long = 0;                      /* .bss */
__u64 bytes_total;                        /* .bss */
__u32 generation = 7;                     /* .data */
static __u32 calls;                       /* .bss, static */

SEC("xdp")
int xdp_knobs(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    calls++;
    bytes_total += len;
    generation += 1;
    if (len < min_len)
        return verdict_short;
    seen_long++;
    return tag[0] == 'k' ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
    return calls;
}

char _license[] SEC("license") = "GPL";
