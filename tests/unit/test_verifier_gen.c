/* Random programs aimed at the verifier's rules, each loaded into the kernel
 * and into bpfrt, verdicts and first error lines compared (issue 9's
 * generator; issue 10's soundness check):
 *
 *  - programs are built from blocks that exercise one rule each, with the
 *    parameters that decide it drawn at random: scalar bounds (64/32-bit
 *    ops, branches on constants), map lookups (null check or not, constant
 *    or unknown keys, offsets and sizes in or out of the value, bounded or
 *    unbounded variable offsets), stack spills and fills (aligned or not,
 *    narrow fills, variable offsets), packet accesses (checked against
 *    data_end by a random margin, variable offsets), loops (bounded, by an
 *    unknown count, with may_goto), pointer arithmetic (valid or not);
 *  - every program the kernel accepts runs in bpfrt's checked mode on
 *    random packets: a fault there means the kernel verified an access
 *    bpfrt's run-time checks refuse (always enforced);
 *  - bpfrt's verdict, errno and first error line must be the kernel's once
 *    bpfrt has a verifier (it refuses the canary, see test_verifier_cases.c)
 *    or BPFRT_VERIFIER=1; until then the agreement is counted and printed.
 *    A program bpfrt accepts and the kernel refuses is reported as unsafe.
 *
 * BPFRT_FUZZ_ITERS / 20 programs (at least 50; make check-long: 10000);
 * BPFRT_SEED reproduces a run. Skips (exit 77) without the kernel. */
#include <sys/utsname.h>

#include "test.h"
#include "test_rng.h"
#include "verifier_case.h"

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
    return n ? test_xorshift64star(&rng) % n : 0;
}

static bool chance(int percent)
{
    return (int)rnd(100) < percent;
}

/* ---- program text ---- */

struct gen {
    char code[16384];
    size_t len;
    int labels;
    uint32_t type;
};

static void emit(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g->len += (size_t)vsnprintf(g->code + g->len, sizeof(g->code) - g->len, fmt, ap);
    va_end(ap);
    if (g->len >= sizeof(g->code))
        g->len = sizeof(g->code) - 1;
}

static int label(struct gen *g)
{
    return g->labels++;
}

static int32_t pick_imm(void)
{
    static const int32_t imms[] = { 0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 4095,
                                    65535, 0x7fffffff, -1, -2, -8, -128, -4096, INT32_MIN };
    return chance(70) ? imms[rnd(sizeof(imms) / sizeof(imms[0]))] : (int32_t)rnd(200) - 50;
}

static const char *const alu_ops[] = { "+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>=", "s>>=", "/=", "%=" };
static const char *const conds[] = { "==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&" };

/* A scalar in r0-r5 (clobbered by calls) shaped by a few ALU ops and branches. */
static void block_scalar(struct gen *g, int reg)
{
    emit(g, "    call bpf_get_prandom_u32#7\n");
    if (reg)
        emit(g, "    r%d = r0\n", reg);
    int steps = 1 + (int)rnd(5);
    for (int i = 0; i < steps; i++) {
        char w = chance(30) ? 'w' : 'r';
        if (chance(35)) {
            int l = label(g);
            emit(g, "    if %c%d %s %d goto l%d\n", w, reg, conds[rnd(11)], pick_imm(), l);
            emit(g, "    r%d = %d\n", reg, pick_imm());
            emit(g, "  l%d:\n", l);
            continue;
        }
        const char *op = alu_ops[rnd(sizeof(alu_ops) / sizeof(alu_ops[0]))];
        int32_t imm = pick_imm();
        if (op[0] == '<' || op[0] == '>' || op[1] == '>')
            imm = (int32_t)rnd(w == 'w' ? 32 : 64);
        if ((op[0] == '/' || op[0] == '%') && imm == 0)
            imm = 3;
        emit(g, "    %c%d %s %d\n", w, reg, op, imm);
    }
}

/* Looks up key in map a (array, 48-byte values) or h (hash); leaves the
 * value pointer (maybe null-checked) in r7 and r0 holds it too. */
