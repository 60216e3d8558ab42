/* BTF-typed tracing contexts (src/core/prog/prog_btf_ctx.c): fentry, fexit,
 * fmod_ret, tp_btf, iter and lsm programs load with attach_btf_id naming a
 * target in the runtime's kernel BTF - here the running kernel's
 * /sys/kernel/btf/vmlinux (skipped, saying so, when unreadable). Their
 * context is the target's arguments as u64 slots: hand-derived rules from
 * the targets' prototypes; every offset and size swept against the kernel
 * for the attach types this kernel loads; and test runs with the arguments
 * the caller gives. */
#include <stdio.h>
#include <stdlib.h>

#include "test.h"
#include "bpf_test_util.h"

#include "bpfrt/btf.h"
#include "bpfrt/hooks.h"
#include "bpfrt/runtime.h"
#include "core/prog/prog_types.h"
#include "test_file.h"

static struct bpfrt_runtime *rt;
static struct bpfrt_btf *vmlinux;

static uint32_t id_of(const char *name, uint32_t kind)
{
    long id = bpfrt_btf_find_by_name_kind(vmlinux, name, kind);
    return id > 0 ? (uint32_t)id : 0;
}

struct target {
    const char *what;
    uint32_t type, attach;
    const char *name;
    uint32_t kind;
};

/* Targets whose prototypes are stable: bpf_fentry_test3(char a, int b,
 * u64 c) -> int, the sched_switch tracepoint (bool, task *, task *,
 * unsigned int), bpf_iter_task(meta *, task *), bpf_lsm_file_open(file *). */
static const struct target targets[] = {
    { "fentry", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "bpf_fentry_test3", BTF_KIND_FUNC },
    { "fexit", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, "bpf_fentry_test3", BTF_KIND_FUNC },
    { "fmod_ret", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, "bpf_fentry_test3", BTF_KIND_FUNC },
    { "tp_btf", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, "btf_trace_sched_switch", BTF_KIND_TYPEDEF },
    { "iter", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, "bpf_iter_task", BTF_KIND_FUNC },
    { "lsm", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "bpf_lsm_file_open", BTF_KIND_FUNC },
};

/* bpfrt loads through its verifier unless checked_mode asks for checked
 * mode (BPFRT_PROG_F_NO_VERIFY), where the context rule itself is tested. */
static bool checked_mode;

static long load(bool kernel, uint32_t type, uint32_t attach, uint32_t btf_id, const struct bpf_insn *p, uint32_t n,
                 char *log, uint32_t log_size)
{
    uint32_t flags = !kernel && checked_mode ? BPFRT_PROG_F_NO_VERIFY : 0;
    return load_attach_prog(rt, kernel, type, attach, btf_id, p, n, flags, log, log_size);
}

static const struct bpfrt_ctx_desc *desc_of(const struct target *t, struct bpfrt_ctx_desc **own)
{
    char msg[128];
    CHECK_EQ(bpfrt_ctx_desc_btf(rt, vmlinux, t->type, t->attach, id_of(t->name, t->kind), msg, sizeof(msg), own), 0);
    return *own;
}

static bool rule(const struct bpfrt_ctx_desc *d, uint32_t off, uint32_t size, bool write)
{
    return bpfrt_ctx_access_ok(d, off, size, write) != NULL;
}

