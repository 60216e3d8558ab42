/* Emitters for loads, stores, atomics, load-acquire and store-release
 * (Linux: the BPF_LDX/BPF_ST/BPF_STX cases of do_jit and emit_atomic).
 *
 * Checked mode tests every access inline, as the interpreter's checked loop
 * does (interp_loop.inc, CHECK_LOAD/STORE/RMW), against the region the last
 * load or store hit and the stack of the current frame and its callers
 * (in that order: the caches start at the entry frame's stack, so one test
 * serves a loop over the input or over the stack); anything else goes to
 * the interpreter's own slow path
 * (check.c) through bpfrt_jit_slow_access, which also reads context fields
 * through the context description. Accesses to [r10 + off] inside the
 * frame are in range by construction and get no test.
 *
 * Verified mode has no checks, except on the loads the verifier marked as
 * probes (BPFRT_FACT_PROBE_LOAD: through a BTF-typed kernel pointer, whose
 * address is whatever a kernel object held). Linux emits those as plain
 * loads with an exception-table entry that makes a fault read 0; bpfrt
 * cannot catch a fault, so a probe gets checked mode's inline test and
 * slow path, whose probe outcome reads only where the run may (check.c's
 * bpfrt_interp_probe_load) and yields 0 elsewhere - never a stop, as
 * Linux's never faults.
 *
 * On x86 plain loads are acquire and plain stores release, so
 * load-acquire/store-release are ordinary moves. Atomics use lock-prefixed
 * instructions; an unaligned atomic (unverified programs only) becomes a
 * plain read-modify-write, as in the interpreter, because a locked access
 * across cache lines is a split lock. */
#include "core/jit/jit.h"

static inline unsigned size_idx(unsigned size)
{
    return (unsigned)__builtin_ctz(size);
}

/* [r10 + off, + size) lies inside the current frame whatever r10 is. */
static bool frame_local(uint8_t reg, int16_t off, unsigned size)
{
    return reg == BPF_REG_10 && off >= -BPFRT_STACK_SIZE && off + (int)size <= 0;
}

/* The inline test of a checked access after its address is in r11: the
 * region the last load (or store) hit first - its home is the entry
 * frame's stack, so that also catches most stack accesses - then the
 * current frame's stack; out of both, a call to the access stub, followed
 * by the nop that describes the access (jit.h, JIT_ACCESS_NOP). Its bytes
 * depend only on the cache and the size (the nop's info is patched in),
 * so they are built once per process and copied (jit_once_*). */
#define CHECK_TMPL_MAX 48
static struct check_tmpl {
    uint8_t len;
    uint8_t code[CHECK_TMPL_MAX];
} check_tmpl[2][4];
static int check_tmpl_state[2][4];

/* Tests lo <= r11 <= hi, hi being the last address an access of its size
 * may start at: a jump when r11 is below lo and one when it is in range,
 * whose rel8 bytes end at *out and *in for the caller to patch; above hi
 * it falls through. */
static void range_test(struct x86 *x, int32_t lo, int32_t hi, uint32_t *out, uint32_t *in)
{
    bpfrt_x86_alu_rm(x, X86_CMP, 8, JIT_T2, JIT_EX, lo);
    bpfrt_x86_jcc_rel8(x, X86_CC_B, 0);
    *out = x->len;
    bpfrt_x86_alu_rm(x, X86_CMP, 8, JIT_T2, JIT_EX, hi);
    bpfrt_x86_jcc_rel8(x, X86_CC_BE, 0);
    *in = x->len;
}

static void emit_check_test(struct x86 *x, bool load, unsigned si)
{
    /* the cache, then the stack ([stk_lo, top - size], of which a call
     * moves only stk_lo): two compares each, against words in the run */
    uint32_t miss, hit, out, in;
    range_test(x, load ? JIT_OFF(rd_lo) : JIT_OFF(wr_lo), load ? JIT_OFF(rd_hi[si]) : JIT_OFF(wr_hi[si]), &miss, &hit);
    x->code[miss - 1] = (uint8_t)(x->len - miss);
    range_test(x, JIT_OFF(stk_lo), JIT_OFF(stk_hi[si]), &out, &in);
    x->code[out - 1] = (uint8_t)(x->len - out);
    bpfrt_x86_call_rel32(x, 0);
    bpfrt_x86_nop(x, JIT_ACCESS_NOP);
    /* everything between is fixed-size */
    x->code[hit - 1] = (uint8_t)(x->len - hit);
    x->code[in - 1] = (uint8_t)(x->len - in);
}

