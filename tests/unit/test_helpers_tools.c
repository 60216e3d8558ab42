/* Tracing tools nobody here wrote (e.g. bcc's libbpf-tools, built with
 * clang from their .bpf.c), run in bpfrt: every program of every object is
 * loaded alone and, when its type has a test run (kprobe, tracepoint,
 * raw_tracepoint, perf_event), run once on a zeroed context - pointers in
 * it are NULL, so what a tool reads through them fails softly, as a probe
 * that fires on NULL arguments would. A load refused for a missing helper,
 * map or program type is counted by name; any other refusal or a failed
 * run fails the test.
 *
 * With execsnoop.bpf.o in the corpus, one exec is traced end to end: the
 * sys_enter_execve program reads this process's filename and argv, the
 * sys_exit_execve program emits the event through the perf buffer, and the
 * event must carry this process's real pid, parent pid, uid and comm (the
 * task_struct bpf_get_current_task hands out, read with CO-RE through
 * bpf_probe_read_kernel).
 *
 *   BPFRT_TRACING_CORPUS=/path/to/objects ctest -R helpers_tools -V
 *   build/test_helpers_tools /path/to/objects [-v]
 *
 * Skips, saying so, without a corpus (nothing here is committed: the tools
 * are GPL sources built outside the tree). */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/hooks.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"
#include "test_corpus_util.h"

static bool verbose;

struct totals {
    unsigned objects, progs, loaded, ran, run_failed, no_test_run, tools_all_ran, tools_fallback_ran;
};

/* One object's programs: how many ran, and why the others did not. */
struct object_count {
    unsigned ran, missing, elsewhere;  /* elsewhere: Linux refuses them too, or user space sizes a map */
};
static struct totals tot;

#define MAX_CAUSES 128
static struct {
    char text[160];
    unsigned count;
} causes[MAX_CAUSES];
static unsigned nr_causes;

static void count_cause(const char *text)
{
    for (unsigned i = 0; i < nr_causes; i++)
        if (strcmp(causes[i].text, text) == 0) {
            causes[i].count++;
            return;
        }
    if (nr_causes < MAX_CAUSES) {
        snprintf(causes[nr_causes].text, sizeof(causes[0].text), "%s", text);
        causes[nr_causes++].count = 1;
    }
}

/* "helper bpf_x#N is not provided" and friends: work for later, counted
 * by what is missing. */
static bool missing_feature(const char *err, char *out, size_t size)
{
    static const char *const kinds[] = { "helper ", "map type ", "program type ", "kfunc " };
    const char *np = strstr(err, " is not provided");
    for (size_t k = 0; np && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const char *start = strstr(err, kinds[k]);
        if (start && start < np) {
            snprintf(out, size, "%.*s", (int)(np - start), start);
            return true;
        }
    }
    return false;
}

static int load_alone(const char *path, uint32_t idx, struct bpfrt_object **out, char *err, size_t err_size)
{
    struct bpfrt_object_opts o = { 0 };
    *out = NULL;
    int rc = bpfrt_object_open_file(crt, path, &o, out, err, err_size);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < bpfrt_object_prog_count(*out); i++)
        bpfrt_object_prog_set_autoload(bpfrt_object_prog_at(*out, i), i == idx);
    /* the tools' user space sizes these maps before loading (libbpf's
     * bpf_map__set_max_entries): give them the tools' usual size */
    for (uint32_t i = 0; i < bpfrt_object_map_count(*out); i++) {
        struct bpfrt_object_map *m = bpfrt_object_map_at(*out, i);
        if (bpfrt_object_map_type(m) == BPF_MAP_TYPE_STACK_TRACE && bpfrt_object_map_value_size(m) == 0)
            bpfrt_object_map_set_value_size(m, 127 * 8); /* bpf_map__set_value_size: the stack depth */
        if (bpfrt_object_map_max_entries(m) == 0 && bpfrt_object_map_type(m) != BPF_MAP_TYPE_PERF_EVENT_ARRAY &&
            bpfrt_object_map_kind(m) == BPFRT_OBJ_MAP_BTF)
            bpfrt_object_map_set_max_entries(m, 10240);
    }
    return bpfrt_object_load(*out, err, err_size);
}

/* The zeroed context a program of `type` gets, and its size (0: the type
 * has no test run). */
static uint32_t ctx_size_for(uint32_t type)
{
    switch (type) {
    case BPF_PROG_TYPE_KPROBE: return 21 * 8;                /* struct pt_regs */
    case BPF_PROG_TYPE_TRACEPOINT: return 512;               /* a tracepoint record */
    case BPF_PROG_TYPE_RAW_TRACEPOINT: return 12 * 8;        /* args[] */
    case BPF_PROG_TYPE_PERF_EVENT: return 21 * 8 + 16;       /* struct bpf_perf_event_data */
    default: return 0;
    }
}

