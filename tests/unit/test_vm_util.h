/* Shared by the test_vm_*.c tests: instruction builders and a runner that
 * executes a program in checked mode and (optionally) again as a verified
 * program (unchecked loop), so every semantic test covers both loops.
 * Built with VT_JIT defined (tests/unit/test_jit_vm_*.c), the same tests
 * run JIT-compiled: checked and verified mode (with VT_JIT_BLIND, constant
 * blinding on); traced runs stay in the interpreter (tracing is an
 * interpreter feature). */
#ifndef BPFRT_TEST_VM_UTIL_H
#define BPFRT_TEST_VM_UTIL_H

#include "bpfrt/asm.h"
#include "bpfrt/errno.h"
#include "bpfrt/jit.h"
#include "bpfrt/insn.h"
#include "bpfrt/map.h"
#include "bpfrt/platform.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"
#include "test.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_IMM(d, i)      INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s)      INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV32_IMM(d, i)      INSN(BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV32_REG(d, s)      INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOVSX64(d, s, bits)  INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, bits, 0)
#define MOVSX32(d, s, bits)  INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, bits, 0)
#define ALU64_IMM(op, d, i)  INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU64_REG(op, d, s)  INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define ALU32_IMM(op, d, i)  INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define ALU32_REG(op, d, s)  INSN(BPF_ALU | (op) | BPF_X, d, s, 0, 0)
#define SDIV64_IMM(d, i)     INSN(BPF_ALU64 | BPF_DIV | BPF_K, d, 0, 1, i)
#define SDIV64_REG(d, s)     INSN(BPF_ALU64 | BPF_DIV | BPF_X, d, s, 1, 0)
#define SMOD64_IMM(d, i)     INSN(BPF_ALU64 | BPF_MOD | BPF_K, d, 0, 1, i)
#define SMOD64_REG(d, s)     INSN(BPF_ALU64 | BPF_MOD | BPF_X, d, s, 1, 0)
#define SDIV32_IMM(d, i)     INSN(BPF_ALU | BPF_DIV | BPF_K, d, 0, 1, i)
#define SDIV32_REG(d, s)     INSN(BPF_ALU | BPF_DIV | BPF_X, d, s, 1, 0)
#define SMOD32_IMM(d, i)     INSN(BPF_ALU | BPF_MOD | BPF_K, d, 0, 1, i)
#define SMOD32_REG(d, s)     INSN(BPF_ALU | BPF_MOD | BPF_X, d, s, 1, 0)
#define NEG64(d)             INSN(BPF_ALU64 | BPF_NEG, d, 0, 0, 0)
#define NEG32(d)             INSN(BPF_ALU | BPF_NEG, d, 0, 0, 0)
#define END_LE(d, bits)      INSN(BPF_ALU | BPF_END | BPF_TO_LE, d, 0, 0, bits)
#define END_BE(d, bits)      INSN(BPF_ALU | BPF_END | BPF_TO_BE, d, 0, 0, bits)
#define BSWAP(d, bits)       INSN(BPF_ALU64 | BPF_END, d, 0, 0, bits)
#define LD_IMM64_RAW(d, src, v) \
    INSN(BPF_LD | BPF_DW | BPF_IMM, d, src, 0, (int32_t)(uint32_t)(uint64_t)(v)), \
    INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define LD_IMM64(d, v)       LD_IMM64_RAW(d, 0, v)
#define LDX(sz, d, s, o)     INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define LDXSX(sz, d, s, o)   INSN(BPF_LDX | BPF_MEMSX | (sz), d, s, o, 0)
#define ST(sz, d, o, i)      INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define STX(sz, d, s, o)     INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ATOMIC(sz, op, d, s, o) INSN(BPF_STX | BPF_ATOMIC | (sz), d, s, o, op)
#define LD_ABS(sz, i)        INSN(BPF_LD | BPF_ABS | (sz), 0, 0, 0, i)
#define LD_IND(sz, s, i)     INSN(BPF_LD | BPF_IND | (sz), 0, s, 0, i)
#define JA(o)                INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define JA32(i)              INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, i)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define JMP32_IMM(op, d, i, o) INSN(BPF_JMP32 | (op) | BPF_K, d, 0, o, i)
#define JMP32_REG(op, d, s, o) INSN(BPF_JMP32 | (op) | BPF_X, d, s, o, 0)
#define MAY_GOTO(o)          INSN(BPF_JMP | BPF_JCOND, 0, 0, o, 0)
#define CALL_HELPER(id)      INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define CALL_LOCAL(rel)      INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel)
#define CALLX(d)             INSN(BPF_JMP | BPF_CALL | BPF_X, d, 0, 0, 0)
#define EXIT()               INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static struct bpfrt_runtime *vt_rt;

