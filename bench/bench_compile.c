/* `make bench`, compile times: how long the JIT takes per 1,000 eBPF
 * instructions, the executable-memory calls (exec_alloc + exec_seal: mmap
 * and mprotect on a hosted platform) shown apart - for the eight benchmark
 * programs, a large generated program, and every program of the corpus
 * objects given (tests/progs, /tmp/ebpf-samples), in each JIT mode; uBPF's
 * load + compile beside the benchmark programs. Times are the JIT's own
 * (bpfrt_jit_get_stats: the compile after the interpreter's decoding, which
 * an interpreter load does too), the fastest of several compiles, since the
 * machine is shared. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench_util.h"
#include "bpfrt/bpf.h"
#include "bpfrt/jit.h"
#include "bpfrt/object.h"

/* The fastest compile of prog in engine kind (of reps recompiles): us
 * without and with the executable-memory calls in *exec_us. False when it
 * is not JIT-compiled in the mode asked (`mode`: "checked", "trusted",
 * "verified"). */
static bool best_compile(struct bpfrt_prog *prog, enum bpfrt_engine_kind kind, const char *mode, int reps,
                         double *us, double *exec_us)
{
    *us = *exec_us = 1e30;
    for (int i = 0; i < reps; i++) {
        bool jitted = false;
        char msg[256];
        struct bpfrt_jit_stats st;
        if (bpfrt_prog_use_jit(prog, kind, &jitted, msg, sizeof(msg)) || !jitted ||
            !bpfrt_jit_get_stats(prog, &st) || strcmp(st.mode, mode) != 0)
            return false;
        double c = (double)(st.compile_ns - st.exec_mem_ns) / 1e3, e = (double)st.exec_mem_ns / 1e3;
        if (c < *us)
            *us = c;
        if (e < *exec_us)
            *exec_us = e;
    }
    return true;
}

/* A large straight-line-and-branches program: ALU of every kind, loads and
 * stores on the stack, forward jumps. */
