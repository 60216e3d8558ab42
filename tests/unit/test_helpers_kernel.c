/* The running Linux kernel as the oracle for helpers whose exact results
 * are easy to get subtly wrong. The same program is loaded with bpf(2) and
 * run with BPF_PROG_TEST_RUN, and the helper is called here on the same
 * input: bpf_csum_diff (all size combinations, seeds, zero classes),
 * l3/l4_csum_replace, skb_pull_data, skb_change_tail/head, the XDP
 * head/tail/metadata limits, bpf_snprintf (fixed and random formats:
 * acceptance and output), strtol/strtoul and strncmp; and the helper
 * table's program types and gpl_only flags against the verifier for every
 * program type that loads without BTF. Nothing is attached and no kernel
 * setting is changed (trace_printk is left out: loading it enables a trace
 * event). Skips (77) when the kernel cannot load programs; a case that needs
 * a helper this kernel build withholds (kbpf_helper_withheld) is skipped
 * with a SKIP: line and counted. */
#define _GNU_SOURCE
#include "test_helpers_util.h"

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "kernel_bpf.h"

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOVI(d, i)      I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOVR(d, s)      I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADDI(d, i)      I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST32(d, o, i)   I(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define CALL(id)        I(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT()          I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD64(d, v) \
    I(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int32_t)(uint32_t)(uint64_t)(v)), \
    I(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))

static int kload(uint32_t type, const struct bpf_insn *insns, uint32_t n)
{
    static char log[65536];
    long fd = kbpf_prog_load(type, insns, n, 1, log, sizeof(log));
    if (fd < 0)
        fprintf(stderr, "kernel load failed: %s\n%s\n", strerror((int)-fd), log);
    return (int)fd;
}

/* Loads prog as `type` and test-runs it once on size bytes of in (with out:
 * the output packet goes there, *out_len its room in and length out) for
 * the kernel's r0 in *kret. False, a failed check, when the kernel refuses
 * the program; a failed run is a failed check too. */
static bool kernel_result(uint32_t type, const struct bpf_insn *prog, uint32_t n, void *in, uint32_t size,
                          void *out, uint32_t *out_len, uint32_t *kret)
{
    int fd = kload(type, prog, n);
    if (fd < 0) {
        test_failed++;
        return false;
    }
    CHECK_EQ(kbpf_test_run(fd, in, size, out, out_len, kret), 0);
    close(fd);
    return true;
}

/* kernel_result for a tc program on a zeroed 64-byte IPv4 frame. */
static bool kernel_result_tc_ipv4(const struct bpf_insn *prog, uint32_t n, uint32_t *kret)
{
    uint8_t in[64] = { 0 };
    in[12] = 0x08;
    in[14] = 0x45;
    return kernel_result(BPF_PROG_TYPE_SCHED_CLS, prog, n, in, sizeof(in), NULL, NULL, kret);
}

/* Gives `run` a zeroed __sk_buff as its tc context (a SCHED_CLS program's,
 * as the kernel's test-run builds it); tc_ctx_end takes it away again. */
static struct __sk_buff *tc_ctx_begin(void)
{
    static struct __sk_buff skb;
    static const struct bpfrt_ctx_desc tcdesc = { .prog_type = BPF_PROG_TYPE_SCHED_CLS,
                                                  .ctx_size = sizeof(struct __sk_buff) };
    memset(&skb, 0, sizeof(skb));
    run.ctx = &skb;
    run.ctx_desc = &tcdesc;
    return &skb;
}

static void tc_ctx_end(void)
{
    run.ctx = NULL;
    run.ctx_desc = NULL;
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state ^ (rng_state >> 16);
}

static void test_csum_diff_vs_kernel(void)
{
    /* sizes that are not multiples of 4 too: Linux 6.13+ accepts any */
    static const uint32_t sizes[] = { 0, 3, 4, 6, 8, 13, 20, 64 };
    const size_t ns = sizeof(sizes) / sizeof(sizes[0]);
    uint8_t pkt[64] = { 0 };
    int iters = 0;
    for (size_t fi = 0; fi < ns; fi++) {
        for (size_t ti = 0; ti < ns; ti++) {
            /* from at words[0..16), to at words[16..32) */
            uint32_t fs = sizes[fi], ts = sizes[ti];
            uint32_t words[32];
            int kind = (int)((fi * ns + ti) % 5);
            for (uint32_t i = 0; i < 32; i++)
                words[i] = kind == 1 ? 0 : rnd();       /* 1: all zero */
            if (kind == 2)
                memcpy(words + 16, words, 64);         /* 2: to == from */
            uint32_t seed = kind == 0 || kind == 1 || kind == 2 ? 0 : rnd();
            /* stack: from at r10-128, to at r10-64 */
            struct bpf_insn prog[64 + 16];
            uint32_t n = 0;
            for (uint32_t i = 0; i < 16; i++) {
                prog[n++] = ST32(10, (int16_t)(-128 + 4 * (int)i), (int32_t)words[i]);
                prog[n++] = ST32(10, (int16_t)(-64 + 4 * (int)i), (int32_t)words[16 + i]);
            }
            if (fs) {
                prog[n++] = MOVR(1, 10);
                prog[n++] = ADDI(1, -128);
            } else {
                prog[n++] = MOVI(1, 0);
            }
            prog[n++] = MOVI(2, (int32_t)fs);
            if (ts) {
                prog[n++] = MOVR(3, 10);
                prog[n++] = ADDI(3, -64);
            } else {
                prog[n++] = MOVI(3, 0);
            }
            prog[n++] = MOVI(4, (int32_t)ts);
            const struct bpf_insn ld[] = { LD64(5, seed) };
            prog[n++] = ld[0];
            prog[n++] = ld[1];
            prog[n++] = CALL(BPF_FUNC_csum_diff);
            prog[n++] = EXIT();
            uint32_t kret = 0;
            if (!kernel_result(BPF_PROG_TYPE_SCHED_CLS, prog, n, pkt, sizeof(pkt), NULL, NULL, &kret))
                continue;
            uint64_t mine = call(BPF_FUNC_csum_diff, fs ? (uint64_t)(uintptr_t)words : 0, fs,
                                 ts ? (uint64_t)(uintptr_t)(words + 16) : 0, ts, seed);
            if ((uint32_t)mine != kret)
                fprintf(stderr, "csum_diff from %u to %u seed %08x: mine %08x kernel %08x\n", fs, ts,
                        seed, (uint32_t)mine, kret);
            CHECK_EQ((uint32_t)mine, kret);
            iters++;
        }
    }
    CHECK_EQ(iters, (int)(ns * ns));
}

static uint32_t mem32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Ethernet + IPv4 + UDP with a valid UDP checksum (0xef10, see
 * test_helpers_pkt.c). */
static void build_frame(uint8_t *f)
{
    static const uint8_t ip_udp[32] = {
        0x45, 0x00, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x90,
        0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        0x04, 0xd2, 0x00, 0x50, 0x00, 0x0c, 0xef, 0x10, 'h', 'i', '!', '!',
    };
    memset(f, 0, 64);
    f[12] = 0x08;
    memcpy(f + 14, ip_udp, sizeof(ip_udp));
}

