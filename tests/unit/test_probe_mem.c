/* Loads through BTF-typed kernel pointers run verified as probes (Linux's
 * BPF_PROBE_MEM: the verifier marks them, the JIT makes a fault read 0):
 * bpfrt's verifier marks them (BPFRT_FACT_PROBE_LOAD) and both engines run
 * them as reads of exactly their size where the run may read - its own
 * memory, the kernel objects the runtime made, what the host-read policy
 * allows - and 0 anywhere else (docs/sandbox.md). Hand-derived programs
 * over the running kernel's BTF (skipped when unreadable): a kprobe reading
 * the current task and chasing its parent pointer, a tp_btf program chasing
 * pointers through task_structs the test lays out itself (to an address
 * the policy forbids, to NULL, to an address that wraps, half inside an
 * allowed range), sign-extending and load-acquire probes, a probe in a
 * callee, an iterator over a task, and hostile programs. Every run goes through the interpreter and the JIT with the
 * same result; the expected values come from the objects the test wrote. */
#include <stdio.h>
#include <stdlib.h>

#include "test.h"
#include "bpf_test_util.h"

#include "bpfrt/btf.h"
#include "bpfrt/hooks.h"
#include "bpfrt/jit.h"
#include "bpfrt/runtime.h"
#include "core/prog/facts.h"
#include "core/prog/prog_types.h"
#include "test_file.h"

static struct bpfrt_runtime *rt;
static struct bpfrt_btf *vmlinux;
static uint32_t sched_switch;        /* btf_trace_sched_switch: (bool, task *prev, task *next, unsigned) */
static int16_t pid_off, parent_off, stack_off;
static uint32_t task_size;

/* Byte offset of a direct member of struct `s`, or -1. */
static long member_off(const char *s, const char *name)
{
    long id = bpfrt_btf_find_by_name_kind(vmlinux, s, BTF_KIND_STRUCT);
    const struct btf_type *t = id > 0 ? bpfrt_btf_type_by_id(vmlinux, (uint32_t)id) : NULL;
    for (uint32_t i = 0; t && i < btf_vlen(t); i++)
        if (strcmp(bpfrt_btf_str(vmlinux, btf_members(t)[i].name_off), name) == 0)
            return btf_member_bit_offset(t, i) / 8;
    return -1;
}

/* ---- loading and running in both engines ---- */

static const char *const engine_names[2] = { "interpreter", "jit" };
/* The JIT is x86-64's; elsewhere the interpreter alone. */
#if defined(__x86_64__)
#define ENGINES 2
#else
#define ENGINES 1
#endif

static long load(uint32_t type, uint32_t attach, uint32_t btf_id, const struct bpf_insn *p, uint32_t n,
                 uint32_t flags, char *log, uint32_t log_size)
{
    return load_attach_prog(rt, false, type, attach, btf_id, p, n, flags, log, log_size);
}

/* The mode the program runs in: "verified", "checked" (interpreter: from
 * prog->verified; JIT: its compiled mode). */
static const char *mode_of(long fd, int engine)
{
    const struct bpfrt_prog *prog = bpfrt_prog_from_handle(rt, (int)fd);
    struct bpfrt_jit_stats st;
    if (!prog)
        return "?";
    if (engine == 0)
        return prog->engine == BPFRT_ENGINE_INTERP ? (prog->verified ? "verified" : "checked") : "not interpreted";
    return bpfrt_jit_get_stats(prog, &st) ? st.mode : "not jitted";
}

struct prog {
    uint32_t type, attach, btf_id;
    const struct bpf_insn *insns;
    uint32_t n;
    uint32_t flags;              /* BPFRT_PROG_F_NO_VERIFY: checked mode */
};

static long fds[2];

/* Loads p in both engines; false (and a failed check) when either refuses
 * it or runs it in another mode than `mode`. */
