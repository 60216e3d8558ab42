/* CPU benchmarks: the eight programs of shared/bench, each run natively (gcc
 * -O2), JIT-compiled (trusted mode: no checks; checked mode: what
 * unverified programs get) and in the interpreter (checked) on the same
 * input, checksums verified against expected.txt. Prints the time of a
 * native run and each engine's time as a ratio to it, from one run of this
 * program, with the geometric means; then the JIT's compile time per 1,000
 * instructions (executable-memory calls shown apart) and the fixed cost of
 * a run and of a helper call. A JIT verified column appears once programs
 * can be verified (the verifier is not in this build yet).
 *
 *   bench_cpu OUT_DIR SHARED_DIR [--min-time SECONDS] [--only NAME]
 *
 * OUT_DIR holds NAME.bin and NAME.input from `make -C SHARED/bench OUT=...`;
 * the native objects are linked in. Never used for assertions: timings are
 * reported, not checked. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfrt/jit.h"
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

static const struct {
    const char *name;
    native_fn fn;
} benches[] = {
    { "sum32", native_sum32 }, { "crc32", native_crc32 },   { "fnv1a", native_fnv1a },
    { "sieve", native_sieve }, { "bubble", native_bubble }, { "fib", native_fib },
    { "modexp", native_modexp }, { "packets", native_packets },
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

static double min_time = 0.25; /* seconds per measurement */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *read_file(const char *path, size_t *len)
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

/* One way of running a benchmark: natively, or a program through the whole
 * per-run path a host takes (run_begin claims a CPU and enters the
 * read-side section, prog_run, run_end). */
struct variant {
    native_fn fn;              /* or NULL: prog */
    struct bpfrt_prog *prog;
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
        memset(&run, 0, offsetof(struct bpfrt_run, regions));
        run.ctx = in;
        run.ctx_size = (uint32_t)len;
        bpfrt_run_begin(&run, v->prog);
        v->err = bpfrt_prog_run(v->prog, &run, (uint64_t)(uintptr_t)in, len, &v->ret);
        bpfrt_run_end(&run);
        if (v->err) {
            snprintf(v->msg, sizeof(v->msg), "%s", run.error_msg);
            break;
        }
    }
    return now_s() - t0;
}

#define ROUNDS 5

/* Times the variants in interleaved rounds and keeps each one's fastest:
 * on a shared machine the load changes while a benchmark runs, and the
 * fastest round is the one least disturbed. */
static void time_variants(struct variant *v, int n, uint8_t *in, uint64_t len)
{
    double round = min_time / ROUNDS;
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
    for (int r = 0; r < ROUNDS; r++)
        for (int k = 0; k < n; k++) {
            if (v[k].err)
                continue;
            double ns = round_of(&v[k], in, len) / (double)v[k].iters * 1e9;
            if (ns < v[k].best)
                v[k].best = ns;
        }
}

static void print_ratio(double r)
{
    if (r > 0)
        printf(" %8.2fx", r);
    else
        printf(" %9s", "-");
}

