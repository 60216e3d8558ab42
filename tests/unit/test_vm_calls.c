/* Interpreter control: bpf-to-bpf calls and frames, the frame limit, the
 * instruction budget, may_goto, helper calls and their argument checks,
 * callx, callbacks, tail calls, the trace hook and program creation errors. */
#include "test_vm_util.h"

/* ---- test helpers (ids far from Linux's) ---- */
enum { H_SUM = 9001, H_FILL, H_CTX, H_MAP, H_ALLOC, H_CB, H_TAIL, H_ABORT, H_WORK };

static uint64_t h_sum(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    const uint8_t *p = (const uint8_t *)(uintptr_t)r1;
    uint64_t s = 0;
    for (uint64_t i = 0; i < r2; i++)
        s += p[i];
    return s;
}

static uint64_t h_fill(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    if (r2)
        memset((void *)(uintptr_t)r1, (int)r3, r2);
    return r2;
}

static uint64_t h_ctx(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    return 77;
}

static uint8_t alloc_buf[32];
static uint64_t h_alloc(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    return r1 <= sizeof(alloc_buf) && r1 ? (uint64_t)(uintptr_t)alloc_buf : 0;
}

/* Calls the callback r1 three times with r2, r2+1, r2+2 and sums r0. */
static uint64_t h_cb(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    uint64_t sum = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t ret;
        if (bpfrt_run_callback(run, r1, r2 + (uint64_t)i, 0, 0, 0, 0, &ret) != 0)
            return 0;
        sum += ret;
    }
    return sum;
}

static struct bpfrt_prog *tail_target;
static uint64_t h_tail(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    run->tail_call_target = tail_target;
    return 0;
}

static uint64_t h_abort(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    bpfrt_run_fail(run, BPFRT_RUN_ABORTED, 0, "helper gave up");
    return 0;
}

/* Work of r1 budget units, charged as a costly helper charges it. */
static uint64_t h_work(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    return bpfrt_run_charge(run, r1) ? 0 : 1;
}

static void register_helpers(void)
{
    static const struct bpfrt_helper_proto protos[] = {
        { .id = H_SUM, .name = "test_sum", .fn = h_sum, .ret_type = RET_INTEGER,
          .arg_type = { ARG_PTR_TO_MEM, ARG_CONST_SIZE }, .arg_rdonly = 1, /* only reads */
          .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_FILL, .name = "test_fill", .fn = h_fill, .ret_type = RET_INTEGER,
          .arg_type = { ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING },
          .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_CTX, .name = "test_ctx", .fn = h_ctx, .ret_type = RET_INTEGER,
          .arg_type = { ARG_PTR_TO_CTX }, .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_MAP, .name = "test_map", .fn = h_ctx, .ret_type = RET_INTEGER,
          .arg_type = { ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY }, .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_ALLOC, .name = "test_alloc", .fn = h_alloc, .ret_type = RET_PTR_TO_MEM_OR_NULL,
          .arg_type = { ARG_CONST_ALLOC_SIZE_OR_ZERO }, .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_CB, .name = "test_cb", .fn = h_cb, .ret_type = RET_INTEGER,
          .arg_type = { ARG_PTR_TO_FUNC, ARG_ANYTHING }, .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_TAIL, .name = "test_tail", .fn = h_tail, .ret_type = RET_INTEGER,
          .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_ABORT, .name = "test_abort", .fn = h_abort, .ret_type = RET_INTEGER,
          .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_WORK, .name = "test_work", .fn = h_work, .ret_type = RET_INTEGER,
          .arg_type = { ARG_ANYTHING }, .prog_types = BPFRT_ALL_PROG_TYPES },
    };
    for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
        CHECK_EQ(bpfrt_helper_register(vt_rt, &protos[i]), 0);
}

/* ---- calls and frames ---- */