static bool load_both(const struct prog *p, const char *mode)
{
    static const uint32_t engines[2] = { BPFRT_ENGINE_INTERP, BPFRT_ENGINE_JIT };
    for (int e = 0; e < ENGINES; e++) {
        char log[4096] = "";
        fds[e] = load(p->type, p->attach, p->btf_id, p->insns, p->n, p->flags | BPFRT_PROG_F_ENGINE(engines[e]),
                      log, sizeof(log));
        if (fds[e] < 0) {
            fprintf(stderr, "%s: load failed (%ld): %s\n", engine_names[e], fds[e], log);
            CHECK(fds[e] >= 0);
            if (e)
                bpfrt_close(rt, (int)fds[0]);
            return false;
        }
        const char *m = mode_of(fds[e], e);
        if (strcmp(m, mode) != 0) {
            fprintf(stderr, "%s: runs %s, not %s\n", engine_names[e], m, mode);
            CHECK(strcmp(m, mode) == 0);
        }
    }
    return true;
}

static void close_both(void)
{
    for (int e = 0; e < ENGINES; e++)
        bpfrt_close(rt, (int)fds[e]);
}

/* Test-runs the loaded pair with ctx_in = ctx[n]; both must finish and
 * agree. Returns r0. */
static uint64_t run_both(const void *ctx, uint32_t size)
{
    uint64_t r[2] = { 0, 0 };
    for (int e = 0; e < ENGINES; e++) {
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.test.prog_fd = (uint32_t)fds[e];
        a.test.ctx_in = ptr(ctx);
        a.test.ctx_size_in = size;
        long err = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
        if (err)
            fprintf(stderr, "%s: test run failed: %ld\n", engine_names[e], err);
        CHECK_EQ(err, 0);
        r[e] = a.test.retval;
    }
    if (ENGINES == 2 && r[0] != r[1])
        fprintf(stderr, "interpreter 0x%llx, jit 0x%llx\n", (unsigned long long)r[0], (unsigned long long)r[1]);
    CHECK(ENGINES == 1 || r[0] == r[1]);
    return r[0];
}

/* test-run's retval is r0's low 32 bits: a 64-bit result is split. */
#define HI32(d) ALU64_IMM(BPF_RSH, d, 32)

/* ---- bpf_get_current_task_btf ---- */

/* A kprobe reads the current task through the pointer the helper gives:
 * its pid and, one hop on, its parent's tgid - the values the platform
 * reports for this process (getpid, getppid). */
static void test_current_task(void)
{
    long tgid_off = member_off("task_struct", "tgid");
    CHECK(tgid_off > 0);
    const struct bpf_insn pid[] = {
        CALL(BPF_FUNC_get_current_task_btf), LDX(BPF_W, 0, 0, pid_off), EXIT(),
    };
    const struct bpf_insn ppid[] = {
        CALL(BPF_FUNC_get_current_task_btf), LDX(BPF_DW, 1, 0, parent_off), LDX(BPF_W, 0, 1, (int16_t)tgid_off),
        EXIT(),
    };
    struct bpfrt_pt_regs regs;
    memset(&regs, 0, sizeof(regs));
    struct prog p = { BPF_PROG_TYPE_KPROBE, 0, 0, pid, NR(pid), 0 };
    if (load_both(&p, "verified")) {
        CHECK_EQ(run_both(&regs, sizeof(regs)), (uint32_t)getpid());
        close_both();
    }
    p.insns = ppid;
    p.n = NR(ppid);
    if (load_both(&p, "verified")) {
        CHECK_EQ(run_both(&regs, sizeof(regs)), (uint32_t)getppid());
        close_both();
    }
    /* a store through it: refused, as Linux refuses it */
    const struct bpf_insn store[] = {
        CALL(BPF_FUNC_get_current_task_btf), ST(BPF_W, 0, pid_off, 1), MOV64_IMM(0, 0), EXIT(),
    };
    char log[4096] = "";
    long fd = load(BPF_PROG_TYPE_KPROBE, 0, 0, store, NR(store), 0, log, sizeof(log));
    CHECK(fd < 0);
    CHECK(strstr(log, "only read is supported") != NULL);
}

/* ---- chasing pointers through objects the test lays out ---- */

/* sched_switch's arguments: (preempt, prev, next, prev_state). */
static uint64_t args[4];

/* Two task_structs the test lays out and a secret (as large, every byte
 * 0xa5) no program may see. */
static uint8_t *t1, *t2, *secret;

static void set_ptr(uint8_t *task, const void *to)
{
    uint64_t v = ptr(to);
    memcpy(task + parent_off, &v, 8);
}

static void set_pid(uint8_t *task, int32_t pid)
{
    memcpy(task + pid_off, &pid, 4);
}

