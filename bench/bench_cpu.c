/* CPU benchmarks: the eight programs of shared/bench, each run natively (gcc
 * -O2), JIT-compiled (trusted mode: no checks; checked mode: what
 * unverified programs get; verified mode where the verifier accepts the
 * program: none does, they take the input's length in r2), in the
 * interpreter (checked), and in uBPF's JIT and interpreter when
 * the user supplied a uBPF build (BENCH_UBPF_DIR), on the same input, every result checked against
 * expected.txt. Then the verified column proper: the benchmarks' twins
 * (bench/twins/, XDP programs the verifier accepts) verified, verified
 * without the verifier's facts, checked and interpreted, beside the shared
 * C on the same bytes, every result checked against the native one.
 * Prints the time of a native run and each engine's time as a ratio to it,
 * from one run of this program, with the geometric means and the goals;
 * then compile times (bench_compile.c) and the fixed cost of a run and of
 * a helper call (alone: --only perrun).
 *
 *   bench_cpu OUT_DIR SHARED_DIR [--min-time SECONDS] [--only NAME|twins|compile|perrun]
 *             [--corpus LABEL DIR checked|verified]...
 *
 * OUT_DIR holds NAME.bin and NAME.input from `make -C SHARED/bench OUT=...`
 * and twin_NAME.o (cmake/bench.cmake); the native objects are linked in.
 * Never used for assertions: timings are reported, not checked. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "bpfrt/bpf.h"
#include "bpfrt/jit.h"
#include "bpfrt/object.h"
#include "bpfrt/platform.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"

typedef uint64_t (*native_fn)(const uint8_t *mem, uint64_t len);
uint64_t native_sum32(const uint8_t *, uint64_t);
uint64_t native_crc32(const uint8_t *, uint64_t);
uint64_t native_fnv1a(const uint8_t *, uint64_t);
uint64_t native_sieve(const uint8_t *, uint64_t);
uint64_t native_bubble(const uint8_t *, uint64_t);
uint64_t native_fib(const uint8_t *, uint64_t);
uint64_t native_modexp(const uint8_t *, uint64_t);
uint64_t native_packets(const uint8_t *, uint64_t);

const char *const bench_names[NBENCH] = { "sum32", "crc32", "fnv1a", "sieve", "bubble", "fib", "modexp", "packets" };
static const native_fn natives[NBENCH] = { native_sum32, native_crc32,  native_fnv1a, native_sieve,
                                           native_bubble, native_fib, native_modexp, native_packets };

static double min_time = 0.25; /* seconds per measurement */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* expected.txt: "name len checksum static dynamic" */
static int expected_for(const char *shared, const char *name, uint64_t *sum, uint64_t *dyn)
{
    char path[4096], line[512];
    snprintf(path, sizeof(path), "%s/bench/expected.txt", shared);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int found = -1;
    while (fgets(line, sizeof(line), f)) {
        char n[64];
        unsigned long long len, s, st, d;
        if (line[0] == '#' || sscanf(line, "%63s %llu %llx %llu %llu", n, &len, &s, &st, &d) != 5)
            continue;
        if (strcmp(n, name) == 0) {
            *sum = s;
            *dyn = d;
            found = 0;
        }
    }
    fclose(f);
    return found;
}

static volatile uint64_t sink;

/* An XDP program's run over a buffer: the context the hook would pass
 * (its pointer fields where the type's description puts them) and the
 * packet, which checked runs may access. */
struct xdp_input {
    const struct bpfrt_ctx_desc *desc;
    uint8_t *kctx;
    struct bpfrt_pkt pkt;
};

/* One way of running a benchmark: natively, or a program through the whole
 * per-run path a host takes (run_begin claims a CPU and enters the
 * read-side section, prog_run, run_end). */
