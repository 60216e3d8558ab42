/* Real-world objects nobody here wrote (e.g. vbpf/ebpf-samples: cilium,
 * suricata, Linux samples, ovs, falco), compared with the kernel of this
 * machine. Every program of every object is loaded alone, once into Linux
 * (the loader drives the real bpf(2) with the attrs it gives bpfrt) and once
 * into bpfrt verified (as PROG_LOAD does by default) and, when that fails,
 * unverified (BPFRT_PROG_F_NO_VERIFY): a program that loads only unverified
 * is a verifier refusal, listed apart (the verifier's tests are its own).
 * Maps are sized as the objects' user space sizes them, the same on both
 * sides. Packet programs, raw tracepoints and syscall programs both load
 * are test-run in both and compared (realworld_run.h).
 *
 * It reports how many of the programs Linux loads bpfrt loads, verified and
 * unverified, and lists every refusal by cause: a helper, map type or
 * program type bpfrt does not provide is expected work for later and
 * counted per name; any other refusal of a program Linux loads (a loader
 * convention, an unclear message), any test run that differs from Linux's
 * (except by design: clock, random numbers, the task, the host's routes),
 * and fewer programs loaded than the corpus's floor fail the test.
 *
 *   BPFRT_REAL_CORPUS=/path/to/ebpf-samples ctest -R loader_realworld -V
 *   build/test_loader_realworld /path/to/ebpf-samples [-v]
 *
 * BPFRT_REAL_ENGINE=jit loads bpfrt's side into the JIT (verified mode
 * with the verifier's facts, checked mode when it loads only unverified),
 * so the same runs compare the JIT with Linux; jit-unverified and
 * interp-unverified run every program loaded unverified (checked mode:
 * the sandbox on code Linux accepts).
 *
 * Skips, saying so, when no corpus is given (CI has no network) or when
 * bpf(2) is unavailable; nothing is pinned or attached in the kernel. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <unistd.h>

#include "bpfrt/errno.h"
#include "bpfrt/hooks.h"
#include "bpfrt/prog.h"
#include "kernel_bpf.h"
#include "test_corpus_util.h"
#include "realworld_run.h"

static bool verbose;

/* ---- causes ---- */

#define MAX_CAUSES 512

struct cause {
    char text[200];
    unsigned count;
    bool expected; /* a missing helper, map type or program type */
};

static struct cause causes[MAX_CAUSES];
static unsigned nr_causes;

static void count_cause(const char *text, bool expected)
{
    for (unsigned i = 0; i < nr_causes; i++)
        if (strcmp(causes[i].text, text) == 0) {
            causes[i].count++;
            return;
        }
    if (nr_causes == MAX_CAUSES)
        return;
    snprintf(causes[nr_causes].text, sizeof(causes[0].text), "%s", text);
    causes[nr_causes].count = 1;
    causes[nr_causes++].expected = expected;
}

/* The part of a load error that names what bpfrt lacks, as
 * "helper bpf_x#N" / "map type X" / "program type X", or NULL. */
static bool missing_feature(const char *err, char *out, size_t size)
{
    static const char *const kinds[] = {"helper ", "map type ", "program type ", "kfunc "};
    const char *np = strstr(err, " is not provided");
    if (!np)
        return false;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const char *start = NULL;
        for (const char *s = strstr(err, kinds[k]); s && s < np; s = strstr(s + 1, kinds[k]))
            start = s;
        if (start) {
            snprintf(out, size, "%.*s", (int)(np - start), start);
            return true;
        }
    }
    return false;
}

/* ---- one program ---- */

struct totals {
    unsigned objects, open_failed, progs, kernel_loaded, both_loaded, unverified_loaded, verifier_refused,
        bpfrt_only;
    unsigned probes; /* of both_loaded: programs that load through kernel pointers (verified, as probes) */
};
static struct totals tot;
static struct run_totals runs;

/* Verifier refusals of programs Linux loads (the verifier's work, not the
 * loader's): listed with the verifier's headline. */
#define MAX_VREFUSALS 256
static char vrefusals[MAX_VREFUSALS][240];
static unsigned nr_vrefusals;