static void policy(enum bpfrt_host_read_policy p)
{
    CHECK_EQ(bpfrt_runtime_set_host_reads(rt, p), 0);
}

static void allow(const void *p, size_t n, bool yes)
{
    if (yes)
        CHECK_EQ(bpfrt_runtime_allow_host_read(rt, p, n), 0);
    else
        CHECK_EQ(bpfrt_runtime_disallow_host_read(rt, p, n), 0);
}

static struct prog tp(const struct bpf_insn *insns, uint32_t n)
{
    return (struct prog){ BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, sched_switch, insns, n, 0 };
}

/* p loads verified and reads t1's pid (4242) through the typed pointer:
 * 0 while the host-read policy keeps t1 out, the pid once it allows it. */
static void reads_pid_once_allowed(struct prog *p)
{
    if (!load_both(p, "verified"))
        return;
    CHECK_EQ(run_both(args, sizeof(args)), 0);
    allow(t1, task_size, true);
    CHECK_EQ(run_both(args, sizeof(args)), 4242);
    allow(t1, task_size, false);
    close_both();
}

/* prev->pid (r6 = prev) */
static const struct bpf_insn *p_pid(uint32_t *n)
{
    static struct bpf_insn p[3];
    p[0] = LDX(BPF_DW, 6, 1, 8);
    p[1] = LDX(BPF_W, 0, 6, pid_off);
    p[2] = EXIT();
    *n = 3;
    return p;
}

static void test_chase(void)
{
    uint32_t n;
    const struct bpf_insn *pid = p_pid(&n);
    struct prog p = tp(pid, n);
    args[1] = ptr(t1);
    set_pid(t1, 4242);
    set_ptr(t1, t2);
    set_pid(t2, -5);
    set_ptr(t2, secret);

    /* prev->pid: 0 until the policy lets the run read t1 */
    if (load_both(&p, "verified")) {
        policy(BPFRT_HOST_READS_NONE);
        CHECK_EQ(run_both(args, sizeof(args)), 0);
        policy(BPFRT_HOST_READS_RANGES);
        CHECK_EQ(run_both(args, sizeof(args)), 0);
        allow(t1, task_size, true);
        CHECK_EQ(run_both(args, sizeof(args)), 4242);
        allow(t1, task_size, false);
        /* a range that ends inside the field: the 4-byte read is refused whole */
        allow(t1, (size_t)pid_off + 2, true);
        CHECK_EQ(run_both(args, sizeof(args)), 0);
        allow(t1, (size_t)pid_off + 2, false);
        /* under ALL: addresses that fault, or that wrap around, read 0 */
        policy(BPFRT_HOST_READS_ALL);
        CHECK_EQ(run_both(args, sizeof(args)), 4242);
        static const uint64_t bad[] = { 0, 8, 0xdead000000000000ull, (uint64_t)-2, (uint64_t)-8 - 4096 };
        for (size_t i = 0; i < NR(bad); i++) {
            args[1] = bad[i] - (uint64_t)pid_off;
            CHECK_EQ(run_both(args, sizeof(args)), 0);
        }
        args[1] = ptr(t1);
        policy(BPFRT_HOST_READS_NONE);
        close_both();
    }

    /* prev->real_parent->pid, sign-extended: allowed objects only */
    const struct bpf_insn sx[] = {
        LDX(BPF_DW, 6, 1, 8), LDX(BPF_DW, 7, 6, parent_off),
        INSN(BPF_LDX | BPF_MEMSX | BPF_W, 0, 7, pid_off, 0), EXIT(),
    };
    /* the same, 64 bits, with the high half first (retval is 32 bits) */
    const struct bpf_insn sx_hi[] = {
        LDX(BPF_DW, 6, 1, 8), LDX(BPF_DW, 7, 6, parent_off),
        INSN(BPF_LDX | BPF_MEMSX | BPF_W, 0, 7, pid_off, 0), HI32(0), EXIT(),
    };
    policy(BPFRT_HOST_READS_RANGES);
    allow(t1, task_size, true);
    /* verified, and unverified: checked mode's loads outside its regions
     * are the same probes */
    for (int checked = 0; checked < 2; checked++) {
        const char *mode = checked ? "checked" : "verified";
        p = tp(sx, NR(sx));
        struct prog phi = tp(sx_hi, NR(sx_hi));
        p.flags = phi.flags = checked ? BPFRT_PROG_F_NO_VERIFY : 0;
        if (load_both(&p, mode)) {
            CHECK_EQ(run_both(args, sizeof(args)), 0); /* t2 not allowed */
            allow(t2, task_size, true);
            CHECK_EQ(run_both(args, sizeof(args)), (uint32_t)-5);
            close_both();
        }
        if (load_both(&phi, mode)) {
            CHECK_EQ(run_both(args, sizeof(args)), 0xffffffffu); /* the sign reached bit 63 */
            allow(t2, task_size, false);
            CHECK_EQ(run_both(args, sizeof(args)), 0);
            close_both();
        }
    }
    allow(t2, task_size, true);
    /* two hops on, t2's parent is the secret: its bytes never come back */
    const struct bpf_insn leak[] = {
        LDX(BPF_DW, 6, 1, 8), LDX(BPF_DW, 6, 6, parent_off), LDX(BPF_DW, 6, 6, parent_off),
        LDX(BPF_W, 0, 6, pid_off), EXIT(),
    };
    p = tp(leak, NR(leak));
    if (load_both(&p, "verified")) {
        CHECK_EQ(run_both(args, sizeof(args)), 0);
        /* a NULL parent: 0, no crash, under any policy */
        set_ptr(t2, NULL);
        CHECK_EQ(run_both(args, sizeof(args)), 0);
        policy(BPFRT_HOST_READS_ALL);
        CHECK_EQ(run_both(args, sizeof(args)), 0);
        /* the secret, once the embedder allows it */
        set_ptr(t2, secret);
        CHECK_EQ(run_both(args, sizeof(args)), 0xa5a5a5a5u);
        policy(BPFRT_HOST_READS_RANGES);
        allow(secret, (size_t)pid_off + 4, true);
        CHECK_EQ(run_both(args, sizeof(args)), 0xa5a5a5a5u);
        allow(secret, (size_t)pid_off + 4, false);
        CHECK_EQ(run_both(args, sizeof(args)), 0);
        close_both();
    }
    allow(t2, task_size, false);
    allow(t1, task_size, false);

    /* load-acquire through the typed pointer: a probe as well */
    const struct bpf_insn acq[] = {
        LDX(BPF_DW, 6, 1, 8), INSN(BPF_STX | BPF_ATOMIC | BPF_W, 0, 6, pid_off, BPF_LOAD_ACQ), EXIT(),
    };
    p = tp(acq, NR(acq));
    reads_pid_once_allowed(&p);
    policy(BPFRT_HOST_READS_NONE);
}

