/* JIT internals: the compiled program, the per-run state generated code
 * reaches through r12, and the compile context the emitters share. Private
 * to src/core/jit/. See docs/jit.md.
 *
 * The JIT shares the interpreter's decoded program (struct interp_code:
 * helper prototypes, the maps and function handles a checked run accepts)
 * and its checked-mode slow paths (src/core/interp/check.c, through struct
 * interp_exec), so both engines accept and refuse exactly the same
 * accesses. */
#ifndef BPFRT_JIT_JIT_H
#define BPFRT_JIT_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/jit.h"
#include "core/core.h"
#include "core/interp/interp.h"
#include "core/isa/decode.h"
#include "core/jit/x86.h"
#include "core/prog/facts.h"
#include "core/prog/prog.h"

enum jit_mode { JIT_VERIFIED, JIT_CHECKED, JIT_TRUSTED };

/* Inlined wherever it is called, so that a caller's constants (an op's
 * traits, a mode, a condition) fold into it: left to themselves, compilers
 * called some of these with the traits as arguments. */
#define JIT_INLINE static inline __attribute__((always_inline))

/* eBPF registers pinned to x86-64 registers: r1-r5 are the SysV argument
 * registers, so a helper call passes them as they are (run goes in r9, the
 * sixth); r6-r9 and r10 are callee-saved, so they survive helper calls. */
static const uint8_t jit_reg[11] = {
    X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_RBX, X86_R13, X86_R14, X86_R15, X86_RBP,
};
/* The x86-64 register of eBPF register r (the emitters' shorthand). */
static inline int R(uint8_t r)
{
    return jit_reg[r];
}

#define JIT_EX X86_R12     /* struct jit_exec * (biased, see JIT_EX_BIAS) */
#define JIT_BUDGET X86_R9  /* checked mode: instructions left */
#define JIT_T1 X86_R10     /* scratch */
#define JIT_T2 X86_R11     /* scratch; the checked address */

/* The compiled program (prog->engine_state). */
struct jit_prog {
    struct interp_code *vm;        /* the interpreter's decoded form */
    uint8_t mode;              /* enum jit_mode */
    bool blind;
    bool facts;                /* compiled with the verifier's facts */
    uint8_t *image;            /* sealed read+execute */
    uint32_t image_len;
    uint32_t entry;            /* offset of the entry stub (0) */
    uint32_t *insn_off;        /* image offset of each instruction, len + 1 entries (after the struct) */
    uint32_t len;
    uint32_t passes;
    uint32_t entry_zero;       /* bytes of the entry frame zeroed before a run (below r10) */
    uint32_t frame_zero;       /* bytes below r10 zeroed in a callee frame's first entry (512 without facts) */
    uint8_t frames;            /* verified with facts: the most frames its calls reach (entry included), else 0 */
    bool upfront;              /* its callee frames are zeroed when a run starts: calls test nothing */
    bool tails;                /* with facts: it may call bpf_tail_call (else its frames are zeroed only as deep as it reads) */
    bool calls_out;            /* it may call a helper (callx, kfunc): C may then reach the run's budget and state */
    bool align_top;            /* its runs' stack area ends on a JIT_FRAMES_SPAN boundary (trusted calls' depth test) */
    uint32_t counted_loops;    /* loops closed on their counter's addition (jit_loops.c) */
    uint64_t compile_ns, exec_mem_ns;
};

/* A jit_prog's allocation: the struct, then insn_off (one allocation, not
 * two, per compile). */
static inline size_t jit_prog_size(uint32_t len)
{
    return sizeof(struct jit_prog) + ((size_t)len + 1) * sizeof(uint32_t);
}

/* Per-run state. Generated code addresses the fields before `vm` as
 * [r12 + offsetof - JIT_EX_BIAS] (disp8); `vm` is the interpreter's run
 * state, which check.c and run->engine_priv use. */