static void test_local_calls(void)
{
    /* r6-r9 survive the call, r0 carries the result: 6+7+8+9 + 100*1 */
    EXPECT_R0(130, MOV64_IMM(6, 6), MOV64_IMM(7, 7), MOV64_IMM(8, 8), MOV64_IMM(9, 9), CALL_LOCAL(8),
              MOV64_REG(1, 0), ALU64_IMM(BPF_MUL, 1, 100), ALU64_REG(BPF_ADD, 1, 6), ALU64_REG(BPF_ADD, 1, 7),
              ALU64_REG(BPF_ADD, 1, 8), ALU64_REG(BPF_ADD, 1, 9), MOV64_REG(0, 1), EXIT(),
              /* f: */ MOV64_IMM(6, 0), MOV64_IMM(7, 0), MOV64_IMM(8, 0), MOV64_IMM(9, 0), MOV64_IMM(0, 1), EXIT());
    /* r1-r5 are the arguments */
    EXPECT_R0(15, MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3), MOV64_IMM(4, 4), MOV64_IMM(5, 5), CALL_LOCAL(1),
              EXIT(), MOV64_REG(0, 1), ALU64_REG(BPF_ADD, 0, 2), ALU64_REG(BPF_ADD, 0, 3), ALU64_REG(BPF_ADD, 0, 4),
              ALU64_REG(BPF_ADD, 0, 5), EXIT());
    /* each frame has its own 512-byte stack below its r10 */
    EXPECT_R0(512, ST(BPF_DW, 10, -8, 0x11), CALL_LOCAL(6), LDX(BPF_DW, 1, 10, -8), JMP_IMM(BPF_JNE, 1, 0x11, 3),
              MOV64_REG(1, 10), ALU64_REG(BPF_SUB, 1, 0), MOV64_REG(0, 1), EXIT(),
              /* f: */ ST(BPF_DW, 10, -8, 0x22), MOV64_REG(0, 10), EXIT());
    /* a callee reads its caller's stack through a pointer */
    EXPECT_R0(5, ST(BPF_DW, 10, -8, 5), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), CALL_LOCAL(1), EXIT(),
              LDX(BPF_DW, 0, 1, 0), EXIT());
    /* ... but not below its own frame (that is the callee's callee's space) */
    const struct bpf_insn deep[] = { CALL_LOCAL(1), EXIT(), LDX(BPF_DW, 0, 10, -520), EXIT() };
    struct vt_result r = vt_run(deep, 4, NULL, 0);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_EQ(r.error_insn, 2);
}

/* f(n) = n == 0 ? 0 : f(n - 1) + 1, called from main with r1 = n */
#define RECURSE_PROG(n) \
    MOV64_IMM(1, n), CALL_LOCAL(1), EXIT(), \
    JMP_IMM(BPF_JNE, 1, 0, 2), MOV64_IMM(0, 0), EXIT(), \
    ALU64_IMM(BPF_SUB, 1, 1), CALL_LOCAL(-5), ALU64_IMM(BPF_ADD, 0, 1), EXIT()

/* Main falls through into its function, whose first instruction adds to
 * the register main's last one copied (no copy and addition merged across a
 * function's entry): f(10) = 17, then 17 + 7. */
static void test_fall_into_function(void)
{
    EXPECT_R0(24, MOV64_IMM(1, 10), CALL_LOCAL(1), MOV64_REG(1, 0), ALU64_IMM(BPF_ADD, 1, 7), MOV64_REG(0, 1),
              EXIT());
}

static void test_frame_limit(void)
{
    /* main + 7 nested calls = 8 frames: allowed */
    EXPECT_R0(6, RECURSE_PROG(6));
    /* a ninth frame is refused */
    const struct bpf_insn nine[] = { RECURSE_PROG(7) };
    struct vt_result r = vt_run(nine, sizeof(nine) / sizeof(nine[0]), NULL, 0);
    CHECK_EQ(r.rc, -BPFRT_E2BIG);
    CHECK_EQ(r.error, BPFRT_RUN_CALL_DEPTH);
    CHECK_EQ(r.error_insn, 7);
    CHECK_STR(r.msg, "the call stack of 9 frames is too deep at insn 7 (at most 8)");
    /* unbounded recursion ends the same way */
    const struct bpf_insn inf[] = { CALL_LOCAL(-1), EXIT() };
    CHECK_EQ(vt_run(inf, 2, NULL, 0).error, BPFRT_RUN_CALL_DEPTH);
}