/* The verifier's mark is on the loads through the typed pointer only: not
 * on the context load that gives the pointer, nor on a stack load. */
static void test_facts(void)
{
    const struct bpf_insn prog[] = {
        LDX(BPF_DW, 6, 1, 8),                 /* ctx: plain */
        STX(BPF_DW, 10, 6, -8), LDX(BPF_DW, 7, 10, -8), /* spill and fill: plain */
        LDX(BPF_DW, 2, 7, parent_off),        /* probe */
        LDX(BPF_W, 0, 2, pid_off),            /* probe */
        EXIT(),
    };
    long fd = load(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, sched_switch, prog, NR(prog), 0, NULL, 0);
    CHECK(fd >= 0);
    const struct bpfrt_prog *p = fd >= 0 ? bpfrt_prog_from_handle(rt, (int)fd) : NULL;
    CHECK(p && p->verified && p->probe_mem && p->facts);
    static const bool probe[] = { false, false, false, true, true, false };
    for (uint32_t i = 0; p && p->facts && i < NR(prog); i++)
        CHECK_EQ((p->facts->flags[i] & BPFRT_FACT_PROBE_LOAD) != 0, probe[i]);
    if (fd >= 0)
        bpfrt_close(rt, (int)fd);
    /* a program without typed loads has none */
    const struct bpf_insn plain[] = { LDX(BPF_DW, 0, 1, 8), EXIT() };
    fd = load(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, sched_switch, plain, NR(plain), 0, NULL, 0);
    p = fd >= 0 ? bpfrt_prog_from_handle(rt, (int)fd) : NULL;
    CHECK(p && !p->probe_mem && p->facts && !(p->facts->flags[0] & BPFRT_FACT_PROBE_LOAD));
    if (fd >= 0)
        bpfrt_close(rt, (int)fd);
}