static void check_test(struct x86 *x, bool load, unsigned si)
{
    struct check_tmpl *t = &check_tmpl[load][si];
    int *state = &check_tmpl_state[load][si];
    if (jit_once_ready(state)) {
        bpfrt_memcpy(x->code + x->len, t->code, CHECK_TMPL_MAX);
        x->len += t->len;
        return;
    }
    uint32_t from = x->len;
    emit_check_test(x, load, si);
    if (x->len - from <= CHECK_TMPL_MAX && jit_once_claim(state)) {
        t->len = (uint8_t)(x->len - from);
        bpfrt_memcpy(t->code, x->code + from, t->len);
        jit_once_publish(state);
    }
}

/* Checked mode, and verified mode's probes: leaves the address in r11
 * after testing it; what follows is the access itself (for a load:
 * bpfrt_x86_load(size, sign, dst, r11, 0), which the stub's C side skips
 * when it produced the value). `dst` is a load's eBPF destination. */
static void check_access(struct jit_ctx *c, int base, int16_t off, unsigned size, enum jit_access_kind kind,
                         uint8_t dst, bool sign)
{
    struct x86 *x = &c->hot;
    unsigned si = size_idx(size);
    bool load = kind != JIT_ACC_STORE && kind != JIT_ACC_RMW;
    if (off == 0)
        bpfrt_x86_mov_rr(x, 8, JIT_T2, base);
    else
        bpfrt_x86_lea(x, JIT_T2, base, off);
    check_test(x, load, si);
    uint32_t info = JIT_ACCESS_INFO(kind, sign, si, dst, c->pc);
    bpfrt_memcpy(x->code + x->len - 4, &info, 4);
    uint32_t end = x->len;
    x->len -= JIT_ACCESS_NOP; /* (the call's end, for its record) */
    jit_record(c, x, JIT_EV_CALL, JIT_STUB_ACCESS);
    x->len = end;
}

/* A probe load: checked mode's test and slow path, where the probe kind
 * gives the value (sign-extended there, 0 where the run may not read). In
 * verified code the cache the test reads first holds the kernel object
 * the last probe found (jit_runtime.c), so a program reading fields of its
 * task stays inline; it starts as the entry frame's stack. */
static void probe_load(struct jit_ctx *c, int base, int16_t off, unsigned size, bool sign, uint8_t dst)
{
    check_access(c, base, off, size, sign ? JIT_ACC_PROBE_SX : JIT_ACC_PROBE, dst, false);
    bpfrt_x86_load(&c->hot, size, sign, R(dst), JIT_T2, 0);
}

bool bpfrt_jit_needs_access_stub(const struct jit_ctx *c)
{
    if (c->mode == JIT_CHECKED)
        return true;
    for (uint32_t pc = 0; c->facts && pc < c->len; pc++)
        if (c->facts->flags[pc] & BPFRT_FACT_PROBE_LOAD)
            return true;
    return false;
}

/* LDX and load-acquire (an x86 load is acquire), inlined into one emitter
 * per op with its size and signedness constant. */
JIT_INLINE void emit_ldx(struct jit_ctx *c, const struct interp_slot *d, unsigned size, bool sign)
{
    int base = R(d->src);
    int32_t off = d->off;
    if (jit_fact(c, BPFRT_FACT_PROBE_LOAD)) {
        probe_load(c, base, d->off, size, sign, d->dst);
        return;
    }
    if (c->mode == JIT_CHECKED && !frame_local(d->src, d->off, size)) {
        check_access(c, base, d->off, size, JIT_ACC_LOAD, d->dst, sign);
        base = JIT_T2;
        off = 0;
    }
    bpfrt_x86_load(&c->hot, size, sign, R(d->dst), base, off);
}