static void test_csum_replace_vs_kernel(void)
{
    struct {
        uint32_t id, off;
        uint32_t from, to;
        uint64_t flags;
    } cases[8];
    uint8_t f[64];
    build_frame(f);
    const uint8_t newip[4] = { 10, 1, 2, 3 };
    int nc = 0;
    cases[nc++] = (typeof(cases[0])){ BPF_FUNC_l3_csum_replace, 24, mem32(f + 26), mem32(newip), 4 };
    cases[nc++] = (typeof(cases[0])){ BPF_FUNC_l3_csum_replace, 24, 0x4011, 0x3f11, 2 };
    cases[nc++] = (typeof(cases[0])){ BPF_FUNC_l4_csum_replace, 40, mem32(f + 26), mem32(newip),
                                      BPF_F_PSEUDO_HDR | 4 };
    cases[nc++] = (typeof(cases[0])){ BPF_FUNC_l4_csum_replace, 40, 0x1234, 0x1234, BPF_F_MARK_MANGLED_0 | 2 };
    cases[nc++] = (typeof(cases[0])){ BPF_FUNC_l4_csum_replace, 40, 0, 0x12345678, BPF_F_MARK_MANGLED_0 };
    cases[nc++] = (typeof(cases[0])){ BPF_FUNC_l3_csum_replace, 25, 1, 2, 2 };      /* odd: -EFAULT */
    cases[nc++] = (typeof(cases[0])){ BPF_FUNC_l3_csum_replace, 24, 1, 2, 3 };      /* size 3: -EINVAL */
    cases[nc++] = (typeof(cases[0])){ BPF_FUNC_l4_csum_replace, 62, 1, 2, 2 };      /* last bytes */
    for (int c = 0; c < nc; c++) {
        const struct bpf_insn prog[] = {
            MOVI(2, (int32_t)cases[c].off),
            LD64(3, cases[c].from),
            LD64(4, cases[c].to),
            LD64(5, cases[c].flags),
            CALL(cases[c].id),
            EXIT(),
        };
        uint8_t in[64], kout[64];
        build_frame(in);
        uint32_t kret = 0;
        uint32_t klen = sizeof(in);
        if (!kernel_result(BPF_PROG_TYPE_SCHED_CLS, prog, sizeof(prog) / sizeof(prog[0]), in, sizeof(in), kout, &klen,
                           &kret))
            continue;
        uint8_t mine[64];
        build_frame(mine);
        struct bpfrt_pkt pkt = { .buf = mine, .buf_size = 64, .data = mine, .data_end = mine + 64, .net_off = 14 };
        run.pkt = &pkt;
        uint64_t r = call(cases[c].id, 0, cases[c].off, cases[c].from, cases[c].to, cases[c].flags);
        run.pkt = NULL;
        if ((uint32_t)r != kret || memcmp(mine, kout, 64) != 0)
            fprintf(stderr, "case %d: mine %d kernel %d\n", c, (int)r, (int)kret);
        CHECK_EQ((uint32_t)r, kret);
        CHECK(memcmp(mine, kout, 64) == 0);
    }
}

/* XDP: how far the head and metadata may grow (Linux reserves struct
 * xdp_frame at the start of the 256-byte test-run headroom). */
static void test_xdp_limits_vs_kernel(void)
{
    static const struct { uint32_t id; int32_t delta; } cases[] = {
        { BPF_FUNC_xdp_adjust_head, -216 }, { BPF_FUNC_xdp_adjust_head, -217 },
        { BPF_FUNC_xdp_adjust_head, 50 },   { BPF_FUNC_xdp_adjust_head, 51 },
        { BPF_FUNC_xdp_adjust_meta, -4 },   { BPF_FUNC_xdp_adjust_meta, -6 },
        { BPF_FUNC_xdp_adjust_meta, -32 },  { BPF_FUNC_xdp_adjust_meta, -36 },
        { BPF_FUNC_xdp_adjust_meta, -216 }, { BPF_FUNC_xdp_adjust_meta, -220 },
        { BPF_FUNC_xdp_adjust_tail, -50 },  { BPF_FUNC_xdp_adjust_tail, -51 },
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const char *why = kbpf_helper_withheld(BPF_PROG_TYPE_XDP, (int32_t)cases[c].id);
        if (why) {
            char what[96];
            snprintf(what, sizeof(what), "xdp limits: helper %u delta %d", cases[c].id, cases[c].delta);
            TEST_SKIP_CASE(what, why);
            continue;
        }
        const struct bpf_insn prog[] = {
            MOVI(2, cases[c].delta),
            CALL(cases[c].id),
            EXIT(),
        };
        uint8_t in[64] = { 0 };
        uint32_t kret = 0;
        if (!kernel_result(BPF_PROG_TYPE_XDP, prog, 3, in, sizeof(in), NULL, NULL, &kret))
            continue;
        static uint8_t buf[256 + 64 + 64];
        struct bpfrt_pkt pkt = { .buf = buf, .buf_size = sizeof(buf), .data = buf + 256,
                                 .data_end = buf + 256 + 64, .data_meta = buf + 256 };
        run.pkt = &pkt;
        uint64_t r = call(cases[c].id, 0, (uint64_t)(int64_t)cases[c].delta, 0, 0, 0);
        run.pkt = NULL;
        if ((uint32_t)r != kret)
            fprintf(stderr, "helper %u delta %d: mine %d kernel %d\n", cases[c].id, cases[c].delta,
                    (int)r, (int)kret);
        CHECK_EQ((uint32_t)r, kret);
    }
}

/* bpf_skb_pull_data on a linear test-run skb of 64 bytes. */
static void test_skb_pull_vs_kernel(void)
{
    static const uint32_t lens[] = { 0, 14, 64, 65, 4096 };
    for (size_t c = 0; c < sizeof(lens) / sizeof(lens[0]); c++) {
        const struct bpf_insn prog[] = {
            MOVI(2, (int32_t)lens[c]),
            CALL(BPF_FUNC_skb_pull_data),
            EXIT(),
        };
        uint8_t in[64] = { 0 };
        uint32_t kret = 0;
        if (!kernel_result(BPF_PROG_TYPE_SCHED_CLS, prog, 3, in, sizeof(in), NULL, NULL, &kret))
            continue;
        uint8_t mine[64] = { 0 };
        struct bpfrt_pkt pkt = { .buf = mine, .buf_size = 64, .data = mine, .data_end = mine + 64, .net_off = 14 };
        run.pkt = &pkt;
        uint64_t r = call(BPF_FUNC_skb_pull_data, 0, lens[c], 0, 0, 0);
        run.pkt = NULL;
        if ((uint32_t)r != kret)
            fprintf(stderr, "skb_pull_data(%u): mine %d kernel %d\n", lens[c], (int)r, (int)kret);
        CHECK_EQ((uint32_t)r, kret);
    }
}

/* bpf_skb_change_tail / bpf_skb_change_head on a 64-byte Ethernet frame:
 * verdicts, resulting length and bytes. */
static void test_skb_resize_vs_kernel(void)
{
    static const struct { uint32_t id, arg; } cases[] = {
        { BPF_FUNC_skb_change_tail, 13 },  { BPF_FUNC_skb_change_tail, 14 },
        { BPF_FUNC_skb_change_tail, 20 },  { BPF_FUNC_skb_change_tail, 64 },
        { BPF_FUNC_skb_change_tail, 100 }, { BPF_FUNC_skb_change_tail, 16064 },
        { BPF_FUNC_skb_change_tail, 16065 },
        { BPF_FUNC_skb_change_head, 0 },   { BPF_FUNC_skb_change_head, 14 },
        { BPF_FUNC_skb_change_head, 100 }, { BPF_FUNC_skb_change_head, 16000 },
        { BPF_FUNC_skb_change_head, 16001 },
    };
    static uint8_t kout[20000], mbuf[16384 + 16384];
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const struct bpf_insn prog[] = {
            MOVI(2, (int32_t)cases[c].arg),
            MOVI(3, 0),
            CALL(cases[c].id),
            EXIT(),
        };
        uint8_t in[64];
        for (int i = 0; i < 64; i++)
            in[i] = (uint8_t)(i + 1);
        in[12] = 0x08;
        in[13] = 0x00;
        uint32_t kret, klen = sizeof(kout);
        if (!kernel_result(BPF_PROG_TYPE_SCHED_CLS, prog, 4, in, sizeof(in), kout, &klen, &kret))
            continue;

        memset(mbuf, 0xee, sizeof(mbuf));
        /* room enough on both sides that Linux's reallocation is never
         * needed (bpfrt cannot reallocate a hook's buffer) */
        memcpy(mbuf + 16384, in, sizeof(in));
        struct bpfrt_pkt pkt = { .buf = mbuf, .buf_size = sizeof(mbuf), .data = mbuf + 16384,
                                 .data_end = mbuf + 16384 + 64, .net_off = 14 };
        run.pkt = &pkt;
        uint64_t r = call(cases[c].id, 0, cases[c].arg, 0, 0, 0);
        run.pkt = NULL;
        uint32_t mlen = (uint32_t)(pkt.data_end - pkt.data);
        if ((uint32_t)r != kret || mlen != klen)
            fprintf(stderr, "helper %u(%u): mine %d len %u, kernel %d len %u\n", cases[c].id,
                    cases[c].arg, (int)r, mlen, (int)kret, klen);
        CHECK_EQ((uint32_t)r, kret);
        CHECK_EQ(mlen, klen);
        /* bytes: compare what both define (Linux does not zero a tail it
         * grows by reallocating) */
        uint32_t cmp = klen < 64 + 100 ? klen : 64 + 100;
        if (cases[c].id == BPF_FUNC_skb_change_tail && klen > 64)
            cmp = 64;
        CHECK(mlen == klen && memcmp(pkt.data, kout, cmp) == 0);
    }
}

