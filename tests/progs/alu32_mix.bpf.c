// SPDX-License-Identifier: MIT
/* Integer corner cases the way protocol code hits them: a large switch on
 * a packet byte (clang may lower it to a compare tree), 32-bit wrap-around
 * arithmetic (alu32 subregisters with -mcpu=v3), byte swaps of every width,
 * shifts by variable amounts, signed division and modulo (sdiv/smod with
 * -mcpu=v4, emulated below v4 as users do), sign extension of loaded bytes
 * and halves, and unsigned division by zero. The tc return value carries
 * the 32-bit digest; every intermediate lands in a .bss array. */
#include "common.h"

__u64 trace[16];
__s32 sdiv_results[4];

static __always_inline __s32 my_sdiv(__s32 a, __s32 b)
{
#if defined(__BPF_CPU_VERSION__) && __BPF_CPU_VERSION__ >= 4
    return a / b;
#else
    __u32 ua = a < 0 ? -(__u32)a : (__u32)a;
    __u32 ub = b < 0 ? -(__u32)b : (__u32)b;
    __u32 q = ua / ub;
    return (a < 0) != (b < 0) ? -(__s32)q : (__s32)q;
#endif
}

static __always_inline __s64 my_smod64(__s64 a, __s64 b)
{
#if defined(__BPF_CPU_VERSION__) && __BPF_CPU_VERSION__ >= 4
    return a % b;
#else
    __u64 ua = a < 0 ? -(__u64)a : (__u64)a;
    __u64 ub = b < 0 ? -(__u64)b : (__u64)b;
    __u64 r = ua % ub;
    return a < 0 ? -(__s64)r : (__s64)r;
#endif
}

#define ALU32_CLASSIFY_ATTR __noinline
#include "alu32_classify.h"

SEC("tc")
int tc_alu32(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    __u8 *p = data;
    if (p + 34 > (__u8 *)data_end)
        return -1;

    __u32 acc = 0x12345678;
#pragma unroll
    for (int i = 0; i < 24; i++)
        acc = alu32_classify(p[i + 10], acc);
    trace[0] = acc;

    /* 32-bit wrap and shifts by a packet-controlled amount */
    __u32 sh = p[23] & 31;
    __u32 w = (acc << sh) + (acc >> (31 - sh)) + 0xffffffffu;
    trace[1] = w;
    __u64 w64 = ((__u64)acc << 32 | w) >> (p[22] & 63);
    trace[2] = w64;

    /* swaps of every width */
    __u16 h = *(__u16 *)(p + 12);
    trace[3] = __builtin_bswap16(h) | (__u64)__builtin_bswap32(*(__u32 *)(p + 26)) << 16;
    trace[4] = __builtin_bswap64(w64 ^ acc);

    /* sign extension of loaded bytes/halves (movsx / ldsx with -mcpu=v4) */
    __s8 sb = (__s8)p[15];
    __s16 shw = (__s16)(p[16] << 8 | p[17]);
    __s64 sx = (__s64)sb * 1000 + shw;
    trace[5] = (__u64)sx;

    /* signed division/modulo */
    __s32 num = (__s32)(acc ^ 0x80000000);
    __s32 den = (__s32)(__s8)(p[18] | 1); /* never 0 */
    sdiv_results[0] = my_sdiv(num, den);
    sdiv_results[1] = my_sdiv(-1000000, den);
    sdiv_results[2] = my_sdiv(num, -3);
    __s64 m = my_smod64((__s64)sx * -77777, (__s64)den);
    sdiv_results[3] = (__s32)m;
    trace[6] = (__u64)m;

    /* unsigned division by a possibly-zero divisor: BPF defines x/0 = 0, x%0 = x */
    __u64 z = p[19] & 0x3;
    __u64 n64 = acc;
    __u64 qz;
    __u64 rz;
    asm volatile("%[q] = %[n]; %[q] /= %[d]" : [q] "=&r"(qz) : [n] "r"(n64), [d] "r"(z));
    rz = n64 - qz * z; /* what BPF's mod gives: x % 0 == x */
    trace[7] = (__u64)qz << 32 | rz;

    __u32 digest = acc ^ w ^ (__u32)w64 ^ (__u32)(w64 >> 32) ^ (__u32)sx ^ (__u32)m ^ (__u32)qz ^ (__u32)rz;
    digest ^= (__u32)sdiv_results[0] ^ (__u32)sdiv_results[1] ^ (__u32)sdiv_results[2];
    return (int)digest;
}

char _license[] SEC("license") = "GPL";
