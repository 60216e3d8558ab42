// SPDX-License-Identifier: MIT
/* raw_tracepoint: arguments arrive as an array of u64; sum the first four
 * and record the count of calls. */
#include "common.h"

__u64 arg_sum;
__u32 raw_calls;

SEC("raw_tracepoint/sched_switch")
int raw_sum(struct bpf_raw_tracepoint_args *ctx)
{
    arg_sum = ctx->args[0] + ctx->args[1] + ctx->args[2] + ctx->args[3];
    raw_calls++;
    return (int)(ctx->args[0] & 0xff);
}

char _license[] SEC("license") = "GPL";