/* bpf_skb_adjust_room / bpf_skb_change_proto: verdicts and resulting
 * bytes. A second call shows what the first did to skb->protocol (the
 * NET-mode offset depends on it). */
struct room_call {
    uint32_t id;
    int32_t a2;   /* len_diff or proto */
    uint32_t a3;  /* mode or flags */
    uint64_t a4;  /* flags */
};
struct room_case {
    uint16_t ethertype;
    uint32_t size;
    int ncalls;
    struct room_call c[2];
};

#define AR BPF_FUNC_skb_adjust_room
#define CP BPF_FUNC_skb_change_proto
#define L2(n) ((uint64_t)(n) << 56)

static void test_skb_room_vs_kernel(void)
{
    static const struct room_case cases[] = {
        { 0x0800, 64, 1, { { AR, 8, 0, 0 } } },
        { 0x0800, 64, 1, { { AR, 8, 1, 0 } } },
        { 0x0800, 64, 1, { { AR, -8, 0, 0 } } },
        { 0x0800, 64, 1, { { AR, -8, 1, 0 } } },
        { 0x0800, 64, 1, { { AR, -30, 0, 0 } } },
        { 0x0800, 64, 1, { { AR, -31, 0, 0 } } },
        { 0x0800, 64, 1, { { AR, -50, 0, 0 } } },
        { 0x0800, 64, 1, { { AR, 0x1000, 0, 0 } } },
        { 0x0800, 64, 1, { { AR, 4095, 0, 0 } } },
        { 0x0800, 64, 1, { { AR, 8, 2, 0 } } },
        { 0x0800, 64, 1, { { AR, 8, 0, 1ull << 9 } } },
        { 0x0800, 64, 1, { { AR, 8, 0, (1ull << 0) | (1ull << 5) } } },
        { 0x0800, 64, 2, { { AR, 20, 1, 1ull << 1 }, { AR, -8, 0, 0 } } },
        { 0x0800, 64, 2, { { AR, 40, 1, 1ull << 2 }, { AR, -8, 0, 0 } } },
        { 0x0800, 64, 1, { { AR, 8, 0, (1ull << 1) | (1ull << 2) } } },
        { 0x0800, 64, 1, { { AR, 8, 0, (1ull << 1) | (1ull << 3) | (1ull << 4) } } },
        { 0x0800, 64, 1, { { AR, 8, 0, (1ull << 1) | (1ull << 3) } } },
        { 0x0800, 64, 1, { { AR, 40, 0, (1ull << 1) | (1ull << 6) | L2(10) } } },
        { 0x0800, 64, 1, { { AR, 8, 0, (1ull << 1) | (1ull << 6) | L2(14) } } },
        { 0x0800, 64, 1, { { AR, 34, 0, (1ull << 1) | (1ull << 6) | L2(14) } } },
        { 0x0800, 64, 1, { { AR, 8, 0, (1ull << 3) } } },
        { 0x0800, 64, 1, { { AR, -8, 0, 1ull << 1 } } },
        { 0x0800, 64, 1, { { AR, 8, 0, 1ull << 7 } } },
        { 0x0800, 64, 1, { { AR, -20, 0, 1ull << 8 } } },
        { 0x0800, 100, 2, { { AR, -20, 0, 1ull << 8 }, { AR, -8, 0, 0 } } },
        { 0x0800, 100, 1, { { AR, -8, 0, (1ull << 7) | (1ull << 8) } } },
        { 0x86dd, 100, 1, { { AR, -8, 0, 0 } } },
        { 0x86dd, 100, 2, { { AR, 20, 1, 1ull << 1 }, { AR, -4, 0, 0 } } },
        { 0x0806, 64, 1, { { AR, 8, 0, 0 } } },
        { 0x0800, 64, 2, { { CP, 0xdd86, 0, 0 }, { AR, -8, 0, 0 } } },
        { 0x0800, 64, 1, { { CP, 0x0008, 0, 0 } } },
        { 0x0800, 64, 1, { { CP, 0xdd86, 1, 0 } } },
        { 0x86dd, 100, 2, { { CP, 0x0008, 0, 0 }, { AR, -8, 0, 0 } } },
        { 0x0806, 64, 1, { { CP, 0xdd86, 0, 0 } } },
    };
    static uint8_t kout[20000], mbuf[16384 + 16384];
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const struct room_case *rc = &cases[c];
        struct bpf_insn prog[32];
        uint32_t n = 0;
        prog[n++] = MOVR(7, 1);
        for (int k = 0; k < rc->ncalls; k++) {
            const struct room_call *cl = &rc->c[k];
            prog[n++] = MOVR(1, 7);
            prog[n++] = MOVI(2, cl->a2);
            prog[n++] = MOVI(3, (int32_t)cl->a3);
            const struct bpf_insn ld[] = { LD64(4, cl->a4) };
            prog[n++] = ld[0];
            prog[n++] = ld[1];
            prog[n++] = CALL(cl->id);
            if (k == 0)
                prog[n++] = MOVR(6, 0);
        }
        if (rc->ncalls == 2) {
            /* r0 = (first & 0xffff) << 16 | (second & 0xffff) */
            prog[n++] = I(BPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, 0xffff);
            prog[n++] = I(BPF_ALU64 | BPF_AND | BPF_K, 6, 0, 0, 0xffff);
            prog[n++] = I(BPF_ALU64 | BPF_LSH | BPF_K, 6, 0, 0, 16);
            prog[n++] = I(BPF_ALU64 | BPF_OR | BPF_X, 0, 6, 0, 0);
        }
        prog[n++] = EXIT();
        uint8_t in[128];
        for (uint32_t i = 0; i < sizeof(in); i++)
            in[i] = (uint8_t)(i * 7 + 1);
        in[12] = (uint8_t)(rc->ethertype >> 8);
        in[13] = (uint8_t)rc->ethertype;
        if (rc->ethertype == 0x0800)
            in[14] = 0x45;
        if (rc->ethertype == 0x86dd)
            in[14] = 0x60;
        uint32_t kret, klen = sizeof(kout);
        if (!kernel_result(BPF_PROG_TYPE_SCHED_CLS, prog, n, in, rc->size, kout, &klen, &kret))
            continue;

        /* ours: a tc context whose __sk_buff carries skb->protocol */
        struct __sk_buff *skb = tc_ctx_begin();
        skb->protocol = (uint32_t)(uint16_t)((rc->ethertype >> 8) | (rc->ethertype << 8));
        memset(mbuf, 0xee, sizeof(mbuf));
        memcpy(mbuf + 16384, in, rc->size);
        struct bpfrt_pkt pkt = { .buf = mbuf, .buf_size = sizeof(mbuf), .data = mbuf + 16384,
                                 .data_end = mbuf + 16384 + rc->size, .net_off = 14 };
        run.pkt = &pkt;
        skb->len = rc->size;
        uint32_t r[2] = { 0, 0 };
        for (int k = 0; k < rc->ncalls; k++) {
            const struct room_call *cl = &rc->c[k];
            r[k] = (uint32_t)call(cl->id, (uint64_t)(uintptr_t)skb, (uint64_t)(int64_t)cl->a2,
                                  cl->a3, cl->a4, 0);
        }
        run.pkt = NULL;
        tc_ctx_end();
        uint32_t mine = rc->ncalls == 2 ? (r[0] & 0xffff) << 16 | (r[1] & 0xffff) : r[0];
        uint32_t mlen = (uint32_t)(pkt.data_end - pkt.data);
        bool same = mine == kret && mlen == klen && memcmp(pkt.data, kout, mlen) == 0 &&
                    skb->len == mlen;
        if (!same)
            fprintf(stderr, "room case %zu: kernel %d len %u, we %d len %u (skb.len %u)\n", c,
                    (int)kret, klen, (int)mine, mlen, skb->len);
        CHECK(same);
    }
}

