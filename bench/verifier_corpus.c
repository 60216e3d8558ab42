/* The verifier at corpus scale (issue 10): every program of a directory of
 * real-world BPF objects (vbpf/ebpf-samples with bpf_cilium_test) loaded
 * alone into the Linux kernel of this machine (the oracle) and into bpfrt,
 * both through bpfrt's loader (maps created as the object declares).
 *
 * Per program: both verdicts, both `processed N insns` counts, both
 * PROG_LOAD times (the thread's CPU time) and bpfrt's peak memory (bytes
 * live through the runtime's allocator hooks during the PROG_LOAD, above
 * what was live before it - not RSS). Then the distribution: verdict
 * agreement (refusals for a helper, map or program type bpfrt does not
 * provide, and Linux's for a helper its build withholds, counted apart),
 * how many programs both accept process exactly Linux's count, the ratio of
 * processed instructions for programs over 1,000 (within +-25%
 * of Linux's), total time, processed instructions per second, maximum and
 * median peak.
 *
 *   build/bench_verifier [CORPUS] [--cache FILE] [--refresh] [--csv FILE]
 *                        [--only SUBSTRING] [--log-dir DIR] [-v]
 *
 * CORPUS defaults to $BPFRT_REAL_CORPUS. The kernel's results are cached in
 * FILE (default $BPFRT_BUILD/verifier-kernel.tsv, else build/...) keyed by
 * object path, size and program, so reruns only run bpfrt; --refresh asks
 * the kernel again. Without a corpus it says so and exits 77 (skip); without
 * bpf(2) and no cache it does the same. Timings are reported, never asserted
 * (a bench, not a test). --log-dir writes both sides' level-2 logs to DIR
 * (untimed; the cache is left alone) to see where their walks part. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/errno.h"
#include "bpfrt/platform.h"
#include "bpfrt/prog.h"
#include "kernel_bpf.h"
#include "test_corpus_util.h"

/* ---- counting allocator: the runtime's alloc/free hooks ---- */

static struct bpfrt_platform counting;
static const struct bpfrt_platform *hosted;
static size_t mem_cur, mem_peak;

static void *count_alloc(void *ctx, size_t size, size_t align)
{
    void *p = hosted->alloc(ctx, size, align);
    if (p) {
        mem_cur += size;
        if (mem_cur > mem_peak)
            mem_peak = mem_cur;
    }
    return p;
}

static void count_free(void *ctx, void *ptr, size_t size)
{
    if (ptr)
        mem_cur -= size;
    hosted->free(ctx, ptr, size);
}

/* PROG_LOADs are timed in this thread's CPU time (the kernel's verifier
 * runs in it too, as system time), so other load on the machine does not
 * inflate either side; the whole run is reported in wall time. */
static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

/* ---- one side's result for one program ---- */

struct side {
    bool done;             /* a PROG_LOAD reached the verifier's side */
    long rc;               /* handle (>= 0) or -errno of the first PROG_LOAD */
    long processed;        /* processed N insns; -1: unknown */
    double seconds;        /* first PROG_LOAD */
    size_t peak;           /* bytes above the PROG_LOAD's start (bpfrt) */
    uint32_t prog_type;
    char cause[240];       /* refusal: why */
};

static struct side *cur_side; /* what the bpf_fn wrappers fill */
static char stats_log[1 << 16];
static const char *log_dir;     /* --log-dir: level-2 logs of both sides, untimed */
static char *full_log;
#define FULL_LOG_SIZE (1u << 29) /* Linux allows at most UINT_MAX >> 2 */

static long parse_processed(const char *log)
{
    const char *p = NULL;
    for (const char *s = strstr(log, "processed "); s; s = strstr(s + 1, "processed "))
        p = s;
    long n;
    return p && sscanf(p, "processed %ld insns", &n) == 1 ? n : -1;
}

static long kernel_sys(void *arg, int cmd, union bpf_attr *attr, unsigned size);

/* The first PROG_LOAD of a load runs with a statistics-only log (level 4:
 * no per-instruction text to slow either verifier, and the `processed` line
 * on refusals too); the loader's retry with a level-1 log for the message
 * is passed through untimed. */