static void test_budget(void)
{
    /* ja -1 forever */
    const struct bpf_insn spin[] = { JA(-1), EXIT() };
    vt_budget = 1000;
    struct vt_result r = vt_run(spin, 2, NULL, 0);
    CHECK_EQ(r.rc, -BPFRT_ELOOP);
    CHECK_EQ(r.error, BPFRT_RUN_BUDGET);
    CHECK_EQ(r.error_insn, 0);
    CHECK_STR(r.msg, "instruction budget exhausted at insn 0");
    /* a 10-iteration loop of 3 instructions takes 9 backward jumps, each
     * charged with the 3 instructions it spans: 27 fits, 26 does not */
    const struct bpf_insn loop[] = { MOV64_IMM(0, 0), MOV64_IMM(1, 10), ALU64_REG(BPF_ADD, 0, 1),
                                     ALU64_IMM(BPF_SUB, 1, 1), JMP_IMM(BPF_JNE, 1, 0, -3), EXIT() };
    vt_budget = 27;
    r = vt_run(loop, 6, NULL, 0);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 55);
    vt_budget = 26;
    r = vt_run(loop, 6, NULL, 0);
    CHECK_EQ(r.error, BPFRT_RUN_BUDGET);
    CHECK_EQ(r.error_insn, 4);
    vt_budget = 0;
}

/* Instructions and helper work draw from one budget. Each iteration stores
 * its number, then costs 10 units: 5 of helper work and 5 of instructions
 * (test_work: the backward jump spans insns 2-6), or 4 of helper work (the
 * checked-mode charge for test_sum's 64-byte memory argument, 16 bytes a
 * unit) and 6 of instructions (insns 2-7). Budget 1000: 100 iterations use
 * it up exactly; the 101st stores 101 and its helper work finds too little
 * left. With 5 units more, that work fits and the jump does not. (With one
 * budget for each, the runs went on to iterations 200 and 167.) */
static void test_budget_shared(void)
{
    const struct bpf_insn work[] = { MOV64_REG(7, 1), MOV64_IMM(6, 0), ALU64_IMM(BPF_ADD, 6, 1),
                                     STX(BPF_DW, 7, 6, 0), MOV64_IMM(1, 5), CALL_HELPER(H_WORK),
                                     JA(-5), EXIT() };
    const struct bpf_insn arg[] = { MOV64_REG(7, 1), MOV64_IMM(6, 0), ALU64_IMM(BPF_ADD, 6, 1),
                                    STX(BPF_DW, 7, 6, 0), MOV64_REG(1, 7), MOV64_IMM(2, 64),
                                    CALL_HELPER(H_SUM), JA(-6), EXIT() };
    const struct { const struct bpf_insn *p; uint32_t n; uint32_t call; } progs[] = {
        { work, 8, 5 },
        { arg, 9, 6 },
    };
    for (unsigned i = 0; i < 2; i++) {
        uint64_t mem[10] = { 0 };
        vt_budget = 1000;
        struct vt_result r = vt_run(progs[i].p, progs[i].n, mem, sizeof(mem));
        CHECK_EQ(r.rc, -BPFRT_ELOOP);
        CHECK_EQ(r.error, BPFRT_RUN_BUDGET);
        CHECK_EQ(r.error_insn, progs[i].call);
        CHECK_STR(r.msg, "instruction budget exhausted (helper work)");
        CHECK_EQ(mem[0], 101);
        memset(mem, 0, sizeof(mem));
        vt_budget = 1005;
        r = vt_run(progs[i].p, progs[i].n, mem, sizeof(mem));
        CHECK_EQ(r.error, BPFRT_RUN_BUDGET);
        CHECK_EQ(r.error_insn, progs[i].n - 2);
        CHECK_EQ(mem[0], 101);
    }
    vt_budget = 0;
}