/* ECN marking, packet type, hash and the peer/neigh redirects. */
static void test_skb_meta_vs_kernel(void)
{
    static uint8_t kout[256];
    /* ecn_set_ce: IPv4 with each ECN codepoint (checksum fixed up), IPv6 */
    for (int v6 = 0; v6 < 2; v6++) {
        for (int ecn = 0; ecn < 4; ecn++) {
            const struct bpf_insn prog[] = { CALL(BPF_FUNC_skb_ecn_set_ce), EXIT() };
            uint8_t in[80] = { 0 };
            memset(in, 0x11, 12);
            if (!v6) {
                static const uint8_t ip[20] = { 0x45, 0x00, 0x00, 0x42, 0, 0, 0x40, 0, 0x40, 0x11, 0xb8,
                                                0x90, 0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7 };
                in[12] = 0x08;
                memcpy(in + 14, ip, 20);
                in[15] = (uint8_t)(0xb8 | ecn);
            } else {
                in[12] = 0x86;
                in[13] = 0xdd;
                in[14] = 0x6b;                          /* version 6, traffic class 0xb? */
                in[15] = (uint8_t)(0x80 | ecn << 4);    /* ... ECN in bits 4-5 of byte 1 */
                in[18] = 0;
                in[19] = 26;
                in[20] = 17;
            }
            uint32_t kret, klen = sizeof(kout);
            if (!kernel_result(BPF_PROG_TYPE_SCHED_CLS, prog, 2, in, sizeof(in), kout, &klen, &kret))
                continue;
            uint8_t mine[80];
            memcpy(mine, in, sizeof(in));
            struct bpfrt_pkt pkt = { .buf = mine, .buf_size = 80, .data = mine, .data_end = mine + 80, .net_off = 14 };
            run.pkt = &pkt;
            uint64_t r = call(BPF_FUNC_skb_ecn_set_ce, 0, 0, 0, 0, 0);
            run.pkt = NULL;
            if ((uint32_t)r != kret || memcmp(mine, kout, sizeof(mine)))
                fprintf(stderr, "ecn_set_ce v6=%d ecn=%d: kernel %u, we %u\n", v6, ecn, kret, (uint32_t)r);
            CHECK_EQ((uint32_t)r, kret);
            CHECK(memcmp(mine, kout, sizeof(mine)) == 0);
        }
    }

    /* change_type: r0 = ret << 16 | pkt_type before << 8 | pkt_type after */
    static const uint32_t types[] = { 0, 1, 3, 4, 7 };
    for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
        const struct bpf_insn prog[] = {
            MOVR(7, 1),
            I(BPF_LDX | BPF_MEM | BPF_W, 8, 1, 4, 0),
            MOVI(2, (int32_t)types[t]),
            CALL(BPF_FUNC_skb_change_type),
            MOVR(6, 0),
            I(BPF_LDX | BPF_MEM | BPF_W, 0, 7, 4, 0),
            I(BPF_ALU64 | BPF_AND | BPF_K, 6, 0, 0, 0xff),
            I(BPF_ALU64 | BPF_LSH | BPF_K, 6, 0, 0, 16),
            I(BPF_ALU64 | BPF_LSH | BPF_K, 8, 0, 0, 8),
            I(BPF_ALU64 | BPF_OR | BPF_X, 0, 6, 0, 0),
            I(BPF_ALU64 | BPF_OR | BPF_X, 0, 8, 0, 0),
            EXIT(),
        };
        uint32_t kret = 0;
        if (!kernel_result_tc_ipv4(prog, sizeof(prog) / sizeof(prog[0]), &kret))
            continue;
        struct __sk_buff *skb = tc_ctx_begin();
        skb->pkt_type = (kret >> 8) & 0xff; /* what the kernel's test-run starts with */
        uint32_t before = skb->pkt_type;
        uint64_t r = call(BPF_FUNC_skb_change_type, (uint64_t)(uintptr_t)skb, types[t], 0, 0, 0);
        tc_ctx_end();
        uint32_t mine = ((uint32_t)r & 0xff) << 16 | before << 8 | skb->pkt_type;
        CHECK_EQ(mine, kret);
    }

    /* set_hash then read skb->hash; set_hash_invalid clears it */
    for (int inval = 0; inval < 2; inval++) {
        const struct bpf_insn prog[] = {
            MOVR(7, 1),
            LD64(2, 0xabcd1234),
            CALL(BPF_FUNC_set_hash),
            MOVR(1, 7),
            inval ? CALL(BPF_FUNC_set_hash_invalid) : MOVI(0, 0),
            I(BPF_LDX | BPF_MEM | BPF_W, 0, 7, (int16_t)offsetof(struct __sk_buff, hash), 0),
            EXIT(),
        };
        uint32_t kret = 0;
        if (!kernel_result_tc_ipv4(prog, sizeof(prog) / sizeof(prog[0]), &kret))
            continue;
        struct __sk_buff *skb = tc_ctx_begin();
        call(BPF_FUNC_set_hash, (uint64_t)(uintptr_t)skb, 0xabcd1234, 0, 0, 0);
        if (inval)
            call(BPF_FUNC_set_hash_invalid, (uint64_t)(uintptr_t)skb, 0, 0, 0, 0);
        tc_ctx_end();
        CHECK_EQ(skb->hash, kret);
    }

    /* redirect_peer / redirect_neigh verdicts */
    static const struct { uint32_t id; uint64_t a2, a3, a4; } rd[] = {
        { BPF_FUNC_redirect_peer, 0, 0, 0 },  { BPF_FUNC_redirect_peer, 1, 0, 0 },
        { BPF_FUNC_redirect_neigh, 0, 0, 0 }, { BPF_FUNC_redirect_neigh, 1, 20, 0 },
        { BPF_FUNC_redirect_neigh, 1, 19, 0 }, { BPF_FUNC_redirect_neigh, 0, 0, 1 },
        { BPF_FUNC_redirect_neigh, 1, 24, 0 },
    };
    for (size_t c = 0; c < sizeof(rd) / sizeof(rd[0]); c++) {
        struct bpf_insn prog[16];
        uint32_t n = 0;
        prog[n++] = MOVI(1, 1);
        if (rd[c].id == BPF_FUNC_redirect_peer) {
            prog[n++] = MOVI(2, (int32_t)rd[c].a2);
        } else {
            for (int w = 0; w < 6; w++)
                prog[n++] = ST32(10, (int16_t)(-24 + 4 * w), 0);
            if (rd[c].a2) {
                prog[n++] = MOVR(2, 10);
                prog[n++] = ADDI(2, -24);
            } else {
                prog[n++] = MOVI(2, 0);
            }
            prog[n++] = MOVI(3, (int32_t)rd[c].a3);
            prog[n++] = MOVI(4, (int32_t)rd[c].a4);
        }
        prog[n++] = CALL(rd[c].id);
        prog[n++] = EXIT();
        uint32_t kret = 0;
        if (!kernel_result_tc_ipv4(prog, n, &kret))
            continue;
        uint8_t params[24] = { 0 };
        uint64_t r = rd[c].id == BPF_FUNC_redirect_peer
                         ? call(rd[c].id, 1, rd[c].a2, 0, 0, 0)
                         : call(rd[c].id, 1, rd[c].a2 ? (uint64_t)(uintptr_t)params : 0, rd[c].a3, rd[c].a4, 0);
        CHECK_EQ((uint32_t)r, kret);
    }
}

/* ---- bpf_snprintf: the format checker and formatter against the kernel ----
 * The kernel checks a constant format at load time (the same
 * bpf_bprintf_prepare rules), so a refused format fails the load; an
 * accepted one is run and its output read back from a map. */

