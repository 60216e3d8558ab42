/* The running Linux kernel as the oracle for packet helpers whose exact
 * results are easy to get subtly wrong: bpf_csum_diff's unfolded 32-bit
 * value, l3/l4_csum_replace, and the XDP head/metadata limits. The same
 * program is loaded with bpf(2) and run with BPF_PROG_TEST_RUN, and the
 * helper is called here on the same input. Skips (77) when the kernel
 * cannot load programs (not root, no bpf syscall). */
#define _GNU_SOURCE
#include "test.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfrt/errno.h"
#include "bpfrt/helpers.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"

static struct bpfrt_runtime *rt;
static struct bpfrt_run run;

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

static int sys_bpf(int cmd, union bpf_attr *attr)
{
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int kload(uint32_t type, const struct bpf_insn *insns, uint32_t n)
{
    static char log[65536];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = n;
    a.license = (uint64_t)(uintptr_t)"GPL";
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = sizeof(log);
    a.log_level = 1;
    int fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd < 0)
        fprintf(stderr, "kernel load failed: %s\n%s\n", strerror(errno), log);
    return fd;
}

/* Runs fd once on data (copied back into data_out when given). */
static int krun(int fd, void *data, uint32_t size, void *data_out, uint32_t *retval)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.data_in = (uint64_t)(uintptr_t)data;
    a.test.data_size_in = size;
    a.test.data_out = (uint64_t)(uintptr_t)data_out;
    a.test.data_size_out = data_out ? size : 0;
    a.test.repeat = 1;
    int err = sys_bpf(BPF_PROG_TEST_RUN, &a);
    *retval = a.test.retval;
    return err;
}

static uint64_t call(uint32_t id, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    return bpfrt_helper_find(rt, id)->fn(a, b, c, d, e, &run);
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
            int fd = kload(BPF_PROG_TYPE_SCHED_CLS, prog, n);
            if (fd < 0) {
                test_failed++;
                continue;
            }
            uint32_t kret = 0;
            CHECK_EQ(krun(fd, pkt, sizeof(pkt), NULL, &kret), 0);
            close(fd);
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
        int fd = kload(BPF_PROG_TYPE_SCHED_CLS, prog, sizeof(prog) / sizeof(prog[0]));
        if (fd < 0) {
            test_failed++;
            continue;
        }
        uint8_t in[64], kout[64];
        build_frame(in);
        uint32_t kret = 0;
        CHECK_EQ(krun(fd, in, sizeof(in), kout, &kret), 0);
        close(fd);
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
        const struct bpf_insn prog[] = {
            MOVI(2, cases[c].delta),
            CALL(cases[c].id),
            EXIT(),
        };
        int fd = kload(BPF_PROG_TYPE_XDP, prog, 3);
        if (fd < 0) {
            test_failed++;
            continue;
        }
        uint8_t in[64] = { 0 };
        uint32_t kret = 0;
        CHECK_EQ(krun(fd, in, sizeof(in), NULL, &kret), 0);
        close(fd);
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

int main(void)
{
    /* Probe: can this process load a trivial program? */
    const struct bpf_insn probe[] = { MOVI(0, 0), EXIT() };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
    a.insns = (uint64_t)(uintptr_t)probe;
    a.insn_cnt = 2;
    a.license = (uint64_t)(uintptr_t)"GPL";
    int fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd < 0)
        TEST_SKIP("kernel cannot load BPF programs here (%s)", strerror(errno));
    close(fd);
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt) != 0)
        return 1;
    run.rt = rt;
    RUN(test_csum_diff_vs_kernel);
    RUN(test_csum_replace_vs_kernel);
    RUN(test_xdp_limits_vs_kernel);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
