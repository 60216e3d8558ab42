/* Scalar bounds: the numeric part of Linux's struct bpf_reg_state and the
 * functions of kernel/bpf/verifier.c that keep it (6.18): a value's signed
 * and unsigned ranges, 64- and 32-bit, beside its tnum (var_off), kept
 * consistent with each other (reg_bounds_sync), the ALU transfer functions
 * (adjust_scalar_min_max_vals and the scalar*_min_max_* family), width
 * changes (zext_32_to_64, coerce_reg_to_size[_sx]), branch prediction
 * (is_scalar_branch_taken) and branch refinement (regs_refine_cond_op,
 * reg_set_min_max).
 *
 * Pure functions on a value type: registers, pointers, ids, precision and
 * the log live in the verifier proper, which also holds a pointer's variable
 * offset in this struct. Field names are Linux's so the two read alike.
 * Three files: bounds.c (marking, sync, width changes, printing),
 * bounds_alu.c (ALU ops), bounds_cond.c (conditional jumps).
 * tests/unit/test_verifier_bounds.c checks soundness against brute force,
 * hand-derived cases, and (where bpf(2) works) the kernel's own log. */
#ifndef BPFRT_VERIFIER_BOUNDS_H
#define BPFRT_VERIFIER_BOUNDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/isa/decode.h"
#include "core/verifier/tnum.h"

struct bpfrt_bounds {
    struct bpfrt_tnum var_off;  /* known bits */
    int64_t smin_value, smax_value;
    uint64_t umin_value, umax_value;
    int32_t s32_min_value, s32_max_value;
    uint32_t u32_min_value, u32_max_value;
};

/* ---- marking (Linux: ___mark_reg_known, __mark_reg32_known,
 * __mark_reg_unbounded, __mark_reg64_unbounded, __mark_reg32_unbounded, and
 * the bounds part of __mark_reg_unknown) ---- */
void bpfrt_bounds_mark_known(struct bpfrt_bounds *b, uint64_t imm);
/* Low 32 bits become imm; the upper half of var_off and the 64-bit ranges stay. */
void bpfrt_bounds_mark_known32(struct bpfrt_bounds *b, uint64_t imm);
void bpfrt_bounds_mark_unbounded(struct bpfrt_bounds *b);
void bpfrt_bounds_mark_unbounded64(struct bpfrt_bounds *b);
void bpfrt_bounds_mark_unbounded32(struct bpfrt_bounds *b);
/* Nothing known: unbounded ranges and an unknown var_off. */
void bpfrt_bounds_mark_unknown(struct bpfrt_bounds *b);
/* A scalar known to be exactly imm / known nothing about, as values. */
struct bpfrt_bounds bpfrt_bounds_known(uint64_t imm);
struct bpfrt_bounds bpfrt_bounds_unknown(void);

/* ---- consistency (Linux: __update_reg32_bounds, __update_reg64_bounds,
 * __update_reg_bounds, __reg32_deduce_bounds, __reg64_deduce_bounds,
 * __reg_deduce_mixed_bounds, __reg_deduce_bounds, __reg_bound_offset,
 * reg_bounds_sync, reg_bounds_sanity_check) ---- */
/* Ranges tightened from var_off. */
void bpfrt_bounds_update(struct bpfrt_bounds *b);
/* Signed from unsigned and back, 32-bit from 64-bit and back. */
void bpfrt_bounds_deduce(struct bpfrt_bounds *b);
/* var_off tightened from the unsigned ranges. */
void bpfrt_bounds_bound_offset(struct bpfrt_bounds *b);
/* All of the above, in Linux's order: after every change of a scalar. */
void bpfrt_bounds_sync(struct bpfrt_bounds *b);
/* Whether the bounds are self-consistent (min <= max in every domain, a
 * constant var_off within every range). A violation means the verifier is
 * on a path it should have found impossible - Linux reports it as
 * "REG INVARIANTS VIOLATION"; *why (may be NULL) gets Linux's reason
 * ("range bounds violation", "const tnum out of sync with range bounds",
 * "const subreg tnum out of sync with range bounds"). */