enum { A_VAL, A_STR, A_BYTES };
struct fmt_arg {
    int kind;
    uint64_t val;        /* A_VAL */
    const char *bytes;   /* A_STR (NUL-terminated) / A_BYTES */
    uint32_t len;        /* A_BYTES */
};
struct fmt_case {
    const char *fmt;
    int nargs;
    struct fmt_arg args[4];
};

static int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
    return (int)kbpf_map_create(type, ks, vs, max, flags);
}

static int map_update(int fd, const void *key, const void *val)
{
    return (int)kbpf_map_elem(BPF_MAP_UPDATE_ELEM, fd, key, val, 0);
}

static int map_lookup(int fd, const void *key, void *val)
{
    return (int)kbpf_map_elem(BPF_MAP_LOOKUP_ELEM, fd, key, val, 0);
}

/* Runs fmt in the kernel: 1 = loaded and ran (ret, out filled), 0 = the
 * load was refused, -1 = setup failure. */
static int kernel_snprintf(const struct fmt_case *fc, uint32_t *ret, char out[128])
{
    int fmt_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 128, 1, BPF_F_RDONLY_PROG);
    int out_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 128, 1, 0);
    if (fmt_fd < 0 || out_fd < 0)
        return -1;
    uint32_t zero = 0;
    char fbuf[128] = { 0 };
    snprintf(fbuf, sizeof(fbuf), "%s", fc->fmt);
    map_update(fmt_fd, &zero, fbuf);
    union bpf_attr fa;
    memset(&fa, 0, sizeof(fa));
    fa.map_fd = (uint32_t)fmt_fd;
    kbpf(BPF_MAP_FREEZE, &fa);

    /* stack: args at r10-32.., their bytes at r10-96 + 16 * i, key at r10-100 */
    struct bpf_insn prog[128];
    uint32_t n = 0;
    for (int i = 0; i < fc->nargs; i++) {
        const struct fmt_arg *a = &fc->args[i];
        int16_t slot = (int16_t)(-32 + 8 * i);
        if (a->kind == A_VAL) {
            const struct bpf_insn ld[] = { LD64(1, a->val) };
            prog[n++] = ld[0];
            prog[n++] = ld[1];
        } else {
            int16_t at = (int16_t)(-96 + 16 * i);
            uint8_t b[16] = { 0 };
            memcpy(b, a->bytes, a->kind == A_STR ? strlen(a->bytes) + 1 : a->len);
            for (int w = 0; w < 4; w++) {
                int32_t v;
                memcpy(&v, b + 4 * w, 4);
                prog[n++] = ST32(10, (int16_t)(at + 4 * w), v);
            }
            prog[n++] = MOVR(1, 10);
            prog[n++] = ADDI(1, at);
        }
        prog[n++] = I(BPF_STX | BPF_MEM | BPF_DW, 10, 1, slot, 0);
    }
    prog[n++] = ST32(10, -100, 0);
    prog[n++] = I(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, out_fd);
    prog[n++] = I(0, 0, 0, 0, 0);
    prog[n++] = MOVR(2, 10);
    prog[n++] = ADDI(2, -100);
    prog[n++] = CALL(BPF_FUNC_map_lookup_elem);
    prog[n++] = I(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 1, 0);
    prog[n++] = EXIT();
    prog[n++] = MOVR(1, 0);
    prog[n++] = MOVI(2, 128);
    prog[n++] = I(BPF_LD | BPF_DW | BPF_IMM, 3, BPF_PSEUDO_MAP_VALUE, 0, fmt_fd);
    prog[n++] = I(0, 0, 0, 0, 0);
    if (fc->nargs) {
        prog[n++] = MOVR(4, 10);
        prog[n++] = ADDI(4, -32);
    } else {
        prog[n++] = MOVI(4, 0);
    }
    prog[n++] = MOVI(5, 8 * fc->nargs);
    prog[n++] = CALL(BPF_FUNC_snprintf);
    prog[n++] = EXIT();

    int pfd = (int)kbpf_prog_load(BPF_PROG_TYPE_XDP, prog, n, 0, NULL, 0);
    int res = 0;
    if (pfd >= 0) {
        uint8_t pkt[64] = { 0 };
        res = kbpf_test_run(pfd, pkt, sizeof(pkt), NULL, NULL, ret) == 0 ? 1 : -1;
        map_lookup(out_fd, &zero, out);
        close(pfd);
    }
    close(fmt_fd);
    close(out_fd);
    return res;
}

static void test_snprintf_vs_kernel(void)
{
    static const uint8_t v4[4] = { 192, 168, 1, 10 };
    static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 };
#define V(x) { A_VAL, (uint64_t)(x), NULL, 0 }
#define S(x) { A_STR, 0, (x), 0 }
#define B(x, l) { A_BYTES, 0, (const char *)(x), (l) }
    static const struct fmt_case cases[] = {
        { "%d %u %x %X", 4, { V(-5), V(0xffffffffu), V(255), V(0xabc) } },
        { "%d|%x|%ld", 3, { V(0x100000005ull), V(-1), V(-1) } },
        { "%lld %llu %llx %li", 4, { V(INT64_MIN), V(UINT64_MAX), V(0x123456789abcull), V(-42) } },
        { "[%-5d|%05d|%+d|% d]", 4, { V(5), V(42), V(7), V(7) } },
        { "[%8x|%-8X|%08lx]", 3, { V(0xbeef), V(0xbeef), V(0xbeef) } },
        { "%c%c%c!", 3, { V('a'), V('b'), V(0x163) } },
        { "<%s|%10s|%-4s>", 3, { S("abc"), S("right"), S("l") } },
        { "%s", 1, { S("") } },
        { "100%% %pks", 1, { S("sure") } },
        { "%pI4 %pi4", 2, { B(v4, 4), B(v4, 4) } },
        { "%pI6|%pi6", 2, { B(v6, 16), B(v6, 16) } },
        { "%px %pS %ps %pB", 4, { V(0x1234), V(0x1234), V(0x1234), V(0x1234) } },
        { "plain text, no args", 0, { V(0) } },
        { "%d", 2, { V(1), V(2) } },
        { "tab\there\n", 0, { V(0) } },
        { "%300d|%-200s|%150c", 3, { V(5), S("w"), V('z') } },
        { "%8388607x", 1, { V(1) } },
        { "%8388608x", 1, { V(1) } },
        { "%99999999x", 1, { V(1) } },
        { "%16777217d|", 1, { V(1) } },
        /* refused */
        { "%5.2d", 1, { V(1) } },
        { "%hd", 1, { V(1) } },
        { "%#x", 1, { V(1) } },
        { "%o", 1, { V(1) } },
        { "%lc", 1, { V(1) } },
        { "%ls", 1, { S("x") } },
        { "%zu", 1, { V(1) } },
        { "%sx", 1, { S("x") } },
        { "%pZ", 1, { V(1) } },
        { "%p5", 1, { V(1) } },
        { "%pI5", 1, { V(1) } },
        { "%f", 1, { V(1) } },
        { "%n", 1, { V(1) } },
        { "%5%", 1, { V(1) } },
        { "%d %d", 1, { V(1) } },
        { "%", 1, { V(1) } },
        { "bell\a", 0, { V(0) } },
    };
#undef V
#undef S
#undef B
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const struct fmt_case *fc = &cases[c];
        uint32_t kret = 0;
        char kout[128] = { 0 };
        int k = kernel_snprintf(fc, &kret, kout);
        CHECK(k >= 0);
        if (k < 0)
            continue;
        uint64_t args[4];
        for (int i = 0; i < fc->nargs; i++)
            args[i] = fc->args[i].kind == A_VAL ? fc->args[i].val : (uint64_t)(uintptr_t)fc->args[i].bytes;
        char out[128];
        memset(out, 0, sizeof(out));
        uint64_t mine = call(BPF_FUNC_snprintf, (uint64_t)(uintptr_t)out, sizeof(out),
                             (uint64_t)(uintptr_t)fc->fmt, (uint64_t)(uintptr_t)args, 8u * fc->nargs);
        if (k == 0) {
            /* the kernel refused the format: so must we */
            if ((int64_t)mine != -BPFRT_EINVAL)
                fprintf(stderr, "\"%s\": kernel refuses, we return %lld\n", fc->fmt, (long long)mine);
            CHECK_EQ((int64_t)mine, -BPFRT_EINVAL);
            continue;
        }
        if ((uint32_t)mine != kret || strcmp(out, kout) != 0)
            fprintf(stderr, "\"%s\": kernel %d \"%s\", we %d \"%s\"\n", fc->fmt, (int)kret, kout,
                    (int)mine, out);
        CHECK_EQ((uint32_t)mine, kret);
        CHECK_STR(out, kout);
    }
}

