/* Random programs aimed at the verifier's edges (issue 9's generator,
 * issue 10's soundness check), from verifier_gen.h and its edge blocks
 * (verifier_gen_edges.h: bounds arithmetic, 32/64-bit mixes, signed and
 * unsigned checks, variable offsets into map values, the stack and
 * packets, linked scalars, spills and fills, null checks on copies,
 * bpf_loop callbacks, bounded loops):
 *
 *  - every program bpfrt's verifier accepts is loaded again unverified and
 *    run in checked mode (the interpreter's sandbox) on random packets,
 *    __sk_buff fields, map contents and bpf_get_prandom_u32 results, all
 *    leaning to edge values (all ones, zero, around the sign bit): a fault
 *    there is an unsafe program the verifier accepted (always enforced);
 *  - socket filters are also loaded unprivileged (BPFRT_PROG_F_UNPRIV); one
 *    accepted only that way runs in checked mode too;
 *  - each program is also loaded into the running kernel (6.18): a program
 *    bpfrt accepts and the kernel refuses is unsafe (always enforced); one
 *    the kernel accepts and bpfrt refuses is a precision gap, and two
 *    refusals with different first error lines a difference - both counted,
 *    and enforced with BPFRT_VERIFIER_GEN_STRICT=1. Without the kernel the
 *    comparison is skipped (said loudly) and the checked runs still count.
 *
 * Size: BPFRT_FUZZ_ITERS / 10 programs (at least 50; make test: 200, about
 * a second); or BPFRT_VERIFIER_GEN_SECONDS=N runs for N seconds (make
 * check-long: LONG_VGEN_SECONDS, an hour). BPFRT_SEED reproduces a run; every finding prints its program's
 * own seed, which BPFRT_GEN_ONE=seed regenerates alone; BPFRT_GEN_FINDINGS
 * names a file every finding is appended to. */
#include <sys/utsname.h>
#include <time.h>

#include "test.h"
#include "test_rng.h"
#include "verifier_case.h"
#include "verifier_gen.h"

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

static long unpriv_progs, unpriv_accepts, unpriv_wider;
static long progs, bpfrt_accepts, kernel_accepts, compared, agree, unsafe_accepts, false_rejects, other_diffs, runs,
    faults;
static bool have_kernel, print_one;
static FILE *findings;

static void finding(const char *what, uint64_t seed, const struct gen *g, const char *detail)
{
    fprintf(stderr, "%s (program seed 0x%llx):\n%s%s\n", what, (unsigned long long)seed, detail, g->code);
    if (findings) {
        fprintf(findings, "=== %s (program seed 0x%llx)\n%s%s\n", what, (unsigned long long)seed, detail, g->code);
        fflush(findings);
    }
}

/* Inputs lean to the edges, where an off-by-one in a bound shows: all
 * ones, zero, small, around the sign bit, or anything. */
static uint32_t edge_u32(void)
{
    if (gen_ndict && chance(35)) /* one of the program's constants, or a neighbour */
        return (uint32_t)gen_dict[rnd((uint64_t)gen_ndict)] + (uint32_t)rnd(3) - 1;
    uint64_t k = rnd(10);
    if (k < 3)
        return k == 0 ? UINT32_MAX : k == 1 ? UINT32_MAX - (uint32_t)rnd(64) : (uint32_t)rnd(1u << (1 + rnd(16)));
    if (k == 3)
        return 0;
    if (k == 4)
        return 0x80000000u + (uint32_t)rnd(16) - 8;
    return (uint32_t)test_xorshift64star(&rng);
}

static uint8_t edge_byte(int mode)
{
    if (gen_ndict && chance(20))
        return (uint8_t)(gen_dict[rnd((uint64_t)gen_ndict)] + (int)rnd(3) - 1);
    return mode == 0 ? (uint8_t)rnd(256) : mode == 1 ? (chance(70) ? 0xff : (uint8_t)rnd(256)) : (chance(70) ? 0 : 0xff);
}

