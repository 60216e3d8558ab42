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

int main(void)
{
    sb_require_progs("sandbox_hostread");
    SB_CASE(tc_reads_host_stack, 20);
    SB_CASE(default_policy_reads_nothing, 20);
    SB_CASE(default_policy_printk, 20);
    return test_summary();
}