static void test_may_goto(void)
{
    /* L: may_goto +2; r0 += 1; ja L; exit -- runs until the frame's counter
     * (Linux's BPF_MAX_LOOPS = 8M) is used up */
    EXPECT_R0(8u * 1024 * 1024, MOV64_IMM(0, 0), MAY_GOTO(2), ALU64_IMM(BPF_ADD, 0, 1), JA(-3), EXIT());
    /* each call gets a fresh counter: the same loop in a subprogram, twice */
    EXPECT_R0(2u * 8 * 1024 * 1024, CALL_LOCAL(4), MOV64_REG(6, 0), CALL_LOCAL(2), ALU64_REG(BPF_ADD, 0, 6), EXIT(),
              MOV64_IMM(0, 0), MAY_GOTO(2), ALU64_IMM(BPF_ADD, 0, 1), JA(-3), EXIT());
}

/* ---- helpers ---- */

static void test_helper_calls(void)
{
    uint8_t mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    const struct bpf_insn sum[] = { MOV64_IMM(2, 8), CALL_HELPER(H_SUM), EXIT() };
    struct vt_result r = vt_run(sum, 3, mem, 8);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 36);
    /* a size beyond the memory */
    const struct bpf_insn big[] = { MOV64_IMM(2, 9), CALL_HELPER(H_SUM), EXIT() };
    r = vt_run(big, 3, mem, 8);
    CHECK_EQ(r.rc, -BPFRT_EINVAL);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_EQ(r.error_insn, 1);
    CHECK_CONTAINS(r.msg, "invalid helper argument at insn 1: test_sum#9001 R1 9 readable bytes at 0x");
    /* ARG_CONST_SIZE must not be zero */
    const struct bpf_insn zero[] = { MOV64_IMM(2, 0), CALL_HELPER(H_SUM), EXIT() };
    CHECK_EQ(vt_run(zero, 3, mem, 8).error, BPFRT_RUN_BAD_HELPER_ARG);
    /* stack memory works */
    const struct bpf_insn stk[] = { ST(BPF_DW, 10, -8, 0x0101), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8),
                                    MOV64_IMM(2, 8), CALL_HELPER(H_SUM), EXIT() };
    CHECK_EQ(vt_run(stk, 6, NULL, 0).r0, 2);
    /* uninit memory must be writable; zero size is allowed for OR_ZERO */
    const struct bpf_insn fill[] = { MOV64_REG(6, 1), MOV64_IMM(2, 4), MOV64_IMM(3, 9), CALL_HELPER(H_FILL),
                                     LDX(BPF_W, 0, 6, 0), EXIT() };
    CHECK_EQ(vt_run(fill, 6, mem, 8).r0, 0x09090909);
    const struct bpf_insn fill0[] = { MOV64_IMM(1, 0), MOV64_IMM(2, 0), CALL_HELPER(H_FILL), EXIT() };
    r = vt_run(fill0, 4, NULL, 0);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 0);
    const struct bpf_insn fill_oob[] = { ALU64_IMM(BPF_ADD, 1, 6), MOV64_IMM(2, 4), CALL_HELPER(H_FILL), EXIT() };
    r = vt_run(fill_oob, 4, mem, 8);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "4 writable bytes");
    /* ARG_PTR_TO_CTX must be the context itself */
    const struct bpf_insn ctx_ok[] = { CALL_HELPER(H_CTX), EXIT() };
    CHECK_EQ(vt_run(ctx_ok, 2, mem, 8).r0, 77);
    const struct bpf_insn ctx_bad[] = { ALU64_IMM(BPF_ADD, 1, 1), CALL_HELPER(H_CTX), EXIT() };
    r = vt_run(ctx_bad, 3, mem, 8);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "R1 is not the program's context");
    /* ARG_CONST_MAP_PTR must be a map the program references */
    const struct bpf_insn fake_map[] = { MOV64_REG(1, 10), MOV64_REG(2, 10), CALL_HELPER(H_MAP), EXIT() };
    r = vt_run(fake_map, 4, NULL, 0);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "is not a map this program references");
    /* returned memory becomes accessible, for exactly its size */
    const struct bpf_insn alloc[] = { MOV64_IMM(1, 32), CALL_HELPER(H_ALLOC), JMP_IMM(BPF_JEQ, 0, 0, 3),
                                      ST(BPF_B, 0, 31, 0x5a), LDX(BPF_B, 0, 0, 31), EXIT(), EXIT() };
    r = vt_run(alloc, 7, NULL, 0);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 0x5a);
    const struct bpf_insn alloc_oob[] = { MOV64_IMM(1, 16), CALL_HELPER(H_ALLOC), LDX(BPF_B, 0, 0, 16), EXIT() };
    CHECK_EQ(vt_run(alloc_oob, 4, NULL, 0).error, BPFRT_RUN_BAD_ACCESS);
    /* callx: the register holds a helper id (mem as at the start again) */
    for (int i = 0; i < 8; i++)
        mem[i] = (uint8_t)(i + 1);
    const struct bpf_insn cx[] = { MOV64_IMM(2, 8), MOV64_IMM(3, H_SUM), CALLX(3), EXIT() };
    CHECK_EQ(vt_run(cx, 4, mem, 8).r0, 36);
    const struct bpf_insn cx_bad[] = { MOV64_IMM(3, 77777), CALLX(3), EXIT() };
    r = vt_run(cx_bad, 3, NULL, 0);
    CHECK_EQ(r.error, BPFRT_RUN_UNKNOWN_HELPER);
    CHECK_STR(r.msg, "unknown helper 77777 at insn 1");
    /* a call to an id nobody registered */
    const struct bpf_insn unk[] = { CALL_HELPER(88888), EXIT() };
    CHECK_EQ(vt_run(unk, 2, NULL, 0).error, BPFRT_RUN_UNKNOWN_HELPER);
    /* a helper stops the run */
    const struct bpf_insn ab[] = { MOV64_IMM(0, 1), CALL_HELPER(H_ABORT), MOV64_IMM(0, 2), EXIT() };
    r = vt_run(ab, 4, NULL, 0);
    CHECK_EQ(r.error, BPFRT_RUN_ABORTED);
    CHECK_EQ(r.error_insn, 1);
    CHECK_STR(r.msg, "helper gave up");
    CHECK(r.rc < 0);
}