struct variant {
    native_fn fn;              /* or NULL: prog, or ubpf */
    struct bpfrt_prog *prog;
    void *ubpf;
    struct xdp_input *xdp;     /* a twin: its context and packet (else r1 = input, r2 = length) */
    uint64_t iters;            /* runs per round */
    double best;               /* ns per run, the fastest round */
    uint64_t ret;
    int err;
    char msg[160];
};

/* Seconds for v->iters runs. */
static double round_of(struct variant *v, uint8_t *in, uint64_t len)
{
    static struct bpfrt_run run;
    double t0 = now_s();
    for (uint64_t i = 0; i < v->iters; i++) {
        if (v->fn) {
            v->ret = v->fn(in, len);
            sink = v->ret;
            continue;
        }
        if (v->ubpf) {
            if (bench_ubpf_run(v->ubpf, in, len, &v->ret)) {
                v->err = -1;
                snprintf(v->msg, sizeof(v->msg), "uBPF's interpreter failed");
                break;
            }
            continue;
        }
        memset(&run, 0, offsetof(struct bpfrt_run, regions));
        run.ctx = in;
        run.ctx_size = (uint32_t)len;
        if (v->xdp) {
            run.ctx = v->xdp->kctx;
            run.ctx_desc = v->xdp->desc;
            run.pkt = &v->xdp->pkt;
        }
        bpfrt_run_begin(&run, v->prog);
        v->err = bpfrt_prog_run(v->prog, &run, (uint64_t)(uintptr_t)run.ctx, v->xdp ? 0 : len, &v->ret);
        bpfrt_run_end(&run);
        if (v->err) {
            snprintf(v->msg, sizeof(v->msg), "%s", run.error_msg);
            break;
        }
    }
    return now_s() - t0;
}

#define ROUNDS 5

/* Times the variants in `rounds` interleaved rounds and keeps each one's
 * fastest: on a shared machine the load changes while a benchmark runs,
 * and the fastest round is the one least disturbed. */
static void time_rounds(struct variant *v, int n, uint8_t *in, uint64_t len, int rounds, double round)
{
    for (int k = 0; k < n; k++) { /* calibrate the runs per round */
        v[k].iters = 1;
        v[k].best = 1e30;
        for (;;) {
            double dt = round_of(&v[k], in, len);
            if (v[k].err || dt >= round || v[k].iters >= (1ull << 40))
                break;
            v[k].iters = dt < round / 64 ? v[k].iters * 8 : (uint64_t)((double)v[k].iters * round / dt) + 1;
        }
    }
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < n; k++) {
            if (v[k].err)
                continue;
            double ns = round_of(&v[k], in, len) / (double)v[k].iters * 1e9;
            if (ns < v[k].best)
                v[k].best = ns;
        }
}

static void time_variants(struct variant *v, int n, uint8_t *in, uint64_t len)
{
    time_rounds(v, n, in, len, ROUNDS, min_time / ROUNDS);
}

static void print_ratio(double r)
{
    if (r > 0)
        printf(" %8.2fx", r);
    else
        printf(" %9s", "-");
}

struct bpfrt_prog *bench_load(struct bpfrt_runtime *rt, const void *code, size_t len, enum bpfrt_engine_kind e,
                              char *msg, size_t msgsz)
{
    struct bpfrt_prog *prog = NULL;
    struct bpfrt_prog_create_opts opts = { .prog_type = BPF_PROG_TYPE_UNSPEC, .engine = e };
    if (bpfrt_prog_create_opts(rt, code, (uint32_t)(len / 8), &opts, msg, msgsz, &prog))
        return NULL;
    if (prog->engine != e) {
        snprintf(msg, msgsz, "engine %u unavailable", (unsigned)e);
        bpfrt_prog_put(prog);
        return NULL;
    }
    return prog;
}

double bench_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

/* The program through PROG_LOAD with the verifier (as a socket filter),
 * JIT-compiled in verified mode; NULL with the verifier's last line. */
