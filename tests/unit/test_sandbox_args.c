/* Checked mode's sandbox, helper pointer arguments: each is checked for
 * what the helper does with it - memory the helper writes must be
 * writable, a constant string must be read-only (so no output can overlap
 * it), NULL is only NULL with a size of 0 - and a map value is handed to a
 * callback as the program may use it (read-only for BPF_F_RDONLY_PROG).
 * The programs are tests/progs/sandbox_args.bpf.c. */
#include "test_sandbox_util.h"

/* Bytes of global `var` (in .data/.bss/.rodata) as the map holds them. */
static void global_bytes(struct bpfrt_object *obj, const char *var, void *out, uint32_t n)
{
    struct bpfrt_object_map *m;
    uint32_t off, size;
    memset(out, 0, n);
    if (bpfrt_object_find_global(obj, var, &m, &off, &size) || size < n) {
        test_failed++;
        return;
    }
    uint8_t buf[4096];
    uint32_t zero = 0;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)bpfrt_object_map_handle(m);
    a.key = (uint64_t)(uintptr_t)&zero;
    a.value = (uint64_t)(uintptr_t)buf;
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)), 0);
    memcpy(out, buf + off, n);
}

static struct sb_run run_socket(struct bpfrt_object *obj, const char *prog)
{
    uint8_t frame[64];
    return sb_test_run(obj, prog, frame, sb_ipv4_frame(frame), NULL, 0);
}

/* bpf_snprintf into frozen .rodata: the output must be writable. */
static void snprintf_into_rodata(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_args", NULL);
    CHECK(obj != NULL);
    struct sb_run r = run_socket(obj, "snprintf_rodata");
    CHECK_EQ(r.rc, -BPFRT_EINVAL);
    CHECK_EQ(r.res.run_error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.res.error_msg, "R1");
    char banner[16];
    global_bytes(obj, "banner", banner, sizeof(banner));
    CHECK(memcmp(banner, "read-only!", 11) == 0);
    bpfrt_object_close(obj);
}

/* A BPF_F_RDONLY_PROG value stays read-only inside a for_each callback and
 * after it: the callback's store faults and the map keeps its value. */
static void foreach_keeps_rdonly(void)
{
    for (int mode = 0; mode < 2; mode++) {
        struct bpfrt_object *obj = sb_load("sandbox_args", "mode", mode, NULL);
        CHECK(obj != NULL);
        struct sb_run r = run_socket(obj, "foreach_rdonly");
        CHECK_EQ(r.rc, -BPFRT_EFAULT);
        CHECK_EQ(r.res.run_error, BPFRT_RUN_BAD_ACCESS);
        CHECK_CONTAINS(r.res.error_msg, "read-only memory");
        CHECK_EQ(r.retval, 0);
        uint32_t k = 0;
        uint64_t v = 1;
        CHECK_EQ(map_lookup(obj, "ro", &k, &v), 0);
        CHECK_EQ(v, 0);
        bpfrt_object_close(obj);
    }
}

/* The format is the output buffer (a writable map value): a constant
 * string must be read-only, so the call is refused before any byte moves. */
static void snprintf_output_is_format(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_args", NULL);
    CHECK(obj != NULL);
    struct sb_run r = run_socket(obj, "snprintf_overlap");
    CHECK_EQ(r.rc, -BPFRT_EINVAL);
    CHECK_EQ(r.res.run_error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.res.error_msg, "R3");
    uint32_t k = 0;
    char v[16];
    CHECK_EQ(map_lookup(obj, "text", &k, v), 0);
    CHECK(memcmp(v, "%d\0XXXXXXXXXXXXX", 16) == 0);
    bpfrt_object_close(obj);
}

/* NULL with a non-zero size: refused (Linux: "NULL implies size 0"), for a
 * helper that reads it (which 0, bpf_csum_diff) and one that writes it
 * (which 1, bpf_snprintf). */
static void null_with_size(void)
{
    for (int which = 0; which < 2; which++) {
        struct bpfrt_object *obj = sb_load("sandbox_args", "which", which, NULL);
        CHECK(obj != NULL);
        uint8_t frame[64];
        struct sb_run r = sb_test_run(obj, "null_mem", frame, sb_ipv4_frame(frame), NULL, 0);
        CHECK_EQ(r.rc, -BPFRT_EINVAL);
        CHECK_EQ(r.res.run_error, BPFRT_RUN_BAD_HELPER_ARG);
        CHECK_CONTAINS(r.res.error_msg, "R1");
        bpfrt_object_close(obj);
    }
}

/* NULL with size 0 is fine: bpf_csum_diff(NULL, 0, NULL, 0, 7) = 7. */
static void null_with_zero_size(void)
{
    const struct bpf_insn p[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1, .imm = 0 },
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 2, .imm = 0 },
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 3, .imm = 0 },
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 4, .imm = 0 },
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 5, .imm = 7 },
        { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_csum_diff },
        { .code = BPF_JMP | BPF_EXIT },
    };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
    a.insns = (uint64_t)(uintptr_t)p;
    a.insn_cnt = 7;
    a.license = (uint64_t)(uintptr_t)"GPL";
    a.prog_flags = BPFRT_PROG_F_NO_VERIFY; /* checked mode is what is tested */
    long fd = bpfrt_bpf(crt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(fd >= 0);
    uint8_t frame[64];
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.data_in = (uint64_t)(uintptr_t)frame;
    a.test.data_size_in = sb_ipv4_frame(frame);
    CHECK_EQ(bpfrt_bpf(crt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    CHECK_EQ(a.test.retval, 7);
    bpfrt_close(crt, (int)fd);
}

int main(void)
{
    sb_require_progs("sandbox_args");
    SB_CASE(snprintf_into_rodata, 20);
    SB_CASE(foreach_keeps_rdonly, 20);
    SB_CASE(snprintf_output_is_format, 20);
    SB_CASE(null_with_size, 20);
    SB_CASE(null_with_zero_size, 20);
    return test_summary();
}