static long wrap_prog_load(long (*sys)(void *, int, union bpf_attr *, unsigned), void *arg,
                           union bpf_attr *attr, unsigned size)
{
    if (cur_side->done || attr->log_level)
        return sys(arg, BPF_PROG_LOAD, attr, size);
    attr->log_level = log_dir ? 2 : 4;
    attr->log_buf = kbpf_ptr(log_dir ? full_log : stats_log);
    attr->log_size = log_dir ? FULL_LOG_SIZE : sizeof(stats_log);
    stats_log[0] = 0;
    size_t base = mem_cur;
    mem_peak = mem_cur;
    double t0 = cpu_s();
    long rc = sys(arg, BPF_PROG_LOAD, attr, size);
    cur_side->seconds = cpu_s() - t0;
    cur_side->peak = mem_peak - base;
    cur_side->done = true;
    cur_side->rc = rc;
    cur_side->prog_type = attr->prog_type;
    if (log_dir) {
        size_t n = strlen(full_log);
        snprintf(stats_log, sizeof(stats_log), "%s", full_log + (n > 4096 ? n - 4096 : 0));
        char file[4096];
        snprintf(file, sizeof(file), "%s/%s.%s.log", log_dir, test_current, sys == kernel_sys ? "linux" : "bpfrt");
        for (char *c = file + strlen(log_dir) + 1; *c; c++)
            if (*c == '/' || *c == ':')
                *c = '_';
        FILE *f = fopen(file, "w");
        if (f) {
            fwrite(full_log, 1, n, f);
            fclose(f);
        }
    }
    cur_side->processed = parse_processed(stats_log);
    attr->log_level = 0;
    attr->log_buf = 0;
    attr->log_size = 0;
    return rc;
}

static long kernel_sys(void *arg, int cmd, union bpf_attr *attr, unsigned size)
{
    (void)arg;
    if (cmd == BPF_OBJ_GET) /* nothing is pinned in the kernel */
        return -ENOENT;
    if (cmd == BPF_OBJ_PIN)
        return 0;
    return kbpf_sized(cmd, attr, size);
}

static long kernel_bpf(void *arg, int cmd, union bpf_attr *attr, unsigned size)
{
    if (cmd == BPF_PROG_LOAD)
        return wrap_prog_load(kernel_sys, arg, attr, size);
    return kernel_sys(arg, cmd, attr, size);
}

static int kernel_close(void *arg, int fd)
{
    (void)arg;
    return close(fd);
}

static long bpfrt_sys(void *arg, int cmd, union bpf_attr *attr, unsigned size)
{
    return bpfrt_bpf(arg, cmd, attr, size);
}

static bool missing_type; /* a MAP_CREATE or pre-verifier PROG_LOAD refusal of a type bpfrt lacks */

static long bpfrt_side_bpf(void *arg, int cmd, union bpf_attr *attr, unsigned size)
{
    if (cmd == BPF_PROG_LOAD) {
        long rc = wrap_prog_load(bpfrt_sys, arg, attr, size);
        if (rc == -BPFRT_EINVAL && !bpfrt_ctx_desc_for(attr->prog_type, attr->expected_attach_type))
            missing_type = true;
        return rc;
    }
    long rc = bpfrt_sys(arg, cmd, attr, size);
    if (cmd == BPF_MAP_CREATE && rc == -BPFRT_EINVAL && !bpfrt_map_type_supported(attr->map_type))
        missing_type = true;
    return rc;
}

static int bpfrt_side_close(void *arg, int handle)
{
    return bpfrt_close(arg, handle);
}

/* ---- the loader, as test_loader_realworld drives it ---- */

/* iproute2 gives every section of an object the type of its command (tc:
 * sched_cls, ip link ... xdp: xdp): the same rule as test_loader_realworld. */
static int sibling_type(const char *path, struct bpfrt_object *obj)
{
    const char *base = strrchr(path, '/');
    if (strstr(base ? base : path, "xdp"))
        return BPF_PROG_TYPE_XDP;
    uint32_t t = 0;
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        uint32_t pt = bpfrt_object_prog_type(bpfrt_object_prog_at(obj, i));
        if (pt && t && pt != t)
            return BPF_PROG_TYPE_SCHED_CLS;
        if (pt)
            t = pt;
    }
    return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_ACT ? (int)t : BPF_PROG_TYPE_SCHED_CLS;
}