struct jit_exec {
    struct bpfrt_run *run;
    uint64_t unwind_rsp;       /* rsp of the innermost entry stub, for faults */
    uint64_t stk_lo;           /* checked: lowest stack byte accessible (current frame's bottom) */
    uint64_t stk_hi[4];        /* checked: top - access size, for sizes 1, 2, 4, 8 (the same for the whole run) */
    /* checked: the last region a load (rd) and a store (wr) hit, the
     * interpreter's inline caches: its start, and its end - access size for
     * sizes 1, 2, 4, 8 */
    uint64_t rd_lo, rd_hi[4];
    uint64_t wr_lo, wr_hi[4];
    uint64_t zeroed_r10;       /* frames with r10 >= this have been zeroed */
    uint64_t top;              /* the entry frame's r10 (top of the stack area) */
    uint64_t cur_r10;          /* r10 of the frame that made the current helper call */
    uint64_t ctx;              /* run->ctx, r1 of a tail-call target */
    uint64_t loop_limit;       /* the running counted loop's limit (jit_loops.c) */
    uint32_t may_goto[BPFRT_MAX_CALL_FRAMES];
    uint32_t cb_nest;          /* callbacks in progress */
    uint32_t exit_pc;          /* checked mode: the exit that ran last (the entry frame's, at the end) */
    bool handoff;              /* a tail call left for bpfrt_prog_run */
    struct interp_exec vm;
};
#define JIT_EX_BIAS 128
#define JIT_OFF(field) ((int32_t)__builtin_offsetof(struct jit_exec, field) - JIT_EX_BIAS)

static inline struct jit_exec *jit_exec_of(struct interp_exec *vm)
{
    return (struct jit_exec *)(void *)((char *)vm - __builtin_offsetof(struct jit_exec, vm));
}

/* Entry stub: runs the code at `target` with r1-r5 = args[0..4], r10 =
 * args[5], r0 and r6-r9 = 0, and returns r0 (0 after a fault: run->error
 * says why). */
typedef uint64_t (*jit_entry_fn)(struct jit_exec *ex, const uint64_t args[6], const void *target);

/* ---- compile context ---- */

/* Shared stubs at the start of every image (labels allocated first, in
 * this order, so their ids are fixed). */
enum jit_stub {
    JIT_STUB_EXIT_STORE, JIT_STUB_EPILOGUE, JIT_STUB_UNWIND, JIT_STUB_LEAVE, JIT_STUB_RAISE,
    JIT_STUB_ACCESS, JIT_STUB_FRAME, JIT_STUB_TAIL, JIT_STUB_HELPER, JIT_STUB_CALL_CHECKED, JIT_STUB_COUNT
};

/* What bpfrt_jit_raise reports (the top byte of its packed argument). */
enum jit_raise_kind { JIT_RAISE_BUDGET = 1, JIT_RAISE_FELL_OFF, JIT_RAISE_HELPER, JIT_RAISE_BAD_INSN };
#define JIT_PACK(kind, pc) ((uint32_t)(kind) << 24 | (pc))

/* Kinds of checked access, and the probes of verified code (zero- and
 * sign-extending). */
enum jit_access_kind { JIT_ACC_LOAD = 0, JIT_ACC_STORE = 1, JIT_ACC_RMW = 2, JIT_ACC_PROBE = 3, JIT_ACC_PROBE_SX = 4 };

/* A checked access whose inline test fails calls the access stub; after
 * the call sits a 7-byte nop (JIT_ACCESS_NOP) whose 32-bit displacement
 * says what the access is: the stub's C side reads it through the return
 * address, so the access needs no code of its own out of line. It returns
 * past the nop to the inline access, or past that too when it produced a
 * load's value itself (a context field, a probe), written to the
 * destination register's saved slot. */
#define JIT_ACCESS_NOP 7 /* nop dword [rax + disp32]: 0f 1f 80, then the info */
/* (The helper stub, JIT_STUB_HELPER, reads its caller's instruction the
 * same way: after a helper call that failed the run or set a tail-call
 * target, `call` to it is followed by such a nop holding the pc.) */
#define JIT_ACCESS_INFO(kind, sign, si, dst, pc) \
    ((uint32_t)(kind) << 27 | (uint32_t)(sign) << 26 | (uint32_t)(si) << 24 | (uint32_t)(dst) << 20 | (pc))