static void test_rules(void)
{
    struct bpfrt_ctx_desc *d;
    /* fentry bpf_fentry_test3: three integer slots */
    desc_of(&targets[0], &d);
    CHECK_EQ(d->ctx_size, 24);
    CHECK(rule(d, 0, 1, false) && rule(d, 8, 4, false) && rule(d, 16, 8, false) && rule(d, 16, 2, false));
    CHECK(!rule(d, 4, 4, false));  /* one argument per slot, read at its start */
    CHECK(!rule(d, 24, 8, false)); /* no return value for fentry */
    CHECK(!rule(d, 0, 8, true));   /* read-only */
    bpfrt_ctx_desc_btf_free(rt, d);
    /* fexit: the return value after the arguments */
    desc_of(&targets[1], &d);
    CHECK(rule(d, 24, 4, false));
    CHECK(!rule(d, 32, 8, false));
    bpfrt_ctx_desc_btf_free(rt, d);
    /* tp_btf sched_switch: the tracepoint's data is not an argument; the
     * task pointers read whole only */
    desc_of(&targets[3], &d);
    CHECK_EQ(d->ctx_size, 32);
    CHECK(rule(d, 0, 1, false));
    CHECK(rule(d, 8, 8, false) && !rule(d, 8, 4, false));
    CHECK(rule(d, 24, 4, false));
    bpfrt_ctx_desc_btf_free(rt, d);

    /* what PROG_LOAD refuses, and why */
    const struct bpf_insn ret0[] = { MOV64_IMM(0, 0), EXIT() };
    char log[512];
    log[0] = 0;
    CHECK_EQ(load(false, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, 0, ret0, 2, log, sizeof(log)), -BPFRT_EINVAL);
    CHECK(strstr(log, "must provide btf_id") != NULL);
    uint32_t test3 = id_of("bpf_fentry_test3", BTF_KIND_FUNC);
    CHECK_EQ(load(false, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, test3, ret0, 2, log, sizeof(log)), -BPFRT_EINVAL);
    CHECK(strstr(log, "not an LSM hook") != NULL);
    CHECK_EQ(load(false, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, test3, ret0, 2, log, sizeof(log)), -BPFRT_EINVAL);
    CHECK_EQ(load(false, BPF_PROG_TYPE_TRACING, BPF_LSM_MAC, test3, ret0, 2, log, sizeof(log)), -BPFRT_EINVAL);
    CHECK_EQ(load(false, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, 0x7fffffff, ret0, 2, log, sizeof(log)),
             -BPFRT_EINVAL);
    long fd = load(false, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, test3, ret0, 2, NULL, 0);
    CHECK(fd >= 0);
    bpfrt_close(rt, (int)fd);
    /* a runtime without kernel BTF says so */
    struct bpfrt_runtime *bare = new_rt();
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_TRACING;
    a.expected_attach_type = BPF_TRACE_FENTRY;
    a.attach_btf_id = test3;
    a.insn_cnt = 2;
    a.insns = ptr(ret0);
    a.license = ptr("GPL");
    a.log_buf = ptr(log);
    a.log_size = sizeof(log);
    a.log_level = 1;
    CHECK_EQ(bpfrt_bpf(bare, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    CHECK(strstr(log, "no kernel BTF") != NULL);
    bpfrt_runtime_destroy(bare);
}

/* One read of the context as a program. */
static uint32_t read_prog(struct bpf_insn *p, uint32_t off, uint32_t size, bool write)
{
    static const uint8_t sz[9] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };
    uint32_t n = 0;
    if (write) {
        p[n++] = MOV64_IMM(2, 0);
        p[n++] = STX(sz[size], 1, 2, (int16_t)off);
    } else {
        p[n++] = LDX(sz[size], 2, 1, (int16_t)off);
    }
    p[n++] = MOV64_IMM(0, 0);
    p[n++] = EXIT();
    return n;
}

/* Checked mode's verdict through a test run: 1 ran, 0 stopped. */
static int checked_verdict(const struct target *t, uint32_t off, uint32_t size, bool write)
{
    struct bpf_insn p[4];
    uint32_t n = read_prog(p, off, size, write);
    checked_mode = true;
    long fd = load(false, t->type, t->attach, id_of(t->name, t->kind), p, n, NULL, 0);
    checked_mode = false;
    if (fd < 0)
        return -1;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    long err = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    bpfrt_close(rt, (int)fd);
    return err == 0;
}

static void test_sweeps(void)
{
    static const uint32_t sizes[] = { 1, 2, 4, 8 };
    bool kern = kbpf_available();
    int kernel_contexts = 0, kernel_accesses = 0;
    for (size_t i = 0; i < NR(targets); i++) {
        const struct target *t = &targets[i];
        test_current = t->what;
        struct bpfrt_ctx_desc *d;
        desc_of(t, &d);
        uint32_t btf_id = id_of(t->name, t->kind);
        const struct bpf_insn ret0[] = { MOV64_IMM(0, 0), EXIT() };
        long kfd = kern ? load(true, t->type, t->attach, btf_id, ret0, 2, NULL, 0) : -1;
        if (kern && kfd < 0)
            printf("note: this kernel does not load %s programs (%ld), kernel sweep skipped for it\n", t->what, kfd);
        if (kfd >= 0) {
            close((int)kfd);
            kernel_contexts++;
        }
        int mismatches = 0;
        for (uint32_t off = 0; off < 8 * 13 + 4; off++)
            for (size_t z = 0; z < NR(sizes); z++)
                for (int w = 0; w < 2; w++) {
                    bool b = rule(d, off, sizes[z], w);
                    /* the verifier's verdict is the rule's */
                    struct bpf_insn vp[4];
                    uint32_t vn = read_prog(vp, off, sizes[z], w);
                    long vfd = load(false, t->type, t->attach, btf_id, vp, vn, NULL, 0);
                    if (vfd >= 0)
                        bpfrt_close(rt, (int)vfd);
                    if ((vfd >= 0) != b && mismatches++ < 5)
                        fprintf(stderr, "%s off %u size %u %s: verifier %d rule %d\n", t->what, off, sizes[z],
                                w ? "write" : "read", vfd >= 0, b);
                    /* checked mode on aligned offsets inside the argument array: past
                     * it, a read is indistinguishable from one through a typed pointer
                     * without the verifier (a policy-governed host read) */
                    if (off % 4 == 0 && off + sizes[z] <= d->kern_size) {
                        int c = checked_verdict(t, off, sizes[z], w);
                        if (c != (int)b && mismatches++ < 5)
                            fprintf(stderr, "%s off %u size %u %s: checked %d rule %d\n", t->what, off, sizes[z],
                                    w ? "write" : "read", c, b);
                    }
                    if (kfd < 0)
                        continue;
                    struct bpf_insn p[4];
                    uint32_t n = read_prog(p, off, sizes[z], w);
                    long fd = load(true, t->type, t->attach, btf_id, p, n, NULL, 0);
                    if (fd >= 0)
                        close((int)fd);
                    kernel_accesses++;
                    if ((fd >= 0) != b && mismatches++ < 5)
                        fprintf(stderr, "%s off %u size %u %s: kernel %d bpfrt %d\n", t->what, off, sizes[z],
                                w ? "write" : "read", fd >= 0, b);
                }
        CHECK_EQ(mismatches, 0);
        bpfrt_ctx_desc_btf_free(rt, d);
    }
    test_current = "test_sweeps";
    printf("BTF-typed contexts: %d accesses swept against the kernel in %d contexts\n", kernel_accesses,
           kernel_contexts);
}

static void test_run_args(void)
{
    /* bpf_fentry_test3(char a, int b, u64 c): r0 = a + b + c (fmod_ret: Linux
     * wants fentry and fexit programs to return 0) */
    const struct bpf_insn sum[] = {
        LDX(BPF_B, 0, 1, 0), LDX(BPF_W, 2, 1, 8), ALU64_REG(BPF_ADD, 0, 2), LDX(BPF_DW, 2, 1, 16),
        ALU64_REG(BPF_ADD, 0, 2), EXIT(),
    };
    uint32_t test3 = id_of("bpf_fentry_test3", BTF_KIND_FUNC);
    long fd = load(false, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, test3, sum, NR(sum), NULL, 0);
    CHECK(fd >= 0);
    uint64_t args[5] = { 5, 7, 100, 0, 0 };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.ctx_in = ptr(args);
    a.test.ctx_size_in = 3 * 8;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    CHECK_EQ(a.test.retval, 112);
    a.test.ctx_size_in = 5 * 8; /* more than the arguments and the return value */
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), -BPFRT_EINVAL);
    bpfrt_close(rt, (int)fd);

    /* the return value follows the arguments */
    const struct bpf_insn ret[] = { LDX(BPF_W, 0, 1, 24), EXIT() };
    fd = load(false, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, test3, ret, NR(ret), NULL, 0);
    CHECK(fd >= 0);
    args[3] = 112;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.ctx_in = ptr(args);
    a.test.ctx_size_in = 4 * 8;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    CHECK_EQ(a.test.retval, 112);
    bpfrt_close(rt, (int)fd);
}