static void block_map(struct gen *g)
{
    bool array = chance(60);
    uint64_t key = rnd(3);
    if (key == 0)
        emit(g, "    r1 = %d\n    *(u32 *)(r10 -8) = r1\n", (int)rnd(6));
    else if (key == 1)
        emit(g, "    r1 = %d\n    *(u32 *)(r10 -4) = r1\n", (int)rnd(6));
    else
        emit(g, "    call bpf_get_prandom_u32#7\n    *(u32 *)(r10 -8) = r0\n");
    emit(g, "    r2 = r10\n    r2 += %d\n    r1 = map_fd(%s)\n    call bpf_map_lookup_elem#1\n",
         key == 1 ? -4 : -8, array ? "a" : "h");
    emit(g, "    r7 = r0\n");
    int out = label(g);
    if (chance(85))
        emit(g, "    if r7 == 0 goto l%d\n", out);
    static const int sizes[] = { 1, 2, 4, 8 };
    static const char *const types[] = { "u8", "u16", "u32", "u64" };
    int si = (int)rnd(4);
    if (chance(50)) { /* a variable offset */
        block_scalar(g, 1);
        if (chance(70))
            emit(g, "    r1 &= %d\n", chance(60) ? 0x1f : 0x3f);
        emit(g, "    r7 += r1\n");
    }
    int off = chance(80) ? (int)rnd((uint64_t)(48 - sizes[si] + 1)) : (int)rnd(64) - 8;
    if (chance(50))
        emit(g, "    r1 = *(%s *)(r7 %+d)\n", types[si], off);
    else
        emit(g, "    r1 = 1\n    *(%s *)(r7 %+d) = r1\n", types[si], off);
    emit(g, "  l%d:\n", out);
}

/* Spills a register, maybe overwrites part of the slot, fills it back. */
static void block_stack(struct gen *g)
{
    static const char *const types[] = { "u8", "u16", "u32", "u64" };
    int slot = -8 * (2 + (int)rnd(8));
    bool ptr = chance(40);
    if (ptr)
        emit(g, "    *(u64 *)(r10 %d) = r6\n", slot);
    else {
        block_scalar(g, 2);
        emit(g, "    *(%s *)(r10 %d) = r2\n", types[rnd(4)], slot + (chance(90) ? 0 : (int)rnd(8)));
    }
    if (chance(20))
        emit(g, "    r3 = 0\n    *(u8 *)(r10 %d) = r3\n", slot + (int)rnd(8));
    emit(g, "    r3 = *(%s *)(r10 %d)\n", types[chance(70) ? 3 : rnd(4)], slot);
    if (ptr && chance(60))
        emit(g, "    r0 = *(u32 *)(r3 +0)\n");
    if (chance(30)) { /* variable-offset stack write */
        block_scalar(g, 4);
        emit(g, "    r4 &= %d\n    r5 = r10\n    r5 += %d\n    r5 += r4\n    r1 = 0\n    *(u8 *)(r5 +0) = r1\n",
             chance(70) ? 0x1f : 0xff, slot);
    }
}

/* Checks data + n against data_end, then reads near it (r8 = data, r9 = end). */
static void block_packet(struct gen *g)
{
    int n = 1 + (int)rnd(40), out = label(g);
    static const int sizes[] = { 1, 2, 4, 8 };
    static const char *const types[] = { "u8", "u16", "u32", "u64" };
    int si = (int)rnd(4);
    emit(g, "    r2 = r8\n    r2 += %d\n", n);
    static const char *const forms[] = { "if r2 > r9 goto l%d\n", "if r9 < r2 goto l%d\n", "if r2 >= r9 goto l%d\n" };
    emit(g, "    ");
    emit(g, forms[rnd(3)], out);
    int off = (int)rnd((uint64_t)n + 3) - 1;
    if (chance(30)) { /* variable offset from a packet byte */
        emit(g, "    r3 = *(u8 *)(r8 +0)\n    r3 &= %d\n    r2 = r8\n    r2 += r3\n", chance(60) ? 7 : 63);
        if (chance(60)) {
            emit(g, "    r4 = r2\n    r4 += %d\n    if r4 > r9 goto l%d\n", sizes[si], out);
            off = 0;
        }
        emit(g, "    r0 = *(%s *)(r2 %+d)\n", types[si], off);
    } else if (g->type != BPF_PROG_TYPE_SOCKET_FILTER && chance(30)) {
        emit(g, "    r1 = 0\n    *(%s *)(r8 %+d) = r1\n", types[si], off);
    } else {
        emit(g, "    r0 = *(%s *)(r8 %+d)\n", types[si], off);
    }
    emit(g, "  l%d:\n", out);
}

/* A loop: bounded, bounded by an unknown count, or under may_goto. */
static void block_loop(struct gen *g)
{
    int top = label(g), out = label(g);
    uint64_t kind = rnd(3);
    /* Kept small both ways: a loop over constants costs the verifier one
     * state per iteration, and one left to may_goto's budget runs 8M
     * iterations at run time. */
    if (kind == 0) {
        emit(g, "    r1 = 0\n");
    } else {
        block_scalar(g, 1);
        emit(g, "    r1 &= %d\n", chance(80) ? 15 : 63);
    }
    emit(g, "  l%d:\n", top);
    if (kind == 2)
        emit(g, "    may_goto l%d\n", out);
    emit(g, "    r1 += %d\n", kind == 0 ? 1 : -1);
    if (kind == 0)
        emit(g, "    if r1 < %d goto l%d\n", 1 + (int)rnd(40), top);
    else
        emit(g, "    if r1 s> 0 goto l%d\n", top);
    emit(g, "  l%d:\n", out);
}