#define JIT_ACCESS_KIND(info) ((info) >> 27)
#define JIT_ACCESS_SIGN(info) (((info) >> 26) & 1)
#define JIT_ACCESS_SI(info) (((info) >> 24) & 3)
#define JIT_ACCESS_DST(info) (((info) >> 20) & 15) /* an eBPF register */
#define JIT_ACCESS_PC(info) ((info) & 0xfffff)      /* (programs have at most 2^20 instructions) */
/* The x86 registers the access stub saves, in push order: every eBPF
 * register a load may write (r0-r9), the budget and the address. The C
 * side finds register i's slot at saved[JIT_ACCESS_SAVED - 1 - i], the
 * return address at saved[JIT_ACCESS_SAVED]. */
#define JIT_ACCESS_SAVED 12
static const uint8_t jit_access_saved[JIT_ACCESS_SAVED] = {
    X86_RAX, X86_RCX, X86_RDX, X86_RSI, X86_RDI, X86_R8, X86_R9, X86_R11, X86_RBX, X86_R13, X86_R14, X86_R15,
};

/* A jump, call or loop head as the emission met it (jit_layout.c). */
struct jit_fix {
    uint32_t pos;      /* where it ends in its stream's emitted code */
    uint32_t target;   /* label id, or instruction | JIT_TGT_INSN */
    uint32_t adj;      /* its stream's resizable records before it */
    uint8_t kind;
    bool far;          /* settled: a pass-sized jump the relaxation no longer looks at (too far
                        * ever to be short, or short with no loop head between it and its target) */
};

/* Where a label was bound (or an instruction starts): its emitted
 * position and how many of its stream's resizable records (struct
 * jit_ctx's adj) come before it; bit 31 of adj: the cold stream. */
struct jit_label {
    uint32_t pos;
    uint32_t adj;
};

/* The compile's working memory (jit_scratch.c). */
struct jit_scratch {
    uint8_t *base;                /* the runtime's cached block, or NULL */
    size_t size, used, need;      /* need: what this compile asked for in all */
    struct { void *p; size_t size; } heap[64]; /* what did not fit (a 1M-instruction compile asks for about 45 pieces) */
    unsigned nheap;
};

struct __attribute__((aligned(16))) jit_ctx {
    struct bpfrt_prog *prog;
    struct jit_prog *jp;
    const struct interp_slot *slots; /* the interpreter's decoded instructions */
    const uint32_t *keys;         /* blinding keys per instruction, or NULL */
    const struct bpfrt_prog_facts *facts; /* verified mode: what the verifier proved, or NULL */
    uint32_t len;
    uint8_t mode;
    bool bmi2;
    bool has_local_calls;         /* CALL_LOCAL/CALLX present */
    bool has_may_goto;
    bool may_tail_call;           /* a helper call that could be bpf_tail_call */
    uint32_t *sub_of;             /* with local calls: each instruction's function (index into sub_writes) */
    uint16_t *sub_writes;         /* per function: the r6-r9 (bits 6-9) a call to it may change, JIT_SUB_NAMES_R10 */
    bool frame_test;              /* a local call tests its frame (first entry, depth): not when zeroed upfront */
    uint32_t pc;                  /* instruction being emitted */
    struct x86 hot, cold;         /* the emitted code, every pass-sized jump long */
    uint32_t cap[2];              /* their buffers' sizes */
    struct jit_label *insn_start; /* where each instruction starts in the emitted hot code, len + 1 */
    uint8_t *marks;               /* per instruction, len + 2: JIT_MARK_* */
    uint32_t merged_end;          /* instructions before this one whose code an earlier one emitted (emit_alu.c) */
    const uint32_t *enters;       /* the instructions that enter their target (jumps, local calls), nenter */
    uint32_t nenter;
    struct {                      /* the counted loop being emitted (jit_loops.c) */
        uint32_t head, back;      /* its head and its test (back: UINT32_MAX when none) */
        uint32_t again;           /* label: choose the limit, then the head */
    } loop;
    /* what the emission recorded, per stream, in emission order: the
     * records whose size the layout chooses (pass-sized jumps, loop heads'
     * padding), and the fixed-size ones (calls, short jumps inside one
     * instruction's code) */
    struct jit_fix *adj[2], *fix[2];
    uint32_t nadj[2], nfix[2], cap_adj[2], cap_fix[2];
    struct jit_label *labels;
    uint32_t nlabels, cap_labels; /* label ids handed out */
    /* the relaxed layout */
    int32_t *shift[2];            /* per adj record (and one past the last): bytes its stream moved before it */
    uint32_t *addr;               /* image offset of each instruction, len + 1 */
    uint32_t cold_base, image_len, passes;
    bool aligned;                 /* loop heads are padded */
    int err;
    /* last: a compile clears the fields above, not the scratch's
     * bookkeeping of heap pieces (a kilobyte; jit_scratch.c sets what it
     * reads) */
    struct jit_scratch scratch;
};