static void test_callbacks(void)
{
    /* r6 = 1; r1 = &cb; r2 = 5; call test_cb; r0 += r6; exit
     * cb: r6 = 77; r0 = r1 * 2; exit   -> 2 * (5 + 6 + 7) + 1 */
    EXPECT_R0(37, MOV64_IMM(6, 1), LD_IMM64_RAW(1, BPF_PSEUDO_FUNC, 5), MOV64_IMM(2, 5), CALL_HELPER(H_CB),
              ALU64_REG(BPF_ADD, 0, 6), EXIT(),
              /* cb (insn 7): */ MOV64_IMM(6, 77), MOV64_REG(0, 1), ALU64_IMM(BPF_MUL, 0, 2), EXIT());
    /* a callback may call subprograms and use its own stack */
    EXPECT_R0(2 * (5 + 6 + 7) + 3, LD_IMM64_RAW(1, BPF_PSEUDO_FUNC, 4), MOV64_IMM(2, 5), CALL_HELPER(H_CB), EXIT(),
              /* cb (insn 5): */ STX(BPF_DW, 10, 1, -8), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), CALL_LOCAL(3),
              ALU64_REG(BPF_ADD, 0, 0), ALU64_IMM(BPF_ADD, 0, 1), EXIT(),
              /* g (insn 12): */ LDX(BPF_DW, 0, 1, 0), EXIT());
    /* not a function of the program: refused before the helper runs */
    const struct bpf_insn bad[] = { MOV64_IMM(1, 1234), CALL_HELPER(H_CB), EXIT() };
    struct vt_result r = vt_run(bad, 3, NULL, 0);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "is not a function of this program");
    /* unchecked mode: bpfrt_run_callback itself refuses and stops the run */
    r = vt_run_mode(bad, 3, NULL, 0, true);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "invalid callback function 0x4d2");
    /* outside a run there is nothing to call back into */
    struct bpfrt_run idle;
    memset(&idle, 0, sizeof(idle));
    uint64_t ret = 1;
    CHECK_EQ(bpfrt_run_callback(&idle, 0, 0, 0, 0, 0, 0, &ret), -BPFRT_EINVAL);
    CHECK_EQ(ret, 0);
}