/* Random formats built from valid conversions, invalid ones and stray
 * pieces, with small integer arguments (so %s and %pI4 read unmapped low
 * addresses on both sides): the kernel must accept exactly what we accept
 * and print the same. Plain %p and %pK are left out (Linux hashes them). */
static void test_snprintf_random_vs_kernel(void)
{
    static const char *const toks[] = {
        "%d", "%i", "%u", "%x", "%X", "%ld", "%lu", "%lx", "%lld", "%llu", "%llx", "%lli",
        "%5d", "%-4x", "%08u", "%+d", "% d", "%-+3d", "%c", "%3c", "%s", "%-6s", "%pks",
        "%pI4", "%pi4", "%pI6", "%pi6", "%px", "%pS", "%ps", "%pB", "%%",
        "%hd", "%5.2d", "%#x", "%o", "%ls", "%lc", "%zd", "%q", "%pQ",
        "%", "%l", "%5", "%-", "%ll",
        "a", "b", " ", ".", ",", ":", "-", "\t", "ab", "(", ")",
    };
    const size_t ntok = sizeof(toks) / sizeof(toks[0]);
    const char *env = getenv("BPFRT_FUZZ_ITERS");
    int iters = env ? atoi(env) / 10 : 200;
    if (iters < 20)
        iters = 20;
    int accepted = 0, refused = 0;
    for (int it = 0; it < iters; it++) {
        struct fmt_case fc;
        memset(&fc, 0, sizeof(fc));
        char fmt[96] = "";
        int parts = 1 + (int)(rnd() % 6);
        for (int k = 0; k < parts; k++)
            strcat(fmt, toks[rnd() % ntok]);
        fc.fmt = fmt;
        fc.nargs = (int)(rnd() % 5);
        for (int i = 0; i < fc.nargs; i++) {
            static const uint64_t vals[] = { 0, 1, 7, 42, 255, 0x41, 0xffffffffull, (uint64_t)-1,
                                             (uint64_t)-42, 0x123456789ull, 0x80000000ull };
            fc.args[i].kind = A_VAL;
            fc.args[i].val = vals[rnd() % (sizeof(vals) / sizeof(vals[0]))];
        }
        uint32_t kret = 0;
        char kout[128] = { 0 };
        int k = kernel_snprintf(&fc, &kret, kout);
        if (k < 0) {
            test_failed++;
            continue;
        }
        uint64_t args[4] = { fc.args[0].val, fc.args[1].val, fc.args[2].val, fc.args[3].val };
        char out[128];
        memset(out, 0, sizeof(out));
        uint64_t mine = call(BPF_FUNC_snprintf, (uint64_t)(uintptr_t)out, sizeof(out),
                             (uint64_t)(uintptr_t)fmt, (uint64_t)(uintptr_t)args, 8u * fc.nargs);
        bool ok = k == 0 ? (int64_t)mine == -BPFRT_EINVAL
                         : (uint32_t)mine == kret && memcmp(out, kout, sizeof(out)) == 0;
        if (!ok)
            fprintf(stderr, "\"%s\" (%d args): kernel %s %d \"%s\", we %d \"%s\"\n", fmt, fc.nargs,
                    k ? "ran" : "refused", (int)kret, kout, (int)mine, out);
        CHECK(ok);
        if (k)
            accepted++;
        else
            refused++;
    }
    CHECK(accepted > 0 && refused > 0);
}

/* bpf_strtol / bpf_strtoul: return value and *res for the same input. */
static void test_strtox_vs_kernel(void)
{
    static const struct { const char *s; uint32_t len; uint64_t flags; } cases[] = {
        { " -123abc", 8, 0 }, { "0x1f", 4, 0 }, { "017", 3, 0 }, { "abc", 3, 16 },
        { "12345", 3, 10 }, { "-9223372036854775808", 20, 10 }, { "9223372036854775808", 19, 10 },
        { "18446744073709551615", 20, 0 }, { "18446744073709551616", 20, 0 }, { "xyz", 3, 0 },
        { "   ", 3, 0 }, { "12", 2, 7 }, { "12", 2, 0x20 | 10 }, { "0x", 2, 16 }, { "0x", 2, 0 },
        { "0xg", 3, 0 }, { "-0", 2, 0 }, { "+5", 2, 0 }, { "\n\t 42", 5, 0 }, { "-", 1, 0 },
        { "0", 1, 8 }, { "08", 2, 0 }, { "0X1A", 4, 16 }, { "777", 3, 8 }, { "-0x10", 5, 0 },
        { "000000000000000000000000000000000000000000000000000000000000000000012", 69, 10 },
    };
    int out_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
    CHECK(out_fd >= 0);
    if (out_fd < 0)
        return;
    for (int fn = 0; fn < 2; fn++) {
        uint32_t id = fn ? BPF_FUNC_strtoul : BPF_FUNC_strtol;
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
            struct bpf_insn prog[64];
            uint32_t n = 0;
            uint8_t b[72] = { 0 };
            memcpy(b, cases[c].s, strlen(cases[c].s));
            for (int w = 0; w < 18; w++) {
                int32_t v;
                memcpy(&v, b + 4 * w, 4);
                prog[n++] = ST32(10, (int16_t)(-88 + 4 * w), v);
            }
            prog[n++] = MOVR(1, 10);
            prog[n++] = ADDI(1, -88);
            prog[n++] = MOVI(2, (int32_t)cases[c].len);
            prog[n++] = MOVI(3, (int32_t)cases[c].flags);
            prog[n++] = MOVR(4, 10);
            prog[n++] = ADDI(4, -8);
            prog[n++] = CALL(id);
            prog[n++] = MOVR(6, 0);
            prog[n++] = ST32(10, -12, 0);
            prog[n++] = I(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, out_fd);
            prog[n++] = I(0, 0, 0, 0, 0);
            prog[n++] = MOVR(2, 10);
            prog[n++] = ADDI(2, -12);
            prog[n++] = CALL(BPF_FUNC_map_lookup_elem);
            prog[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0);
            prog[n++] = I(BPF_LDX | BPF_MEM | BPF_DW, 1, 10, -8, 0);
            prog[n++] = I(BPF_STX | BPF_MEM | BPF_DW, 0, 1, 0, 0);
            prog[n++] = MOVR(0, 6);
            prog[n++] = EXIT();
            uint8_t pkt[64] = { 0 };
            uint32_t kret = 0, zero = 0;
            if (!kernel_result(BPF_PROG_TYPE_XDP, prog, n, pkt, sizeof(pkt), NULL, NULL, &kret))
                continue;
            uint64_t kres = 0;
            map_lookup(out_fd, &zero, &kres);
            uint64_t res = 0x5555;
            uint64_t mine = call(id, (uint64_t)(uintptr_t)b, cases[c].len, cases[c].flags,
                                 (uint64_t)(uintptr_t)&res, 0);
            if ((uint32_t)mine != kret || res != kres)
                fprintf(stderr, "%s(\"%s\", %u, %llu): kernel %d res %lld, we %d res %lld\n",
                        fn ? "strtoul" : "strtol", cases[c].s, cases[c].len,
                        (unsigned long long)cases[c].flags, (int)kret, (long long)kres, (int)mine,
                        (long long)res);
            CHECK_EQ((uint32_t)mine, kret);
            CHECK_EQ(res, kres);
        }
    }
    close(out_fd);
}