/* Emitter of an instruction. It reads the interpreter's decoded
 * slot in place (struct interp_slot: op, registers, off - the memory offset,
 * or a jump's or local call's absolute target, or a helper's id - and imm,
 * the immediate sign-extended to 64 bits or an ld_imm64's value). */
typedef void (*jit_emit_fn)(struct jit_ctx *c, const struct interp_slot *d);

/* Defines emit_NAME, an emitter whose body is `body` (c and d in scope): the
 * per-op emitters of emit_alu.c, emit_jmp.c and emit_mem.c. */
#define JIT_OP_EMITTER(name, body)                                          \
    static void emit_##name(struct jit_ctx *c, const struct interp_slot *d) \
    {                                                                       \
        body;                                                               \
    }

/* The instruction's 32-bit immediate, as encoded. */
static inline int32_t jit_imm32(const struct interp_slot *d)
{
    return (int32_t)d->imm;
}

/* Bytes a memory op accesses; END: its width; MOVSX: the source's. */
static inline unsigned jit_size(const struct interp_slot *d)
{
    return bpfrt_op_info[d->op].size;
}

/* The registers (bit r: rr) an instruction writes: its dst, a fetching
 * atomic's src (cmpxchg: r0), r0-r5 for a call and for LD_ABS/LD_IND (the
 * result, r1-r5 cleared or the callee's). */
static inline uint16_t jit_writes(const struct interp_slot *d)
{
    const struct bpfrt_op_info *info = &bpfrt_op_info[d->op];
    switch (info->kind) {
    case BPFRT_K_ALU: case BPFRT_K_MOVSX: case BPFRT_K_END: case BPFRT_K_LDDW:
    case BPFRT_K_LDX: case BPFRT_K_LDACQ:
        return (uint16_t)(1u << d->dst);
    case BPFRT_K_ATOMIC:
        if (!(info->flags & BPFRT_OPF_FETCH))
            return 0;
        return info->alu == BPFRT_ALU_CMPXCHG ? 1u : (uint16_t)(1u << d->src);
    case BPFRT_K_CALL: case BPFRT_K_LD_PKT:
        return 0x3f;
    default:
        return 0;
    }
}

/* ---- jit_scratch.c: the compile's working memory, freed at its end ---- */
void bpfrt_jit_scratch_begin(struct jit_ctx *c);
/* What does not fit the kept block (bpfrt_jit_scratch_get's slow path;
 * size rounded already and counted in need). */
void *bpfrt_jit_scratch_more(struct jit_ctx *c, size_t size, bool zero);
/* `size` bytes (zeroed when asked), valid until bpfrt_jit_scratch_end;
 * NULL when out of memory. Inline: a compile asks a dozen times, and a
 * small program's compile is a few thousand cycles. */
static inline void *bpfrt_jit_scratch_get(struct jit_ctx *c, size_t size, bool zero)
{
    struct jit_scratch *s = &c->scratch;
    size = ((size ? size : 1) + 15) & ~(size_t)15;
    s->need += size;
    if (__builtin_expect(s->base && s->size - s->used >= size, 1)) {
        uint8_t *p = s->base + s->used;
        s->used += size;
        if (zero)
            bpfrt_memset(p, 0, size);
        return p;
    }
    return bpfrt_jit_scratch_more(c, size, zero);
}
void bpfrt_jit_scratch_end(struct jit_ctx *c);