/* ST (imm: `imm`), STX and STREL, inlined as emit_ldx. */
JIT_INLINE void emit_st(struct jit_ctx *c, const struct interp_slot *d, unsigned size, bool imm)
{
    struct x86 *x = &c->hot;
    int base = R(d->dst);
    int32_t off = d->off;
    if (c->mode == JIT_CHECKED && !frame_local(d->dst, d->off, size)) {
        check_access(c, base, d->off, size, JIT_ACC_STORE, 0, false);
        base = JIT_T2;
        off = 0;
    }
    if (!imm) {
        bpfrt_x86_store(x, size, base, off, R(d->src));
    } else if (jit_blinding(c)) {
        bpfrt_jit_load_blinded(c, x, JIT_T1, d->imm);
        bpfrt_x86_store(x, size, base, off, JIT_T1);
    } else {
        bpfrt_x86_store_imm(x, size, base, off, jit_imm32(d));
    }
}

/* One emitter per load and store op, and the op table's rows. */
#define MEM_EMITTER(OP, SZ, FN, FLAG) JIT_OP_EMITTER(OP##_##SZ, FN(c, d, MEM_SIZE_##SZ, FLAG))
#define MEM_ROW(OP, SZ, FN, FLAG) [BPFRT_OP_##OP##_##SZ] = emit_##OP##_##SZ,
#define MEM_SIZE_B 1
#define MEM_SIZE_H 2
#define MEM_SIZE_W 4
#define MEM_SIZE_DW 8
#define MEM_OPS(X)                                                                                \
    X(LDX, B, emit_ldx, false) X(LDX, H, emit_ldx, false) X(LDX, W, emit_ldx, false)              \
    X(LDX, DW, emit_ldx, false) X(LDXSX, B, emit_ldx, true) X(LDXSX, H, emit_ldx, true)          \
    X(LDXSX, W, emit_ldx, true) X(LDACQ, B, emit_ldx, false) X(LDACQ, H, emit_ldx, false)         \
    X(LDACQ, W, emit_ldx, false) X(LDACQ, DW, emit_ldx, false) X(ST, B, emit_st, true)            \
    X(ST, H, emit_st, true) X(ST, W, emit_st, true) X(ST, DW, emit_st, true)                      \
    X(STX, B, emit_st, false) X(STX, H, emit_st, false) X(STX, W, emit_st, false)                 \
    X(STX, DW, emit_st, false) X(STREL, B, emit_st, false) X(STREL, H, emit_st, false)            \
    X(STREL, W, emit_st, false) X(STREL, DW, emit_st, false)

MEM_OPS(MEM_EMITTER)

static const jit_emit_fn mem_emitters[BPFRT_OP_COUNT] = { MEM_OPS(MEM_ROW) };

jit_emit_fn bpfrt_jit_mem_emitter(uint16_t op)
{
    return op < BPFRT_OP_COUNT ? mem_emitters[op] : NULL;
}

static const int8_t atomic_alu[] = {
    [BPFRT_ALU_ADD] = X86_ADD, [BPFRT_ALU_OR] = X86_OR, [BPFRT_ALU_AND] = X86_AND, [BPFRT_ALU_XOR] = X86_XOR,
};

/* or/and/xor with fetch: a cmpxchg loop on [r11] (rax and r9 borrowed). */
static void fetch_op_loop(struct x86 *x, enum x86_alu op, unsigned size, int S)
{
    bpfrt_x86_push(x, X86_R9);
    bpfrt_x86_mov_rr(x, 8, JIT_T1, X86_RAX);
    int val = S == X86_RAX ? JIT_T1 : S;
    bpfrt_x86_load(x, size, false, X86_RAX, JIT_T2, 0);
    uint32_t loop = x->len;
    bpfrt_x86_mov_rr(x, 8, X86_R9, X86_RAX);
    bpfrt_x86_alu_rr(x, op, size, X86_R9, val);
    bpfrt_x86_lock(x);
    bpfrt_x86_cmpxchg_m(x, size, JIT_T2, 0, X86_R9);
    bpfrt_x86_jcc_rel8(x, X86_CC_NE, (int8_t)(int32_t)(loop - (x->len + 2)));
    if (S != X86_RAX) {
        bpfrt_x86_mov_rr(x, size, S, X86_RAX);
        bpfrt_x86_mov_rr(x, 8, X86_RAX, JIT_T1);
    }
    bpfrt_x86_pop(x, X86_R9);
}