static int tool_run(struct bpfrt_object_prog *p, const void *ctx, uint32_t ctx_size, struct bpfrt_test_run_result *r)
{
    struct bpfrt_test_run_opts o = { .ctx_in = ctx, .ctx_size_in = ctx_size };
    memset(r, 0, sizeof(*r));
    struct bpfrt_prog *kp = bpfrt_prog_from_handle(crt, bpfrt_object_prog_handle(p));
    return kp ? bpfrt_prog_test_run(crt, kp, &o, r) : -BPFRT_EBADF;
}

/* Loads and runs every program of one object; true when all loaded ran. */
static bool one_object(const char *path, const char *name, struct object_count *oc)
{
    struct bpfrt_object *obj;
    char err[1024] = "";
    if (bpfrt_object_open_file(crt, path, &(struct bpfrt_object_opts){ 0 }, &obj, err, sizeof(err))) {
        test_failed++;
        fprintf(stderr, "cannot open %s: %s\n", name, err);
        return false;
    }
    uint32_t n = bpfrt_object_prog_count(obj);
    bpfrt_object_close(obj);
    tot.objects++;
    bool all_ran = true;
    for (uint32_t i = 0; i < n; i++) {
        char label[320];
        struct bpfrt_object *o = NULL;
        int rc = load_alone(path, i, &o, err, sizeof(err));
        struct bpfrt_object_prog *p = o ? bpfrt_object_prog_at(o, i) : NULL;
        snprintf(label, sizeof(label), "%s:%s", name, p ? bpfrt_object_prog_name(p) : "?");
        test_current = label;
        tot.progs++;
        if (rc) {
            all_ran = false;
            char what[160];
            if (missing_feature(err, what, sizeof(what))) {
                count_cause(what);
                oc->missing++;
            } else if (strstr(err, "MAP_CREATE") && strstr(err, "value 0,")) {
                count_cause("a map the tool's user space sizes (value_size 0 in the object)");
                oc->elsewhere++;
            } else if (strstr(err, "cannot use helper")) {
                count_cause("a helper its program type may not call (Linux refuses it too)");
                oc->elsewhere++;
            } else if (strstr(err, "in the kernel's BTF")) {
                count_cause("an attach target the tool's user space sets (not in this kernel's BTF)");
                oc->elsewhere++;
            } else if (strstr(err, "invalid bpf_context access") &&
                       bpfrt_object_prog_type(p) == BPF_PROG_TYPE_TRACING) {
                count_cause("fentry/fexit/tp_btf context access (the BTF-typed tracing contexts are unfinished)");
                oc->missing++;
            } else if (strstr(err, "PROG_LOAD: Permission denied")) {
                /* the verifier's verdict (the test of what it accepts is
                 * its own, against Linux's): counted, with the reason */
                count_cause("refused by bpfrt's verifier");
                oc->missing++;
                if (verbose)
                    printf("verifier refused %s: %s\n", label, err);
            } else {
                test_failed++;
                fprintf(stderr, "REFUSED %s: %s\n", label, err);
            }
            bpfrt_object_close(o);
            continue;
        }
        tot.loaded++;
        uint32_t size = ctx_size_for(bpfrt_object_prog_type(p));
        if (!size) {
            tot.no_test_run++;
            bpfrt_object_close(o);
            continue;
        }
        static uint8_t ctx[4096];
        memset(ctx, 0, sizeof(ctx));
        struct bpfrt_test_run_result r;
        rc = tool_run(p, ctx, size, &r);
        tot.ran++;
        if (rc || r.run_error) {
            tot.run_failed++;
            all_ran = false;
            test_failed++;
            fprintf(stderr, "RUN FAILED %s: %s %s\n", label, rc ? bpfrt_strerror(rc) : "", r.error_msg);
        } else {
            test_passed++;
            oc->ran++;
            if (verbose)
                printf("ran %s: r0 = %u\n", label, r.retval);
        }
        bpfrt_object_close(o);
    }
    if (all_ran)
        tot.tools_all_ran++;
    return all_ran;
}

/* ---- execsnoop, end to end ---- */

/* bcc's struct event (execsnoop.h) */
struct exec_event {
    int32_t pid, ppid;
    uint32_t uid;
    int32_t retval, args_count;
    uint32_t args_size;
    char comm[16];
    char args[7680];
};

static struct exec_event got;
static unsigned nr_events;

static int on_event(void *arg, const void *data, size_t size)
{
    (void)arg;
    memset(&got, 0, sizeof(got));
    memcpy(&got, data, size < sizeof(got) ? size : sizeof(got));
    nr_events++;
    return 0;
}