/* Loads program idx of path alone into the side opts points at. */
static void load_alone(const char *path, const struct bpfrt_object_opts *o, uint32_t idx, struct side *s)
{
    memset(s, 0, sizeof(*s));
    s->processed = -1;
    cur_side = s;
    missing_type = false;
    struct bpfrt_object *obj = NULL;
    char err[1024] = "";
    int rc = bpfrt_object_open_file(crt, path, o, &obj, err, sizeof(err));
    if (!rc) {
        for (uint32_t i = 0; i < bpfrt_object_map_count(obj); i++) {
            struct bpfrt_object_map *m = bpfrt_object_map_at(obj, i);
            if (bpfrt_object_map_type(m) == BPF_MAP_TYPE_ARRAY && bpfrt_object_map_max_entries(m) == 0)
                bpfrt_object_map_set_max_entries(m, (uint32_t)sysconf(_SC_NPROCESSORS_CONF));
        }
        for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++)
            bpfrt_object_prog_set_autoload(bpfrt_object_prog_at(obj, i), i == idx);
        rc = bpfrt_object_load(obj, err, sizeof(err));
    }
    if (rc && !s->done) /* refused before PROG_LOAD (maps, relocations) */
        s->rc = rc < 0 ? rc : -BPFRT_EINVAL;
    if (rc) {
        /* one line: newlines of the loader's message become spaces */
        snprintf(s->cause, sizeof(s->cause), "%s%.200s", missing_type ? "type not provided: " : "", err);
        for (char *c = s->cause; *c; c++)
            if (*c == '\n' || *c == '\t')
                *c = ' ';
    } else if (s->rc < 0) {
        s->rc = 0; /* a retry loaded it */
    }
    bpfrt_object_close(obj);
    cur_side = NULL;
}

/* A helper, map type or program type bpfrt does not provide (real8's work). */
static bool missing_feature(const struct side *s)
{
    return strstr(s->cause, " is not provided") || strstr(s->cause, "type not provided: ") ||
           strstr(s->cause, "cannot use helper") || strstr(s->cause, "kernel btf_id");
}

struct result {
    char label[300];
    struct side k, b;
};

/* The kernel refused for a helper this kernel build withholds from the
 * program type (kbpf_helper_withheld: bpf_xdp_adjust_meta in XDP here), so
 * its verdict says nothing about the program. */
static bool kernel_withheld(const struct result *r)
{
    const char *h = strstr(r->k.cause, "cannot use helper ");
    const char *id = h ? strchr(h, '#') : NULL;
    return id && kbpf_helper_withheld(r->b.prog_type, (int32_t)strtol(id + 1, NULL, 10));
}

/* ---- the kernel cache ---- */

struct cached {
    char key[600];
    struct side k;
};
static struct cached *cache;
static size_t nr_cache, cap_cache;
static bool cache_dirty;

static struct cached *cache_find(const char *key)
{
    for (size_t i = 0; i < nr_cache; i++)
        if (strcmp(cache[i].key, key) == 0)
            return &cache[i];
    return NULL;
}

static struct cached *cache_add(const char *key)
{
    if (nr_cache == cap_cache) {
        cap_cache = cap_cache ? 2 * cap_cache : 256;
        cache = realloc(cache, cap_cache * sizeof(*cache));
        if (!cache)
            exit(1);
    }
    struct cached *c = &cache[nr_cache++];
    memset(c, 0, sizeof(*c));
    snprintf(c->key, sizeof(c->key), "%s", key);
    return c;
}

static void cache_read(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        char *t[5];
        char *p = line;
        int n = 0;
        for (; n < 5; n++) {
            t[n] = strsep(&p, "\t\n");
            if (!t[n])
                break;
        }
        if (n < 5)
            continue;
        struct cached *c = cache_add(t[0]);
        c->k.done = true;
        c->k.rc = strtol(t[1], NULL, 10);
        c->k.processed = strtol(t[2], NULL, 10);
        c->k.seconds = strtod(t[3], NULL);
        snprintf(c->k.cause, sizeof(c->k.cause), "%s", t[4]);
    }
    fclose(f);
}

static void cache_write(const char *file)
{
    FILE *f = fopen(file, "w");
    if (!f) {
        fprintf(stderr, "bench_verifier: cannot write the kernel cache %s: %s\n", file, strerror(errno));
        return;
    }
    for (size_t i = 0; i < nr_cache; i++)
        fprintf(f, "%s\t%ld\t%ld\t%.6f\t%s\n", cache[i].key, cache[i].k.rc, cache[i].k.processed,
                cache[i].k.seconds, cache[i].k.cause);
    fclose(f);
}

