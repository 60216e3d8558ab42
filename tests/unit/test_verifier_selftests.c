/* Linux 6.18's own verifier selftests (tools/testing/selftests/bpf/progs/
 * verifier_*.c, about 1,500 programs) as an oracle for bpfrt's verifier:
 * every program is loaded alone through bpfrt's ELF loader twice, once into
 * the running kernel (bpf(2)) and once into bpfrt (verified), with its
 * SEC()'s program type and the flags its __flag tags give, plus the two
 * test flags Linux's runner adds (BPF_F_TEST_RND_HI32, BPF_F_TEST_REG_
 * INVARIANTS). The kernel's verdict is the truth:
 *
 *   agree-accept, agree-refuse    both say the same
 *   FALSE ACCEPT                  bpfrt accepts what the kernel refuses: a
 *                                 potential soundness bug - always listed
 *   false refusal                 the kernel accepts, bpfrt refuses: by its
 *                                 verifier (it loads unverified) or because
 *                                 bpfrt lacks a helper/kfunc/map/program type
 *   env                           the kernel refuses a program its test says
 *                                 succeeds (an attach target, map type or
 *                                 config this kernel build lacks or forbids),
 *                                 or the loader cannot prepare it for the
 *                                 kernel (it resolves no kfunc): no verdict
 *
 * For programs both refuse, the test's __msg expectations are matched
 * against bpfrt's log wherever they match the kernel's (both at log level 1,
 * as the loader retries a refused load). For programs both accept whose
 * test has a __retval, both are test-run as Linux's runner runs them (64
 * zero bytes in, BPF_PROG_TYPE_SYSCALL with no input); where the kernel's
 * result is the expected one, bpfrt's must be too. BPFRT_SELFTESTS_ENGINE=jit
 * loads bpfrt's side into the JIT, so those runs are the JIT's (verified
 * mode, with the verifier's facts).
 *
 * The objects are Linux's tools/testing/selftests/bpf/progs/verifier_*.c
 * compiled as its selftests Makefile compiles them, outside this
 * repository (nothing of Linux's is in it; docs/verifier.md):
 *
 *   BPFRT_SELFTESTS_DIR=/tmp/bpfrt-selftests/obj19 ctest -R verifier_selftests -V
 *   build/test_verifier_selftests DIR [FILE-SUBSTRING] [-v]
 *
 * Skips, saying so, without the directory or bpf(2). Any false accept
 * fails the test, and the agreement counts measured on the full set are
 * floors: a change that lowers them fails it too. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <unistd.h>

#include "bpfrt/errno.h"
#include "bpfrt/prog.h"
#include "kernel_bpf.h"
#include "selftest_spec.h"
#include "test_corpus_util.h"

static bool verbose;

enum verdict {
    AGREE_ACCEPT, AGREE_REFUSE, FALSE_ACCEPT, FALSE_REFUSE_VERIFIER, FALSE_REFUSE_LACKS, ENV, ENV_LOADER, NR_VERDICTS
};

static const char *const verdict_names[NR_VERDICTS] = {
    "agree-accept", "agree-refuse", "FALSE ACCEPT (bpfrt accepts, kernel refuses)",
    "false refusal by bpfrt's verifier", "false refusal: bpfrt lacks a feature",
    "env (the kernel lacks what the test needs)",
    "env (the loader cannot prepare it for the kernel: kfunc calls)",
};

struct totals {
    unsigned files, open_failed, progs, auxiliary, other_arch;
    unsigned verdicts[NR_VERDICTS];
    unsigned spec_differs;                          /* the kernel's verdict is not the test's */
    unsigned msg_tested, msg_agree, msg_kernel_differs;
    unsigned run_tested, run_agree, run_other_tested, run_other_agree, run_kernel_differs;
    unsigned unpriv_tested, unpriv_agree, unpriv_false_accept, unpriv_false_refuse, unpriv_msg_tested,
        unpriv_msg_agree;
};
static struct totals tot;

/* ---- grouped causes (false refusals, env) ---- */

#define MAX_CAUSES 600