/* A probe in a bpf-to-bpf callee (its own frame: the JIT calls the stub
 * from a deeper native stack). */
static void test_probe_in_calls(void)
{
    const struct bpf_insn sub[] = {
        LDX(BPF_DW, 1, 1, 8),                                       /* prev */
        INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1), EXIT(),
        LDX(BPF_W, 0, 1, pid_off), EXIT(),                          /* prev->pid */
    };
    policy(BPFRT_HOST_READS_RANGES);
    struct prog p = tp(sub, NR(sub));
    reads_pid_once_allowed(&p);
    policy(BPFRT_HOST_READS_NONE);
}

/* An iterator (bpf_iter_task: meta, task - NULL at the end of the walk)
 * stores task->pid into an array map after the NULL check the verifier
 * demands; the value comes back through the map. */
static void test_iter(void)
{
    long id = bpfrt_btf_find_by_name_kind(vmlinux, "bpf_iter_task", BTF_KIND_FUNC);
    if (id <= 0) {
        printf("note: no bpf_iter_task in this kernel's BTF: iterator case skipped\n");
        return;
    }
    long map = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    CHECK(map >= 0);
    const struct bpf_insn iter[] = {
        LDX(BPF_DW, 6, 1, 8), JMP_IMM(BPF_JEQ, 6, 0, 9),      /* task, or the end */
        LDX(BPF_W, 7, 6, pid_off),                           /* probe */
        ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), LD_MAP_FD(1, (int32_t)map),
        CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 1),
        STX(BPF_DW, 0, 7, 0),
        MOV64_IMM(0, 0), EXIT(),
    };
    struct prog p = { BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, (uint32_t)id, iter, NR(iter), 0 };
    if (load_both(&p, "verified")) {
        uint64_t ctx[2] = { 0, ptr(t1) };
        uint32_t key = 0;
        uint64_t got[2];
        policy(BPFRT_HOST_READS_RANGES);
        for (int allowed = 0; allowed < 2; allowed++) {
            if (allowed)
                allow(t1, task_size, true);
            for (int e = 0; e < ENGINES; e++) { /* each engine's run, the map read after it */
                union bpf_attr t;
                uint64_t sentinel = 0xdead;
                CHECK_EQ(map_update(rt, map, &key, &sentinel, 0), 0);
                memset(&t, 0, sizeof(t));
                t.test.prog_fd = (uint32_t)fds[e];
                t.test.ctx_in = ptr(ctx);
                t.test.ctx_size_in = sizeof(ctx);
                CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &t, sizeof(t)), 0);
                CHECK_EQ(map_lookup(rt, map, &key, &got[e]), 0);
            }
            CHECK_EQ(got[0], allowed ? 4242u : 0u);
            CHECK(ENGINES == 1 || got[1] == got[0]);
        }
        allow(t1, task_size, false);
        policy(BPFRT_HOST_READS_NONE);
        close_both();
    }
    bpfrt_close(rt, (int)map);
}

/* The edges of the runtime's task object, which a probe reads directly
 * (and the JIT then tests inline): a tp_btf program first reads a field of
 * the current task, then through its `prev` argument at addresses the test
 * derives from where the task is - inside the object, straddling its start
 * or its end (0: the bytes outside are the host's). */