static void test_tail_calls(void)
{
    /* target: r0 = ctx[0] + 100 -- starts with r1 = ctx */
    const struct bpf_insn target[] = { LDX(BPF_B, 0, 1, 0), ALU64_IMM(BPF_ADD, 0, 100), EXIT() };
    char msg[128];
    CHECK_EQ(bpfrt_prog_create(vt_rt, target, 3, BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &tail_target), 0);
    vt_prepare(tail_target);
    uint8_t mem[4] = { 7, 0, 0, 0 };
    /* from the entry frame: the target replaces the program */
    const struct bpf_insn entry[] = { MOV64_IMM(1, 0), CALL_HELPER(H_TAIL), MOV64_IMM(0, 1), EXIT() };
    struct vt_result r = vt_run(entry, 4, mem, 4);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 107);
    /* verified caller, unverified target: restarted in a checked run */
    r = vt_run_mode(entry, 4, mem, 4, true);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 107);
    /* from a subprogram: the target replaces that frame and returns to its caller */
    const struct bpf_insn sub[] = { CALL_LOCAL(2), ALU64_IMM(BPF_ADD, 0, 1000), EXIT(),
                                    CALL_HELPER(H_TAIL), MOV64_IMM(0, 1), EXIT() };
    r = vt_run(sub, 6, mem, 4);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 1107);
    bpfrt_prog_put(tail_target);
    tail_target = NULL;
}

/* ---- trace ---- */

struct trace_log {
    int n;
    uint32_t pcs[16];
    uint64_t r0_after[16], r0_before[16];
};

static void trace_cb(void *arg, const struct bpfrt_run *run, uint32_t pc, const uint64_t *regs,
                     const uint64_t *before)
{
    struct trace_log *t = arg;
    if (t->n < 16) {
        t->pcs[t->n] = pc;
        t->r0_after[t->n] = regs[0];
        t->r0_before[t->n] = before[0];
    }
    t->n++;
}

static void test_trace(void)
{
    struct trace_log t;
    memset(&t, 0, sizeof(t));
    vt_trace = trace_cb;
    vt_trace_arg = &t;
    const struct bpf_insn p[] = { MOV64_IMM(0, 5), JA(1), MOV64_IMM(0, 6), ALU64_IMM(BPF_ADD, 0, 2), EXIT() };
    struct vt_result r = vt_run(p, 5, NULL, 0);
    CHECK_EQ(r.r0, 7);
    CHECK_EQ(t.n, 4);
    CHECK_EQ(t.pcs[0], 0);
    CHECK_EQ(t.pcs[1], 1);
    CHECK_EQ(t.pcs[2], 3);
    CHECK_EQ(t.pcs[3], 4);
    CHECK_EQ(t.r0_before[0], 0);
    CHECK_EQ(t.r0_after[0], 5);
    CHECK_EQ(t.r0_after[2], 7);
    /* the unchecked loop traces too */
    memset(&t, 0, sizeof(t));
    r = vt_run_mode(p, 5, NULL, 0, true);
    CHECK_EQ(r.r0, 7);
    CHECK_EQ(t.n, 4);
    vt_trace = NULL;
    vt_trace_arg = NULL;
}