bool bpfrt_bounds_sane(const struct bpfrt_bounds *b, const char **why);
/* reg_bounds_sanity_check as Linux runs it without BPF_F_TEST_REG_INVARIANTS:
 * on a violation the ranges become unbounded (var_off stays) and false is
 * returned with *why set; the verifier then logs
 * bpfrt_bounds_snprint_violation()'s line. Linux checks the destination
 * after every ALU instruction ("alu") and all four operands after refining
 * a branch ("true_reg1", "true_reg2", "false_reg1", "false_reg2"). */
bool bpfrt_bounds_check_sanity(struct bpfrt_bounds *b, const char **why);
/* "verifier bug: REG INVARIANTS VIOLATION (<ctx>): <why> u64=[0x.., 0x..]
 * s64=[..] u32=[..] s32=[..] var_off=(0x.., 0x..)" of the state before the
 * reset. Returns the length the full text needs. */
int bpfrt_bounds_snprint_violation(char *buf, size_t size, const char *ctx, const char *why,
                                   const struct bpfrt_bounds *b);

/* ---- widths (Linux: zext_32_to_64, coerce_reg_to_size,
 * coerce_reg_to_size_sx, coerce_subreg_to_size_sx, get_reg_width) ---- */
/* A 32-bit result: the upper half becomes 0, 64-bit ranges from 32-bit ones. */
void bpfrt_bounds_zext_32_to_64(struct bpfrt_bounds *b);
/* Zero-extended low `size` bytes (1, 2 or 4): narrow loads, bswap16/32. */
void bpfrt_bounds_coerce_to_size(struct bpfrt_bounds *b, int size);
/* Sign-extended low `size` bytes (1, 2 or 4) to 64 bits: movsx64, ldsx.
 * When the s64 range does not give the result, 6.18 (as it runs here)
 * falls back on the s32 range where sign extension keeps it, then syncs. */
void bpfrt_bounds_coerce_to_size_sx(struct bpfrt_bounds *b, int size);
/* Sign-extended low `size` bytes (1 or 2) to 32 bits: movsx32 (the caller
 * then zero-extends to 64 bits and syncs, as for every 32-bit result). */
void bpfrt_bounds_coerce_subreg_to_size_sx(struct bpfrt_bounds *b, int size);
/* Bits needed for the largest unsigned value (0..64). */
int bpfrt_bounds_width(const struct bpfrt_bounds *b);

/* Scalar constant tests (Linux: is_reg_const, reg_const_value) on 64 bits
 * or, with subreg32, the low 32. */
bool bpfrt_bounds_is_const(const struct bpfrt_bounds *b, bool subreg32);
uint64_t bpfrt_bounds_const_value(const struct bpfrt_bounds *b, bool subreg32);

/* ---- ALU (Linux: adjust_scalar_min_max_vals with is_safe_to_compute_dst_reg_range,
 * maybe_fork_scalars, scalar[32]_min_max_{add,sub,mul,and,or,xor,lsh,rsh,arsh},
 * NEG, scalar_byte_swap) ---- */
/* What a scalar ALU op does to dst's bounds, src being the operand (for K
 * forms a known imm sign-extended to 64 bits: bpfrt_bounds_known((int64_t)imm);
 * for NEG and the byte swaps dst itself). `op` is any decoded ALU, MOVSX or
 * END op (BPFRT_OP_ADD64_K ... BPFRT_OP_BSWAP64); others make dst unknown.
 * MOV copies src (a 32-bit MOV zero-extends); MOVSX copies and sign-extends
 * (coerce_reg_to_size_sx / coerce_subreg_to_size_sx). DIV/MOD and shifts by
 * a non-constant or out-of-range amount make dst unknown, as 6.18 does.
 * 32-bit ops end with the zero extension, every op but a 64-bit MOV/MOVSX
 * with a sync (as check_alu_op); the caller then runs
 * bpfrt_bounds_check_sanity ("alu").
 *
 * Returns 1 when Linux forks the state (AND/OR by a constant of a value
 * known to be -1 or 0, 64- or 32-bit: maybe_fork_scalars): *fork (required
 * for AND/OR) then holds dst's state *before* the op for the branch where
 * the value is 0, which the verifier pushes to re-run the same instruction,
 * and dst has been computed for the value -1. Returns 0 otherwise. */