/* ---- jit_layout.c: labels and jumps sized by the relaxation ---- */
/* Chooses the short jumps after the emission and lays the image out. */
int bpfrt_jit_relax(struct jit_ctx *c);
/* Copies the emitted code into the image with the final jumps and calls. */
int bpfrt_jit_link(struct jit_ctx *c, uint8_t *image);

/* What the emission records (inline: a checked access records seven
 * things, so a call each would cost more than the recording). A record's
 * kind byte: the kind in bits 0-2; bit 3: a pass-sized jump made short
 * (JIT_EV_NEAR), or a JIT_EV_J8 that is a jcc (JIT_EV_J8_JCC); a jcc's
 * condition in bits 4-7. The first three kinds are resizable (the
 * relaxation chooses their size), the others fixed-size. */
enum {
    JIT_EV_JMP = 1, /* pass-sized jmp */
    JIT_EV_JCC,     /* pass-sized jcc */
    JIT_EV_ALIGN,   /* a loop head: padded with nops to JIT_LOOP_ALIGN */
    JIT_EV_J8,      /* jmp/jcc rel8 inside one instruction's code (always short) */
    JIT_EV_CALL,    /* call rel32 */
    JIT_EV_J32,     /* jmp/jcc rel32 in the cold stream (always long: slow paths need no short jumps, and
                     * the relaxation then has only the hot stream's records to size) */
};
#define JIT_EV_KIND(k) ((k) & 7)
#define JIT_EV_NEAR 0x08
#define JIT_EV_J8_JCC 0x08
#define JIT_EV_CC(k) ((k) >> 4)
#define JIT_TGT_INSN 0x80000000u /* a target that is an instruction, not a label */
#define JIT_LABEL_COLD 0x80000000u /* struct jit_label's adj: bound in the cold stream */

/* Grows a recording array to hold one more element (false: out of memory,
 * c->err set). */
bool bpfrt_jit_grow_records(struct jit_ctx *c, void **array, uint32_t n, uint32_t *cap, size_t elem);

static inline void jit_record(struct jit_ctx *c, const struct x86 *x, uint8_t kind, uint32_t target)
{
    unsigned st = x == &c->cold;
    bool sized = JIT_EV_KIND(kind) <= JIT_EV_ALIGN;
    struct jit_fix **a = sized ? &c->adj[st] : &c->fix[st];
    uint32_t *n = sized ? &c->nadj[st] : &c->nfix[st], *cap = sized ? &c->cap_adj[st] : &c->cap_fix[st];
    if (__builtin_expect(*n >= *cap, 0) && !bpfrt_jit_grow_records(c, (void **)a, *n, cap, sizeof(**a)))
        return;
    (*a)[*n] = (struct jit_fix){ x->len, target, c->nadj[st], kind, false };
    ++*n;
}

static inline uint32_t bpfrt_jit_label_new(struct jit_ctx *c)
{
    if (__builtin_expect(c->nlabels >= c->cap_labels, 0) &&
        !bpfrt_jit_grow_records(c, (void **)&c->labels, c->nlabels, &c->cap_labels, sizeof(*c->labels)))
        return 0;
    c->labels[c->nlabels] = (struct jit_label){ 0, 0 };
    return c->nlabels++;
}

/* Binds a label here. */
static inline void bpfrt_jit_label_bind(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    unsigned st = x == &c->cold;
    if (label < c->nlabels)
        c->labels[label] = (struct jit_label){ x->len, c->nadj[st] | (st ? JIT_LABEL_COLD : 0) };
}

