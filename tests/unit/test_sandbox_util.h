/* Shared by the checked-mode sandbox tests (test_sandbox_*.c): each case is
 * an attack on the sandbox, so each runs in a child process with its own
 * runtime and a time limit - a crash, a sanitizer report or a hang then
 * fails that case instead of taking the whole binary down. The programs
 * are tests/progs/sandbox_*.bpf.c (built by cmake/progs.cmake) and run the
 * public way: object open, load (PROG_LOAD), PROG_TEST_RUN, unverified. */
#ifndef BPFRT_TEST_SANDBOX_UTIL_H
#define BPFRT_TEST_SANDBOX_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/helpers.h"
#include "bpfrt/hooks.h"
#include "bpfrt/insn.h"
#include "bpfrt/prog.h"
#include "test_corpus_util.h"

/* The sandbox programs are checked mode's regression tests: they must run
 * unverified although PROG_LOAD verifies, so every program of the object
 * loads with BPFRT_PROG_F_NO_VERIFY. */
static inline void sb_opts(struct bpfrt_object_opts *o)
{
    memset(o, 0, sizeof(*o));
}

static inline void sb_no_verify(struct bpfrt_object *obj)
{
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        bpfrt_object_prog_set_flags(p, bpfrt_object_prog_flags(p) | BPFRT_PROG_F_NO_VERIFY);
    }
}

static void sb_quiet(void *arg, const char *line, size_t len)
{
    (void)arg;
    (void)line;
    (void)len;
}

/* Opens tests/progs/<name>.bpf.c (the v3 build), sets the int globals
 * named in knobs ("name", value pairs ending with NULL), loads it. */
static inline struct bpfrt_object *sb_load(const char *name, ...)
{
    struct bpfrt_object_opts o;
    sb_opts(&o);
    struct bpfrt_object *obj = open_obj_opts("v3", name, &o);
    if (!obj)
        return NULL;
    va_list ap;
    va_start(ap, name);
    const char *knob;
    while ((knob = va_arg(ap, const char *)) != NULL) {
        int v = va_arg(ap, int);
        if (bpfrt_object_set_global(obj, knob, &v, sizeof(v)) != 0) {
            fprintf(stderr, "%s: cannot set %s\n", name, knob);
            test_failed++;
        }
    }
    va_end(ap);
    sb_no_verify(obj);
    char err[512] = "";
    int rc = bpfrt_object_load(obj, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "%s: load failed: %d %s\n", name, rc, err);
        bpfrt_object_close(obj);
        return NULL;
    }
    return obj;
}

/* One test run with the error report: rc, retval, data out, and the run
 * error message when the run stopped. */
struct sb_run {
    long rc;
    uint32_t retval;
    uint8_t out[8192];
    uint32_t out_len;
    struct bpfrt_test_run_result res;
};

static inline struct sb_run sb_test_run(struct bpfrt_object *obj, const char *prog, const void *data,
                                        uint32_t len, const void *ctx, uint32_t ctx_len)
{
    struct sb_run r;
    memset(&r, 0, sizeof(r));
    struct bpfrt_object_prog *p = obj ? bpfrt_object_find_prog(obj, prog) : NULL;
    if (!p) {
        fprintf(stderr, "no program %s\n", prog);
        test_failed++;
        r.rc = -2;
        return r;
    }
    struct bpfrt_test_run_opts o;
    memset(&o, 0, sizeof(o));
    o.data_in = data;
    o.data_size_in = data ? len : 0;
    o.data_out = data ? r.out : NULL;
    o.data_size_out = data ? sizeof(r.out) : 0;
    o.ctx_in = ctx;
    o.ctx_size_in = ctx ? ctx_len : 0;
    o.repeat = data ? 1 : 0;
    struct bpfrt_prog *bp = bpfrt_prog_from_handle(crt, bpfrt_object_prog_handle(p));
    r.rc = bpfrt_prog_test_run(crt, bp, &o, &r.res);
    r.retval = r.res.retval;
    r.out_len = r.res.data_size_out;
    return r;
}

/* A 64-byte Ethernet + IPv4 + TCP frame (checksums zero). */
static inline uint32_t sb_ipv4_frame(uint8_t *f)
{
    static const uint8_t frame[64] = {
        0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
        0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
        0xc0, 0xa8, 0x01, 0x01, 0xc0, 0xa8, 0x01, 0x02,
        0x0f, 0xa0, 0x00, 0x16, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02,
    };
    memcpy(f, frame, sizeof(frame));
    return sizeof(frame);
}

/* Runs fn in a child with its own runtime in crt, killed after timeout_s
 * seconds. The child's CHECK counts come back through a pipe. */
static inline void sb_case(const char *name, void (*fn)(void), unsigned timeout_s)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        test_failed++;
        return;
    }
    fflush(stdout);
    fflush(stderr);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        alarm(timeout_s);
        test_current = name;
        test_passed = test_failed = 0; /* the parent keeps the totals */
        if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt) != 0)
            _exit(3);
        bpfrt_runtime_set_trace_sink(crt, sb_quiet, NULL);
        fn();
        bpfrt_runtime_destroy(crt);
        int counts[2] = { test_passed, test_failed };
        if (write(fds[1], counts, sizeof(counts)) != (ssize_t)sizeof(counts))
            _exit(4);
        fflush(stdout);
        fflush(stderr);
        exit(0); /* exit, not _exit: ASan's leak check runs at exit */
    }
    close(fds[1]);
    int status = 0, counts[2] = { 0, 0 };
    ssize_t got = read(fds[0], counts, sizeof(counts));
    close(fds[0]);
    waitpid(pid, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    test_passed += counts[0];
    test_failed += counts[1];
    if (WIFSIGNALED(status)) {
        test_failed++;
        if (WTERMSIG(status) == SIGALRM)
            fprintf(stderr, "%s: did not finish within %u s\n", name, timeout_s);
        else
            fprintf(stderr, "%s: the host died (signal %d)\n", name, WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0 || got != (ssize_t)sizeof(counts)) {
        test_failed++;
        fprintf(stderr, "%s: child exited with %d\n", name, WEXITSTATUS(status));
    }
    printf("%-40s %s (%.2f s)\n", name, counts[1] || !WIFEXITED(status) || WEXITSTATUS(status) ? "FAIL" : "ok",
           secs);
}

#define SB_CASE(fn, timeout_s) sb_case(#fn, fn, timeout_s)

/* Skips the binary when the sandbox programs were not built. */
static inline void sb_require_progs(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s", prog_path("v3", name));
    FILE *f = fopen(path, "rb");
    if (!f)
        TEST_SKIP("%s not built (clang without the BPF target?)", path);
    fclose(f);
}

#endif