/* Loads through a typed pointer argument are fault-safe host reads the
 * runtime's policy governs: 0 where it forbids (or the address faults). */
static void test_typed_pointer_reads(void)
{
    /* bpf_fentry_test7(struct bpf_fentry_test_t *arg): r0 = *(u64 *)arg */
    const struct bpf_insn deref[] = { LDX(BPF_DW, 2, 1, 0), LDX(BPF_DW, 0, 2, 0), EXIT() };
    uint32_t test7 = id_of("bpf_fentry_test7", BTF_KIND_FUNC);
    CHECK(test7 != 0);
    long fd = load(false, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, test7, deref, NR(deref), NULL, 0);
    CHECK(fd >= 0);
    static uint64_t object = 0x1234;
    uint64_t args[1] = { (uint64_t)(uintptr_t)&object };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.ctx_in = ptr(args);
    a.test.ctx_size_in = sizeof(args);
    CHECK_EQ(bpfrt_runtime_host_reads(rt), BPFRT_HOST_READS_NONE);
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    CHECK_EQ(a.test.retval, 0); /* not the program's to read */
    CHECK_EQ(bpfrt_runtime_set_host_reads(rt, BPFRT_HOST_READS_RANGES), 0);
    CHECK_EQ(bpfrt_runtime_allow_host_read(rt, &object, sizeof(object)), 0);
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    CHECK_EQ(a.test.retval, 0x1234);
    args[0] = 8; /* an address that faults: 0, no crash */
    CHECK_EQ(bpfrt_runtime_set_host_reads(rt, BPFRT_HOST_READS_ALL), 0);
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    CHECK_EQ(a.test.retval, 0);
    CHECK_EQ(bpfrt_runtime_set_host_reads(rt, BPFRT_HOST_READS_NONE), 0);
    /* stores through it: the verifier refuses them ("only read is supported"),
     * and they stop a checked run */
    const struct bpf_insn store[] = { LDX(BPF_DW, 2, 1, 0), ST(BPF_DW, 2, 0, 7), MOV64_IMM(0, 0), EXIT() };
    bpfrt_close(rt, (int)fd);
    char log[1024] = "";
    fd = load(false, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, test7, store, NR(store), log, sizeof(log));
    CHECK(fd < 0);
    CHECK(strstr(log, "only read is supported") != NULL);
    checked_mode = true;
    fd = load(false, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, test7, store, NR(store), NULL, 0);
    checked_mode = false;
    args[0] = (uint64_t)(uintptr_t)&object;
    a.test.prog_fd = (uint32_t)fd;
    CHECK(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)) != 0);
    CHECK_EQ(object, 0x1234);
    bpfrt_close(rt, (int)fd);
}

