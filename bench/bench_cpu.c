/* CPU benchmarks: the eight programs of shared/bench, each run natively (gcc
 * -O2) and in the bpfrt interpreter on the same input, checksums verified
 * against expected.txt. Prints time per run and the interpreter/native
 * ratio, in checked mode (what unverified programs get, i.e. everything
 * until the verifier lands) and unchecked mode (the program marked verified,
 * as a verifier would), with the geometric mean over the eight.
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

static double time_native(native_fn fn, const uint8_t *in, uint64_t len, uint64_t *ret)
{
    uint64_t iters = 1, r = 0;
    for (;;) {
        double t0 = now_s();
        for (uint64_t i = 0; i < iters; i++) {
            r = fn(in, len);
            sink = r;
        }
        double dt = now_s() - t0;
        if (dt >= min_time || iters >= (1ull << 40)) {
            *ret = r;
            return dt / (double)iters * 1e9;
        }
        iters = dt < min_time / 64 ? iters * 8 : (uint64_t)((double)iters * min_time / dt) + 1;
    }
}

/* One measurement: the whole per-run path a host takes (run_begin claims a
 * CPU and enters the read-side section, prog_run, run_end). */
static double time_interp(struct bpfrt_prog *prog, uint8_t *in, uint64_t len, uint64_t *ret, int *err,
                          char *msg, size_t msgsz)
{
    static struct bpfrt_run run;
    uint64_t iters = 1, r = 0;
    for (;;) {
        double t0 = now_s();
        for (uint64_t i = 0; i < iters; i++) {
            memset(&run, 0, offsetof(struct bpfrt_run, regions));
            run.ctx = in;
            run.ctx_size = (uint32_t)len;
            bpfrt_run_begin(&run, prog);
            *err = bpfrt_prog_run(prog, &run, (uint64_t)(uintptr_t)in, len, &r);
            bpfrt_run_end(&run);
            if (*err) {
                snprintf(msg, msgsz, "%s", run.error_msg);
                return 0;
            }
        }
        double dt = now_s() - t0;
        if (dt >= min_time || iters >= (1ull << 40)) {
            *ret = r;
            return dt / (double)iters * 1e9;
        }
        iters = dt < min_time / 64 ? iters * 8 : (uint64_t)((double)iters * min_time / dt) + 1;
    }
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

    printf("bpfrt interpreter vs native C (gcc -O2), time per run, %.2fs per measurement\n", min_time);
    printf("checked   = every load/store bounds-checked (unverified programs; the default today)\n");
    printf("unchecked = program marked verified (what a verifier-accepted program gets)\n\n");
    printf("%-8s %12s %14s %8s %8s %14s %8s %8s\n", "bench", "native ns", "checked ns", "ns/insn",
           "ratio", "unchecked ns", "ns/insn", "ratio");
    double log_checked = 0, log_unchecked = 0;
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
        char msg[256] = "";
        struct bpfrt_prog *prog = NULL;
        if (bpfrt_prog_create(rt, code, (uint32_t)(code_len / 8), BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &prog)) {
            printf("%-8s load failed: %s\n", name, msg);
            failures++;
            free(code);
            free(in);
            continue;
        }
        uint64_t r_native = 0, r_checked = 0, r_unchecked = 0;
        int err = 0;
        double t_native = time_native(benches[b].fn, in, in_len, &r_native);
        double t_checked = time_interp(prog, in, in_len, &r_checked, &err, msg, sizeof(msg));
        if (!err)
            prog->verified = true; /* as a verifier would: the unchecked loop */
        double t_unchecked = err ? 0 : time_interp(prog, in, in_len, &r_unchecked, &err, msg, sizeof(msg));
        if (err) {
            printf("%-8s run failed: %s\n", name, msg);
            failures++;
        } else if (r_native != want || r_checked != want || r_unchecked != want) {
            printf("%-8s CHECKSUM MISMATCH: native 0x%llx checked 0x%llx unchecked 0x%llx expected 0x%llx\n",
                   name, (unsigned long long)r_native, (unsigned long long)r_checked,
                   (unsigned long long)r_unchecked, (unsigned long long)want);
            failures++;
        } else {
            double rc = t_checked / t_native, ru = t_unchecked / t_native;
            printf("%-8s %12.0f %14.0f %8.2f %7.1fx %14.0f %8.2f %7.1fx\n", name, t_native, t_checked,
                   t_checked / (double)dyn, rc, t_unchecked, t_unchecked / (double)dyn, ru);
            log_checked += log(rc);
            log_unchecked += log(ru);
            n++;
        }
        bpfrt_prog_put(prog);
        free(code);
        free(in);
    }
    if (n) {
        printf("%-8s %12s %14s %8s %7.1fx %14s %8s %7.1fx\n", "geomean", "", "", "", exp(log_checked / n), "",
               "", exp(log_unchecked / n));
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
        struct bpfrt_prog *pt = NULL, *pc = NULL;
        char msg[256];
        uint8_t dummy[8] = { 0 };
        if (bpfrt_prog_create(rt, triv, 2, BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &pt) == 0 &&
            bpfrt_prog_create(rt, calls, 102, BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &pc) == 0) {
            uint64_t r;
            int err = 0;
            double tc = time_interp(pt, dummy, 8, &r, &err, msg, sizeof(msg));
            double hc = time_interp(pc, dummy, 8, &r, &err, msg, sizeof(msg));
            pt->verified = pc->verified = true;
            double tu = time_interp(pt, dummy, 8, &r, &err, msg, sizeof(msg));
            double hu = time_interp(pc, dummy, 8, &r, &err, msg, sizeof(msg));
            if (!err) {
                printf("\nper run (run_begin + prog_run + run_end of `r0 = 0; exit`): %.0f ns checked, %.0f ns unchecked\n",
                       tc, tu);
                printf("per helper call (bpf_get_smp_processor_id): %.1f ns checked, %.1f ns unchecked\n",
                       (hc - tc) / 100, (hu - tu) / 100);
            }
        }
        bpfrt_prog_put(pt);
        bpfrt_prog_put(pc);
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
    printf("goal: interpreter within 15x of native (geometric mean); %d benchmark(s) verified\n", n);
    bpfrt_runtime_destroy(rt);
    return failures ? 1 : 0;
}