static void execsnoop_end_to_end(const char *path)
{
    test_current = "execsnoop";
    struct bpfrt_object *obj;
    char err[1024] = "";
    struct bpfrt_object_opts o = { 0 };
    if (bpfrt_object_open_file(crt, path, &o, &obj, err, sizeof(err)) || bpfrt_object_load(obj, err, sizeof(err))) {
        test_failed++;
        fprintf(stderr, "execsnoop: %s\n", err);
        bpfrt_object_close(obj);
        return;
    }
    struct bpfrt_object_prog *enter = bpfrt_object_find_prog(obj, "tracepoint__syscalls__sys_enter_execve");
    struct bpfrt_object_prog *exit_ = bpfrt_object_find_prog(obj, "tracepoint__syscalls__sys_exit_execve");
    struct bpfrt_object_map *events = bpfrt_object_find_map(obj, "events");
    CHECK(enter && exit_ && events);
    if (!enter || !exit_ || !events) {
        bpfrt_object_close(obj);
        return;
    }
    struct bpfrt_map *pm = bpfrt_map_from_handle(crt, bpfrt_object_map_handle(events));
    for (uint32_t cpu = 0; pm && cpu < pm->max_entries; cpu++)
        bpfrt_perf_event_open_buffer(pm, cpu, 1 << 16);

    /* struct trace_event_raw_sys_enter: 8-byte common header, id, args[6] */
    static const char filename[] = "/bin/ls";
    static char a0[] = "ls", a1[] = "-l", a2[] = "/tmp";
    static const char *argv[] = { a0, a1, a2, NULL };
    uint64_t enter_ctx[8] = { 0, 59, (uint64_t)(uintptr_t)filename, (uint64_t)(uintptr_t)argv };
    uint64_t exit_ctx[3] = { 0, 59, 0 }; /* id, ret = 0 */
    struct bpfrt_test_run_result r;
    CHECK_EQ(tool_run(enter, enter_ctx, sizeof(enter_ctx), &r), 0);
    CHECK_EQ(r.run_error, 0);
    CHECK_EQ(tool_run(exit_, exit_ctx, sizeof(exit_ctx), &r), 0);
    CHECK_EQ(r.run_error, 0);
    nr_events = 0;
    if (pm)
        bpfrt_perf_event_consume(pm, on_event, NULL, NULL);
    CHECK_EQ(nr_events, 1);
    char comm[16] = "";
    prctl(PR_GET_NAME, comm);
    CHECK_EQ(got.pid, getpid());
    CHECK_EQ(got.ppid, getppid());
    CHECK_EQ(got.uid, getuid());
    CHECK_EQ(got.retval, 0);
    CHECK_STR(got.comm, comm);
    CHECK_EQ(got.args_count, 3);
    CHECK(got.args_size == sizeof(filename) + 3 + 5 || got.args_size == 3 + 3 + 5);
    printf("execsnoop event: pid %d ppid %d uid %u comm %s args_count %d (%.*s)\n", got.pid, got.ppid,
           got.uid, got.comm, got.args_count, (int)strnlen(got.args, 64), got.args);
    bpfrt_object_close(obj);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void quiet_trace(void *arg, const char *line, size_t len)
{
    (void)arg, (void)line, (void)len;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 && argv[1][0] != '-' ? argv[1] : getenv("BPFRT_TRACING_CORPUS");
    for (int i = 1; i < argc; i++)
        verbose |= strcmp(argv[i], "-v") == 0;
    if (!dir || !dir_exists(dir))
        TEST_SKIP("*** no tracing-tool corpus: set BPFRT_TRACING_CORPUS to a directory of BPF objects "
                  "(e.g. bcc's libbpf-tools built with clang) to run them in bpfrt ***");
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    bpfrt_runtime_set_trace_sink(crt, quiet_trace, NULL);
    /* tracing tools read the process's memory: they opt in, as their CLI
     * users do with --host-reads all */
    bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_ALL);
    DIR *d = opendir(dir);
    char *names[1024];
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d)) && n < 1024;)
        if (strstr(e->d_name, ".o") && strlen(e->d_name) > 2)
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, n, sizeof(names[0]), name_cmp);
    char execsnoop[4096] = "";
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct object_count oc = { 0 };
        bool ok = one_object(path, names[i], &oc);
        /* the tools pick fentry/tp_btf programs or kprobe/tracepoint ones by
         * what the kernel offers: some of them running is the tool running */
        bool fallback = !ok && oc.ran > 0;
        if (fallback)
            tot.tools_fallback_ran++;
        printf("%-32s %2u programs run; %2u need what bpfrt lacks; %u Linux refuses or user space sizes%s\n",
               names[i], oc.ran, oc.missing, oc.elsewhere, ok ? "" : oc.ran ? "" : "  (none runs)");
        if (!execsnoop[0] && strncmp(names[i], "execsnoop", 9) == 0)
            snprintf(execsnoop, sizeof(execsnoop), "%s", path);
        free(names[i]);
    }
    printf("\n%u objects, %u programs: %u load; %u ran (%u failed), %u have no test run; "
           "%u objects load and run every program, %u more run some (the rest need what bpfrt lacks)\n",
           tot.objects, tot.progs, tot.loaded, tot.ran, tot.run_failed, tot.no_test_run, tot.tools_all_ran,
           tot.tools_fallback_ran);
    for (unsigned i = 0; i < nr_causes; i++)
        printf("  %4u  %s\n", causes[i].count, causes[i].text);
    if (execsnoop[0])
        execsnoop_end_to_end(execsnoop);
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