/* One atomic on [base + off]; `locked` false: the plain read-modify-write
 * for unaligned addresses (then base is r11). */
static void atomic_op(struct x86 *x, uint8_t alu, bool fetch, unsigned size, int base, int32_t off, int S,
                      bool locked)
{
    if (alu == BPFRT_ALU_CMPXCHG) {
        if (locked)
            bpfrt_x86_lock(x);
        bpfrt_x86_cmpxchg_m(x, size, base, off, S);
        if (size == 4)
            bpfrt_x86_mov_rr(x, 4, X86_RAX, X86_RAX); /* r0 = the old value, zero-extended */
        return;
    }
    if (!fetch) {
        if (locked)
            bpfrt_x86_lock(x);
        bpfrt_x86_alu_mr(x, (enum x86_alu)atomic_alu[alu], size, base, off, S);
        return;
    }
    if (locked && alu == BPFRT_ALU_ADD) {
        bpfrt_x86_lock(x);
        bpfrt_x86_xadd_m(x, size, base, off, S);
    } else if (locked && alu == BPFRT_ALU_XCHG) {
        bpfrt_x86_xchg_m(x, size, base, off, S);
    } else if (locked) {
        fetch_op_loop(x, (enum x86_alu)atomic_alu[alu], size, S);
    } else {
        /* old = [m]; [m] = old op S (or S); S = old */
        bpfrt_x86_load(x, size, false, JIT_T1, base, off);
        if (alu != BPFRT_ALU_XCHG)
            bpfrt_x86_alu_rr(x, (enum x86_alu)atomic_alu[alu], size, S, JIT_T1);
        bpfrt_x86_store(x, size, base, off, S);
        bpfrt_x86_mov_rr(x, 8, S, JIT_T1);
    }
}

void bpfrt_jit_emit_atomic(struct jit_ctx *c, const struct interp_slot *d)
{
    struct x86 *x = &c->hot;
    const struct bpfrt_op_info *info = &bpfrt_op_info[d->op];
    unsigned size = jit_size(d);
    bool fetch = info->flags & BPFRT_OPF_FETCH;
    int base = R(d->dst), S = R(d->src);
    int32_t off = d->off;
    bool in_frame = frame_local(d->dst, d->off, size);
    if (c->mode == JIT_CHECKED && !in_frame) {
        check_access(c, base, d->off, size, JIT_ACC_RMW, 0, false);
        base = JIT_T2;
        off = 0;
    }
    /* r10 is aligned: a frame-local address is aligned iff off is */
    bool may_be_unaligned = c->mode != JIT_VERIFIED && !(in_frame && (off & (int32_t)(size - 1)) == 0);
    bool loop = fetch && info->alu != BPFRT_ALU_ADD && info->alu != BPFRT_ALU_XCHG &&
                info->alu != BPFRT_ALU_CMPXCHG;
    if ((may_be_unaligned || loop) && base != JIT_T2) {
        bpfrt_x86_lea(x, JIT_T2, base, off);
        base = JIT_T2;
        off = 0;
    }
    uint32_t unaligned = 0;
    if (may_be_unaligned) {
        bpfrt_x86_test_ri(x, 1, JIT_T2, (int32_t)(size - 1));
        unaligned = bpfrt_jit_label_new(c);
        bpfrt_jit_jump_label(c, x, X86_CC_NE, unaligned);
    }
    atomic_op(x, info->alu, fetch, size, base, off, S, true);
    if (may_be_unaligned) {
        bpfrt_jit_label_bind(c, &c->cold, unaligned);
        atomic_op(&c->cold, info->alu, fetch, size, base, off, S, false);
        bpfrt_jit_jump_insn(c, &c->cold, -1, c->pc + 1);
    }
}
