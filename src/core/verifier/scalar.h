/* The verifier's numeric domain, in one place: tnums and the 64/32-bit
 * signed/unsigned bounds of a scalar (or of a pointer's variable offset),
 * with Linux 6.18's names (kernel/bpf/tnum.c; verifier.c reg_bounds_sync,
 * __update_reg_bounds, __reg_deduce_bounds, __reg_bound_offset,
 * is_scalar_branch_taken, regs_refine_cond_op).
 *
 * Every other verifier file reaches tnum and bounds code through this
 * header only. Until the tnum/bounds modules (branch vtests) land, the
 * implementation is the interim one in tnum_interim.h and
 * bounds_interim.c; adapting to them is confined to this file. */
#ifndef BPFRT_VERIFIER_SCALAR_H
#define BPFRT_VERIFIER_SCALAR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/verifier/tnum_interim.h"

/* The numeric part of a register (the bounds fields of struct bpf_reg_state). */
struct vscalar {
    struct tnum var_off;
    int64_t smin_value, smax_value;
    uint64_t umin_value, umax_value;
    int32_t s32_min_value, s32_max_value;
    uint32_t u32_min_value, u32_max_value;
};

/* ___mark_reg_known: exactly imm. */
void bpfrt_scalar_mark_known(struct vscalar *s, uint64_t imm);
/* __mark_reg32_known: the low 32 bits are imm. */
void bpfrt_scalar_mark32_known(struct vscalar *s, uint64_t imm);
/* __mark_reg_unbounded (tnum unknown too with _unknown). */
void bpfrt_scalar_mark_unbounded(struct vscalar *s);
void bpfrt_scalar_mark64_unbounded(struct vscalar *s);
void bpfrt_scalar_mark32_unbounded(struct vscalar *s);
void bpfrt_scalar_mark_unknown(struct vscalar *s);
/* reg_bounds_sync: bounds from tnum, signed/unsigned/32/64 cross deduction,
 * tnum from bounds, and bounds again. */
void bpfrt_scalar_bounds_sync(struct vscalar *s);
void bpfrt_scalar_update_bounds(struct vscalar *s);
/* __reg_assign_32_into_64. */
void bpfrt_scalar_assign_32_into_64(struct vscalar *s);
/* zext_32_to_64: the value is its zero-extended low half. */
void bpfrt_scalar_zext_32_to_64(struct vscalar *s);
/* coerce_reg_to_size: truncation to 1/2/4 bytes (zero-extended). */
void bpfrt_scalar_coerce_to_size(struct vscalar *s, int size);
/* coerce_reg_to_size_sx / coerce_subreg_to_size_sx: sign extension from size bytes. */
void bpfrt_scalar_coerce_to_size_sx(struct vscalar *s, int size);
void bpfrt_scalar_coerce_subreg_to_size_sx(struct vscalar *s, int size);
/* True when bounds are contradictory (reg_bounds_sanity_check's first test). */
bool bpfrt_scalar_bounds_invalid(const struct vscalar *s);
/* The exact value when known in the 64-bit (or low 32-bit) view. */
static inline bool bpfrt_scalar_is_const(const struct vscalar *s, bool is32)
{
    return is32 ? tnum_subreg_is_const(s->var_off) : tnum_is_const(s->var_off);
}
static inline uint64_t bpfrt_scalar_const(const struct vscalar *s, bool is32)
{
    return is32 ? (uint32_t)tnum_subreg(s->var_off).value : s->var_off.value;
}

/* Conditions for branch analysis: Linux's BPF_J* ops without the class bits.
 * VCOND_JSET_NOT is the "false" side of JSET (Linux's BPF_JSET | BPF_X). */
enum vcond {
    VCOND_JEQ = 1, VCOND_JNE, VCOND_JGT, VCOND_JGE, VCOND_JLT, VCOND_JLE, VCOND_JSET,
    VCOND_JSGT, VCOND_JSGE, VCOND_JSLT, VCOND_JSLE, VCOND_JSET_NOT,
};
/* is_scalar_branch_taken: 1 taken, 0 not taken, -1 unknown. */
int bpfrt_scalar_branch_taken(const struct vscalar *a, const struct vscalar *b, int cond, bool is32);
/* regs_refine_cond_op: narrows a and b assuming "a cond b" holds. */
void bpfrt_scalar_refine_cond(struct vscalar *a, struct vscalar *b, int cond, bool is32);
int bpfrt_vcond_flip(int cond);  /* a <op> b == b <flip(op)> a */
int bpfrt_vcond_rev(int cond);   /* the false branch's condition */

/* scalar(32)_min_max_add: bounds of a + b (a updated; var_off left to the caller). */
void bpfrt_scalar_add(struct vscalar *a, const struct vscalar *b);
void bpfrt_scalar32_add(struct vscalar *a, const struct vscalar *b);

#endif