static struct bpf_insn *big_program(uint32_t n)
{
    struct bpf_insn *p = calloc(n, sizeof(*p));
    uint64_t x = 0x9e3779b97f4a7c15ull;
    static const uint8_t alu[] = { 0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x77,
                                   0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0x04, 0x0c, 0x14, 0x24, 0x44, 0x54, 0x64,
                                   0x74, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0x37, 0x97 };
    for (uint32_t i = 0; p && i + 1 < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint8_t dst = (uint8_t)(x % 10), src = (uint8_t)((x >> 8) % 10);
        int16_t slot = (int16_t)(-8 * (1 + (int)((x >> 24) % 60)));
        switch ((x >> 16) % 8) {
        case 0:
            p[i] = (struct bpf_insn){ .code = 0x7b, .dst_reg = 10, .src_reg = src, .off = slot };
            break;
        case 1:
            p[i] = (struct bpf_insn){ .code = 0x79, .dst_reg = dst, .src_reg = 10, .off = slot };
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
    if (p)
        p[n - 1] = (struct bpf_insn){ .code = 0x95 };
    return p;
}

static void row(const char *name, uint32_t insns, const double us[2], double exec_us, double ubpf_us)
{
    printf("  %-9s %7u %10.1f %10.1f %9.1f %11.1f %11.1f", name, insns, us[0], us[1], exec_us,
           us[0] / insns * 1000, us[1] / insns * 1000);
    if (ubpf_us >= 0)
        printf(" %10.1f\n", ubpf_us);
    else
        printf(" %10s\n", "-");
}

static void bench_programs(struct bpfrt_runtime *rt, const char *out)
{
    printf("\nJIT compile time (us, fastest of the tries; the executable-memory calls apart), checked and trusted mode\n"
           "uBPF's ubpf_load + ubpf_compile (its mmap + mprotect inside):\n");
    printf("  %-9s %7s %10s %10s %9s %11s %11s %10s\n", "program", "insns", "checked", "trusted", "exec mem",
           "chk/1000", "trst/1000", "uBPF");
    double sum[2] = { 0, 0 }, sum_exec = 0, sum_ubpf = 0;
    uint32_t sum_insns = 0;
    for (int b = 0; b <= NBENCH; b++) {
        char path[4096];
        size_t len = 0;
        void *code;
        const char *name = b < NBENCH ? bench_names[b] : "generated";
        if (b < NBENCH) {
            snprintf(path, sizeof(path), "%s/%s.bin", out, name);
            code = bench_read_file(path, &len);
        } else {
            len = (size_t)100000 * 8;
            code = big_program(100000);
        }
        if (!code)
            continue;
        char msg[256] = "";
        struct bpfrt_prog *prog = bench_load(rt, code, len, BPFRT_ENGINE_INTERP, msg, sizeof(msg));
        double us[2], exec[2];
        bool ok = prog != NULL;
        int reps = b < NBENCH ? 200 : 16; /* (the generated one: about 2 ms a compile) */
        ok = ok && best_compile(prog, BPFRT_ENGINE_JIT, "checked", reps, &us[0], &exec[0]) &&
             best_compile(prog, BPFRT_ENGINE_JIT_TRUSTED, "trusted", reps, &us[1], &exec[1]);
        if (b == NBENCH && sum_insns) /* the eight together, before the generated one */
            row("the eight", sum_insns, sum, sum_exec, sum_ubpf);
        double ubpf = ok && b < NBENCH ? bench_ubpf_compile_us(code, len, 200) : -1;
        if (ok && b < NBENCH) {
            sum[0] += us[0];
            sum[1] += us[1];
            sum_exec += exec[0] < exec[1] ? exec[0] : exec[1];
            sum_ubpf = ubpf >= 0 && sum_ubpf >= 0 ? sum_ubpf + ubpf : -1;
            sum_insns += (uint32_t)(len / 8);
        }
        if (ok)
            row(name, (uint32_t)(len / 8), us, exec[0] < exec[1] ? exec[0] : exec[1], ubpf);
        else
            printf("  %-9s not compiled: %s\n", name, prog ? "JIT refused" : msg);
        bpfrt_prog_put(prog);
        free(code);
    }
}

/* Every *.o under dir, recursively. */
static void find_objects(const char *dir, char ***list, int *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &sb))
            continue;
        size_t l = strlen(e->d_name);
        if (S_ISDIR(sb.st_mode)) {
            find_objects(path, list, n);
        } else if (l > 2 && strcmp(e->d_name + l - 2, ".o") == 0) {
            *list = realloc(*list, (size_t)(*n + 1) * sizeof(char *));
            (*list)[(*n)++] = strdup(path);
        }
    }
    if (d)
        closedir(d);
}

static void quiet(void *arg, const char *line, size_t len)
{
    (void)arg, (void)line, (void)len;
}

/* A least-squares line through (instructions, us) of each program
 * compiled: what a compile costs per 1,000 instructions beyond a fixed cost
 * per program (the form the issue gave uBPF's: 18 us per 1,000 plus 55 us
 * fixed). */
struct fit {
    double n, x, y, xx, xy;
};

static void fit_add(struct fit *f, double insns, double us)
{
    f->n += 1;
    f->x += insns;
    f->y += us;
    f->xx += insns * insns;
    f->xy += insns * us;
}

static void fit_print(const struct fit *f)
{
    double den = f->n * f->xx - f->x * f->x;
    if (f->n < 2 || den <= 0)
        return;
    double slope = (f->n * f->xy - f->x * f->y) / den, fixed = (f->y - slope * f->x) / f->n;
    printf(" (fit: %.1f per 1,000 + %.2f us a program)", slope * 1000, fixed);
}

/* Every program of the objects under dir (loaded unverified; `verified`:
 * also as the verifier accepts them), compiled in each mode. */