static int sibling_type(const char *path, struct bpfrt_object *obj)
{
    const char *base = strrchr(path, '/');
    if (strstr(base ? base : path, "xdp"))
        return BPF_PROG_TYPE_XDP; /* cilium's bpf_xdp*.o: ip link set ... xdp obj */
    /* iproute2 gives every section of an object the type of its command
     * (tc: sched_cls, ip link ... xdp: xdp); objects whose typed programs
     * agree on a packet type get it for their untyped sections too */
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

/* Loads program idx of path alone (with extra prog_flags); 0 or the error
 * with its message. */
static int load_alone(const char *path, const struct bpfrt_object_opts *o, uint32_t idx, uint32_t flags,
                      struct bpfrt_object **out, char *err, size_t err_size)
{
    *out = NULL;
    int rc = bpfrt_object_open_file(crt, path, o, out, err, err_size);
    if (rc)
        return rc;
    /* What the objects' user space does before loading, the same on both
     * sides: falco's loader gives its per-CPU scratch arrays (max_entries 0)
     * one slot per CPU; libbpf-tools size their BTF-defined maps
     * (bpf_map__set_max_entries) and their stack maps' entries
     * (bpf_map__set_value_size) */
    for (uint32_t i = 0; i < bpfrt_object_map_count(*out); i++) {
        struct bpfrt_object_map *m = bpfrt_object_map_at(*out, i);
        uint32_t t = bpfrt_object_map_type(m);
        if (t == BPF_MAP_TYPE_STACK_TRACE && bpfrt_object_map_value_size(m) == 0)
            bpfrt_object_map_set_value_size(m, 127 * 8); /* perf_max_stack_depth entries */
        if (bpfrt_object_map_max_entries(m) != 0 || t == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
            continue;
        if (t == BPF_MAP_TYPE_ARRAY && bpfrt_object_map_kind(m) != BPFRT_OBJ_MAP_BTF)
            bpfrt_object_map_set_max_entries(m, (uint32_t)sysconf(_SC_NPROCESSORS_CONF));
        else if (bpfrt_object_map_kind(m) == BPFRT_OBJ_MAP_BTF)
            bpfrt_object_map_set_max_entries(m, 10240);
    }
    for (uint32_t i = 0; i < bpfrt_object_prog_count(*out); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(*out, i);
        bpfrt_object_prog_set_autoload(p, i == idx);
        if (i == idx)
            bpfrt_object_prog_set_flags(p, bpfrt_object_prog_flags(p) | flags);
    }
    return bpfrt_object_load(*out, err, err_size);
}

static void compare_run(const char *label, struct bpfrt_object *kobj, struct bpfrt_object *bobj, uint32_t idx)
{
    struct bpfrt_object_prog *bp = bpfrt_object_prog_at(bobj, idx);
    if (run_kind_of(bpfrt_object_prog_type(bp)) == RUN_NONE)
        return;
    char why[400];
    runs.progs++;
    if (compare_runs(kobj, bobj, idx, why, sizeof(why))) {
        runs.agree++;
        test_passed++;
    } else if (calls_nondeterministic(bp) || known_difference(label)) {
        runs.nondet++;
        printf("differs, by design (%s) %s: %s\n",
               known_difference(label) ? known_difference(label) : "it reads the clock, random numbers, the task or the host's routes",
               label, why);
    } else {
        runs.differ++;
        test_failed++;
        fprintf(stderr, "RUN DIFFERS %s: %s\n", label, why);
    }
}

/* BPFRT_PROG_F_ENGINE of bpfrt's side (BPFRT_REAL_ENGINE), whether its runs
 * are of the program loaded unverified, and how many of the programs it ran
 * were JIT-compiled. */
static uint32_t engine_flags;
static bool run_unverified;

/* BPFRT_REAL_ENGINE's values. */
static const struct engine_choice {
    const char *name;
    uint32_t flags;
    bool unverified;
} engines[] = {
    { "interp", 0, false },
    { "jit", BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT), false },
    { "interp-unverified", 0, true },
    { "jit-unverified", BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT), true },
};
static unsigned jitted;