/* bpf_get_prandom_u32 in the checked runs: edge values (the platform's
 * random source, replaced). */
static uint32_t gen_random_u32(void *ctx)
{
    (void)ctx;
    return edge_u32();
}

/* Random contents for the maps the checked load created: every array
 * element, a few hash keys (the programs look up keys 0-5). */
static void fill_maps(struct vc_target *bt, const struct vc_result *r, int mode)
{
    uint8_t val[VALUE_SIZE];
    for (int m = 0; m < r->nmaps; m++)
        for (uint32_t key = 0; key < 6; key++) {
            if (m == 1 && chance(40))
                continue;
            for (size_t k = 0; k < sizeof(val); k++)
                val[k] = edge_byte(mode);
            for (size_t k = 0; k + 4 <= sizeof(val); k += 4) /* whole words of edge values too */
                if (chance(40)) {
                    uint32_t w = edge_u32();
                    memcpy(val + k, &w, 4);
                }
            union bpf_attr a;
            memset(&a, 0, sizeof(a));
            a.map_fd = (uint32_t)r->map_fds[m];
            a.key = ptr(&key);
            a.value = ptr(val);
            vc_bpf(bt, BPF_MAP_UPDATE_ELEM, &a); /* keys past an array's end fail: fine */
        }
}

/* Runs a program bpfrt verified, loaded again unverified, in checked mode
 * on random packets, context fields and map contents. */
static void run_checked(struct vc_target *bt, const struct vc_case *c, uint64_t seed, const struct gen *g)
{
    struct vc_case cc = *c;
    cc.prog_flags |= BPFRT_PROG_F_NO_VERIFY;
    cc.log_level = 0;
    struct vc_target ct = { false, bt->rt, true, true };
    struct vc_result cr;
    vc_run(&ct, &cc, &cr);
    free(cr.log);
    if (cr.ret < 0) {
        char d[VC_TEXT + 64];
        snprintf(d, sizeof(d), "unverified load failed: %ld %s\n", cr.ret, cr.setup_err);
        finding("ERROR: checked-mode load failed", seed, g, d);
        faults++;
        return;
    }
    uint8_t pkt[256];
    for (int i = 0; i < 9; i++) {
        int mode = i % 3;
        fill_maps(bt, &cr, mode);
        /* short packets often: a range check against data_end decides there */
        uint32_t len = (uint32_t)(chance(50) ? 14 + rnd(72) : 14 + rnd(sizeof(pkt) - 14));
        for (uint32_t k = 0; k < len; k++)
            pkt[k] = edge_byte(mode);
        if (len < 14 + 40 && (pkt[12] == 0x08 || pkt[12] == 0x86))
            pkt[12] = 0x42; /* no IPv4/IPv6 ethertype without its header: TEST_RUN refuses (-EINVAL) */
        struct __sk_buff skb;
        memset(&skb, 0, sizeof(skb));
        skb.mark = edge_u32();
        skb.priority = edge_u32();
        for (int k = 0; k < 5; k++)
            skb.cb[k] = edge_u32();
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.test.prog_fd = (uint32_t)cr.ret;
        a.test.data_in = ptr(pkt);
        a.test.data_size_in = len;
        a.test.repeat = 1;
        if (c->prog_type != BPF_PROG_TYPE_XDP) {
            a.test.ctx_in = ptr(&skb);
            a.test.ctx_size_in = sizeof(skb);
        }
        long r = vc_bpf(bt, BPF_PROG_TEST_RUN, &a);
        runs++;
        if (r < 0) {
            faults++;
            char d[128];
            snprintf(d, sizeof(d), "checked run: %ld on %u bytes\n", r, len);
            finding("UNSAFE: a program bpfrt verified faulted in checked mode", seed, g, d);
            break;
        }
    }
    bpfrt_close(bt->rt, (int)cr.ret);
    for (int m = 0; m < cr.nmaps; m++)
        bpfrt_close(bt->rt, (int)cr.map_fds[m]);
}