/* The same program in another engine (a fresh copy). */
static struct bpfrt_prog *load(struct bpfrt_runtime *rt, const void *code, size_t len, enum bpfrt_engine_kind e,
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

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

/* Compile cost, best of `reps`: the CPU time a JIT load takes beyond an
 * interpreter load of the same program (validation and the interpreter's
 * decoding are in both), in us; the executable-memory calls (exec_alloc +
 * exec_seal, as the JIT measures them) in *exec_us. CPU time, not wall
 * time: this machine is shared, and wall time mostly measures the others. */
static double compile_cost(struct bpfrt_runtime *rt, const void *code, size_t len, int reps, double *exec_us,
                           uint32_t *passes)
{
    double best[2] = { 1e30, 1e30 };
    *exec_us = 1e30;
    for (int i = 0; i < reps; i++)
        for (int k = 0; k < 2; k++) {
            char msg[256];
            double t0 = cpu_us();
            struct bpfrt_prog *prog = load(rt, code, len, k ? BPFRT_ENGINE_JIT : BPFRT_ENGINE_INTERP, msg,
                                           sizeof(msg));
            double t = cpu_us() - t0;
            if (!prog) {
                printf("  (load failed: %s)\n", msg);
                return 0;
            }
            struct bpfrt_jit_stats st;
            if (k && bpfrt_jit_get_stats(prog, &st)) {
                *passes = st.passes;
                if ((double)st.exec_mem_ns / 1e3 < *exec_us)
                    *exec_us = (double)st.exec_mem_ns / 1e3;
            }
            if (t < best[k])
                best[k] = t;
            bpfrt_prog_put(prog);
        }
    return best[1] > best[0] ? best[1] - best[0] : 0;
}

/* A large straight-line-and-branches program for the compile-time figure:
 * ALU of every kind, loads and stores on the stack, forward jumps. */
static struct bpf_insn *big_program(uint32_t n)
{
    struct bpf_insn *p = calloc(n, sizeof(*p));
    uint64_t x = 0x9e3779b97f4a7c15ull;
    static const uint8_t alu[] = { 0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x77,
                                   0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0x04, 0x0c, 0x14, 0x24, 0x44, 0x54, 0x64,
                                   0x74, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0x37, 0x97 };
    for (uint32_t i = 0; i + 1 < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint8_t dst = (uint8_t)(x % 10), src = (uint8_t)((x >> 8) % 10);
        switch ((x >> 16) % 8) {
        case 0:
            p[i] = (struct bpf_insn){ .code = 0x7b, .dst_reg = 10, .src_reg = src, .off = (int16_t)(-8 * (1 + (int)((x >> 24) % 60))) };
            break;
        case 1:
            p[i] = (struct bpf_insn){ .code = 0x79, .dst_reg = dst, .src_reg = 10, .off = (int16_t)(-8 * (1 + (int)((x >> 24) % 60))) };
            break;
        case 2:
            p[i] = (struct bpf_insn){ .code = 0x55, .dst_reg = dst, .off = (int16_t)((x >> 24) % 20), .imm = (int32_t)(x >> 40) };
            if (i + 1 + (uint32_t)p[i].off >= n - 1)
                p[i].off = 0;
            break;
        default: {
            uint8_t code = alu[(x >> 24) % sizeof(alu)];
            bool reg = code & 0x08; /* BPF_X */
            p[i] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = reg ? src : 0,
                                      .imm = reg ? 0 : (int32_t)((x >> 32) % 31) + 1 };
            break;
        }
        }
    }
    p[n - 1] = (struct bpf_insn){ .code = 0x95 };
    return p;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_cpu OUT_DIR SHARED_DIR [--min-time SECONDS] [--only NAME]\n");
        return 2;
    }
    const char *out = argv[1], *shared = argv[2], *only = NULL;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--min-time") == 0)
            min_time = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--only") == 0)
            only = argv[i + 1];
    }
    struct bpfrt_runtime *rt;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt)) {
        fprintf(stderr, "cannot create runtime\n");
        return 1;
    }
    bool have_jit = bpfrt_engine_find(rt, BPFRT_ENGINE_JIT) != NULL;
    printf("bpfrt vs native C (gcc -O2): time per run, %.2fs per measurement; ratios to native\n", min_time);
    printf("trusted = JIT without run-time checks; checked = JIT, every access checked (unverified programs);\n");
    printf("interp = the interpreter, checked. (JIT verified: no verifier in this build yet.)\n\n");
    printf("%-8s %10s %9s %9s %9s %12s %9s\n", "bench", "native ns", "trusted", "checked", "interp", "interp ns",
           "ns/insn");
    enum { T_TRUSTED, T_CHECKED, T_INTERP, T_COUNT };
    static const enum bpfrt_engine_kind kinds[T_COUNT] = { BPFRT_ENGINE_JIT_TRUSTED, BPFRT_ENGINE_JIT,
                                                           BPFRT_ENGINE_INTERP };
    double logsum[T_COUNT] = { 0 };
    int n = 0, failures = 0;
    for (size_t b = 0; b < NBENCH; b++) {
        const char *name = benches[b].name;
        if (only && strcmp(only, name) != 0)
            continue;
        char path[4096];
        size_t code_len = 0, in_len = 0;
        snprintf(path, sizeof(path), "%s/%s.bin", out, name);
        void *code = read_file(path, &code_len);
        snprintf(path, sizeof(path), "%s/%s.input", out, name);
        uint8_t *in = read_file(path, &in_len);
        uint64_t want = 0, dyn = 0;
        if (!code || !in || code_len % 8 || expected_for(shared, name, &want, &dyn)) {
            printf("%-8s missing %s.bin/.input or expected.txt entry\n", name, name);
            failures++;
            free(code);
            free(in);
            continue;
        }
        /* v[0] native, v[1 + k] engine k */
        struct variant v[1 + T_COUNT];
        memset(v, 0, sizeof(v));
        v[0].fn = benches[b].fn;
        bool ok = true;
        int nv = 1;
        for (int k = 0; k < T_COUNT && ok; k++) {
            char msg[256] = "";
            if (!have_jit && k != T_INTERP)
                continue;
            v[nv].prog = load(rt, code, code_len, kinds[k], msg, sizeof(msg));
            if (!v[nv].prog) {
                printf("%-8s load failed: %s\n", name, msg);
                ok = false;
                break;
            }
            nv++;
        }
        if (ok)
            time_variants(v, nv, in, in_len);
        double t_native = v[0].best, t[T_COUNT] = { 0 };
        for (int i = 0, k = 0; ok && i < nv; i++) {
            if (v[i].err || v[i].ret != want) {
                printf("%-8s %s: %s (r0 0x%llx, expected 0x%llx)\n", name, i ? "engine" : "native",
                       v[i].err ? v[i].msg : "CHECKSUM MISMATCH", (unsigned long long)v[i].ret,
                       (unsigned long long)want);
                ok = false;
            }
            if (i) {
                while (!have_jit && k != T_INTERP)
                    k++;
                t[k++] = v[i].best;
            }
        }
        for (int i = 1; i < nv; i++)
            bpfrt_prog_put(v[i].prog);
        if (!ok) {
            failures++;
        } else {
            printf("%-8s %10.0f", name, t_native);
            for (int k = 0; k < T_COUNT; k++)
                print_ratio(t[k] > 0 ? t[k] / t_native : 0);
            printf(" %12.0f %9.2f\n", t[T_INTERP], t[T_INTERP] / (double)dyn);
            for (int k = 0; k < T_COUNT; k++)
                if (t[k] > 0)
                    logsum[k] += log(t[k] / t_native);
            n++;
        }
        free(code);
        free(in);
    }
    if (n) {
        printf("%-8s %10s", "geomean", "");
        for (int k = 0; k < T_COUNT; k++)
            print_ratio(logsum[k] != 0 ? exp(logsum[k] / n) : 0);
        printf("\n");
    }
    if (!only && have_jit) {
        printf("\nJIT compile time (checked mode; CPU time beyond an interpreter load, fastest of the tries),\n"
               "the executable-memory calls (exec_alloc + exec_seal) shown apart:\n");
        printf("  %-8s %7s %12s %12s %16s\n", "program", "insns", "compile us", "exec mem us",
               "us / 1000 insns");
        for (size_t b = 0; b <= NBENCH; b++) {
            char path[4096];
            size_t len = 0;
            void *code;
            const char *name = b < NBENCH ? benches[b].name : "large";
            if (b < NBENCH) {
                snprintf(path, sizeof(path), "%s/%s.bin", out, name);
                code = read_file(path, &len);
            } else {
                len = (size_t)100000 * 8;
                code = big_program(100000);
            }
            if (!code)
                continue;
            double exec = 0;
            uint32_t passes = 0;
            double c = compile_cost(rt, code, len, b < NBENCH ? 300 : 10, &exec, &passes);
            double body = c > exec ? c - exec : 0;
            printf("  %-8s %7zu %12.1f %12.1f %16.1f\n", name, len / 8, c, exec, body / (double)(len / 8) * 1000);
            free(code);
        }
        printf("goal: at most 15 us per 1,000 instructions (without the executable-memory calls)\n");
    }
    if (!only) {
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
            struct bpfrt_prog *pt = load(rt, triv, sizeof(triv), fk[k], msg, sizeof(msg));
            struct bpfrt_prog *pc = load(rt, calls, sizeof(calls), fk[k], msg, sizeof(msg));
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
    printf("goals: JIT trusted at most 1.15x native and checked at most 1.5x (geometric means); "
           "interpreter within 15x; %d benchmark(s) verified\n", n);
    bpfrt_runtime_destroy(rt);
    return failures ? 1 : 0;
}
