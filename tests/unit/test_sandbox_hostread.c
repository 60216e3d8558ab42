/* Checked mode's sandbox, host memory through tracing helpers:
 * bpf_probe_read_*, bpf_copy_from_user and the %s/%pI4/%pks conversions of
 * bpf_snprintf/bpf_trace_printk read what the runtime's host-read policy
 * allows - by default nothing beyond the program's own memory; ranges the
 * embedder registers; or the whole process, which tracing tools opt into.
 * A refused read looks like a fault: -EFAULT and a zeroed destination, an
 * empty string for %s. The programs are tests/progs/sandbox_hostread.bpf.c. */
#include "test_sandbox_util.h"

/* A tc program reads the 24 words above r10 (the engine's native frame):
 * under the default policy no read succeeds. */
static void tc_reads_host_stack(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_hostread", NULL);
    CHECK(obj != NULL);
    uint8_t frame[64];
    struct sb_run r = sb_test_run(obj, "leak", frame, sb_ipv4_frame(frame), NULL, 0);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.retval, 0);
    bpfrt_object_close(obj);
}

static char secret[32] = "host secret";

static void run_read_arg(struct bpfrt_object *obj, const void *p)
{
    uint64_t args[1] = { (uint64_t)(uintptr_t)p };
    struct sb_run r = sb_test_run(obj, "read_arg", NULL, 0, args, sizeof(args));
    CHECK_EQ(r.rc, 0);
}

/* A raw_tp program given a host pointer: nothing read by default. */
static void default_policy_reads_nothing(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_hostread", NULL);
    CHECK(obj != NULL);
    run_read_arg(obj, secret);
    CHECK_EQ((int64_t)global_u64(obj, "got_rc"), -BPFRT_EFAULT);
    CHECK_EQ(global_u64(obj, "got_word"), 0);
    CHECK_EQ((int64_t)global_u64(obj, "got_str_rc"), -BPFRT_EFAULT);
    bpfrt_object_close(obj);
}

static char line[256];

static void capture(void *arg, const char *s, size_t len)
{
    (void)arg;
    snprintf(line, sizeof(line), "%.*s", (int)len, s);
}

/* bpf_trace_printk("%s %pI4") of host pointers prints nothing of them. */
static void default_policy_printk(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_hostread", NULL);
    CHECK(obj != NULL);
    static const uint8_t ip[4] = { 10, 1, 2, 3 };
    uint64_t args[2] = { (uint64_t)(uintptr_t)secret, (uint64_t)(uintptr_t)ip };
    bpfrt_runtime_set_trace_sink(crt, capture, NULL);
    struct sb_run r = sb_test_run(obj, "print_ptr", NULL, 0, args, sizeof(args));
    CHECK_EQ(r.rc, 0);
    CHECK_STR(line, "s= ip=0.0.0.0");
    bpfrt_object_close(obj);
}

/* The program's own memory (its stack) is always readable. */
static void own_memory_always(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_hostread", NULL);
    CHECK(obj != NULL);
    bpfrt_runtime_set_trace_sink(crt, capture, NULL);
    uint8_t frame[64];
    struct sb_run r = sb_test_run(obj, "own_memory", frame, sb_ipv4_frame(frame), NULL, 0);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.retval, 1);
    CHECK_STR(line, "own abc 1122334455667788");
    bpfrt_object_close(obj);
}

/* ALL: what a tracing tool opts into. */
static void all_reads_the_process(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_hostread", NULL);
    CHECK(obj != NULL);
    CHECK_EQ(bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_ALL), 0);
    CHECK_EQ(bpfrt_runtime_host_reads(crt), BPFRT_HOST_READS_ALL);
    run_read_arg(obj, secret);
    CHECK_EQ((int64_t)global_u64(obj, "got_rc"), 0);
    uint64_t want;
    memcpy(&want, secret, 8);
    CHECK_EQ(global_u64(obj, "got_word"), want);
    CHECK_EQ((int64_t)global_u64(obj, "got_str_rc"), (int64_t)strlen(secret) + 1);
    static const uint8_t ip[4] = { 10, 1, 2, 3 };
    uint64_t args[2] = { (uint64_t)(uintptr_t)secret, (uint64_t)(uintptr_t)ip };
    bpfrt_runtime_set_trace_sink(crt, capture, NULL);
    CHECK_EQ(sb_test_run(obj, "print_ptr", NULL, 0, args, sizeof(args)).rc, 0);
    CHECK_STR(line, "s=host secret ip=10.1.2.3");
    uint8_t frame[64];
    CHECK(sb_test_run(obj, "leak", frame, sb_ipv4_frame(frame), NULL, 0).retval > 0);
    bpfrt_object_close(obj);
}

/* RANGES: exactly what the embedder registered. A string must end inside
 * the range; one that runs past it reads as a fault. */