static struct bpfrt_prog *load_verified(struct bpfrt_runtime *rt, const void *code, size_t len, char *msg,
                                        size_t msgsz)
{
    static char log[1 << 16];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = (uint64_t)(uintptr_t)code;
    a.insn_cnt = (uint32_t)(len / 8);
    a.license = (uint64_t)(uintptr_t)"GPL";
    a.prog_flags = BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT);
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = sizeof(log);
    a.log_level = 1;
    log[0] = 0;
    long h = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    struct bpfrt_prog *prog = h >= 0 ? bpfrt_prog_from_handle(rt, (int)h) : NULL;
    if (prog) {
        bpfrt_prog_get(prog);
        bpfrt_close(rt, (int)h);
        return prog;
    }
    /* the verifier's verdict: the log's last non-empty line before the stats */
    char *line = log, *last = log;
    for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = 0;
        if (*line && strncmp(line, "processed ", 10) != 0 && strncmp(line, "verification time", 17) != 0 &&
            strncmp(line, "stack depth", 11) != 0)
            last = line;
    }
    snprintf(msg, msgsz, "%s", *last ? last : "not verified");
    return NULL;
}

/* ---- the verified column: twins of the benchmarks (bench/twins/) ---- */

/* Each twin reads the first `len` bytes of its benchmark's input: its
 * TWIN_LEN (a mismatch shows as a checksum mismatch). */
static const struct {
    const char *name;
    uint32_t len;
} twins[] = { { "sum32", 32768 }, { "fnv1a", 4096 }, { "fib", 512 }, { "modexp", 1024 }, { "packets", 4096 } };

static bool xdp_input_init(struct xdp_input *x, uint8_t *in, uint32_t len)
{
    memset(x, 0, sizeof(*x));
    x->desc = bpfrt_ctx_desc_for(BPF_PROG_TYPE_XDP, 0);
    if (!x->desc || !(x->kctx = calloc(1, x->desc->kern_size)))
        return false;
    for (uint32_t i = 0; i < x->desc->nr_fields; i++) {
        const struct bpfrt_ctx_field *f = &x->desc->fields[i];
        uint64_t v = f->kind == BPFRT_CTX_PTR_TO_PACKET_END ? (uint64_t)(uintptr_t)(in + len) : (uint64_t)(uintptr_t)in;
        if (f->kind == BPFRT_CTX_PTR_TO_PACKET || f->kind == BPFRT_CTX_PTR_TO_PACKET_END ||
            f->kind == BPFRT_CTX_PTR_TO_PACKET_META)
            memcpy(x->kctx + f->kern_off, &v, sizeof(v));
    }
    x->pkt.buf = x->pkt.data = x->pkt.data_meta = in;
    x->pkt.buf_size = len;
    x->pkt.data_end = in + len;
    x->pkt.skb_ctx = x->kctx;
    return true;
}

/* The twin's program loaded from its object (PROG_LOAD with prog_flags);
 * NULL with why in msg. */
static struct bpfrt_prog *load_twin(struct bpfrt_runtime *rt, const char *path, uint32_t flags, char *msg,
                                    size_t msgsz)
{
    struct bpfrt_object *obj = NULL;
    struct bpfrt_prog *prog = NULL;
    if (bpfrt_object_open_file(rt, path, NULL, &obj, msg, msgsz))
        return NULL;
    struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, 0);
    if (p) {
        bpfrt_object_prog_set_flags(p, bpfrt_object_prog_flags(p) | flags);
        if (bpfrt_object_load(obj, msg, msgsz) == 0 &&
            (prog = bpfrt_prog_from_handle(rt, bpfrt_object_prog_handle(p))))
            bpfrt_prog_get(prog); /* outlives the object */
    }
    bpfrt_object_close(obj);
    return prog;
}

/* The twins: native C on the prefix, the twin verified (JIT with the
 * verifier's facts), the same without the facts (what an embedder's
 * prog->verified gets), loaded unverified (checked JIT), in the
 * interpreter (verified: unchecked). Returns the failures. */