static void test_kernel_object_edges(void)
{
    /* where the task is: bpf_get_current_task's value, in two halves */
    const struct bpf_insn lo[] = { CALL(BPF_FUNC_get_current_task), EXIT() };
    const struct bpf_insn hi[] = { CALL(BPF_FUNC_get_current_task), HI32(0), EXIT() };
    struct bpfrt_pt_regs regs;
    memset(&regs, 0, sizeof(regs));
    uint64_t task = 0;
    struct prog p = { BPF_PROG_TYPE_KPROBE, 0, 0, lo, NR(lo), 0 };
    if (load_both(&p, "verified")) {
        task = run_both(&regs, sizeof(regs));
        close_both();
    }
    p.insns = hi;
    p.n = NR(hi);
    if (load_both(&p, "verified")) {
        task |= run_both(&regs, sizeof(regs)) << 32;
        close_both();
    }
    size_t len = 0;
    CHECK(task && bpfrt_kernel_object_range(rt, (const void *)(uintptr_t)task, &len) && len > 8);
    if (!len)
        return;
    const struct bpf_insn edge[] = {
        LDX(BPF_DW, 6, 1, 8),                                    /* prev */
        CALL(BPF_FUNC_get_current_task_btf), LDX(BPF_W, 7, 0, pid_off), /* the task: cached */
        LDX(BPF_W, 0, 6, pid_off), EXIT(),                       /* prev->pid */
    };
    uint32_t last;
    memcpy(&last, (const void *)(uintptr_t)(task + len - 4), 4);
    const struct { uint64_t at; uint32_t want; } cases[] = {
        { task + (uint64_t)pid_off, (uint32_t)getpid() }, /* the task's pid */
        { task + len - 4, last },      /* the object's last bytes */
        { task - 2, 0 },               /* straddling its start */
        { task + len - 2, 0 },         /* straddling its end */
        { task + len, 0 },             /* just past it */
    };
    struct prog e = tp(edge, NR(edge));
    if (!load_both(&e, "verified"))
        return;
    for (size_t i = 0; i < NR(cases); i++) {
        args[1] = cases[i].at - (uint64_t)pid_off;
        CHECK_EQ(run_both(args, sizeof(args)), cases[i].want);
    }
    args[1] = ptr(t1);
    close_both();
}

/* ---- hostile programs ---- */

/* A pointer the program crafts: a value from a map, dereferenced. The
 * verifier refuses it; unverified (checked mode), the load outside the
 * run's regions is a probe like a typed one - and reads no host memory the
 * policy does not allow. */
static void test_crafted_pointer(void)
{
    long map = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    CHECK(map >= 0);
    uint32_t key = 0;
    uint64_t val = ptr(secret + 64);
    CHECK_EQ(map_update(rt, map, &key, &val, 0), 0);
    const struct bpf_insn deref[] = {
        ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), LD_MAP_FD(1, (int32_t)map),
        CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 3),
        LDX(BPF_DW, 1, 0, 0),  /* the crafted address */
        LDX(BPF_DW, 0, 1, 0),  /* read through it */
        EXIT(),
        MOV64_IMM(0, 0), EXIT(),
    };
    char log[4096] = "";
    long fd = load(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, sched_switch, deref, NR(deref), 0, log, sizeof(log));
    CHECK(fd < 0);
    CHECK(strstr(log, "invalid mem access 'scalar'") != NULL);
    struct prog p = tp(deref, NR(deref));
    p.flags = BPFRT_PROG_F_NO_VERIFY;
    if (load_both(&p, "checked")) {
        policy(BPFRT_HOST_READS_NONE);
        CHECK_EQ(run_both(args, sizeof(args)), 0);
        policy(BPFRT_HOST_READS_RANGES);
        allow(secret, 8, true); /* not the word the pointer names */
        CHECK_EQ(run_both(args, sizeof(args)), 0);
        allow(secret, 8, false);
        policy(BPFRT_HOST_READS_NONE);
        close_both();
    }
    bpfrt_close(rt, (int)map);
}

/* The runtime's own structures are host memory like any other: a typed
 * pointer at them reads 0 (under NONE, the default). */
static void test_runtime_memory(void)
{
    uint32_t n;
    const struct bpf_insn *pid = p_pid(&n);
    struct prog p = tp(pid, n);
    if (!load_both(&p, "verified"))
        return;
    const struct bpfrt_prog *prog = bpfrt_prog_from_handle(rt, (int)fds[0]);
    const void *targets[] = { rt, prog, prog->insns, &args[0] };
    for (size_t i = 0; i < NR(targets); i++) {
        args[1] = ptr(targets[i]) - (uint64_t)pid_off;
        CHECK_EQ(run_both(args, sizeof(args)), 0);
    }
    args[1] = ptr(t1);
    close_both();
}

/* One load that one path makes through the stack and another through a
 * task's `void *stack` member (untrusted memory), either first: the kernel
 * here (6.18.44) refuses it, and so does bpfrt - a probe reads only what a
 * run without regions may read, so such a load could be neither a probe
 * nor a plain load. Writing through the untrusted memory is refused too. */