static inline void jit_jump(struct jit_ctx *c, struct x86 *x, int cc, uint32_t target)
{
    if (cc < 0)
        bpfrt_x86_jmp_rel32(x, 0);
    else
        bpfrt_x86_jcc_rel32(x, (enum x86_cc)cc, 0);
    jit_record(c, x, x == &c->cold ? JIT_EV_J32 : cc < 0 ? JIT_EV_JMP : (uint8_t)(JIT_EV_JCC | cc << 4), target);
}


/* Jump (cc < 0: jmp) to a label, to instruction `pc`'s start, or call a label. */
static inline void bpfrt_jit_jump_label(struct jit_ctx *c, struct x86 *x, int cc, uint32_t label)
{
    jit_jump(c, x, cc, label);
}

/* Jump back to a label bound in the hot stream with no resizable record
 * since (the stubs' jumps): the distance is final, so the shortest form is
 * chosen here and nothing is left for the relaxation. */
static inline void bpfrt_jit_jump_back(struct jit_ctx *c, struct x86 *x, int cc, uint32_t label)
{
    struct jit_label to = label < c->nlabels ? c->labels[label] : (struct jit_label){ 0, JIT_LABEL_COLD };
    if (x != &c->hot || to.adj != c->nadj[0]) {
        jit_jump(c, x, cc, label);
        return;
    }
    int64_t rel8 = (int64_t)to.pos - (x->len + 2);
    int32_t rel32 = (int32_t)((int64_t)to.pos - (x->len + (cc < 0 ? X86_JMP32_LEN : X86_JCC32_LEN)));
    if (x86_is_imm8(rel8) && cc < 0)
        bpfrt_x86_jmp_rel8(x, (int8_t)rel8);
    else if (x86_is_imm8(rel8))
        bpfrt_x86_jcc_rel8(x, (enum x86_cc)cc, (int8_t)rel8);
    else if (cc < 0)
        bpfrt_x86_jmp_rel32(x, rel32);
    else
        bpfrt_x86_jcc_rel32(x, (enum x86_cc)cc, rel32);
}

static inline void bpfrt_jit_jump_insn(struct jit_ctx *c, struct x86 *x, int cc, uint32_t pc)
{
    jit_jump(c, x, cc, pc | JIT_TGT_INSN);
}

static inline void bpfrt_jit_call_label(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    bpfrt_x86_call_rel32(x, 0);
    jit_record(c, x, JIT_EV_CALL, label);
}

static inline void bpfrt_jit_call_insn(struct jit_ctx *c, struct x86 *x, uint32_t pc)
{
    bpfrt_x86_call_rel32(x, 0);
    jit_record(c, x, JIT_EV_CALL, pc | JIT_TGT_INSN);
}

/* marks: a backward jump's target (its code is aligned, a loop head), and
 * an instruction entered other than from the one before it (a jump's or a
 * call's target, a callback): its code cannot be merged with the previous
 * one's. */
enum { JIT_MARK_LOOP = 1, JIT_MARK_ENTRY = 2 };

/* sub_writes: the function names r10 itself (its frame can be read). */
#define JIT_SUB_NAMES_R10 (1u << 10)
/* All call frames' stack: with its end on a multiple of this, r10's low
 * bits say when a call goes one frame too deep (they are 0 in the entry
 * frame and one frame past the last, in no other), which a call to a
 * function that never reads its frame tests instead of the zeroed mark
 * in memory (jit_runtime.c, bpfrt_jit_run). */
#define JIT_FRAMES_SPAN (BPFRT_MAX_CALL_FRAMES * BPFRT_STACK_SIZE)
_Static_assert((JIT_FRAMES_SPAN & (JIT_FRAMES_SPAN - 1)) == 0, "the frames' span is a power of two");

/* Pads the hot code here to JIT_LOOP_ALIGN (a loop head): a tight loop
 * then sits in as few fetch blocks as it can. */
#define JIT_LOOP_ALIGN 16

static inline void bpfrt_jit_align_loop(struct jit_ctx *c)
{
    jit_record(c, &c->hot, JIT_EV_ALIGN, 0);
    c->aligned = true;
}

/* Short forward jump inside one instruction's code: emit it, then bind its
 * target where the code it skips ends. */