static int twins_report(struct bpfrt_runtime *rt, const char *out, const char *only)
{
    enum { W_VERIFIED, W_NOFACTS, W_CHECKED, W_INTERP, W_COUNT };
    static const char *const head[W_COUNT] = { "verified", "no facts", "checked", "interp" };
    const uint32_t flags[W_COUNT] = { BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT), BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT),
                                      BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT) | BPFRT_PROG_F_NO_VERIFY,
                                      BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_INTERP) };
    int failures = 0, shown = 0;
    double logsum[W_COUNT] = { 0 };
    int nlog = 0;
    for (size_t t = 0; t < sizeof(twins) / sizeof(twins[0]); t++) {
        if (only && strcmp(only, twins[t].name) != 0 && strcmp(only, "twins") != 0)
            continue;
        int b = 0;
        while (b < NBENCH && strcmp(bench_names[b], twins[t].name) != 0)
            b++;
        char path[4096], msg[256] = "";
        size_t in_len = 0;
        snprintf(path, sizeof(path), "%s/%s.input", out, twins[t].name);
        uint8_t *in = bench_read_file(path, &in_len);
        struct xdp_input x;
        if (!shown++)
            printf("\nverified: twins of the benchmarks the verifier accepts (bench/twins: the same algorithm as an XDP\n"
                   "program over the first `bytes` of the same input, one data_end test, loops bounded by constants);\n"
                   "native = the shared C on those bytes, whose result each must match. no facts = the verified program\n"
                   "compiled without the verifier's facts; checked = the twin loaded unverified; interp = interpreter.\n"
                   "%-8s %6s %10s %9s %9s %9s %9s\n",
                   "twin", "bytes", "native ns", head[0], head[1], head[2], head[3]);
        if (!in || in_len < twins[t].len || !xdp_input_init(&x, in, twins[t].len)) {
            printf("%-8s missing %s.input\n", twins[t].name, twins[t].name);
            free(in);
            failures++;
            continue;
        }
        struct variant v[1 + W_COUNT];
        memset(v, 0, sizeof(v));
        v[0].fn = natives[b];
        bool ok = true;
        snprintf(path, sizeof(path), "%s/twin_%s.o", out, twins[t].name);
        for (int k = 0; k < W_COUNT && ok; k++) {
            v[1 + k].xdp = &x;
            v[1 + k].prog = load_twin(rt, path, flags[k], msg, sizeof(msg));
            if (!v[1 + k].prog) {
                printf("%-8s %s: %s\n", twins[t].name, head[k], msg);
                ok = false;
            } else if (k == W_NOFACTS) { /* recompiled as verified, without what the verifier proved */
                struct bpfrt_prog_facts *f = v[1 + k].prog->facts;
                v[1 + k].prog->facts = NULL;
                bool jitted = false;
                ok = bpfrt_prog_use_jit(v[1 + k].prog, BPFRT_ENGINE_JIT, &jitted, msg, sizeof(msg)) == 0 && jitted;
                v[1 + k].prog->facts = f;
            }
        }
        struct bpfrt_jit_stats st;
        if (ok && (!bpfrt_jit_get_stats(v[1 + W_VERIFIED].prog, &st) || strcmp(st.mode, "verified") != 0 || !st.facts)) {
            printf("%-8s not JIT-compiled in verified mode with the verifier's facts\n", twins[t].name);
            ok = false;
        }
        if (ok) /* short runs: many short rounds, the load disturbs most of them */
            time_rounds(v, 1 + W_COUNT, in, twins[t].len, (int)(min_time * 1600) + 1, 0.001);
        uint64_t want = v[0].ret;
        for (int i = 1; ok && i <= W_COUNT; i++)
            if (v[i].err || v[i].ret != want) {
                printf("%-8s %s: %s (r0 0x%llx, native 0x%llx)\n", twins[t].name, head[i - 1],
                       v[i].err ? v[i].msg : "CHECKSUM MISMATCH", (unsigned long long)v[i].ret,
                       (unsigned long long)want);
                ok = false;
            }
        if (ok) {
            printf("%-8s %6u %10.0f", twins[t].name, twins[t].len, v[0].best);
            for (int k = 0; k < W_COUNT; k++) {
                print_ratio(v[1 + k].best / v[0].best);
                logsum[k] += log(v[1 + k].best / v[0].best);
            }
            printf("\n");
            nlog++;
        } else {
            failures++;
        }
        for (int k = 1; k <= W_COUNT; k++)
            bpfrt_prog_put(v[k].prog);
        free(x.kctx);
        free(in);
    }
    if (nlog) {
        printf("%-8s %6s %10s", "geomean", "", "");
        for (int k = 0; k < W_COUNT; k++)
            print_ratio(exp(logsum[k] / nlog));
        printf("\n");
    }
    return failures;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_cpu OUT_DIR SHARED_DIR [--min-time SECONDS] [--only NAME|twins|compile|perrun] "
                        "[--corpus LABEL DIR checked|verified]...\n");
        return 2;
    }
    const char *out = argv[1], *shared = argv[2], *only = NULL;
    char *corpus[48];
    int ncorpus = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--min-time") == 0) {
            min_time = atof(argv[i + 1]);
        } else if (strcmp(argv[i], "--only") == 0) {
            only = argv[i + 1];
        } else if (strcmp(argv[i], "--corpus") == 0 && i + 3 < argc && ncorpus + 3 <= 48) {
            for (int k = 1; k <= 3; k++)
                corpus[ncorpus++] = argv[i + k];
            i += 2;
        }
    }
    struct bpfrt_runtime *rt;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt)) {
        fprintf(stderr, "cannot create runtime\n");
        return 1;
    }
    bool have_jit = bpfrt_engine_find(rt, BPFRT_ENGINE_JIT) != NULL, have_ubpf = bench_ubpf_available();
    printf("bpfrt vs native C (gcc -O2): time per run, %.2fs per measurement; ratios to native\n", min_time);
    printf("trusted = JIT without run-time checks; checked = JIT, every access checked (unverified programs);\n"
           "verified = JIT of the program the verifier accepted; interp = the interpreter, checked;\n"
           "uBPF jit / interp = uBPF's x86-64 JIT (no checks) and interpreter (%s).\n\n",
           have_ubpf ? "the build in BENCH_UBPF_DIR" : "absent: no uBPF build in BENCH_UBPF_DIR");
    enum { T_TRUSTED, T_CHECKED, T_VERIFIED, T_INTERP, T_UJIT, T_UINTERP, T_COUNT };
    static const char *const head[T_COUNT] = { "trusted", "checked", "verified", "interp", "uBPF jit", "uBPF int" };
    static const enum bpfrt_engine_kind kinds[] = { BPFRT_ENGINE_JIT_TRUSTED, BPFRT_ENGINE_JIT, BPFRT_ENGINE_JIT,
                                                    BPFRT_ENGINE_INTERP };
    printf("%-8s %10s", "bench", "native ns");
    for (int k = 0; k < T_COUNT; k++)
        printf(" %9s", head[k]);
    printf(" %12s %9s\n", "interp ns", "ns/insn");
    double logsum[T_COUNT] = { 0 };
    int nlog[T_COUNT] = { 0 };
    int n = 0, failures = 0, slower_than_ubpf = 0;
    char unverified[256] = "";
    for (int b = 0; b < NBENCH; b++) {
        const char *name = bench_names[b];
        if (only && strcmp(only, name) != 0)
            continue;
        char path[4096];
        size_t code_len = 0, in_len = 0;
        snprintf(path, sizeof(path), "%s/%s.bin", out, name);
        void *code = bench_read_file(path, &code_len);
        snprintf(path, sizeof(path), "%s/%s.input", out, name);
        uint8_t *in = bench_read_file(path, &in_len);
        uint64_t want = 0, dyn = 0;
        if (!code || !in || code_len % 8 || expected_for(shared, name, &want, &dyn)) {
            printf("%-8s missing %s.bin/.input or expected.txt entry\n", name, name);
            failures++;
            free(code);
            free(in);
            continue;
        }
        /* v[0] native, v[1 + k] column k (absent ones: nothing to run) */
        struct variant v[1 + T_COUNT];
        memset(v, 0, sizeof(v));
        v[0].fn = natives[b];
        bool ok = true;
        for (int k = 0; k < T_COUNT && ok; k++) {
            char msg[256] = "";
            struct variant *x = &v[1 + k];
            if (k == T_UJIT || k == T_UINTERP) {
                if (have_ubpf && !(x->ubpf = bench_ubpf_open(code, code_len, k == T_UJIT, msg, sizeof(msg))))
                    printf("%-8s %s: %s\n", name, head[k], msg);
                continue;
            }
            if (!have_jit && k != T_INTERP)
                continue;
            if (k == T_VERIFIED) {
                x->prog = load_verified(rt, code, code_len, msg, sizeof(msg));
                if (!x->prog && !unverified[0])
                    snprintf(unverified, sizeof(unverified), "%s: %.200s", name, msg);
                continue;
            }
            x->prog = bench_load(rt, code, code_len, kinds[k], msg, sizeof(msg));
            if (!x->prog) {
                printf("%-8s load failed: %s\n", name, msg);
                ok = false;
            }
        }
        /* time the present ones together, interleaved */
        struct variant run[1 + T_COUNT];
        int map[1 + T_COUNT], nv = 0;
        for (int i = 0; i <= T_COUNT; i++)
            if (i == 0 || v[i].prog || v[i].ubpf) {
                map[nv] = i;
                run[nv++] = v[i];
            }
        if (ok)
            time_variants(run, nv, in, in_len);
        for (int i = 0; i < nv; i++)
            v[map[i]] = run[i];
        double t_native = v[0].best, t[T_COUNT] = { 0 };
        for (int i = 0; ok && i < nv; i++) {
            struct variant *x = &v[map[i]];
            if (x->err || x->ret != want) {
                printf("%-8s %s: %s (r0 0x%llx, expected 0x%llx)\n", name, map[i] ? head[map[i] - 1] : "native",
                       x->err ? x->msg : "CHECKSUM MISMATCH", (unsigned long long)x->ret,
                       (unsigned long long)want);
                ok = map[i] > T_INTERP + 1; /* uBPF failing is its own business */
                continue;
            }
            if (map[i])
                t[map[i] - 1] = x->best;
        }
        for (int i = 1; i <= T_COUNT; i++) {
            bpfrt_prog_put(v[i].prog);
            bench_ubpf_close(v[i].ubpf);
        }
        if (!ok) {
            failures++;
        } else {
            printf("%-8s %10.0f", name, t_native);
            for (int k = 0; k < T_COUNT; k++)
                print_ratio(t[k] > 0 ? t[k] / t_native : 0);
            printf(" %12.0f %9.2f", t[T_INTERP], t[T_INTERP] / (double)dyn);
            if (t[T_UJIT] > 0 && t[T_TRUSTED] > t[T_UJIT]) {
                printf("  (trusted slower than uBPF's JIT)");
                slower_than_ubpf++;
            }
            printf("\n");
            for (int k = 0; k < T_COUNT; k++)
                if (t[k] > 0) {
                    logsum[k] += log(t[k] / t_native);
                    nlog[k]++;
                }
            n++;
        }
        free(code);
        free(in);
    }
    double geo[T_COUNT] = { 0 };
    if (n) {
        printf("%-8s %10s", "geomean", "");
        for (int k = 0; k < T_COUNT; k++) {
            geo[k] = nlog[k] ? exp(logsum[k] / nlog[k]) : 0;
            print_ratio(geo[k]);
        }
        printf("\n");
    }
    if (unverified[0])
        printf("verified: none of these verifies (first: %s); see the twins below\n", unverified);
    if (have_jit)
        failures += twins_report(rt, out, only);
    if ((!only || strcmp(only, "compile") == 0) && have_jit)
        bench_compile_report(rt, out, corpus, ncorpus);
    if (!only || strcmp(only, "perrun") == 0) {
        /* Fixed costs a short program (packet filter) pays on every run. */
        struct bpf_insn triv[] = { { .code = 0xb7 }, { .code = 0x95 } }; /* r0 = 0; exit */
        /* 100 x call bpf_get_smp_processor_id (helper 8) */
        static struct bpf_insn calls[102];
        for (int i = 0; i < 100; i++)
            calls[i] = (struct bpf_insn){ .code = 0x85, .imm = 8 };
        calls[100] = (struct bpf_insn){ .code = 0xb7 };
        calls[101] = (struct bpf_insn){ .code = 0x95 };
        static const enum bpfrt_engine_kind fk[] = { BPFRT_ENGINE_INTERP, BPFRT_ENGINE_JIT };
        printf("\n");
        for (int k = 0; k < (have_jit ? 2 : 1); k++) {
            char msg[256];
            uint8_t dummy[8] = { 0 };
            struct bpfrt_prog *pt = bench_load(rt, triv, sizeof(triv), fk[k], msg, sizeof(msg));
            struct bpfrt_prog *pc = bench_load(rt, calls, sizeof(calls), fk[k], msg, sizeof(msg));
            if (pt && pc) {
                struct variant fv[2];
                memset(fv, 0, sizeof(fv));
                fv[0].prog = pt;
                fv[1].prog = pc;
                time_variants(fv, 2, dummy, 8);
                double tc = fv[0].best, hc = fv[1].best;
                if (!fv[0].err && !fv[1].err)
                    printf("%-11s per run (run_begin + prog_run + run_end of `r0 = 0; exit`): %.0f ns; "
                           "per helper call (bpf_get_smp_processor_id): %.1f ns\n",
                           k ? "jit:" : "interpreter:", tc, (hc - tc) / 100);
            }
            bpfrt_prog_put(pt);
            bpfrt_prog_put(pc);
        }
    }
    /* Context: the reference numbers measured on this project's machines. */
    char readme[4096];
    snprintf(readme, sizeof(readme), "%s/bench/README.md", shared);
    FILE *f = fopen(readme, "r");
    if (f) {
        char line[1024], para[2048] = "";
        int in_para = 0;
        while (fgets(line, sizeof(line), f)) {
            if (strncmp(line, "Measured", 8) == 0)
                in_para = 1;
            if (in_para) {
                if (line[0] == '\n')
                    break;
                strncat(para, line, sizeof(para) - strlen(para) - 1);
            }
        }
        fclose(f);
        if (para[0])
            printf("\nreference (shared/bench/README.md): %s", para);
    }
    if (n && have_jit) {
        printf("goals: trusted at most 1.15x native (geomean): %.2fx %s; checked at most 1.5x: %.2fx %s; "
               "no benchmark slower than uBPF's JIT: %s; interpreter within 15x: %.2fx %s\n",
               geo[T_TRUSTED], geo[T_TRUSTED] <= 1.15 ? "met" : "NOT met", geo[T_CHECKED],
               geo[T_CHECKED] <= 1.5 ? "met" : "NOT met",
               !have_ubpf ? "not measured (no uBPF)" : slower_than_ubpf ? "NOT met" : "met", geo[T_INTERP],
               geo[T_INTERP] <= 15 ? "met" : "NOT met");
    }
    bpfrt_runtime_destroy(rt);
    return failures ? 1 : 0;
}