/* ---- the walk over the corpus ---- */

static struct result *results;
static size_t nr_results, cap_results;

static const char *corpus_root, *only;
static bool refresh, verbose, kernel_ok;
static char **paths;
static size_t nr_paths, cap_paths;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F || st->st_size < (off_t)sizeof(Elf64_Ehdr))
        return 0;
    FILE *f = fopen(path, "rb");
    Elf64_Ehdr eh;
    bool elf = f && fread(&eh, sizeof(eh), 1, f) == 1 && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
               eh.e_machine == EM_BPF;
    if (f)
        fclose(f);
    if (!elf || (only && !strstr(path, only)))
        return 0;
    if (nr_paths == cap_paths) {
        cap_paths = cap_paths ? 2 * cap_paths : 256;
        paths = realloc(paths, cap_paths * sizeof(*paths));
        if (!paths)
            exit(1);
    }
    paths[nr_paths++] = strdup(path);
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void do_object(const char *path)
{
    const char *rel = path + strlen(corpus_root);
    while (*rel == '/')
        rel++;
    struct stat st;
    stat(path, &st);
    struct bpfrt_object *obj;
    char err[1024] = "";
    struct bpfrt_object_opts o = {.default_prog_type = BPF_PROG_TYPE_SCHED_CLS};
    if (bpfrt_object_open_file(crt, path, &o, &obj, err, sizeof(err))) {
        printf("cannot open %s: %s\n", rel, err);
        return;
    }
    int def_type = sibling_type(path, obj);
    uint32_t n = bpfrt_object_prog_count(obj);
    char (*names)[128] = calloc(n ? n : 1, sizeof(*names));
    if (!names)
        exit(1);
    for (uint32_t i = 0; i < n; i++)
        snprintf(names[i], sizeof(names[i]), "%s", bpfrt_object_prog_name(bpfrt_object_prog_at(obj, i)));
    bpfrt_object_close(obj);
    for (uint32_t i = 0; i < n; i++) {
        if (nr_results == cap_results) {
            cap_results = cap_results ? 2 * cap_results : 512;
            results = realloc(results, cap_results * sizeof(*results));
            if (!results)
                exit(1);
        }
        struct result *r = &results[nr_results];
        memset(r, 0, sizeof(*r));
        snprintf(r->label, sizeof(r->label), "%.200s:%.90s", rel, names[i]);
        test_current = r->label;
        char key[600];
        snprintf(key, sizeof(key), "%.400s:%u:%.120s:%lld", rel, i, names[i], (long long)st.st_size);
        struct bpfrt_object_opts bo = {.default_prog_type = (uint32_t)def_type, .bpf_fn = bpfrt_side_bpf,
                                       .close_fn = bpfrt_side_close, .bpf_arg = crt};
        struct bpfrt_object_opts ko = {.default_prog_type = (uint32_t)def_type, .bpf_fn = kernel_bpf,
                                       .close_fn = kernel_close};
        struct cached *c = refresh ? NULL : cache_find(key);
        if (c) {
            r->k = c->k;
        } else if (kernel_ok) {
            load_alone(path, &ko, i, &r->k);
            c = cache_find(key);
            if (!c)
                c = cache_add(key);
            c->k = r->k;
            cache_dirty = true;
        } else {
            continue; /* nothing to compare with */
        }
        load_alone(path, &bo, i, &r->b);
        nr_results++;
        if (verbose)
            printf("%-70s linux %-6s %8ld  bpfrt %-6s %8ld  %8.3f ms %8zu KB\n", r->label,
                   r->k.rc >= 0 ? "ok" : "REFUSE", r->k.processed, r->b.rc >= 0 ? "ok" : "REFUSE",
                   r->b.processed, r->b.seconds * 1e3, r->b.peak / 1024);
        fflush(stdout);
    }
    free(names);
}