struct vt_result {
    int create_rc;           /* bpfrt_prog_create */
    int rc;                  /* bpfrt_prog_run */
    uint64_t r0;
    enum bpfrt_run_error error;
    uint32_t error_insn;
    uint64_t error_addr;
    char msg[256];
};

/* Hooks a test can set before vt_run (reset after each run). */
static const struct bpfrt_ctx_desc *vt_ctx_desc;
static struct bpfrt_pkt *vt_pkt;
static uint64_t vt_budget;   /* 0: bpfrt_run_begin's default */
static void (*vt_trace)(void *, const struct bpfrt_run *, uint32_t, const uint64_t *, const uint64_t *);
static void *vt_trace_arg;
/* Maps the program holds a reference on (what ld_imm64 map fds would give it). */
static struct bpfrt_map **vt_maps;
static uint32_t vt_nr_maps;

/* Moves a created program to the engine under test (VT_JIT builds). */
static inline void vt_prepare(struct bpfrt_prog *prog)
{
#ifdef VT_JIT
    bool jitted = false;
    char msg[128];
    if (!vt_trace && (bpfrt_prog_use_jit(prog, BPFRT_ENGINE_JIT, &jitted, msg, sizeof(msg)) || !jitted)) {
        fprintf(stderr, "not JIT-compiled: %s\n", msg);
        exit(1);
    }
#else
    (void)prog;
#endif
}

/* Creates the program and runs it once on mem (r1 = mem, r2 = len). */
static inline struct vt_result vt_run_mode(const struct bpf_insn *insns, uint32_t n, void *mem, size_t len,
                                    bool verified)
{
    struct vt_result res;
    memset(&res, 0, sizeof(res));
    struct bpfrt_prog *prog = NULL;
    res.create_rc = bpfrt_prog_create(vt_rt, insns, n, BPF_PROG_TYPE_UNSPEC, res.msg, sizeof(res.msg), &prog);
    if (res.create_rc)
        return res;
    prog->verified = verified;
    if (vt_nr_maps) {
        const struct bpfrt_platform *plat = bpfrt_runtime_platform(vt_rt);
        prog->maps = plat->alloc(plat->ctx, vt_nr_maps * sizeof(*prog->maps), 16);
        for (uint32_t i = 0; i < vt_nr_maps; i++) {
            bpfrt_map_get(vt_maps[i]);
            prog->maps[i] = vt_maps[i];
        }
        prog->nr_maps = vt_nr_maps;
    }
    vt_prepare(prog);
    struct bpfrt_run *run = calloc(1, sizeof(*run));
    run->ctx = mem;
    run->ctx_size = (uint32_t)len;
    run->ctx_desc = vt_ctx_desc;
    run->pkt = vt_pkt;
    run->trace = vt_trace;
    run->trace_arg = vt_trace_arg;
    bpfrt_run_begin(run, prog);
    if (vt_budget)
        run->insn_budget = vt_budget;
    res.rc = bpfrt_prog_run(prog, run, (uint64_t)(uintptr_t)mem, len, &res.r0);
    res.error = run->error;
    res.error_insn = run->error_insn;
    res.error_addr = run->error_addr;
    snprintf(res.msg, sizeof(res.msg), "%s", run->error_msg);
    bpfrt_run_end(run);
    free(run);
    bpfrt_prog_put(prog);
    return res;
}

static inline struct vt_result vt_run(const struct bpf_insn *insns, uint32_t n, void *mem, size_t len)
{
    return vt_run_mode(insns, n, mem, len, false);
}

/* Runs checked and unchecked; both must succeed with r0 == want. */
#define EXPECT_R0(want, ...) do { \
    const struct bpf_insn p_[] = { __VA_ARGS__ }; \
    uint32_t n_ = sizeof(p_) / sizeof(p_[0]); \
    struct vt_result c_ = vt_run_mode(p_, n_, NULL, 0, false); \
    struct vt_result u_ = vt_run_mode(p_, n_, NULL, 0, true); \
    if (c_.create_rc || c_.rc) fprintf(stderr, "  (%s: create %d run %d: %s)\n", #want, c_.create_rc, c_.rc, c_.msg); \
    CHECK_EQ(c_.create_rc, 0); \
    CHECK_EQ(c_.rc, 0); \
    CHECK_EQ(c_.r0, (uint64_t)(want)); \
    CHECK_EQ(u_.rc, 0); \
    CHECK_EQ(u_.r0, (uint64_t)(want)); \
} while (0)

static inline void vt_setup(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &vt_rt) != 0) {
        fprintf(stderr, "cannot create runtime\n");
        exit(1);
    }
#ifdef VT_JIT_BLIND
    bpfrt_runtime_set_jit_blinding(vt_rt, true);
#endif
}

static inline void vt_teardown(void)
{
    bpfrt_runtime_destroy(vt_rt);
}

#endif