/* bpf_get_current_task_btf in a kprobe, on a runtime given no kernel BTF:
 * the verifier types the task by the platform's BTF (the running
 * kernel's, which the helper lays its task_struct out by too), and the
 * program reads the current pid through it. */
static void test_task_btf_platform(void)
{
    long pid_off = -1;
    long task = bpfrt_btf_find_by_name_kind(vmlinux, "task_struct", BTF_KIND_STRUCT);
    const struct btf_type *t = task > 0 ? bpfrt_btf_type_by_id(vmlinux, (uint32_t)task) : NULL;
    for (uint32_t i = 0; t && i < btf_vlen(t); i++)
        if (strcmp(bpfrt_btf_str(vmlinux, btf_members(t)[i].name_off), "pid") == 0)
            pid_off = btf_member_bit_offset(t, i) / 8;
    CHECK(pid_off > 0);
    const struct bpf_insn prog[] = {
        CALL(BPF_FUNC_get_current_task_btf),
        LDX(BPF_W, 0, 0, (int16_t)pid_off),
        EXIT(),
    };
    struct bpfrt_runtime *bare = new_rt();
    CHECK(bpfrt_runtime_kernel_btf(bare) == NULL);
    long fd = load_prog(bare, BPF_PROG_TYPE_KPROBE, prog, NR(prog));
    CHECK(fd >= 0);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    struct bpfrt_pt_regs regs;
    memset(&regs, 0, sizeof(regs));
    a.test.ctx_in = ptr(&regs);
    a.test.ctx_size_in = sizeof(regs);
    CHECK_EQ(bpfrt_bpf(bare, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    CHECK_EQ(a.test.retval, (uint32_t)getpid());
    bpfrt_close(bare, (int)fd);
    bpfrt_runtime_destroy(bare);
}

int main(void)
{
    size_t size = 0;
    void *data = test_read_file("/sys/kernel/btf/vmlinux", &size);
    if (!data) {
        printf("SKIP: /sys/kernel/btf/vmlinux unreadable: no kernel BTF to attach to\n");
        return 0;
    }
    rt = new_rt();
    char log[256];
    int err = bpfrt_btf_new(rt, data, (uint32_t)size, log, sizeof(log), &vmlinux);
    free(data);
    if (err) {
        printf("SKIP: bpfrt cannot read the kernel's BTF (%d): %s\n", err, log);
        bpfrt_runtime_destroy(rt);
        return 0;
    }
    bpfrt_runtime_set_kernel_btf(rt, vmlinux);
    if (!id_of("bpf_fentry_test3", BTF_KIND_FUNC) || !id_of("btf_trace_sched_switch", BTF_KIND_TYPEDEF) ||
        !id_of("bpf_iter_task", BTF_KIND_FUNC) || !id_of("bpf_lsm_file_open", BTF_KIND_FUNC)) {
        printf("SKIP: this kernel's BTF lacks the targets\n");
    } else {
        RUN(test_rules);
        RUN(test_sweeps);
        RUN(test_run_args);
        RUN(test_typed_pointer_reads);
    }
    RUN(test_task_btf_platform);
    bpfrt_btf_put(vmlinux);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