static void bench_corpus(const char *label, const char *dir, bool verified)
{
    static const struct {
        enum bpfrt_engine_kind kind;
        const char *mode;
    } modes[3] = { { BPFRT_ENGINE_JIT, "checked" }, { BPFRT_ENGINE_JIT_TRUSTED, "trusted" }, { BPFRT_ENGINE_JIT, "verified" } };
    struct bpfrt_runtime *rt;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt))
        return;
    bpfrt_runtime_set_trace_sink(rt, quiet, NULL);
    char **objs = NULL;
    int nobj = 0;
    find_objects(dir, &objs, &nobj);
    double us[3] = { 0 }, exec = 0, big_us = 0;
    struct fit fits[3] = { { 0 } };
    uint64_t insns[3] = { 0 };
    uint32_t progs[3] = { 0 }, big = 0;
    const char *big_name = "";
    for (int m = 0; m < (verified ? 3 : 2); m++) {
        for (int i = 0; i < nobj; i++) {
            struct bpfrt_object *obj = NULL;
            char err[256];
            struct bpfrt_object_opts o = { .default_prog_type = BPF_PROG_TYPE_SCHED_CLS, .target_btf_path = "" };
            if (bpfrt_object_open_file(rt, objs[i], &o, &obj, err, sizeof(err)))
                continue;
            for (uint32_t k = 0; m < 2 && k < bpfrt_object_prog_count(obj); k++) {
                struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, k);
                bpfrt_object_prog_set_flags(p, bpfrt_object_prog_flags(p) | BPFRT_PROG_F_NO_VERIFY);
            }
            bpfrt_object_load(obj, err, sizeof(err)); /* what loads */
            for (uint32_t k = 0; k < bpfrt_object_prog_count(obj); k++) {
                int h = bpfrt_object_prog_handle(bpfrt_object_prog_at(obj, k));
                struct bpfrt_prog *prog = h >= 0 ? bpfrt_prog_from_handle(rt, h) : NULL;
                double c, e;
                if (!prog || !best_compile(prog, modes[m].kind, modes[m].mode, 15, &c, &e))
                    continue; /* (trusted: a context that needs checked mode) */
                us[m] += c;
                fit_add(&fits[m], prog->len, c);
                insns[m] += prog->len;
                progs[m]++;
                if (m == 0) {
                    exec += e;
                    if (prog->len > big) {
                        big = prog->len;
                        big_us = c;
                        big_name = objs[i];
                    }
                }
            }
            bpfrt_object_close(obj);
        }
    }
    printf("  %-12s", label);
    for (int m = 0; m < 3; m++)
        if (progs[m]) {
            printf("%*s %-8s %4u progs %7llu insns %5.1f us/1000", m ? 14 : 0, "", modes[m].mode, progs[m],
                   (unsigned long long)insns[m], us[m] / (double)insns[m] * 1000);
            fit_print(&fits[m]);
            printf("\n");
        }
    if (progs[0])
        printf("  %-12s exec mem %.1f us per program; largest: %s (%u insns) checked %.1f us/1000\n", "",
               exec / progs[0], strrchr(big_name, '/') ? strrchr(big_name, '/') + 1 : big_name, big,
               big_us / big * 1000);
    else
        printf(" no program compiled\n");
    for (int i = 0; i < nobj; i++)
        free(objs[i]);
    free(objs);
    bpfrt_runtime_destroy(rt);
}

void bench_compile_report(struct bpfrt_runtime *rt, const char *out, char **corpus, int ncorpus)
{
    bench_programs(rt, out);
    /* The first compile in a new runtime: no compile memory kept yet, so
     * its allocation and page faults count (CPU time of the compile alone,
     * the program loaded for the interpreter before). */
    struct bpf_insn *big = big_program(100000);
    struct bpfrt_runtime *fresh;
    if (big && !bpfrt_runtime_create(bpfrt_platform_hosted(), &fresh)) {
        char msg[256];
        bool jitted = false;
        struct bpfrt_prog *prog = bench_load(fresh, big, (size_t)100000 * 8, BPFRT_ENGINE_INTERP, msg, sizeof(msg));
        double t0 = bench_cpu_us();
        if (prog && !bpfrt_prog_use_jit(prog, BPFRT_ENGINE_JIT, &jitted, msg, sizeof(msg)) && jitted)
            printf("  generated, the first compile in a new runtime (its compile memory new): %.1f us per 1000, "
                   "executable memory included\n", (bench_cpu_us() - t0) / 100);
        bpfrt_prog_put(prog);
        bpfrt_runtime_destroy(fresh);
    }
    free(big);
    if (ncorpus)
        printf("\nJIT compile time over corpus programs (fastest of 15 compiles each; trusted: where the context allows):\n");
    for (int i = 0; i + 2 < ncorpus; i += 3) /* LABEL DIR checked|verified */
        bench_corpus(corpus[i], corpus[i + 1], strcmp(corpus[i + 2], "verified") == 0);
    printf("goal: at most 15 us per 1,000 instructions (without the executable-memory calls)\n");
}