static void test_mixed_load(void)
{
    for (int first = 0; first < 2; first++) {
        const struct bpf_insn mixed[] = {
            LDX(BPF_DW, 6, 1, 8),            /* prev */
            LDX(BPF_DW, 2, 6, stack_off),    /* prev->stack: untrusted memory */
            ST(BPF_DW, 10, -8, 42), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8),
            first ? MOV64_REG(3, 2) : MOV64_IMM(0, 0),
            LDX(BPF_B, 1, 1, 0),             /* preempt */
            JMP_IMM(BPF_JEQ, 1, 0, 1), first ? MOV64_REG(3, 10) : MOV64_REG(3, 2),
            first ? ALU64_IMM(BPF_ADD, 3, -8) : MOV64_IMM(0, 0),
            LDX(BPF_DW, 0, 3, 0),            /* the stack, or prev->stack */
            EXIT(),
        };
        if (kbpf_available()) {
            union bpf_attr a;
            memset(&a, 0, sizeof(a));
            a.prog_type = BPF_PROG_TYPE_TRACING;
            a.expected_attach_type = BPF_TRACE_RAW_TP;
            a.attach_btf_id = sched_switch;
            a.insns = ptr(mixed);
            a.insn_cnt = NR(mixed);
            a.license = ptr("GPL");
            static char klog[65536];
            a.log_buf = ptr(klog);
            a.log_size = sizeof(klog);
            a.log_level = 1;
            long kfd = kbpf(BPF_PROG_LOAD, &a);
            CHECK(kfd < 0);
            if (kfd >= 0)
                close((int)kfd);
            else
                CHECK(strstr(klog, "same insn cannot be used with different pointers") != NULL);
        }
        char log[4096] = "";
        long fd = load(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, sched_switch, mixed, NR(mixed), 0, log, sizeof(log));
        CHECK(fd < 0);
        CHECK(strstr(log, "same insn cannot be used with different pointers") != NULL);
    }
    const struct bpf_insn write[] = {
        LDX(BPF_DW, 6, 1, 8), LDX(BPF_DW, 2, 6, stack_off), ST(BPF_DW, 2, 0, 1), MOV64_IMM(0, 0), EXIT(),
    };
    char log[4096] = "";
    long fd = load(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, sched_switch, write, NR(write), 0, log, sizeof(log));
    CHECK(fd < 0);
    CHECK(strstr(log, "cannot write into") != NULL);
}

int main(void)
{
    size_t size = 0;
    void *data = test_read_file("/sys/kernel/btf/vmlinux", &size);
    if (!data) {
        printf("SKIP: /sys/kernel/btf/vmlinux unreadable: no kernel BTF for typed pointers\n");
        return 0;
    }
    rt = new_rt();
    int err = bpfrt_btf_new(rt, data, (uint32_t)size, NULL, 0, &vmlinux);
    free(data);
    if (err) {
        printf("SKIP: bpfrt cannot read the kernel's BTF (%d)\n", err);
        bpfrt_runtime_destroy(rt);
        return 0;
    }
    bpfrt_runtime_set_kernel_btf(rt, vmlinux);
    long ss = bpfrt_btf_find_by_name_kind(vmlinux, "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
    long task = bpfrt_btf_find_by_name_kind(vmlinux, "task_struct", BTF_KIND_STRUCT);
    long pid = member_off("task_struct", "pid"), parent = member_off("task_struct", "real_parent"),
         stack = member_off("task_struct", "stack");
    if (ss <= 0 || task <= 0 || pid <= 0 || parent <= 0 || stack < 0 || parent > 32000) {
        printf("SKIP: this kernel's BTF lacks sched_switch or task_struct's fields\n");
    } else {
        sched_switch = (uint32_t)ss;
        pid_off = (int16_t)pid;
        parent_off = (int16_t)parent;
        stack_off = (int16_t)stack;
        task_size = (uint32_t)bpfrt_btf_type_size(vmlinux, (uint32_t)task);
        t1 = calloc(1, task_size);
        t2 = calloc(1, task_size);
        secret = malloc(task_size);
        memset(secret, 0xa5, task_size);
        RUN(test_facts);
        RUN(test_current_task);
        RUN(test_chase);
        RUN(test_probe_in_calls);
        RUN(test_iter);
        RUN(test_kernel_object_edges);
        RUN(test_crafted_pointer);
        RUN(test_runtime_memory);
        RUN(test_mixed_load);
        free(t1);
        free(t2);
        free(secret);
    }
    bpfrt_btf_put(vmlinux);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