static void compare_prog(const char *path, const char *rel, uint32_t idx, int def_type)
{
    struct bpfrt_object_opts bo = {.default_prog_type = (uint32_t)def_type};
    struct bpfrt_object_opts ko = bo;
    ko.bpf_fn = kbpf_loader_bpf;
    ko.close_fn = kbpf_loader_close;
    struct bpfrt_object *kobj, *bobj, *uobj = NULL;
    char kerr[1024] = "", berr[1024] = "", uerr[1024] = "";
    int krc = load_alone(path, &ko, idx, 0, &kobj, kerr, sizeof(kerr));
    int brc = load_alone(path, &bo, idx, engine_flags, &bobj, berr, sizeof(berr));
    /* refused verified: does it load unverified (then the verifier is why)? */
    int urc = brc || run_unverified
                  ? load_alone(path, &bo, idx, engine_flags | BPFRT_PROG_F_NO_VERIFY, &uobj, uerr, sizeof(uerr))
                  : 0;
    struct bpfrt_object_prog *bp = bobj ? bpfrt_object_prog_at(bobj, idx) : NULL;
    char label[512];
    snprintf(label, sizeof(label), "%s:%s", rel, bp ? bpfrt_object_prog_name(bp) : "?");
    test_current = label;
    tot.progs++;
    if (krc == 0)
        tot.kernel_loaded++;
    if (krc == 0 && urc == 0)
        tot.unverified_loaded++;
    if (krc == 0 && brc == 0) {
        tot.both_loaded++;
        test_passed++;
        /* loads through BTF-typed kernel pointers: probes, in verified mode */
        int h = bp ? bpfrt_object_prog_handle(bp) : -1;
        const struct bpfrt_prog *prog = h >= 0 ? bpfrt_prog_from_handle(crt, h) : NULL;
        if (prog && prog->probe_mem) {
            tot.probes++;
            CHECK(prog->verified);
            if (verbose)
                printf("probes %s\n", label);
        }
    } else if (krc == 0 && urc == 0) {
        tot.verifier_refused++;
        if (nr_vrefusals < MAX_VREFUSALS)
            snprintf(vrefusals[nr_vrefusals++], sizeof(vrefusals[0]), "%.100s: %.130s", label, berr);
    } else if (krc == 0) {
        char feat[200];
        bool expected = missing_feature(uerr, feat, sizeof(feat));
        count_cause(expected ? feat : uerr, expected);
        if (!expected) {
            test_failed++;
            fprintf(stderr, "REFUSED %s (Linux loads it): %s\n", label, uerr);
        } else if (verbose) {
            printf("refused %s: %s\n", label, uerr);
        }
    } else if (brc == 0) {
        tot.bpfrt_only++;
        if (verbose)
            printf("bpfrt only %s (Linux: %s)\n", label, kerr);
    } else if (verbose) {
        printf("neither %s: Linux: %s | bpfrt: %s\n", label, kerr, berr);
    }
    if (krc == 0 && (run_unverified ? urc == 0 : brc == 0 || urc == 0)) {
        struct bpfrt_object *run_obj = brc == 0 && !run_unverified ? bobj : uobj;
        int h = bpfrt_object_prog_handle(bpfrt_object_prog_at(run_obj, idx));
        const struct bpfrt_prog *prog = h >= 0 ? bpfrt_prog_from_handle(crt, h) : NULL;
        jitted += prog && prog->engine == BPFRT_ENGINE_JIT;
        compare_run(label, kobj, run_obj, idx);
    }
    bpfrt_object_close(kobj);
    bpfrt_object_close(bobj);
    bpfrt_object_close(uobj);
}

static const char *corpus_root;

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
    if (!elf)
        return 0;
    const char *rel = path + strlen(corpus_root);
    while (*rel == '/')
        rel++;
    tot.objects++;
    struct bpfrt_object *obj;
    char err[1024] = "";
    struct bpfrt_object_opts o = {.default_prog_type = BPF_PROG_TYPE_SCHED_CLS};
    if (bpfrt_object_open_file(crt, path, &o, &obj, err, sizeof(err))) {
        tot.open_failed++;
        printf("cannot open %s: %s\n", rel, err);
        return 0;
    }
    int def_type = sibling_type(path, obj);
    uint32_t n = bpfrt_object_prog_count(obj);
    bpfrt_object_close(obj);
    for (uint32_t i = 0; i < n; i++)
        compare_prog(path, rel, i, def_type);
    return 0;
}

static int cause_cmp(const void *a, const void *b)
{
    const struct cause *x = a, *y = b;
    if (x->expected != y->expected)
        return x->expected ? 1 : -1;
    return x->count != y->count ? (x->count < y->count ? 1 : -1) : strcmp(x->text, y->text);
}

static void quiet_trace(void *arg, const char *line, size_t len)
{
    (void)arg, (void)line, (void)len;
}

/* Of the programs Linux 6.18 loads here, how many bpfrt must load (verified,
 * unverified) per corpus, as measured (docs/loader.md keeps the numbers):
 * the corpus directory's name picks the row; fewer is a regression.
 * BPFRT_REAL_FLOOR=V,U gives the floors for any other corpus.
 * The last three are the objects of bcc's libbpf-tools built with clang 14
 * (out14) and 19 (out19) and of libbpf-bootstrap's examples with both, as
 * those projects' own builds make them (by hand, beside the project). */
