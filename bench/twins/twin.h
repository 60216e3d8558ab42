/* Verifier-friendly twins of shared/bench's CPU benchmarks (bench_cpu.c's
 * "verified" table): the same algorithm as NAME.c there, written as an XDP
 * program over a prefix of the same input given as the packet: one
 * data_end test covers every load, every loop is bounded by a constant, so
 * that bpfrt's verifier (like Linux's) accepts it. TWIN_LEN is the prefix:
 * what the verifier's walk of the unrolled loops (its 1M-instruction
 * budget, and its speed) allows. The native reference runs the shared C on
 * the same prefix, and its result is the checksum each engine must give.
 * No helpers, maps or globals, as in shared/bench. */
#ifndef BPFRT_BENCH_TWIN_H
#define BPFRT_BENCH_TWIN_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

struct xdp_md {
    u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex;
};

#define SEC(s) __attribute__((section(s), used))
#define NOINLINE __attribute__((noinline))

/* The program: r0 = the checksum (XDP takes any return value). */
#define TWIN(name)                                                                                                \
    char _license[] SEC("license") = "GPL";                                                                      \
    static u64 twin_body(const u8 *data, const u8 *end);                                                         \
    SEC("xdp") u64 twin_##name(struct xdp_md *ctx)                                                               \
    {                                                                                                             \
        return twin_body((const u8 *)(long)ctx->data, (const u8 *)(long)ctx->data_end);                         \
    }                                                                                                             \
    static __attribute__((always_inline)) u64 twin_body(const u8 *data, const u8 *end)

#endif