static void report_diff(const char *what, uint64_t seed, const struct gen *g, const struct vc_result *k,
                        const struct vc_result *b, const char *kline, const char *bline, long *count)
{
    (*count)++;
    char d[600];
    snprintf(d, sizeof(d), "kernel %ld '%s', bpfrt %ld '%s'\n", k->ret, kline, b->ret, bline);
    if (*count <= 3 || strncmp(what, "UNSAFE", 6) == 0)
        finding(what, seed, g, d);
    else if (findings)
        fprintf(findings, "=== %s (program seed 0x%llx)\n%s%s\n", what, (unsigned long long)seed, d, g->code);
}

static void check_one(struct vc_target *kt, struct vc_target *bt, uint64_t seed)
{
    static struct vc_case c;
    static struct gen g;
    rng = seed;
    gen_program(&g);
    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "generated");
    c.prog_type = g.type;
    snprintf(c.license, sizeof(c.license), "GPL");
    c.log_level = 1;
    c.log_size = 1 << 20;
    c.nmaps = 2;
    c.maps[0] = (struct vc_map){ "a", BPF_MAP_TYPE_ARRAY, 4, VALUE_SIZE, 4, 0, -1, -1 };
    c.maps[1] = (struct vc_map){ "h", BPF_MAP_TYPE_HASH, 4, VALUE_SIZE, 16, 0, -1, -1 };
    if (g.cb) {
        c.nfuncs = 2;
        c.funcs[0] = (struct vc_func){ "main", false, 0, { "" } };
        c.funcs[1] = (struct vc_func){ "cb", false, 2, { "int", "ptr" } };
    }
    c.code = g.code;
    struct vc_result kr = { .ret = -1 }, br;
    if (have_kernel)
        vc_run(kt, &c, &kr);
    vc_run(bt, &c, &br);
    progs++;
    char kline[256] = "", bline[256] = "";
    if ((have_kernel && kr.setup_err[0]) || br.setup_err[0]) {
        char d[600];
        snprintf(d, sizeof(d), "%s%s\n", kr.setup_err, br.setup_err);
        finding("ERROR: generated program could not be loaded", seed, &g, d);
        other_diffs++;
    } else {
        if (br.ret >= 0) {
            bpfrt_accepts++;
            bpfrt_close(bt->rt, (int)br.ret);
            run_checked(bt, &c, seed, &g);
        }
        if (have_kernel) {
            compared++;
            if (kr.ret < 0)
                error_line(kr.log, kline, sizeof(kline));
            if (br.ret < 0)
                error_line(br.log, bline, sizeof(bline));
            if (kr.ret >= 0)
                kernel_accepts++;
            if ((kr.ret >= 0) == (br.ret >= 0) && (kr.ret >= 0 || (kr.ret == br.ret && strcmp(kline, bline) == 0)))
                agree++;
            else if (kr.ret < 0 && br.ret >= 0)
                report_diff("UNSAFE: bpfrt accepts what the kernel refuses", seed, &g, &kr, &br, kline, bline,
                            &unsafe_accepts);
            else if (kr.ret >= 0)
                report_diff("precision gap: bpfrt refuses what the kernel accepts", seed, &g, &kr, &br, kline,
                            bline, &false_rejects);
            else
                report_diff("bpfrt refuses differently", seed, &g, &kr, &br, kline, bline, &other_diffs);
        }
    }
    /* Unprivileged (socket filters): every program accepted runs in checked
     * mode too. (Not always a subset of the privileged accepts: without
     * CAP_BPF a spilled scalar is not tracked, so a later narrow store
     * into a zeroed slot leaves its other bytes zero rather than unknown.) */
    if (g.type == BPF_PROG_TYPE_SOCKET_FILTER && !br.setup_err[0]) {
        struct vc_result ur;
        c.unpriv = true;
        vc_run(bt, &c, &ur);
        c.unpriv = false;
        unpriv_progs++;
        if (ur.ret >= 0) {
            unpriv_accepts++;
            bpfrt_close(bt->rt, (int)ur.ret);
            if (br.ret < 0) {
                unpriv_wider++;
                run_checked(bt, &c, seed, &g);
            }
        }
        free(ur.log);
    }
    if (print_one)
        printf("program seed 0x%llx:\n%s\nkernel: %ld\n%s\nbpfrt: %ld\n%s\n", (unsigned long long)seed, g.code,
               kr.ret, kr.log ? kr.log : "", br.ret, br.log ? br.log : "");
    if (kr.ret >= 0)
        close((int)kr.ret);
    free(kr.log);
    free(br.log);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    struct utsname u;
    have_kernel = kbpf_available() && uname(&u) == 0 && strncmp(u.release, "6.18", 4) == 0;
    if (!have_kernel)
        printf("*** NO KERNEL ORACLE: bpf(2) unavailable or the kernel is not 6.18 - verdicts not compared with "
               "Linux; the checked-mode runs of accepted programs still count ***\n");
    uint64_t master = 0x9fb21c651e98df25ull;
    test_seed_from_env(&master);
    const char *f = getenv("BPFRT_GEN_FINDINGS");
    findings = f ? fopen(f, "a") : NULL;
    /* bpfrt's runtime with bpf_get_prandom_u32 giving edge values */
    static struct bpfrt_platform plat;
    plat = *bpfrt_platform_hosted();
    plat.random_u32 = gen_random_u32;
    struct bpfrt_runtime *brt = NULL;
    if (bpfrt_runtime_create(&plat, &brt) != 0) {
        fprintf(stderr, "runtime create failed\n");
        return 1;
    }
    struct vc_target kt = { true, NULL, true, false }, bt = { false, brt, true, false };
    const char *one = getenv("BPFRT_GEN_ONE");
    if (one) {
        uint64_t seed = strtoull(one, NULL, 0);
        print_one = true;
        check_one(&kt, &bt, seed);
    } else {
        printf("seed 0x%llx (BPFRT_SEED reproduces)\n", (unsigned long long)master);
        const char *secs = getenv("BPFRT_VERIFIER_GEN_SECONDS");
        double until = secs ? now() + atof(secs) : 0;
        long n = test_fuzz_iters() / 10;
        if (n < 50)
            n = 50;
        for (long i = 0; secs ? now() < until : i < n; i++) {
            uint64_t seed = test_xorshift64star(&master) | 1;
            check_one(&kt, &bt, seed);
            if (secs && i % 5000 == 4999)
                printf("... %ld programs, %ld accepted by bpfrt, %ld unsafe accepts, %ld faults\n", progs,
                       bpfrt_accepts, unsafe_accepts, faults);
        }
    }
    printf("%ld programs generated, %ld accepted by bpfrt\n", progs, bpfrt_accepts);
    if (have_kernel)
        printf("kernel verdicts on %ld: %ld accepted by the kernel; bpfrt agrees on %ld (verdict, errno, first error "
               "line); %ld unsafe accepts, %ld precision gaps (kernel accepts, bpfrt refuses), %ld other "
               "differences\n",
               compared, kernel_accepts, agree, unsafe_accepts, false_rejects, other_diffs);
    printf("%ld checked-mode runs of bpfrt-verified programs, %ld faults\n", runs, faults);
    printf("unprivileged (BPFRT_PROG_F_UNPRIV): %ld socket filters, %ld accepted, %ld accepted only unprivileged\n",
           unpriv_progs, unpriv_accepts, unpriv_wider);
    CHECK_EQ(faults, 0);
    CHECK_EQ(unsafe_accepts, 0);
    if (!one) {
        CHECK(bpfrt_accepts > 0 && bpfrt_accepts < progs); /* the generator reaches both verdicts */
        const char *strict = getenv("BPFRT_VERIFIER_GEN_STRICT");
        if (have_kernel && strict && atoi(strict))
            CHECK_EQ(agree, compared);
    }
    if (findings)
        fclose(findings);
    bpfrt_runtime_destroy(bt.rt);
    return test_summary();
}