static const struct floor {
    const char *dir;
    unsigned verified, unverified;
} floors[] = {
    {"ebpf-samples", 424, 424},
    {"out14", 238, 238},
    {"out19", 238, 238},
    {"libbpf-bootstrap", 50, 50},
};

static void check_floor(void)
{
    unsigned v = 0, u = 0;
    const char *env = getenv("BPFRT_REAL_FLOOR");
    const char *base = strrchr(corpus_root, '/');
    char name[256];
    snprintf(name, sizeof(name), "%s", base && base[1] ? base + 1 : corpus_root);
    name[strcspn(name, "/")] = '\0';
    if (env && sscanf(env, "%u,%u", &v, &u) == 2) {
        printf("floor (BPFRT_REAL_FLOOR): %u verified, %u unverified\n", v, u);
    } else {
        bool known = false;
        for (size_t i = 0; i < sizeof(floors) / sizeof(floors[0]); i++)
            if (strcmp(name, floors[i].dir) == 0) {
                v = floors[i].verified, u = floors[i].unverified, known = true;
            }
        if (!known) {
            printf("*** no floor for a corpus named %s (set BPFRT_REAL_FLOOR=V,U to assert one) ***\n", name);
            return;
        }
        printf("floor for %s: %u verified, %u unverified\n", name, v, u);
    }
    test_current = "floor";
    CHECK(tot.both_loaded >= v);
    CHECK(tot.unverified_loaded >= u);
}

int main(int argc, char **argv)
{
    corpus_root = argc > 1 && argv[1][0] != '-' ? argv[1] : getenv("BPFRT_REAL_CORPUS");
    for (int i = 1; i < argc; i++)
        verbose |= strcmp(argv[i], "-v") == 0;
    if (!corpus_root || !dir_exists(corpus_root))
        TEST_SKIP("*** no real-world corpus: set BPFRT_REAL_CORPUS to a directory of BPF objects "
                  "(e.g. a checkout of github.com/vbpf/ebpf-samples) to compare bpfrt with Linux on it ***");
    if (!kbpf_available())
        TEST_SKIP("*** bpf(2) not available here (needs root and a kernel with BPF): nothing to compare with ***");
    const char *engine = getenv("BPFRT_REAL_ENGINE");
    const struct engine_choice *choice = &engines[0];
    while (engine && strcmp(choice->name, engine) != 0)
        if (++choice == engines + sizeof(engines) / sizeof(engines[0]))
            TEST_SKIP("*** BPFRT_REAL_ENGINE is interp (the default), jit, interp-unverified or jit-unverified ***");
    engine_flags = choice->flags;
    run_unverified = choice->unverified;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    bpfrt_runtime_set_trace_sink(crt, quiet_trace, NULL);
    nftw(corpus_root, visit, 16, FTW_PHYS);
    qsort(causes, nr_causes, sizeof(causes[0]), cause_cmp);
    printf("\n%u objects (%u the loader cannot open), %u programs\n", tot.objects, tot.open_failed, tot.progs);
    printf("Linux loads %u; bpfrt loads %u of them verified (%.0f%%), %u unverified (%.0f%%); "
           "bpfrt alone loads %u more\n",
           tot.kernel_loaded, tot.both_loaded, tot.kernel_loaded ? 100.0 * tot.both_loaded / tot.kernel_loaded : 0.0,
           tot.unverified_loaded, tot.kernel_loaded ? 100.0 * tot.unverified_loaded / tot.kernel_loaded : 0.0,
           tot.bpfrt_only);
    printf("of them, %u load through BTF-typed kernel pointers (probes, verified)\n", tot.probes);
    printf("test-run in both (%u inputs each): %u programs, %u agree, %u differ, %u differ but read the clock, "
           "random numbers, the task or the host's routes (or by design)\n",
           4 + extra_packets(), runs.progs, runs.agree, runs.differ, runs.nondet);
    printf("bpfrt's engine: %s%s (%u of the programs it loaded JIT-compiled)\n", engine_flags ? "jit" : "interp",
           run_unverified ? ", every program loaded unverified" : "", jitted);
    printf("\nrefused by bpfrt's verifier only (they load unverified): %u\n", tot.verifier_refused);
    for (unsigned i = 0; i < nr_vrefusals; i++)
        printf("  %s\n", vrefusals[i]);
    printf("\nrefusals of programs Linux loads, by cause (even unverified):\n");
    for (unsigned i = 0; i < nr_causes; i++)
        printf("  %4u  %s%s\n", causes[i].count, causes[i].expected ? "" : "UNEXPECTED: ", causes[i].text);
    check_floor();
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
