// SPDX-License-Identifier: MIT
/* Program structure as larger projects have it: global (non-static)
 * functions that Linux verifies on their own, static __noinline helpers,
 * helpers placed in the program's own section and in a separate code
 * section, a function pointer-free call chain four deep, and a deep stack:
 * the entry uses ~250 bytes of locals and the chain below it the rest of
 * the 512 bytes Linux allows in total. */
#include "common.h"

__u64 checkpoints[6];

/* a global function: verified independently, takes scalars only */
__noinline int mix_words(__u32 a, __u32 b, __u32 c)
{
    a ^= b * 0x85ebca6b;
    b ^= c * 0xc2b2ae35;
    c ^= a >> 13;
    return (int)(a + b + c);
}

/* a global function taking the context */
__noinline int frame_len(struct xdp_md *ctx)
{
    return (int)(ctx->data_end - ctx->data);
}

/* a static subprogram with its own stack frame (~96 bytes) */
static __noinline __u32 fold_block(const __u8 *blk, __u32 n)
{
    __u32 tmp[24];
    __u32 acc = 0;
    for (int i = 0; i < 24; i++)
        tmp[i] = (i < (int)n ? blk[i] : 0) * (__u32)(i + 1);
    for (int i = 23; i > 0; i--)
        tmp[i - 1] += tmp[i] ^ (tmp[i] >> 3);
    acc = tmp[0];
    checkpoints[3] = acc;
    return acc + (__u32)mix_words(acc, n, tmp[5]);
}

/* lives in its own code section, not .text */
__attribute__((section(".text.cold"))) static __noinline __u32 rare_path(__u32 x)
{
    __u8 scratch[48];
    for (int i = 0; i < 48; i++)
        scratch[i] = (__u8)(x >> (i & 31)) + (__u8)i;
    checkpoints[4] = scratch[47] | scratch[0] << 8;
    return fold_block(scratch, 48) ^ 0x5a5a5a5a;
}

static __noinline __u32 level2(const __u8 *hdr, __u32 n)
{
    __u8 local[32];
    __builtin_memcpy(local, hdr, 32);
    for (int i = 0; i < 32; i++)
        local[i] ^= (__u8)(n + i);
    __u32 r = fold_block(local, n < 32 ? n : 32);
    if ((r & 0xf) == 0)
        r = rare_path(r);
    checkpoints[2] = r;
    return r;
}

SEC("xdp")
int xdp_deep_stack(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    /* a big on-stack working set: 24 u64 = 192 bytes */
    volatile __u64 big[24];
    __u8 *p = data;
    if (p + 32 > (__u8 *)data_end)
        return XDP_PASS;
    for (int i = 0; i < 24; i++)
        big[i] = (__u64)p[i % 32] << (i % 56);
    __u64 s = 0;
    for (int i = 23; i >= 0; i--)
        s = s * 3 + big[i];
    checkpoints[0] = s;
    __u8 hdr[32];
    __builtin_memcpy(hdr, p, 32);
    __u32 r = level2(hdr, (__u32)frame_len(ctx));
    checkpoints[1] = r;
    checkpoints[5] = (__u64)frame_len(ctx) << 32 | (__u32)mix_words(r, (__u32)s, (__u32)(s >> 32));
    return (int)((r ^ (__u32)s) & 3);
}

char _license[] SEC("license") = "GPL";