static void ranges_read_what_is_registered(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_hostread", NULL);
    CHECK(obj != NULL);
    CHECK_EQ(bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_RANGES), 0);
    run_read_arg(obj, secret); /* nothing registered yet */
    CHECK_EQ((int64_t)global_u64(obj, "got_rc"), -BPFRT_EFAULT);
    CHECK_EQ(bpfrt_runtime_allow_host_read(crt, secret, 12), 0); /* "host secret" and its NUL */
    run_read_arg(obj, secret);
    CHECK_EQ((int64_t)global_u64(obj, "got_rc"), 0);
    CHECK_EQ((int64_t)global_u64(obj, "got_str_rc"), 12);
    run_read_arg(obj, secret + 8); /* 8 bytes from +8 leave the range */
    CHECK_EQ((int64_t)global_u64(obj, "got_rc"), -BPFRT_EFAULT);
    CHECK_EQ(global_u64(obj, "got_word"), 0);
    CHECK_EQ((int64_t)global_u64(obj, "got_str_rc"), 4); /* "ret" and the NUL end inside */
    CHECK_EQ(bpfrt_runtime_disallow_host_read(crt, secret, 12), 0);
    CHECK_EQ(bpfrt_runtime_allow_host_read(crt, secret, 8), 0); /* cuts the string */
    run_read_arg(obj, secret);
    CHECK_EQ((int64_t)global_u64(obj, "got_rc"), 0);
    CHECK_EQ((int64_t)global_u64(obj, "got_str_rc"), -BPFRT_EFAULT);
    /* ranges do not count under NONE */
    CHECK_EQ(bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_NONE), 0);
    run_read_arg(obj, secret);
    CHECK_EQ((int64_t)global_u64(obj, "got_rc"), -BPFRT_EFAULT);
    bpfrt_object_close(obj);
}

static void api_errors(void)
{
    CHECK_EQ(bpfrt_runtime_host_reads(crt), BPFRT_HOST_READS_NONE);
    CHECK_EQ(bpfrt_runtime_set_host_reads(crt, (enum bpfrt_host_read_policy)3), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_runtime_allow_host_read(crt, secret, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_runtime_allow_host_read(crt, (void *)UINTPTR_MAX, 2), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_runtime_disallow_host_read(crt, secret, 4), -BPFRT_ENOENT);
    /* many ranges, removed in another order */
    for (int i = 0; i < 32; i++)
        CHECK_EQ(bpfrt_runtime_allow_host_read(crt, secret + i % 16, 1 + (size_t)i), 0);
    for (int i = 31; i >= 0; i -= 2)
        CHECK_EQ(bpfrt_runtime_disallow_host_read(crt, secret + i % 16, 1 + (size_t)i), 0);
    for (int i = 0; i < 32; i += 2)
        CHECK_EQ(bpfrt_runtime_disallow_host_read(crt, secret + i % 16, 1 + (size_t)i), 0);
    CHECK_EQ(bpfrt_runtime_disallow_host_read(crt, secret, 1), -BPFRT_ENOENT);
}

/* The CLI opts tracing programs in, and --host-reads overrides it. */
static int cli_retval(const char *prog, const char *extra)
{
    char cmd[8192];
    /* unverified, like every sandbox program (these leak on purpose) */
    snprintf(cmd, sizeof(cmd), "%s/bpfrt prog run %s --no-verify --prog %s %s 2>/dev/null", build_dir(),
             prog_path("v3", "sandbox_hostread"), prog, extra);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char out[4096];
    int ret = -1;
    while (fgets(out, sizeof(out), p))
        if (sscanf(out, "Return value: %d", &ret) == 1)
            break;
    pclose(p);
    return ret;
}

static void cli_opt_in(void)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/bpfrt", build_dir());
    if (access(path, X_OK) != 0) {
        printf("SKIP: %s not built\n", path);
        return;
    }
    CHECK(cli_retval("leak_tp", "--ctx-args 0") > 0);
    CHECK_EQ(cli_retval("leak_tp", "--ctx-args 0 --host-reads none"), 0);
    CHECK_EQ(cli_retval("leak", "--data 02000000000102000000000288b5"), 0);
    CHECK(cli_retval("leak", "--data 02000000000102000000000288b5 --host-reads all") > 0);
}

int main(void)
{
    sb_require_progs("sandbox_hostread");
    SB_CASE(tc_reads_host_stack, 20);
    SB_CASE(default_policy_reads_nothing, 20);
    SB_CASE(default_policy_printk, 20);
    SB_CASE(own_memory_always, 20);
    SB_CASE(all_reads_the_process, 20);
    SB_CASE(ranges_read_what_is_registered, 20);
    SB_CASE(api_errors, 20);
    SB_CASE(cli_opt_in, 60);
    return test_summary();
}