/* bpf_strncmp(s1, s1_sz, s2) with s2 a constant string in a frozen map. */
static void test_strncmp_vs_kernel(void)
{
    static const struct { const char *s1; uint32_t sz; const char *s2; } cases[] = {
        { "abc", 3, "abd" }, { "abd", 3, "abc" }, { "abc", 3, "abc" }, { "abcx", 3, "abc" },
        { "ab", 3, "abc" }, { "abcd", 4, "abc" }, { "\xff", 1, "a" }, { "", 1, "" },
        { "zzz", 1, "zaa" }, { "hello world", 11, "hello" }, { "a", 8, "a" },
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        int s2_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 32, 1, BPF_F_RDONLY_PROG);
        if (s2_fd < 0) {
            test_failed++;
            continue;
        }
        uint32_t zero = 0;
        char v[32] = { 0 };
        snprintf(v, sizeof(v), "%s", cases[c].s2);
        map_update(s2_fd, &zero, v);
        union bpf_attr fa;
        memset(&fa, 0, sizeof(fa));
        fa.map_fd = (uint32_t)s2_fd;
        kbpf(BPF_MAP_FREEZE, &fa);
        uint8_t b[16] = { 0 };
        memcpy(b, cases[c].s1, strlen(cases[c].s1));
        struct bpf_insn prog[16];
        uint32_t n = 0;
        for (int w = 0; w < 4; w++) {
            int32_t x;
            memcpy(&x, b + 4 * w, 4);
            prog[n++] = ST32(10, (int16_t)(-16 + 4 * w), x);
        }
        prog[n++] = MOVR(1, 10);
        prog[n++] = ADDI(1, -16);
        prog[n++] = MOVI(2, (int32_t)cases[c].sz);
        prog[n++] = I(BPF_LD | BPF_DW | BPF_IMM, 3, BPF_PSEUDO_MAP_VALUE, 0, s2_fd);
        prog[n++] = I(0, 0, 0, 0, 0);
        prog[n++] = CALL(BPF_FUNC_strncmp);
        prog[n++] = EXIT();
        uint8_t pkt[64] = { 0 };
        uint32_t kret = 0;
        bool ran = kernel_result(BPF_PROG_TYPE_XDP, prog, n, pkt, sizeof(pkt), NULL, NULL, &kret);
        close(s2_fd);
        if (!ran)
            continue;
        uint64_t mine = call(BPF_FUNC_strncmp, (uint64_t)(uintptr_t)b, cases[c].sz,
                             (uint64_t)(uintptr_t)v, 0, 0);
        if ((uint32_t)mine != kret)
            fprintf(stderr, "strncmp(\"%s\", %u, \"%s\"): kernel %d, we %d\n", cases[c].s1,
                    cases[c].sz, cases[c].s2, (int)kret, (int)mine);
        CHECK_EQ((uint32_t)mine, kret);
    }
}

/* VLAN push/pop: the packet bytes and the out-of-band tag and protocol the
 * program reads back from __sk_buff afterwards. */
struct vlan_op {
    int push;          /* 1 push, 0 pop, -1 end */
    int32_t proto, tci;
};

static void test_vlan_vs_kernel(void)
{
    enum { UNTAGGED, SINGLE, DOUBLE };
    static const struct { int frame; struct vlan_op ops[4]; } cases[] = {
        { UNTAGGED, { { 1, 0x0081, 5 }, { -1, 0, 0 } } },
        { UNTAGGED, { { 1, 0xa888, 7 }, { 1, 0x0081, 9 }, { -1, 0, 0 } } },
        { UNTAGGED, { { 1, 0x1234, 7 }, { -1, 0, 0 } } },
        { UNTAGGED, { { 0, 0, 0 }, { -1, 0, 0 } } },
        { UNTAGGED, { { 1, 0x0081, 5 }, { 0, 0, 0 }, { -1, 0, 0 } } },
        { UNTAGGED, { { 1, 0x0081, 1 }, { 1, 0x0081, 2 }, { 1, 0x0081, 3 }, { 0, 0, 0 } } },
        { SINGLE, { { 0, 0, 0 }, { -1, 0, 0 } } },
        { SINGLE, { { 1, 0x0081, 0x123 }, { -1, 0, 0 } } },
        { DOUBLE, { { 0, 0, 0 }, { -1, 0, 0 } } },
        { DOUBLE, { { 0, 0, 0 }, { 0, 0, 0 }, { -1, 0, 0 } } },
        { DOUBLE, { { 0, 0, 0 }, { 1, 0xa888, 0x42 }, { -1, 0, 0 } } },
    };
    int out_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 32, 1, 0);
    CHECK(out_fd >= 0);
    if (out_fd < 0)
        return;
    static uint8_t kout[512], mbuf[512];
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct bpf_insn prog[96];
        uint32_t n = 0;
        prog[n++] = MOVR(7, 1);
        prog[n++] = MOVI(8, 0);
        int nops = 0;
        for (int k = 0; k < 4 && cases[c].ops[k].push >= 0; k++, nops++) {
            prog[n++] = MOVR(1, 7);
            if (cases[c].ops[k].push) {
                prog[n++] = MOVI(2, cases[c].ops[k].proto);
                prog[n++] = MOVI(3, cases[c].ops[k].tci);
                prog[n++] = CALL(BPF_FUNC_skb_vlan_push);
            } else {
                prog[n++] = CALL(BPF_FUNC_skb_vlan_pop);
            }
            /* r8 = r8 << 8 | (r0 & 0xff) */
            prog[n++] = I(BPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, 0xff);
            prog[n++] = I(BPF_ALU64 | BPF_LSH | BPF_K, 8, 0, 0, 8);
            prog[n++] = I(BPF_ALU64 | BPF_OR | BPF_X, 8, 0, 0, 0);
        }
        prog[n++] = ST32(10, -4, 0);
        prog[n++] = I(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, out_fd);
        prog[n++] = I(0, 0, 0, 0, 0);
        prog[n++] = MOVR(2, 10);
        prog[n++] = ADDI(2, -4);
        prog[n++] = CALL(BPF_FUNC_map_lookup_elem);
        prog[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 10, 0);
        static const int16_t offs[4] = { offsetof(struct __sk_buff, vlan_present),
                                         offsetof(struct __sk_buff, vlan_tci),
                                         offsetof(struct __sk_buff, vlan_proto),
                                         offsetof(struct __sk_buff, protocol) };
        for (int f = 0; f < 4; f++) {
            prog[n++] = I(BPF_LDX | BPF_MEM | BPF_W, 1, 7, offs[f], 0);
            prog[n++] = I(BPF_STX | BPF_MEM | BPF_W, 0, 1, (int16_t)(4 * f), 0);
        }
        prog[n++] = I(BPF_STX | BPF_MEM | BPF_W, 0, 8, 16, 0);
        prog[n++] = MOVI(0, 0);
        prog[n++] = EXIT();
        uint8_t in[80];
        for (int i = 0; i < 80; i++)
            in[i] = (uint8_t)(i + 0x20);
        uint32_t at = 12;
        if (cases[c].frame == DOUBLE) {
            in[at] = 0x88; in[at + 1] = 0xa8; in[at + 2] = 0x00; in[at + 3] = 0x11;
            at += 4;
        }
        if (cases[c].frame != UNTAGGED) {
            in[at] = 0x81; in[at + 1] = 0x00; in[at + 2] = 0x00; in[at + 3] = 0x22;
            at += 4;
        }
        in[at] = 0x08;
        in[at + 1] = 0x00;
        in[at + 2] = 0x45;
        uint32_t kret, klen = sizeof(kout);
        if (!kernel_result(BPF_PROG_TYPE_SCHED_CLS, prog, n, in, sizeof(in), kout, &klen, &kret))
            continue;
        uint32_t zero = 0, kf[8] = { 0 };
        map_lookup(out_fd, &zero, kf);

        /* ours: skb->protocol is the frame's outer EtherType, as eth_type_trans sets it */
        struct __sk_buff *skb = tc_ctx_begin();
        skb->protocol = (uint32_t)(in[12] | in[13] << 8);
        memset(mbuf, 0, sizeof(mbuf));
        memcpy(mbuf + 256, in, sizeof(in));
        struct bpfrt_pkt pkt = { .buf = mbuf, .buf_size = sizeof(mbuf), .data = mbuf + 256,
                                 .data_end = mbuf + 256 + sizeof(in), .net_off = 14 };
        run.pkt = &pkt;
        uint32_t rets = 0;
        for (int k = 0; k < nops; k++) {
            const struct vlan_op *op = &cases[c].ops[k];
            uint64_t r = op->push ? call(BPF_FUNC_skb_vlan_push, 0, (uint64_t)op->proto, (uint64_t)op->tci, 0, 0)
                                  : call(BPF_FUNC_skb_vlan_pop, 0, 0, 0, 0, 0);
            rets = rets << 8 | (uint32_t)(r & 0xff);
        }
        run.pkt = NULL;
        tc_ctx_end();
        uint32_t mlen = (uint32_t)(pkt.data_end - pkt.data);
        bool same = mlen == klen && memcmp(pkt.data, kout, mlen) == 0 &&
                    skb->vlan_present == kf[0] && skb->vlan_tci == kf[1] && skb->vlan_proto == kf[2] &&
                    skb->protocol == kf[3] && rets == kf[4];
        if (!same)
            fprintf(stderr, "vlan case %zu: kernel len %u present %u tci %x proto %x protocol %x rets %x; "
                            "we len %u present %u tci %x proto %x protocol %x rets %x\n",
                    c, klen, kf[0], kf[1], kf[2], kf[3], kf[4], mlen, skb->vlan_present,
                    skb->vlan_tci, skb->vlan_proto, skb->protocol, rets);
        CHECK(same);
    }
    close(out_fd);
}