static int size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(FILE *csv)
{
    unsigned both_ok = 0, both_refuse = 0, false_refuse = 0, missing = 0, false_accept = 0, withheld = 0, exact = 0;
    unsigned big = 0, big_within = 0, hist[8] = {0};
    double total_s = 0, kernel_s = 0;
    double *ratios = calloc(nr_results + 1, sizeof(*ratios));
    size_t *peaks = calloc(nr_results + 1, sizeof(*peaks));
    uint64_t processed = 0, kernel_processed = 0, both_processed = 0, both_kernel_processed = 0;
    size_t nr_peaks = 0, nr_ratios = 0;
    if (!ratios || !peaks)
        exit(1);
    if (csv)
        fprintf(csv, "program,linux_rc,linux_processed,bpfrt_rc,bpfrt_processed,bpfrt_ms,bpfrt_peak_bytes,"
                     "linux_cause,bpfrt_cause\n");
    printf("\ndisagreements:\n");
    for (size_t i = 0; i < nr_results; i++) {
        const struct result *r = &results[i];
        bool kok = r->k.rc >= 0, bok = r->b.rc >= 0;
        if (csv)
            fprintf(csv, "%s,%ld,%ld,%ld,%ld,%.3f,%zu,\"%s\",\"%s\"\n", r->label, kok ? 0 : r->k.rc,
                    r->k.processed, bok ? 0 : r->b.rc, r->b.processed, r->b.seconds * 1e3, r->b.peak,
                    r->k.cause, r->b.cause);
        if (r->b.done) {
            total_s += r->b.seconds;
            kernel_s += r->k.seconds;
            if (r->b.processed > 0)
                processed += (uint64_t)r->b.processed;
            if (r->k.processed > 0)
                kernel_processed += (uint64_t)r->k.processed;
            peaks[nr_peaks++] = r->b.peak;
        }
        if (kok && bok) {
            both_ok++;
            exact += r->k.processed == r->b.processed;
            if (r->b.processed > 0 && r->k.processed > 0) {
                both_processed += (uint64_t)r->b.processed;
                both_kernel_processed += (uint64_t)r->k.processed;
            }
        } else if (!kok && !bok) {
            both_refuse++;
        } else if (kok && missing_feature(&r->b)) {
            missing++;
            if (verbose)
                printf("  missing in bpfrt  %s: %s\n", r->label, r->b.cause);
        } else if (!kok && kernel_withheld(r)) {
            withheld++;
            if (verbose)
                printf("  withheld by Linux %s: %s\n", r->label, r->k.cause);
        } else if (kok) {
            false_refuse++;
            printf("  FALSE REFUSAL     %s (linux %ld insns): %s\n", r->label, r->k.processed, r->b.cause);
        } else {
            false_accept++;
            printf("  FALSE ACCEPT      %s (bpfrt %ld insns), Linux: %s\n", r->label, r->b.processed,
                   r->k.cause);
        }
        if (r->k.processed > 1000 && r->b.processed >= 0 && kok == bok) {
            double ratio = (double)r->b.processed / (double)r->k.processed;
            big++;
            big_within += ratio >= 0.75 && ratio <= 1.25;
            ratios[nr_ratios++] = ratio;
            static const double edges[7] = {0.5, 0.75, 0.9, 1.1, 1.25, 2.0, 4.0};
            unsigned b = 0;
            while (b < 7 && ratio >= edges[b])
                b++;
            hist[b]++;
            if ((ratio < 0.75 || ratio > 1.25))
                printf("  INSNS OFF         %s: bpfrt %ld / linux %ld = %.2f\n", r->label, r->b.processed,
                       r->k.processed, ratio);
        }
    }
    qsort(peaks, nr_peaks, sizeof(peaks[0]), size_cmp);
    qsort(ratios, nr_ratios, sizeof(ratios[0]), dbl_cmp);
    unsigned kacc = 0;
    for (size_t i = 0; i < nr_results; i++)
        kacc += results[i].k.rc >= 0;
    printf("\n%zu programs: Linux accepts %u, refuses %zu\n", nr_results, kacc, nr_results - kacc);
    printf("verdicts: agree %u (both accept %u, both refuse %u); false refusals %u; "
           "refused for a missing helper/map/program type %u; false accepts %u; refused by Linux for a helper "
           "this kernel build withholds %u\n",
           both_ok + both_refuse, both_ok, both_refuse, false_refuse, missing, false_accept, withheld);
    printf("processed insns, programs over 1,000 with the same verdict: %u, within +-25%% of Linux: %u",
           big, big_within);
    if (nr_ratios)
        printf(" (ratio min %.3f median %.3f max %.3f)", ratios[0], ratios[nr_ratios / 2], ratios[nr_ratios - 1]);
    printf("\n  ratio bpfrt/linux: <0.5 %u | 0.5-0.75 %u | 0.75-0.9 %u | 0.9-1.1 %u | 1.1-1.25 %u | "
           "1.25-2 %u | 2-4 %u | >4 %u\n", hist[0], hist[1], hist[2], hist[3], hist[4], hist[5], hist[6], hist[7]);
    printf("programs both accept: %u with exactly Linux's processed count; processed insns bpfrt %llu, Linux %llu\n",
           exact, (unsigned long long)both_processed, (unsigned long long)both_kernel_processed);
    printf("bpfrt: %.3f s (CPU) in PROG_LOAD for %llu processed insns (%.2f M insns/s); Linux: %.3f s for %llu "
           "(%.2f M insns/s)\n", total_s, (unsigned long long)processed,
           total_s > 0 ? (double)processed / total_s / 1e6 : 0.0, kernel_s, (unsigned long long)kernel_processed,
           kernel_s > 0 ? (double)kernel_processed / kernel_s / 1e6 : 0.0);
    if (nr_peaks)
        printf("bpfrt peak memory per PROG_LOAD: max %.2f MB, median %.3f MB\n",
               (double)peaks[nr_peaks - 1] / (1 << 20), (double)peaks[nr_peaks / 2] / (1 << 20));
    free(ratios);
    free(peaks);
}

