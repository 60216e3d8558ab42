/* The verifier case runner: every case of tests/verifier/<topic>.txt (format in
 * tests/verifier/README.md) is loaded through PROG_LOAD into bpfrt and,
 * where bpf(2) works and the kernel is Linux 6.18, into the kernel; each
 * result is checked against the case's verdict, errno and log lines.
 *
 *  - The kernel is the oracle for the cases themselves: a case the kernel
 *    disagrees with is broken, and fails this test.
 *  - bpfrt's agreement is counted. It is enforced (a disagreement fails
 *    the test) once bpfrt has a verifier: when bpfrt refuses the canary, a
 *    program only abstract interpretation refuses (a load through a
 *    scalar; the structural checks of PROG_LOAD before the verifier accept
 *    it, and they already print Linux's summary line, so that line cannot
 *    tell), or when BPFRT_VERIFIER=1; BPFRT_VERIFIER=0 turns it off.
 *
 * Arguments: a substring selects cases by name; -v prints each result and,
 * for failures, the log's tail; -l prints the kernel's whole log of each
 * case run (for writing cases). */
#include <dirent.h>
#include <sys/utsname.h>

#include "test.h"
#include "verifier_case.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .txt files of dir, sorted. */
static int list_files(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    int n = 0;
    *out = NULL;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt"))
            continue;
        *out = realloc(*out, (size_t)(n + 1) * sizeof(char *));
        char *path = malloc(strlen(dir) + len + 2);
        sprintf(path, "%s/%s", dir, e->d_name);
        (*out)[n++] = path;
    }
    closedir(d);
    qsort(*out, (size_t)n, sizeof(char *), cmp_str);
    return n;
}

static bool kernel_is_618(char *release, size_t size)
{
    struct utsname u;
    if (uname(&u) != 0)
        return false;
    snprintf(release, size, "%s", u.release);
    return strncmp(u.release, "6.18.", 5) == 0 || strcmp(u.release, "6.18") == 0;
}

/* The last lines of a log, for reports. */
static void print_tail(const char *who, const char *log)
{
    if (!log)
        return;
    size_t len = strlen(log);
    int lines = 0;
    size_t start = len;
    while (start > 0 && lines < 12)
        if (log[--start] == '\n')
            lines++;
    fprintf(stderr, "  %s log (tail):\n%s%s\n", who, start ? "  ...\n" : "", log + start + (start ? 1 : 0));
}

/* The running kernel's BTF for the cases that attach to it (attach_btf:),
 * also bpfrt's kernel BTF; without it those cases are skipped. */
static void load_kernel_btf(struct bpfrt_runtime *rt)
{
    FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
    if (!f)
        return;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *b = realloc(buf, cap *= 2);
        if (!b)
            free(buf);
        buf = b;
    }
    fclose(f);
    if (buf && bpfrt_btf_new(rt, buf, (uint32_t)n, NULL, 0, &vc_kernel_btf) == 0)
        bpfrt_runtime_set_kernel_btf(rt, vc_kernel_btf);
    free(buf);
}

/* BPFRT_VERIFIER: 1 enforce, 0 do not, unset: decide from bpfrt's logs. */
static int verifier_env(void)
{
    const char *s = getenv("BPFRT_VERIFIER");
    return s ? atoi(s) != 0 : -1;
}

/* Whether bpfrt refuses the canary: "r1 = 0; r0 = *(u32 *)(r1 +0)", which
 * Linux refuses with "R1 invalid mem access 'scalar'". */
static bool bpfrt_has_verifier(struct bpfrt_runtime *rt)
{
    const struct bpf_insn canary[] = {
        MOV64_IMM(1, 0),
        LDX(BPF_W, 0, 1, 0),
        EXIT(),
    };
    long fd = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, canary, NR(canary));
    if (fd >= 0)
        bpfrt_close(rt, (int)fd);
    return fd < 0;
}