static inline uint32_t bpfrt_jit_fwd8(struct jit_ctx *c, struct x86 *x, int cc)
{
    uint32_t label = bpfrt_jit_label_new(c);
    if (cc < 0)
        bpfrt_x86_jmp_rel8(x, 0);
    else
        bpfrt_x86_jcc_rel8(x, (enum x86_cc)cc, 0);
    jit_record(c, x, cc < 0 ? JIT_EV_J8 : (uint8_t)(JIT_EV_J8 | JIT_EV_J8_JCC | cc << 4), label);
    return label;
}

static inline void bpfrt_jit_patch8(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    bpfrt_jit_label_bind(c, x, label);
}

/* movabs reg, fn; call reg. */
static inline void bpfrt_jit_call_abs(struct x86 *x, int reg, const void *fn)
{
    bpfrt_x86_movabs(x, reg, (uint64_t)(uintptr_t)fn);
    bpfrt_x86_call_r(x, reg);
}

/* ---- code built once per process and copied into later compiles ----
 * (emit_mem.c's access tests, jit_stubs.c's stubs). Its state: 0 empty,
 * 1 being built by the compile that claimed it, 2 ready; a compile that
 * finds it being built emits its own code. */
static inline bool jit_once_ready(const int *state)
{
    return __atomic_load_n(state, __ATOMIC_ACQUIRE) == 2;
}

