// SPDX-License-Identifier: MIT
/* Checked-mode sandbox, helper policy through callx
 * (tests/unit/test_sandbox_callx.c). PROG_LOAD checks "call imm" against
 * the helper's program types and GPL rule; "callx reg" names a helper id
 * at run time and must meet the same policy. This object is not GPL.
 *  - gpl_helper: bpf_probe_read_kernel (GPL-only) of the word above r10;
 *    returns 1 when the read succeeded.
 *  - tc_helper: bpf_skb_change_head (tc/lwt/sk_skb only) from a socket
 *    filter, taking all the headroom.
 *  - allowed: bpf_get_prandom_u32 through callx, which the policy allows;
 *    returns 1. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("socket")
int gpl_helper(struct __sk_buff *skb)
{
    __u64 fp, word = 0;
    asm volatile("%0 = r10" : "=r"(fp));
    asm volatile("r1 = %[dst]\n r2 = 8\n r3 = %[src]\n r4 = 113\n .quad 0x48d /* callx r4 */"
                 :: [dst] "r"(&word), [src] "r"(fp + 8)
                 : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
    return word != 0;
}

SEC("socket")
int tc_helper(struct __sk_buff *skb)
{
    asm volatile("r1 = %[ctx]\n r2 = 78\n r3 = 0\n r4 = 43\n .quad 0x48d /* callx r4 */"
                 :: [ctx] "r"(skb) : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
    return 0;
}

SEC("socket")
int allowed(struct __sk_buff *skb)
{
    __u64 r;
    asm volatile("r4 = 7\n .quad 0x48d /* callx r4 */\n %0 = r0"
                 : "=r"(r) :: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
    return r <= 0xffffffffull;
}

char LICENSE[] SEC("license") = "Proprietary";