/* Pointer arithmetic on the context, the stack or a packet pointer, then a use. */
static void block_ptr(struct gen *g)
{
    static const char *const ptrs[] = { "r6", "r10", "r8" };
    const char *p = ptrs[rnd(g->type == BPF_PROG_TYPE_SOCKET_FILTER ? 2 : 3)];
    emit(g, "    r2 = %s\n", p);
    uint64_t op = rnd(6);
    if (op == 0)
        emit(g, "    r2 += %d\n", (int)rnd(32) - 16);
    else if (op == 1)
        emit(g, "    r2 -= %d\n", (int)rnd(16));
    else if (op == 2)
        emit(g, "    r2 &= %d\n", pick_imm());
    else if (op == 3)
        emit(g, "    w2 += %d\n", (int)rnd(8));
    else if (op == 4) {
        block_scalar(g, 3);
        emit(g, "    r3 &= 7\n    r2 += r3\n");
    } else {
        emit(g, "    r2 += r6\n");
    }
    if (chance(60))
        emit(g, "    r0 = *(u8 *)(r2 %+d)\n", (int)rnd(16) - 8);
}

static void gen_program(struct gen *g)
{
    static const uint32_t types[] = { BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER };
    g->len = 0;
    g->labels = 0;
    g->type = types[rnd(3)];
    emit(g, "    r6 = r1\n");
    if (g->type == BPF_PROG_TYPE_XDP)
        emit(g, "    r8 = *(u32 *)(r6 +0)\n    r9 = *(u32 *)(r6 +4)\n");
    else if (g->type == BPF_PROG_TYPE_SCHED_CLS)
        emit(g, "    r8 = *(u32 *)(r6 +76)\n    r9 = *(u32 *)(r6 +80)\n");
    int blocks = 1 + (int)rnd(4);
    for (int b = 0; b < blocks; b++) {
        uint64_t k = rnd(g->type == BPF_PROG_TYPE_SOCKET_FILTER ? 5 : 6);
        switch (k) {
        case 0: block_scalar(g, (int)rnd(6)); break;
        case 1: block_map(g); break;
        case 2: block_stack(g); break;
        case 3: block_loop(g); break;
        case 4: block_ptr(g); break;
        default: block_packet(g); break;
        }
    }
    emit(g, "    r0 = %d\n    exit\n", g->type == BPF_PROG_TYPE_XDP ? 2 : 0);
}

/* ---- comparing ---- */

/* The first line of the error: the line after the last instruction line
 * (skipping register states and precision tracking), or the log's first
 * line when the walk never started. */
static void error_line(const char *log, char *out, size_t size)
{
    const char *after = NULL, *s = log;
    while (s && *s) {
        const char *nl = strchr(s, '\n');
        int idx, n = 0;
        if (sscanf(s, "%d: (%*x)%n", &idx, &n) >= 1 && n)
            after = nl ? nl + 1 : NULL;
        s = nl ? nl + 1 : NULL;
    }
    s = after ? after : log;
    while (s && *s && (strncmp(s, "mark_precise", 12) == 0 || isdigit((unsigned char)*s) || *s == '\n')) {
        const char *nl = strchr(s, '\n');
        s = nl ? nl + 1 : NULL;
    }
    size_t n = s ? strcspn(s, "\n") : 0;
    if (n >= size)
        n = size - 1;
    memcpy(out, s ? s : "", n);
    out[n] = '\0';
}

static long progs, kernel_accepts, agree, unsafe_accepts, false_rejects, other_diffs, runs, faults;

/* Runs an accepted program in bpfrt on a few random packets. */
static void run_checked(struct vc_target *bt, long fd, const struct gen *g, const char *kernel_log)
{
    uint8_t pkt[256];
    for (int i = 0; i < 4; i++) {
        uint32_t len = 14 + (uint32_t)rnd(sizeof(pkt) - 14);
        for (uint32_t k = 0; k < len; k++)
            pkt[k] = (uint8_t)rnd(256);
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.test.prog_fd = (uint32_t)fd;
        a.test.data_in = ptr(pkt);
        a.test.data_size_in = len;
        a.test.repeat = 1;
        long r = vc_bpf(bt, BPF_PROG_TEST_RUN, &a);
        runs++;
        if (r < 0) {
            faults++;
            if (faults <= 3)
                fprintf(stderr, "a program the kernel verified failed in bpfrt's checked mode (%ld) on %u bytes:\n%s\n"
                        "kernel log:\n%s\n", r, len, g->code, kernel_log);
            return;
        }
    }
}