/* True for the one compile that is to build it (0 -> 1). */
static inline bool jit_once_claim(int *state)
{
    int empty = 0;
    return __atomic_compare_exchange_n(state, &empty, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* Built: later compiles copy it. */
static inline void jit_once_publish(int *state)
{
    __atomic_store_n(state, 2, __ATOMIC_RELEASE);
}

/* ---- jit_loops.c: a loop whose counter serves only its exit test ---- */
/* At a loop head: when the loop qualifies, the code that chooses its
 * limit, and the loop noted in c->loop for its test. */
void bpfrt_jit_counted_loop_head(struct jit_ctx *c, uint32_t head);
/* The test of the loop c->loop notes (its `if rc < rb goto head`). */
void bpfrt_jit_counted_loop_test(struct jit_ctx *c, const struct interp_slot *d);

/* ---- emitters (tables in jit_compile.c) ---- */
/* The emitter of an ALU or ALU32 op (one per op, its traits constant). */
jit_emit_fn bpfrt_jit_alu_emitter(uint16_t op);
void bpfrt_jit_emit_movsx(struct jit_ctx *c, const struct interp_slot *d);
void bpfrt_jit_emit_end(struct jit_ctx *c, const struct interp_slot *d);
void bpfrt_jit_emit_lddw(struct jit_ctx *c, const struct interp_slot *d);
void bpfrt_jit_emit_divmod(struct jit_ctx *c, const struct interp_slot *d);
void bpfrt_jit_emit_ja(struct jit_ctx *c, const struct interp_slot *d);
/* The emitter of a conditional jump op (one per op, its traits constant). */
jit_emit_fn bpfrt_jit_jcond_emitter(uint16_t op);
void bpfrt_jit_emit_may_goto(struct jit_ctx *c, const struct interp_slot *d);
void bpfrt_jit_emit_exit(struct jit_ctx *c, const struct interp_slot *d);
/* The emitter of a load or store op (LDX, LDXSX, load-acquire, ST, STX,
 * store-release; one per op, its size constant), or NULL. */
jit_emit_fn bpfrt_jit_mem_emitter(uint16_t op);
void bpfrt_jit_emit_atomic(struct jit_ctx *c, const struct interp_slot *d);
void bpfrt_jit_emit_call(struct jit_ctx *c, const struct interp_slot *d);
void bpfrt_jit_emit_ld_pkt(struct jit_ctx *c, const struct interp_slot *d);
/* Whether the code calls the access stub: checked mode, or probe loads. */
bool bpfrt_jit_needs_access_stub(const struct jit_ctx *c);
void bpfrt_jit_emit_stubs(struct jit_ctx *c);
/* The stub checked mode's helper calls with checked arguments share
 * (emit_call.c; jit_stubs.c emits it with the others). */
void bpfrt_jit_emit_call_checked_stub(struct jit_ctx *c);
void bpfrt_jit_emit_fell_off(struct jit_ctx *c);
/* Loads a blinded constant into `reg` (x86 register): mov + xor with the
 * instruction's key, so the program's immediate never appears in the code. */
void bpfrt_jit_load_blinded(struct jit_ctx *c, struct x86 *x, int reg, uint64_t value);
static inline bool jit_blinding(const struct jit_ctx *c)
{
    return c->keys != NULL;
}
/* The verifier proved `fact` (BPFRT_FACT_*) of the instruction being emitted. */
static inline bool jit_fact(const struct jit_ctx *c, uint8_t fact)
{
    return c->facts && (c->facts->flags[c->pc] & fact);
}

/* ---- emit_call.c, before the emission ---- */
/* The frames a verified program's calls reach and what of them to zero
 * (jp->entry_zero, frame_zero, frames, upfront, tails; c->frame_test),
 * from the verifier's facts; without them every frame is zeroed whole on
 * its first entry and every call tests it. */
void bpfrt_jit_plan_frames(struct jit_ctx *c);

/* ---- jit_divmagic.c ---- */
/* Unsigned division of width-bit numbers (32 or 64) by d (not 0, not a
 * power of 2, below 2^63 for width 64) as a multiply: q = (n * m) >> shift
 * when !add; otherwise m is the low width bits of a (width+1)-bit
 * multiplier and q = (n + ((n * m) >> width)) >> shift, computed without
 * overflow. Returns false when no multiplier applies. */
struct jit_magic {
    uint64_t m;
    unsigned shift;
    bool add;
};
bool bpfrt_jit_magic_u(uint64_t d, unsigned width, struct jit_magic *out);

/* ---- jit_runtime.c: C functions generated code calls ---- */
/* The access stub's C side (saved: the registers the stub pushed, then the
 * return address): 1 continues, 0 unwinds (the error recorded). */
int bpfrt_jit_slow_access(struct jit_exec *ex, uint64_t addr, uint64_t *saved, uint64_t r10);
int bpfrt_jit_slow_frame(struct jit_exec *ex, uint64_t unused, uint32_t pc, uint64_t *val, uint64_t r10);
int bpfrt_jit_slow_tail(struct jit_exec *ex, uint64_t unused, uint32_t pc, uint64_t *val, uint64_t r10);
void bpfrt_jit_raise(struct jit_exec *ex, uint32_t packed, uint64_t r10);
uint64_t bpfrt_jit_helper_checked(struct jit_exec *ex, const struct bpfrt_helper_proto *p, const uint64_t *regs,
                            uint32_t pc);
struct jit_dyn_ret {
    uint64_t value;   /* r0 */
    uint64_t target;  /* native address of a local call, or 0 */
};
struct jit_dyn_ret bpfrt_jit_call_dyn(struct jit_exec *ex, uint64_t v, const uint64_t *regs, uint32_t pc_flags);
#define JIT_DYN_HELPER_ONLY 0x80000000u /* a late-resolved helper id, never a function handle */
uint64_t bpfrt_jit_ld_pkt(struct jit_exec *ex, uint64_t off, uint32_t size);
/* Recomputes the inline region limits from the interpreter's caches. */
void bpfrt_jit_sync_hints(struct jit_exec *ex);

/* The engine's run and callback operations. */
int bpfrt_jit_run(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1, uint64_t r2, uint64_t *ret);
int bpfrt_jit_callback(struct bpfrt_run *run, uint64_t func, const uint64_t args[5], uint64_t *ret);

/* ---- jit_compile.c ---- */
/* Compiles prog (its interp_code already in jp->vm) into jp->image, timing
 * itself (jp->compile_ns, exec_mem_ns). */
int bpfrt_jit_compile(struct bpfrt_prog *prog, struct jit_prog *jp, char *msg, size_t msg_size);
/* True for the JIT's engine ops (either mode table). */
bool bpfrt_jit_ops_is_jit(const struct bpfrt_engine_ops *ops);

#endif