static void quiet_trace(void *arg, const char *line, size_t len)
{
    (void)arg, (void)line, (void)len;
}

int main(int argc, char **argv)
{
    const char *cache_file = NULL, *csv_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if (strcmp(argv[i], "--refresh") == 0)
            refresh = true;
        else if (strcmp(argv[i], "--cache") == 0 && i + 1 < argc)
            cache_file = argv[++i];
        else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
            csv_file = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--log-dir") == 0 && i + 1 < argc)
            log_dir = argv[++i];
        else if (argv[i][0] != '-')
            corpus_root = argv[i];
        else {
            fprintf(stderr, "usage: %s [CORPUS] [--cache FILE] [--refresh] [--csv FILE] [--only S] [--log-dir DIR] [-v]\n",
                    argv[0]);
            return 2;
        }
    }
    if (!corpus_root)
        corpus_root = getenv("BPFRT_REAL_CORPUS");
    if (!corpus_root || !dir_exists(corpus_root)) {
        printf("*** bench_verifier: SKIPPED - no real-world corpus: set BPFRT_REAL_CORPUS to a directory of BPF "
               "objects (a checkout of github.com/vbpf/ebpf-samples with bpf_cilium_test) ***\n");
        return 77;
    }
    if (log_dir) { /* the kernel side must run again to write its log */
        full_log = malloc(FULL_LOG_SIZE);
        refresh = true;
        if (!full_log)
            return 1;
    }
    static char default_cache[4096];
    if (!cache_file) {
        snprintf(default_cache, sizeof(default_cache), "%s/verifier-kernel.tsv", build_dir());
        cache_file = default_cache;
    }
    cache_read(cache_file);
    kernel_ok = kbpf_available();
    if (!kernel_ok && !nr_cache) {
        printf("*** bench_verifier: SKIPPED - bpf(2) unavailable (needs root) and no kernel cache at %s ***\n",
               cache_file);
        return 77;
    }
    if (!kernel_ok)
        printf("bpf(2) unavailable: using the cached kernel results of %s only\n", cache_file);
    hosted = bpfrt_platform_hosted();
    counting = *hosted;
    counting.alloc = count_alloc;
    counting.free = count_free;
    if (bpfrt_runtime_create(&counting, &crt))
        return 1;
    bpfrt_runtime_set_trace_sink(crt, quiet_trace, NULL);
    nftw(corpus_root, visit, 16, FTW_PHYS);
    qsort(paths, nr_paths, sizeof(paths[0]), str_cmp);
    double t0 = clock_s(CLOCK_MONOTONIC);
    for (size_t i = 0; i < nr_paths; i++)
        do_object(paths[i]);
    double wall = clock_s(CLOCK_MONOTONIC) - t0;
    if (cache_dirty && !log_dir)
        cache_write(cache_file);
    FILE *csv = csv_file ? fopen(csv_file, "w") : NULL;
    report(csv);
    if (csv)
        fclose(csv);
    printf("%zu objects, wall time %.1f s (kernel results %s)\n", nr_paths, wall,
           cache_dirty ? "fetched now and cached" : "from the cache");
    bpfrt_runtime_destroy(crt);
    return 0;
}
