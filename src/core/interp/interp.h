/* Interpreter internals: the pre-decoded program form, the per-execution
 * state (frame stack, budget, region bookkeeping) and the checked-mode slow
 * paths. Private to src/core/interp/. See docs/interpreter.md. */
#ifndef BPFRT_INTERP_H
#define BPFRT_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/diag.h"
#include "bpfrt/prog.h"
#include "bpfrt/map.h"
#include "core/core.h"
#include "core/prog/prog.h"
#include "core/isa/decode.h"

/* Linux's BPF_MAX_LOOPS: what every frame's may_goto counter starts at. */
#define BPFRT_MAY_GOTO_LOOPS (8u * 1024 * 1024)

/* The interpreter's operations: the ISA's ops (src/core/isa/decode.h), so a
 * slot's op is the decoded op, plus its own sentinel past the last
 * instruction. One handler label each. X(name) */
#define INTERP_OPS(X) BPFRT_ISA_OPS(X) X(FELL_OFF)

#define INTERP_OP_ENUM(name) INTERP_OP_##name,
enum interp_op { INTERP_OPS(INTERP_OP_ENUM) INTERP_OP_COUNT };
#undef INTERP_OP_ENUM

/* One pre-decoded instruction. Slots map 1:1 onto instructions (the second
 * half of an ld_imm64 becomes a BAD slot that is never reached), so a slot
 * index is the instruction index in messages and traces. */
struct interp_slot {
    uint16_t op;       /* enum interp_op */
    uint8_t dst, src;
    int32_t off;       /* memory offset, or the absolute target of a jump/local call */
    uint64_t imm;      /* sign-extended imm, the ld_imm64 value, or the helper proto */
};
/* CALL_HELPER slots use src as "the prototype needs checked-mode checks";
 * load slots (LDX, load-acquire) imm as "a probe" (BPFRT_FACT_PROBE_LOAD).
 * The op stays the instruction's: the JIT reads the same slots. */

/* The decoded program (prog->engine_state). */
struct interp_code {
    struct bpfrt_prog *prog;
    uint32_t len;              /* instructions; slots has len + 1 (a FELL_OFF sentinel) */
    struct interp_slot *slots;
    uintptr_t *maps;           /* sorted struct bpfrt_map * from ld_imm64 MAP_FD/IDX */
    uint32_t nr_maps;
    uint32_t *funcs;           /* sorted BPF_PSEUDO_FUNC targets (callback entry points) */
    uint32_t nr_funcs;
};

/* One call frame. frames[d] describes the frame at depth d: the program it
 * runs (tail calls from subprograms can change it), where it resumes when
 * its callee returns, its callee-saved registers while a callee runs, and
 * its may_goto counter. */
struct interp_frame {
    const struct interp_code *code;
    const struct interp_slot *ret_ip;
    uint64_t saved[4];         /* r6..r9 */
    uint32_t may_goto;
};

#define INTERP_MAX_EXTRA_MAPS 16
#define INTERP_MAX_VALUES 16

struct interp_exec;
typedef int (*interp_loop_fn)(struct interp_exec *ex, const struct interp_slot *ip, const uint64_t *regs_in,
                          uint64_t *ret);

/* State of one engine run (one program; tail calls continue in it). Lives on
 * the native stack of interp_run; run->engine_priv points at it. The
 * regions a checked run may touch are the run's (run->rgn, src/core/prog/):
 * the engine adds its stack and moves that region's start with calls. */
struct interp_exec {
    struct bpfrt_run *run;
    interp_loop_fn loop;           /* the instantiation this run uses */
    uint8_t *stack_base, *stack_top; /* BPFRT_MAX_CALL_FRAMES * 512 bytes */
    uint32_t depth;            /* current frame */
    uint32_t zeroed;           /* frames [0, zeroed] have had their stack zeroed */
    int64_t budget;            /* instructions left (INT64_MAX: unlimited) */
    uint32_t exit_pc;          /* the EXIT that ended the entry frame */
    struct interp_frame frames[BPFRT_MAX_CALL_FRAMES];
    /* Checked mode. */
    uint32_t stack_region;     /* index of the stack in run->regions, or UINT32_MAX */
    uintptr_t extra_maps[INTERP_MAX_EXTRA_MAPS]; /* inner maps a map-in-map lookup returned */
    uint32_t nr_extra_maps;
    /* Map values helpers returned (the latest INTERP_MAX_VALUES), so a
     * bpf_spin_lock argument can be checked to be the map's lock, and the
     * lock the program holds (at most one, as Linux allows). */
    struct { uintptr_t value; struct bpfrt_map *map; } values[INTERP_MAX_VALUES];
    uint32_t nr_values, next_value;
    uintptr_t held_lock;
    /* Probes: the kernel object a probe last found readable, readable for
     * the whole engine run (the runtime frees them only after runs end). */
    uintptr_t probe_lo, probe_hi;
    /* Trace. */
    uint64_t trace_before[11];
    int64_t trace_pc;          /* instruction whose effect is pending report, or -1 */
};