struct cause {
    enum verdict v;
    char text[160];
    unsigned count;
    char example[160];
};
static struct cause causes[MAX_CAUSES];
static unsigned nr_causes;

static void count_cause(enum verdict v, const char *text, const char *example)
{
    for (unsigned i = 0; i < nr_causes; i++)
        if (causes[i].v == v && strcmp(causes[i].text, text) == 0) {
            causes[i].count++;
            return;
        }
    if (nr_causes == MAX_CAUSES)
        return;
    struct cause *c = &causes[nr_causes++];
    c->v = v;
    snprintf(c->text, sizeof(c->text), "%s", text);
    snprintf(c->example, sizeof(c->example), "%s", example);
    c->count = 1;
}

/* A refusal's headline without its instruction number and register
 * values, so that refusals of one kind group together. */
static void headline(const char *err, char *out, size_t size)
{
    const char *s = err;
    const char *colon = strstr(s, ": ");
    if (strncmp(s, "program ", 8) == 0 && colon) /* "program X: cause" */
        s = colon + 2;
    size_t o = 0;
    for (; *s && *s != '\n' && o + 1 < size; s++) {
        if (*s >= '0' && *s <= '9') {
            if (o == 0 || out[o - 1] != '#')
                out[o++] = '#';
            continue;
        }
        out[o++] = *s;
    }
    out[o] = '\0';
}

/* ---- loading ---- */

/* BPFRT_PROG_F_ENGINE of bpfrt's side (BPFRT_SELFTESTS_ENGINE). */
static uint32_t engine_flags;

static int load_alone(const char *path, bool kernel, uint32_t idx, uint32_t flags, struct bpfrt_object **out,
                      char *err, size_t err_size)
{
    struct bpfrt_object_opts o = {.default_prog_type = BPF_PROG_TYPE_SOCKET_FILTER};
    if (kernel) {
        o.bpf_fn = kbpf_loader_bpf;
        o.close_fn = kbpf_loader_close;
    }
    *out = NULL;
    int rc = bpfrt_object_open_file(crt, path, &o, out, err, err_size);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < bpfrt_object_prog_count(*out); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(*out, i);
        bpfrt_object_prog_set_autoload(p, i == idx);
        if (i == idx)
            bpfrt_object_prog_set_flags(p, bpfrt_object_prog_flags(p) | flags);
    }
    /* partial: a map the program does not use (a map type one side lacks)
     * does not fail it */
    rc = bpfrt_object_load_partial(*out, err, err_size);
    const char *why = bpfrt_object_prog_error(bpfrt_object_prog_at(*out, idx));
    if (rc && why[0])
        snprintf(err, err_size, "%s", why);
    return rc;
}

/* Whether a bpfrt load error says bpfrt lacks something ("helper X is not
 * provided", "kfunc X ...", "map type X ...", "program type X ..."). */
static bool lacks_feature(const char *err)
{
    return strstr(err, " is not provided") || strstr(err, "not supported") || strstr(err, "unsupported");
}

/* ---- test runs ---- */