int main(int argc, char **argv)
{
    const char *filter = NULL;
    bool verbose = false, full_log = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if (strcmp(argv[i], "-l") == 0)
            full_log = true;
        else
            filter = argv[i];
    }
    char **files;
    int nfiles = list_files("tests/verifier", &files);
    if (nfiles <= 0) {
        fprintf(stderr, "no case files in tests/verifier (run from the source tree)\n");
        return 1;
    }
    struct vc_case *cases = NULL;
    int ncases = 0;
    struct vc_parser p = { 0 };
    for (int i = 0; i < nfiles; i++) {
        if (!vc_parse_file(&p, files[i], &cases, &ncases)) {
            fprintf(stderr, "%s\n", p.err);
            return 1;
        }
    }
    for (int i = 0; i < ncases; i++)
        for (int j = i + 1; j < ncases; j++)
            if (strcmp(cases[i].name, cases[j].name) == 0) {
                fprintf(stderr, "%s:%d: case name '%s' already used at %s:%d\n", cases[j].file, cases[j].line,
                        cases[j].name, cases[i].file, cases[i].line);
                return 1;
            }

    char release[128] = "";
    bool kernel = kbpf_available() && kernel_is_618(release, sizeof(release));
    if (!kernel)
        printf("*** KERNEL NOT USED: %s - the cases' expectations are not checked against Linux 6.18 ***\n",
               release[0] ? "the running kernel is not 6.18" : "bpf(2) is not available");
    struct vc_target kt = { true, NULL, false, false }, bt = { false, new_rt(), false, false };
    load_kernel_btf(bt.rt);

    int run = 0, confirmed = 0, broken = 0, agree = 0, unpriv = 0;
    bool *bpfrt_ok = calloc((size_t)ncases, sizeof(bool));
    char why[512];
    for (int i = 0; i < ncases; i++) {
        const struct vc_case *c = &cases[i];
        if (filter && !strstr(c->name, filter))
            continue;
        run++;
        struct vc_result r;
        /* An unprivileged case's privileged twin: the same program without
         * BPFRT_PROG_F_UNPRIV and only the verdict expected - what the
         * kernel here can confirm (it loads as root) and bpfrt must match. */
        struct vc_case twin;
        if (c->unpriv) {
            unpriv++;
            twin = *c;
            twin.unpriv = false;
            twin.accept = c->priv_accept;
            twin.err = c->priv_err;
            twin.nlogs = 0;
        }
        const struct vc_case *kc = c->unpriv ? (c->have_priv ? &twin : NULL) : c;
        if (kernel && kc) {
            vc_run(&kt, kc, &r);
            if (full_log)
                printf("=== %s: kernel %ld (%s)\n%s%s\n", c->name, r.ret, r.ret < 0 ? vc_errno_name((int)-r.ret) : "ok",
                       r.setup_err, r.log ? r.log : "");
            if (vc_check(kc, &r, why, sizeof(why))) {
                confirmed++;
                if (verbose)
                    printf("kernel ok    %s\n", c->name);
            } else {
                broken++;
                fprintf(stderr, "BROKEN CASE %s:%d '%s': the kernel %s\n", c->file, c->line, c->name, why);
                print_tail("kernel", r.log);
            }
            free(r.log);
        }
        const char *np = NULL;
        if (c->attach_btf[0] && !vc_kernel_btf_id(c->attach_btf))
            np = "the kernel's BTF (/sys/kernel/btf/vmlinux) is unreadable or lacks the target";
        if (np) {
            TEST_SKIP_CASE(c->name, np);
            run--;
            bpfrt_ok[i] = true;
            continue;
        }
        vc_run(&bt, c, &r);
        bpfrt_ok[i] = vc_check(c, &r, why, sizeof(why));
        if (c->unpriv && c->have_priv && bpfrt_ok[i]) {
            free(r.log);
            vc_run(&bt, &twin, &r);
            bpfrt_ok[i] = vc_check(&twin, &r, why, sizeof(why));
        }
        agree += bpfrt_ok[i];
        if (verbose)
            printf("bpfrt %s %s%s%s\n", bpfrt_ok[i] ? "ok   " : "DIFF ", c->name, bpfrt_ok[i] ? "" : ": bpfrt ",
                   bpfrt_ok[i] ? "" : why);
        if (verbose && !bpfrt_ok[i])
            print_tail("bpfrt", r.log);
        free(r.log);
    }

    int env = verifier_env();
    bool enforce = env == 1 || (env < 0 && bpfrt_has_verifier(bt.rt));
    printf("%d cases in %d files (%d unprivileged: expectations from Linux's selftests and bpf_prog_load, their privileged "
           "verdicts confirmed by the kernel); ", run, nfiles, unpriv);
    if (kernel)
        printf("the kernel (%s) confirmed %d, %d broken\n", release, confirmed, broken);
    else
        printf("not checked against the kernel\n");
    printf("bpfrt agrees on %d of %d cases (verdict, errno and log lines)\n", agree, run);
    if (enforce) {
        printf("bpfrt has a verifier (%s): every case must agree\n",
               env == 1 ? "BPFRT_VERIFIER=1" : "it refuses the canary");
        for (int i = 0; i < ncases; i++)
            if ((!filter || strstr(cases[i].name, filter)) && !bpfrt_ok[i])
                fprintf(stderr, "bpfrt disagrees: %s:%d '%s'\n", cases[i].file, cases[i].line, cases[i].name);
        CHECK_EQ(agree, run);
    } else {
        printf("*** bpfrt HAS NO VERIFIER YET (it accepts the canary, a load through a scalar): its %d "
               "disagreements are counted, not enforced; BPFRT_VERIFIER=1 enforces them ***\n",
               run - agree);
    }
    CHECK_EQ(broken, 0);
    CHECK(run > 0);
    if (vc_kernel_btf)
        bpfrt_btf_put(vc_kernel_btf);
    bpfrt_runtime_destroy(bt.rt);
    for (int i = 0; i < ncases; i++)
        free(cases[i].code);
    free(cases);
    free(bpfrt_ok);
    for (int i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    return test_summary();
}
