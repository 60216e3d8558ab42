// SPDX-License-Identifier: MIT
/* Control for sandbox_callx.bpf.c: the same GPL-only helper as an ordinary
 * "call 113" from a non-GPL program, which PROG_LOAD refuses. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("socket")
int direct(struct __sk_buff *skb)
{
    __u64 fp, word = 0;
    asm volatile("%0 = r10" : "=r"(fp));
    bpf_probe_read_kernel(&word, 8, (void *)(fp + 8));
    return word != 0;
}

char LICENSE[] SEC("license") = "Proprietary";