static long test_run(bool kernel, int fd, uint32_t type, uint32_t *retval)
{
    static uint8_t in[64], out[64 << 2];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    memset(in, 0, sizeof(in));
    a.test.prog_fd = (uint32_t)fd;
    if (type != BPF_PROG_TYPE_SYSCALL) {
        a.test.data_in = kbpf_ptr(in);
        a.test.data_size_in = sizeof(in);
        a.test.data_out = kbpf_ptr(out);
        a.test.data_size_out = sizeof(out);
        a.test.repeat = 1;
    }
    long rc = kernel ? kbpf(BPF_PROG_TEST_RUN, &a) : bpfrt_bpf(crt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    *retval = a.test.retval;
    return rc;
}

/* POINTER_VALUE (bpf_misc.h): the test's runner puts a pointer's value there */
#define SELFTEST_POINTER_VALUE 0xbadcafe

static void compare_retval(const char *label, const struct selftest_spec *s, struct bpfrt_object *kobj,
                           struct bpfrt_object *bobj, uint32_t idx)
{
    struct bpfrt_object_prog *kp = bpfrt_object_prog_at(kobj, idx), *bp = bpfrt_object_prog_at(bobj, idx);
    uint32_t type = bpfrt_object_prog_type(bp), kret = 0, bret = 0;
    long krc = test_run(true, bpfrt_object_prog_handle(kp), type, &kret);
    bool as_expected = krc == 0 && (int)kret == s->retval;
    /* a run that does not give the test's value (its runner fills maps or
     * prog arrays first) is still compared with the kernel's, unless the
     * value is an address */
    if (krc != 0 || (!as_expected && s->retval == SELFTEST_POINTER_VALUE)) {
        tot.run_kernel_differs++;
        if (verbose)
            printf("retval not compared %s: the kernel's run gives rc %ld retval %d, the test expects %d\n", label,
                   krc, (int)kret, s->retval);
        return;
    }
    if (as_expected)
        tot.run_tested++;
    else
        tot.run_other_tested++;
    long brc = test_run(false, bpfrt_object_prog_handle(bp), type, &bret);
    if (brc == 0 && bret == kret) {
        if (as_expected)
            tot.run_agree++;
        else
            tot.run_other_agree++;
        test_passed++;
    } else {
        test_failed++;
        fprintf(stderr, "RETVAL DIFFERS %s: kernel %d%s, bpfrt rc %ld retval %d\n", label, (int)kret,
                as_expected ? "" : " (not the test's value)", brc, (int)bret);
    }
}

/* ---- unprivileged ---- */

/* The program loaded into bpfrt unprivileged (BPFRT_PROG_F_UNPRIV) against
 * what the test states for Linux without CAP_BPF (__success_unpriv,
 * __failure_unpriv, or the privileged expectation for tests with other
 * *_unpriv tags): the kernel here cannot say, as unprivileged BPF is off.
 * Only socket filters and cgroup skb programs load unprivileged at all;
 * tests that give capabilities back (__caps_unpriv) are left out. */
static void compare_unpriv(const char *path, const char *label, const struct selftest_spec *s, uint32_t idx,
                           uint32_t flags, uint32_t type)
{
    if (!s->unpriv_mode || s->caps_unpriv ||
        (type != BPF_PROG_TYPE_SOCKET_FILTER && type != BPF_PROG_TYPE_CGROUP_SKB))
        return;
    struct bpfrt_object *obj;
    static char err[2048];
    err[0] = '\0';
    int rc = load_alone(path, false, idx, flags | BPFRT_PROG_F_UNPRIV, &obj, err, sizeof(err));
    tot.unpriv_tested++;
    if ((rc != 0) == s->expect_failure_unpriv) {
        tot.unpriv_agree++;
        const char *log = obj ? bpfrt_object_prog_log(bpfrt_object_prog_at(obj, idx)) : "";
        if (rc && s->nr_msgs_unpriv) {
            tot.unpriv_msg_tested++;
            unsigned miss = selftest_msgs_match(log, s->msgs_unpriv, s->nr_msgs_unpriv);
            if (miss == s->nr_msgs_unpriv)
                tot.unpriv_msg_agree++;
            else if (verbose)
                printf("unpriv msg differs %s: expected \"%s\" (%s)\n", label, s->msgs_unpriv[miss], err);
        }
    } else if (rc == 0) {
        tot.unpriv_false_accept++; /* Linux's stated expectation: a failure too */
        test_failed++;
        fprintf(stderr, "UNPRIV ACCEPT %s: the test says Linux refuses it unprivileged\n", label);
    } else {
        tot.unpriv_false_refuse++;
        if (verbose)
            printf("unpriv refused %s: %s\n", label, err);
    }
    bpfrt_object_close(obj);
}

/* ---- one program ---- */

static void compare_msgs(const char *label, const struct selftest_spec *s, const char *klog, const char *blog)
{
    if (!s->nr_msgs)
        return;
    if (selftest_msgs_match(klog, s->msgs, s->nr_msgs) != s->nr_msgs) {
        tot.msg_kernel_differs++;
        return;
    }
    tot.msg_tested++;
    unsigned miss = selftest_msgs_match(blog, s->msgs, s->nr_msgs);
    if (miss == s->nr_msgs) {
        tot.msg_agree++;
        return;
    }
    if (verbose) {
        const char *end = blog + strlen(blog);
        while (end > blog && end[-1] == '\n')
            end--;
        const char *last = end;
        for (int lines = 0; last > blog && lines < 2; last--)
            if (last[-1] == '\n' && ++lines == 2)
                break;
        printf("msg differs %s: expected \"%s\"; bpfrt's log ends: %.*s\n", label, s->msgs[miss],
               (int)(end - last), last);
    }
}

static void compare_prog(const char *path, const char *file, uint32_t idx, const char *name,
                         const struct bpfrt_btf *btf)
{
    struct selftest_spec s;
    selftest_spec_read(btf, name, &s);
    char label[768];
    snprintf(label, sizeof(label), "%s:%s (%s)", file, name, s.desc);
    test_current = label;
    if (s.auxiliary) {
        tot.auxiliary++;
        return;
    }
    if (s.other_arch) {
        tot.other_arch++;
        return;
    }
    tot.progs++;
    uint32_t flags = s.flags | BPF_F_TEST_RND_HI32 | BPF_F_TEST_REG_INVARIANTS;
    struct bpfrt_object *kobj, *bobj, *uobj = NULL;
    static char kerr[2048], berr[2048], uerr[2048];
    kerr[0] = berr[0] = uerr[0] = '\0';
    int krc = load_alone(path, true, idx, flags, &kobj, kerr, sizeof(kerr));
    int brc = load_alone(path, false, idx, flags | engine_flags, &bobj, berr, sizeof(berr));
    const char *klog = kobj ? bpfrt_object_prog_log(bpfrt_object_prog_at(kobj, idx)) : "";
    const char *blog = bobj ? bpfrt_object_prog_log(bpfrt_object_prog_at(bobj, idx)) : "";
    /* the kernel refused before PROG_LOAD (an attach target, a kfunc the
     * loader cannot find in this kernel's BTF) or refuses what the test
     * says loads: this kernel lacks something the test needs */
    bool kernel_env = krc != 0 && (!klog[0] || (s.priv_result && !s.expect_failure));
    if (s.priv_result && (krc != 0) != s.expect_failure && !kernel_env) {
        tot.spec_differs++;
        if (verbose)
            printf("the kernel's verdict is not the test's %s: kernel %s\n", label, krc ? kerr : "accepts");
    }
    enum verdict v;
    char cause[160];
    if (kernel_env) {
        v = strncmp(kerr, "section ", 8) == 0 ? ENV_LOADER : ENV; /* a relocation the loader refused */
        headline(kerr, cause, sizeof(cause));
        count_cause(v, cause, label);
        if (verbose)
            printf("env %s: %s%s%s\n", label, kerr, kobj && bpfrt_object_notes(kobj)[0] ? "; loader notes: " : "",
                   kobj ? bpfrt_object_notes(kobj) : "");
    } else if (krc == 0 && brc == 0) {
        v = AGREE_ACCEPT;
    } else if (krc != 0 && brc != 0) {
        v = AGREE_REFUSE;
        compare_msgs(label, &s, klog, blog);
    } else if (krc != 0) {
        v = FALSE_ACCEPT; /* a potential soundness bug: always a failure */
        test_failed++;
        fprintf(stderr, "FALSE ACCEPT %s: kernel: %s\n", label, kerr);
    } else {
        int urc = load_alone(path, false, idx, flags | engine_flags | BPFRT_PROG_F_NO_VERIFY, &uobj, uerr,
                             sizeof(uerr));
        v = urc == 0 && !lacks_feature(berr) ? FALSE_REFUSE_VERIFIER : FALSE_REFUSE_LACKS;
        headline(urc == 0 ? berr : uerr, cause, sizeof(cause));
        count_cause(v, cause, label);
        if (verbose)
            printf("refused %s: %s\n", label, berr);
    }
    tot.verdicts[v]++;
    if (v == AGREE_ACCEPT || v == AGREE_REFUSE)
        test_passed++;
    if (v == AGREE_ACCEPT && s.has_retval)
        compare_retval(label, &s, kobj, bobj, idx);
    if (bobj)
        compare_unpriv(path, label, &s, idx, flags, bpfrt_object_prog_type(bpfrt_object_prog_at(bobj, idx)));
    bpfrt_object_close(kobj);
    bpfrt_object_close(bobj);
    bpfrt_object_close(uobj);
}

static void compare_file(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    struct bpfrt_object *obj;
    char err[1024] = "";
    struct bpfrt_object_opts o = {.default_prog_type = BPF_PROG_TYPE_SOCKET_FILTER};
    tot.files++;
    if (bpfrt_object_open_file(crt, path, &o, &obj, err, sizeof(err))) {
        tot.open_failed++;
        printf("cannot open %s: %s\n", file, err);
        return;
    }
    uint32_t n = bpfrt_object_prog_count(obj);
    for (uint32_t i = 0; i < n; i++) {
        char name[256];
        snprintf(name, sizeof(name), "%s", bpfrt_object_prog_name(bpfrt_object_prog_at(obj, i)));
        compare_prog(path, file, i, name, bpfrt_object_btf(obj));
    }
    bpfrt_object_close(obj);
}

static int cause_cmp(const void *a, const void *b)
{
    const struct cause *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->count != y->count ? (x->count < y->count ? 1 : -1) : strcmp(x->text, y->text);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void quiet_trace(void *arg, const char *line, size_t len)
{
    (void)arg, (void)line, (void)len;
}

/* What the whole set gave when measured (docs/verifier.md), by the name of
 * the objects' directory: obj19 (all 104 files with clang 19), obj14 (the
 * 98 clang 14 compiles). Fewer agreements, or any false accept, is a
 * regression; BPFRT_SELFTESTS_FLOOR=AA,AR,MSG,RUN,UNPRIV,UMSG gives the floors for
 * another directory. Only asserted on a full run. */
static const struct floor {
    const char *dir;
    unsigned agree_accept, agree_refuse, msg_agree, run_agree, unpriv_agree, unpriv_msg_agree;
} floors[] = {
    {"obj19", 818, 529, 492, 537, 506, 250},
    {"obj14", 596, 481, 429, 342, 328, 209},
};

static void check_floors(const char *dir)
{
    struct floor f = {NULL, 0, 0, 0, 0, 0, 0};
    const char *env = getenv("BPFRT_SELFTESTS_FLOOR");
    const char *base = strrchr(dir, '/');
    char name[256];
    snprintf(name, sizeof(name), "%s", base && base[1] ? base + 1 : dir);
    name[strcspn(name, "/")] = '\0';
    if (env && sscanf(env, "%u,%u,%u,%u,%u,%u", &f.agree_accept, &f.agree_refuse, &f.msg_agree, &f.run_agree,
                      &f.unpriv_agree, &f.unpriv_msg_agree) == 6) {
        f.dir = "BPFRT_SELFTESTS_FLOOR";
    } else {
        for (size_t i = 0; i < sizeof(floors) / sizeof(floors[0]); i++)
            if (strcmp(name, floors[i].dir) == 0)
                f = floors[i];
    }
    test_current = "floors";
    if (!f.dir) {
        printf("*** no floors for a directory named %s (BPFRT_SELFTESTS_FLOOR=AA,AR,MSG,RUN,UNPRIV,UMSG asserts some) ***\n", name);
        return;
    }
    printf("floors (%s): %u agree-accept, %u agree-refuse, %u __msg, %u __retval, %u unprivileged, %u "
           "unprivileged __msg\n",
           f.dir, f.agree_accept, f.agree_refuse, f.msg_agree, f.run_agree, f.unpriv_agree, f.unpriv_msg_agree);
    CHECK(tot.verdicts[AGREE_ACCEPT] >= f.agree_accept);
    CHECK(tot.verdicts[AGREE_REFUSE] >= f.agree_refuse);
    CHECK(tot.msg_agree >= f.msg_agree);
    CHECK(tot.run_agree >= f.run_agree);
    CHECK(tot.unpriv_agree >= f.unpriv_agree);
    CHECK(tot.unpriv_msg_agree >= f.unpriv_msg_agree);
}

int main(int argc, char **argv)
{
    const char *dir = getenv("BPFRT_SELFTESTS_DIR"), *only = NULL, *engine = getenv("BPFRT_SELFTESTS_ENGINE");
    if (engine && strcmp(engine, "jit") == 0)
        engine_flags = BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT);
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if (pos++ == 0)
            dir = argv[i];
        else
            only = argv[i];
    }
    if (!dir || !dir_exists(dir))
        TEST_SKIP("*** no verifier selftests: set BPFRT_SELFTESTS_DIR to a directory of Linux's "
                  "verifier_*.o (its tools/testing/selftests/bpf/progs, compiled; docs/verifier.md) to compare bpfrt's verifier "
                  "with the kernel's on them ***");
    if (!kbpf_available())
        TEST_SKIP("*** bpf(2) not available here (needs root and a kernel with BPF): nothing to compare with ***");
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    bpfrt_runtime_set_trace_sink(crt, quiet_trace, NULL);
    DIR *d = opendir(dir);
    char *names[1024];
    unsigned nr = 0;
    for (struct dirent *e; d && (e = readdir(d)) && nr < 1024;) {
        size_t l = strlen(e->d_name);
        if (l > 2 && strcmp(e->d_name + l - 2, ".o") == 0 && (!only || strstr(e->d_name, only)))
            names[nr++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, nr, sizeof(names[0]), name_cmp);
    for (unsigned i = 0; i < nr; i++) {
        compare_file(dir, names[i]);
        free(names[i]);
    }
    qsort(causes, nr_causes, sizeof(causes[0]), cause_cmp);
    printf("\n%u files (%u the loader cannot open), %u programs (besides %u auxiliary, %u for other "
           "architectures)\n",
           tot.files, tot.open_failed, tot.progs, tot.auxiliary, tot.other_arch);
    for (int v = 0; v < NR_VERDICTS; v++)
        printf("  %5u  %s\n", tot.verdicts[v], verdict_names[v]);
    printf("the kernel's verdict differs from the test's annotation: %u\n", tot.spec_differs);
    printf("__msg of programs both refuse: %u compared (the kernel's log matches), %u match bpfrt's log; "
           "%u not compared (the kernel's level-1 log does not match)\n",
           tot.msg_tested, tot.msg_agree, tot.msg_kernel_differs);
    printf("bpfrt's engine: %s\n", engine_flags ? "jit" : "interp");
    printf("__retval of programs both accept: %u compared (the kernel's run gives it), %u agree; %u runs "
           "that give another value compared with the kernel's, %u agree; %u not compared (the kernel's run fails "
           "or gives another address)\n",
           tot.run_tested, tot.run_agree, tot.run_other_tested, tot.run_other_agree, tot.run_kernel_differs);
    printf("unprivileged (bpfrt against the tests' *_unpriv expectations; the kernel here cannot load "
           "unprivileged): %u compared, %u agree, %u accepted that the test says fail, %u refused that it says "
           "load; of the refusals with __msg_unpriv (or __msg), %u of %u logs match\n",
           tot.unpriv_tested, tot.unpriv_agree, tot.unpriv_false_accept, tot.unpriv_false_refuse,
           tot.unpriv_msg_agree, tot.unpriv_msg_tested);
    enum verdict last = NR_VERDICTS;
    for (unsigned i = 0; i < nr_causes; i++) {
        if (causes[i].v != last)
            printf("\n%s, by cause:\n", verdict_names[last = causes[i].v]);
        printf("  %4u  %s  (e.g. %s)\n", causes[i].count, causes[i].text, causes[i].example);
    }
    if (!only)
        check_floors(dir);
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