/* ---- the helper table's program types and gpl_only against the verifier ----
 * For `call <id>; exit` the verifier first asks the program type for the
 * helper's proto ("program of this type cannot use helper" when it has
 * none), then checks gpl_only ("cannot call GPL-restricted function"),
 * and only then the arguments; so the log tells both facts for every
 * (helper, type) pair without building valid arguments. */

struct ktype {
    uint32_t type, attach;
};

static const struct ktype ktypes[] = {
    { BPF_PROG_TYPE_SOCKET_FILTER, 0 }, { BPF_PROG_TYPE_KPROBE, 0 },
    { BPF_PROG_TYPE_SCHED_CLS, 0 },     { BPF_PROG_TYPE_SCHED_ACT, 0 },
    { BPF_PROG_TYPE_TRACEPOINT, 0 },    { BPF_PROG_TYPE_XDP, 0 },
    { BPF_PROG_TYPE_PERF_EVENT, 0 },    { BPF_PROG_TYPE_CGROUP_SKB, 0 },
    { BPF_PROG_TYPE_CGROUP_SOCK, 0 },   { BPF_PROG_TYPE_LWT_IN, 0 },
    { BPF_PROG_TYPE_LWT_OUT, 0 },       { BPF_PROG_TYPE_LWT_XMIT, 0 },
    { BPF_PROG_TYPE_SOCK_OPS, 0 },      { BPF_PROG_TYPE_SK_SKB, 0 },
    { BPF_PROG_TYPE_CGROUP_DEVICE, 0 }, { BPF_PROG_TYPE_SK_MSG, 0 },
    { BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
    { BPF_PROG_TYPE_LWT_SEG6LOCAL, 0 }, { BPF_PROG_TYPE_SK_REUSEPORT, 0 },
    { BPF_PROG_TYPE_FLOW_DISSECTOR, 0 }, { BPF_PROG_TYPE_CGROUP_SYSCTL, 0 },
    { BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT },
    { BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP }, { BPF_PROG_TYPE_SYSCALL, 0 },
    { BPF_PROG_TYPE_NETFILTER, BPF_NETFILTER },
};

/* 1: the type may call the helper, 0: it may not, -1: could not tell. */
static int kernel_allows(uint32_t type, uint32_t attach, uint32_t id, bool gpl, bool *gpl_refused)
{
    static char log[4096];
    const struct bpf_insn prog[] = { CALL((int32_t)id), EXIT() };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.expected_attach_type = attach;
    a.insns = (uint64_t)(uintptr_t)prog;
    a.insn_cnt = 2;
    a.license = (uint64_t)(uintptr_t)(gpl ? "GPL" : "Proprietary");
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = sizeof(log);
    a.log_level = 1;
    if (type == BPF_PROG_TYPE_SYSCALL)
        a.prog_flags = BPF_F_SLEEPABLE;
    log[0] = 0;
    int fd = (int)kbpf(BPF_PROG_LOAD, &a);
    if (fd >= 0) {
        close(fd); /* helpers without arguments load */
        return 1;
    }
    if (strstr(log, "cannot use helper") || strstr(log, "unknown func"))
        return 0;
    *gpl_refused = strstr(log, "GPL-restricted") != NULL;
    return strstr(log, "invalid func") ? -1 : 1;
}

static const char *tname(uint32_t t)
{
    static char b[16];
    snprintf(b, sizeof(b), "type %u", t);
    return b;
}

static void test_table_vs_verifier(void)
{
    size_t n;
    const struct bpfrt_helper_proto *table = bpfrt_helper_builtin_table(&n);
    int compared = 0;
    for (size_t h = 0; h < n; h++) {
        const struct bpfrt_helper_proto *p = &table[h];
        bool gpl_seen = false, gpl_checked = false;
        /* asking the verifier for these protos enables the bpf_trace_printk
         * trace event: a kernel setting we must not touch */
        if (p->id == BPF_FUNC_trace_printk || p->id == BPF_FUNC_trace_vprintk)
            continue;
        for (size_t t = 0; t < sizeof(ktypes) / sizeof(ktypes[0]); t++) {
            bool dummy;
            int k = kernel_allows(ktypes[t].type, ktypes[t].attach, p->id, true, &dummy);
            if (k < 0)
                continue;
            const char *why = kbpf_helper_withheld(ktypes[t].type, (int32_t)p->id);
            if (why) { /* this build lacks what Linux 6.18 usually has */
                char what[96];
                snprintf(what, sizeof(what), "helper table: %s in %s", p->name, tname(ktypes[t].type));
                TEST_SKIP_CASE(what, why);
                continue;
            }
            bool mine = (p->prog_types & BPFRT_PROG_TYPE_BIT(ktypes[t].type)) != 0;
            /* Linux gives syscall programs a BTF-pointer variant of
             * xdp_get_buff_len, which bpfrt does not model */
            if (p->id == BPF_FUNC_xdp_get_buff_len && ktypes[t].type == BPF_PROG_TYPE_SYSCALL)
                continue;
            if (mine != (k == 1))
                fprintf(stderr, "%s: %s: kernel %s, table %s\n", p->name, tname(ktypes[t].type),
                        k ? "allows" : "refuses", mine ? "allows" : "refuses");
            CHECK_EQ(mine, k == 1);
            compared++;
            if (k == 1 && !gpl_checked) {
                bool refused = false;
                kernel_allows(ktypes[t].type, ktypes[t].attach, p->id, false, &refused);
                gpl_seen = refused;
                gpl_checked = true;
            }
        }
        if (gpl_checked) {
            if (gpl_seen != p->gpl_only)
                fprintf(stderr, "%s: gpl_only kernel %d, table %d\n", p->name, gpl_seen, p->gpl_only);
            CHECK_EQ(p->gpl_only, gpl_seen);
        }
    }
    CHECK(compared > 500);
}

int main(void)
{
    if (!kbpf_available())
        TEST_SKIP("kernel cannot load BPF programs here");
    helpers_setup();
    /* the probe reads and %s/%pI4 read this process's memory: a tracing use */
    bpfrt_runtime_set_host_reads(rt, BPFRT_HOST_READS_ALL);
    RUN(test_csum_diff_vs_kernel);
    RUN(test_csum_replace_vs_kernel);
    RUN(test_xdp_limits_vs_kernel);
    RUN(test_skb_pull_vs_kernel);
    RUN(test_skb_resize_vs_kernel);
    RUN(test_skb_room_vs_kernel);
    RUN(test_skb_meta_vs_kernel);
    RUN(test_vlan_vs_kernel);
    RUN(test_snprintf_vs_kernel);
    RUN(test_snprintf_random_vs_kernel);
    RUN(test_strtox_vs_kernel);
    RUN(test_strncmp_vs_kernel);
    RUN(test_table_vs_verifier);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