/* The frame size every call gets. */
#define INTERP_FRAME_SIZE BPFRT_STACK_SIZE

/* ---- loops (interp.c), one per (checked, trace) combination ---- */
int bpfrt_interp_loop_fast(struct interp_exec *ex, const struct interp_slot *ip, const uint64_t *regs_in, uint64_t *ret);
int bpfrt_interp_loop_checked(struct interp_exec *ex, const struct interp_slot *ip, const uint64_t *regs_in, uint64_t *ret);
int bpfrt_interp_loop_fast_trace(struct interp_exec *ex, const struct interp_slot *ip, const uint64_t *regs_in, uint64_t *ret);
int bpfrt_interp_loop_checked_trace(struct interp_exec *ex, const struct interp_slot *ip, const uint64_t *regs_in, uint64_t *ret);

/* ---- decode.c ---- */
int bpfrt_interp_decode(struct bpfrt_prog *prog, struct bpfrt_diag *diag);
void bpfrt_interp_release(struct bpfrt_prog *prog);
bool bpfrt_interp_code_has_map(const struct interp_code *code, uintptr_t map);
bool bpfrt_interp_code_has_func(const struct interp_code *code, uint32_t pc);

/* ---- check.c: checked-mode slow paths. Each returns false after
 * recording the error in the run (the loop then stops). ---- */
/* Load of `size` bytes at addr: 1 = plain memory, load it; 2 = *val holds
 * the value (context pointer field); 0 = invalid (error recorded). */
int bpfrt_interp_check_load(struct interp_exec *ex, uint64_t addr, uint32_t size, uint64_t *val, uint32_t pc);
bool bpfrt_interp_check_store(struct interp_exec *ex, uint64_t addr, uint32_t size, uint32_t pc);
/* A probe (Linux's BPF_PROBE_MEM): the `size` bytes at addr, zero- or
 * sign-extended, when the run may read them all, else 0. Never fails the
 * run: the verified loads through kernel pointers (BPFRT_FACT_PROBE_LOAD)
 * in both engines, and checked mode's loads outside the regions of a
 * program that reads kernel objects. */
uint64_t bpfrt_interp_probe_load(struct interp_exec *ex, uint64_t addr, uint32_t size, bool sign);
/* Atomic read-modify-write: plain writable memory only (no context). */
bool bpfrt_interp_check_rmw(struct interp_exec *ex, uint64_t addr, uint32_t size, uint32_t pc);
/* False when a prototype passes no memory either way (scalar arguments,
 * scalar result): checked mode then calls it without any checks. */
bool bpfrt_interp_helper_needs_checks(const struct bpfrt_helper_proto *p);
bool bpfrt_interp_check_helper_args(struct interp_exec *ex, const struct bpfrt_helper_proto *p,
                                const uint64_t *regs, uint32_t pc, uint64_t *alloc_size,
                                struct bpfrt_map **map);
void bpfrt_interp_helper_returned(struct interp_exec *ex, const struct bpfrt_helper_proto *p,
                              const uint64_t *regs, uint64_t ret, uint64_t alloc_size,
                              struct bpfrt_map *map);
/* Adds the engine's own region (the stack) and points the run's inline
 * caches at the entry frame. */
void bpfrt_interp_setup_regions(struct interp_exec *ex);
/* Ends a checked run: releases a bpf_spin_lock the program still holds
 * (an error unless the run already failed). */
void bpfrt_interp_finish_checked(struct interp_exec *ex, int *rc);

/* ---- interp.c: shared slow paths the loops call ---- */
/* Records a run error naming instruction pc. */
void bpfrt_interp_fail(struct interp_exec *ex, enum bpfrt_run_error err, uint32_t pc, uint64_t addr,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Packet bytes for LD_ABS/LD_IND: the packet, or the plain context. */
bool bpfrt_interp_ld_pkt(struct interp_exec *ex, int64_t off, uint32_t size, uint64_t *val);
/* Trace hook: reports the pending instruction and arms the next. */
void bpfrt_interp_trace_step(struct interp_exec *ex, const uint64_t *regs, int64_t next_pc);
/* Helper by id for callx; NULL after recording the error. */
const struct bpfrt_helper_proto *bpfrt_interp_callx_resolve(struct interp_exec *ex, uint64_t id, uint32_t pc);
/* Zeroes the stack of frame `depth` the first time a run enters it. */
void bpfrt_interp_zero_frame(struct interp_exec *ex, uint32_t depth);

#endif