/* ---- program creation ---- */

static void test_create_errors(void)
{
    struct bpfrt_prog *prog = (struct bpfrt_prog *)1;
    char msg[200];
    CHECK(bpfrt_prog_create(vt_rt, NULL, 0, 0, msg, sizeof(msg), &prog) < 0);
    CHECK(prog == NULL);
    CHECK(msg[0] != '\0');
    const struct bpf_insn bad_op[] = { INSN(0xff, 0, 0, 0, 0), EXIT() };
    CHECK(bpfrt_prog_create(vt_rt, bad_op, 2, 0, msg, sizeof(msg), &prog) < 0);
    CHECK(msg[0] != '\0');
    const struct bpf_insn bad_jump[] = { JA(5), EXIT() };
    CHECK(bpfrt_prog_create(vt_rt, bad_jump, 2, 0, msg, sizeof(msg), &prog) < 0);
    const struct bpf_insn half_lddw[] = { INSN(BPF_LD | BPF_DW | BPF_IMM, 0, 0, 0, 1) };
    CHECK(bpfrt_prog_create(vt_rt, half_lddw, 1, 0, msg, sizeof(msg), &prog) < 0);
    const struct bpf_insn kfunc[] = { INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 1), EXIT() };
    CHECK(bpfrt_prog_create(vt_rt, kfunc, 2, 0, msg, sizeof(msg), &prog) < 0);
    CHECK(msg[0] != '\0');
    /* no exit at the end: refused at load, or stopped at run time -- never a crash */
    const struct bpf_insn no_exit[] = { MOV64_IMM(0, 1) };
    struct vt_result r = vt_run(no_exit, 1, NULL, 0);
    CHECK(r.create_rc < 0 || r.error == BPFRT_RUN_BAD_INSN);
    /* a good program: one reference, id assigned */
    const struct bpf_insn ok[] = { MOV64_IMM(0, 1), EXIT() };
    CHECK_EQ(bpfrt_prog_create(vt_rt, ok, 2, BPF_PROG_TYPE_XDP, msg, sizeof(msg), &prog), 0);
    CHECK_EQ(prog->refcnt, 1);
    CHECK(prog->id != 0);
    CHECK_EQ(prog->type, BPF_PROG_TYPE_XDP);
    CHECK(prog->engine_ops == &bpfrt_interp_ops);
    /* runs of unverified programs get the default budget, verified ones none */
    struct bpfrt_run run;
    memset(&run, 0, sizeof(run));
    bpfrt_run_begin(&run, prog);
    CHECK(run.checked);
    CHECK_EQ(run.insn_budget, 1ull << 30);
    bpfrt_run_end(&run);
    prog->verified = true;
    bpfrt_run_begin(&run, prog);
    CHECK(!run.checked);
    CHECK_EQ(run.insn_budget, 0);
    bpfrt_run_end(&run);
    bpfrt_prog_get(prog);
    CHECK_EQ(prog->refcnt, 2);
    bpfrt_prog_put(prog);
    bpfrt_prog_put(prog);
}

int main(void)
{
    vt_setup();
    register_helpers();
    RUN(test_local_calls);
    RUN(test_fall_into_function);
    RUN(test_frame_limit);
    RUN(test_budget);
    RUN(test_budget_shared);
    RUN(test_may_goto);
    RUN(test_helper_calls);
    RUN(test_callbacks);
    RUN(test_tail_calls);
    RUN(test_trace);
    RUN(test_create_errors);
    vt_teardown();
    return test_summary();
}