int bpfrt_bounds_alu(struct bpfrt_bounds *dst, const struct bpfrt_bounds *src, uint16_t op,
                     struct bpfrt_bounds *fork);

/* The individual transfer functions, for callers and tests that need one
 * step (no zero extension, no sync): each updates the named domain only. */
void bpfrt_bounds_add64(struct bpfrt_bounds *dst, const struct bpfrt_bounds *src);
void bpfrt_bounds_add32(struct bpfrt_bounds *dst, const struct bpfrt_bounds *src);
void bpfrt_bounds_sub64(struct bpfrt_bounds *dst, const struct bpfrt_bounds *src);
void bpfrt_bounds_sub32(struct bpfrt_bounds *dst, const struct bpfrt_bounds *src);
void bpfrt_bounds_mul64(struct bpfrt_bounds *dst, const struct bpfrt_bounds *src);
void bpfrt_bounds_mul32(struct bpfrt_bounds *dst, const struct bpfrt_bounds *src);

/* ---- conditional jumps (Linux: is_scalar_branch_taken, flip_opcode,
 * rev_opcode, regs_refine_cond_op, reg_set_min_max) ---- */
/* `cond` is enum bpfrt_cond; BPFRT_JSET_FALSE (not an instruction) is the
 * false side of JSET, as Linux's BPF_JSET | BPF_X in rev_opcode. */
enum { BPFRT_JSET_FALSE = BPFRT_JSLE + 1 };
/* The condition that holds on the not-taken side (JLT for JGE, ...). */
uint8_t bpfrt_cond_reverse(uint8_t cond);
/* The condition with its operands swapped (JLT for JGT, JEQ for JEQ). */
uint8_t bpfrt_cond_flip(uint8_t cond);

/* Whether "if a <cond> b" (64-bit, or the low halves with jmp32) jumps for
 * scalars a and b: 1 always, 0 never, -1 either way. Passing the same
 * pointer twice means the same register, as in Linux. */
int bpfrt_bounds_branch_taken(const struct bpfrt_bounds *a, const struct bpfrt_bounds *b, uint8_t cond,
                              bool jmp32);

/* Narrows a and b (scalars, possibly the same register, b possibly a
 * constant stand-in for an immediate) to the values for which
 * "a <cond> b" holds, syncing both (Linux: regs_refine_cond_op followed by
 * reg_bounds_sync). The verifier calls it with the jump's condition on the
 * taken side's copies and with bpfrt_cond_reverse(cond) on the other side's
 * (reg_set_min_max). */
void bpfrt_bounds_refine_cond(struct bpfrt_bounds *a, struct bpfrt_bounds *b, uint8_t cond, bool jmp32);

/* ---- printing (Linux's print_scalar_ranges and verbose_[su]num, in
 * kernel/bpf/log.c) ---- */
/* The ranges and var_off as the log prints them inside "scalar(...)", each
 * field omitted when unbounded and fields with one value joined
 * ("smin=smin32=0,smax=umax=smax32=umax32=12,var_off=(0x0; 0xc)"); nothing
 * for a fully unknown scalar. A constant is printed as its value alone
 * ("12", "-3", "0x10000"). Returns the length the full text needs. */
int bpfrt_bounds_snprint(char *buf, size_t size, const struct bpfrt_bounds *b);
/* A signed / unsigned number as the log prints it: decimal within 16 bits
 * (signed: -32768..32767; unsigned: up to 65535), else 0x-hex. */
int bpfrt_bounds_snum(char *buf, size_t size, int64_t v);
int bpfrt_bounds_unum(char *buf, size_t size, uint64_t v);

#endif
