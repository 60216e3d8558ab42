// SPDX-License-Identifier: MIT
/* A .rodata knob decides which branch runs (a skeleton's const volatile):
 * the loader freezes .rodata, so the verifier reads the knob as a constant
 * and never walks the branches that are off - as Linux does. One of them
 * reads 4000 bytes into the packet with no bounds check, which either
 * verifier refuses when that branch is on (test_verifier_rodata). */
#include "common.h"

const volatile __u32 mode = 0; /* 0: pass, 3: tx, 7: the unchecked read */

SEC("xdp")
int xdp_rodata_mode(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;

    switch (mode) {
    case 7:
        return *(volatile __u8 *)(data + 4000);
    case 3:
        return XDP_TX;
    default:
        return XDP_PASS;
    }
}

char _license[] SEC("license") = "GPL";