static void report_diff(const char *what, const struct gen *g, const struct vc_result *k, const struct vc_result *b,
                         const char *kline, const char *bline, long *count)
{
    (*count)++;
    if (*count <= 2)
        fprintf(stderr, "%s: kernel %ld '%s', bpfrt %ld '%s'\n%s\n", what, k->ret, kline, b->ret, bline, g->code);
}

static void check_one(struct vc_target *kt, struct vc_target *bt)
{
    static struct vc_case c;
    static struct gen g;
    gen_program(&g);
    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "generated");
    c.prog_type = g.type;
    snprintf(c.license, sizeof(c.license), "GPL");
    c.log_level = 1;
    c.log_size = 1 << 20;
    c.nmaps = 2;
    c.maps[0] = (struct vc_map){ "a", BPF_MAP_TYPE_ARRAY, 4, 48, 4, 0, -1, -1 };
    c.maps[1] = (struct vc_map){ "h", BPF_MAP_TYPE_HASH, 4, 48, 16, 0, -1, -1 };
    c.code = g.code;
    struct vc_result kr, br;
    vc_run(kt, &c, &kr);
    vc_run(bt, &c, &br);
    progs++;
    char kline[256] = "", bline[256] = "";
    if (kr.setup_err[0] || br.setup_err[0]) {
        fprintf(stderr, "generated program could not be loaded: %s%s\n%s\n", kr.setup_err, br.setup_err, g.code);
        other_diffs++;
    } else {
        if (kr.ret < 0)
            error_line(kr.log, kline, sizeof(kline));
        if (br.ret < 0)
            error_line(br.log, bline, sizeof(bline));
        if (kr.ret >= 0) {
            kernel_accepts++;
            if (br.ret >= 0)
                run_checked(bt, br.ret, &g, kr.log);
        }
        if ((kr.ret >= 0) == (br.ret >= 0) && (kr.ret >= 0 || (kr.ret == br.ret && strcmp(kline, bline) == 0)))
            agree++;
        else if (kr.ret < 0 && br.ret >= 0)
            report_diff("UNSAFE: bpfrt accepts what the kernel refuses", &g, &kr, &br, kline, bline, &unsafe_accepts);
        else if (kr.ret >= 0)
            report_diff("bpfrt refuses what the kernel accepts", &g, &kr, &br, kline, bline, &false_rejects);
        else
            report_diff("bpfrt refuses differently", &g, &kr, &br, kline, bline, &other_diffs);
    }
    if (kr.ret >= 0)
        close((int)kr.ret);
    if (br.ret >= 0)
        bpfrt_close(bt->rt, (int)br.ret);
    free(kr.log);
    free(br.log);
}

/* Whether bpfrt refuses a load through a scalar (as test_verifier_cases.c). */
static bool bpfrt_has_verifier(struct bpfrt_runtime *rt)
{
    const struct bpf_insn canary[] = { MOV64_IMM(1, 0), LDX(BPF_W, 0, 1, 0), EXIT() };
    long fd = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, canary, NR(canary));
    if (fd >= 0)
        bpfrt_close(rt, (int)fd);
    return fd < 0;
}

int main(void)
{
    struct utsname u;
    if (!kbpf_available() || uname(&u) != 0 || strncmp(u.release, "6.18", 4) != 0)
        TEST_SKIP("*** NO KERNEL ORACLE: bpf(2) unavailable or the kernel is not 6.18 - generated verifier programs "
                  "not compared ***");
    rng = 0x9fb21c651e98df25ull;
    test_seed_from_env(&rng);
    printf("seed 0x%llx (BPFRT_SEED reproduces)\n", (unsigned long long)rng);
    struct vc_target kt = { true, NULL, true }, bt = { false, new_rt(), true };
    long n = test_fuzz_iters() / 20;
    if (n < 50)
        n = 50;
    for (long i = 0; i < n; i++)
        check_one(&kt, &bt);
    const char *env = getenv("BPFRT_VERIFIER");
    bool enforce = env ? atoi(env) != 0 : bpfrt_has_verifier(bt.rt);
    printf("%ld programs (%ld accepted by the kernel): bpfrt agrees on %ld; %ld unsafe accepts, %ld false "
           "refusals, %ld other differences\n",
           progs, kernel_accepts, agree, unsafe_accepts, false_rejects, other_diffs);
    printf("%ld runs of kernel-verified programs in bpfrt's checked mode, %ld faults\n", runs, faults);
    if (!enforce)
        printf("*** bpfrt HAS NO VERIFIER YET: verdict differences are counted, not enforced (BPFRT_VERIFIER=1 "
               "enforces them) ***\n");
    CHECK_EQ(faults, 0);
    CHECK(kernel_accepts > 0 && kernel_accepts < progs); /* the generator reaches both verdicts */
    if (enforce)
        CHECK_EQ(agree, progs);
    bpfrt_runtime_destroy(bt.rt);
    return test_summary();
}
