/* Shared by the scalar-bounds tests (test_verifier_bounds.c,
 * test_verifier_bounds_kernel.c): the concrete semantics of the ALU and
 * jump ops, written independently of src/core/verifier, membership of a
 * concrete value in a bounds state, and the log text of a scalar as Linux
 * prints it. */
#ifndef BPFRT_TESTS_VERIFIER_BOUNDS_UTIL_H
#define BPFRT_TESTS_VERIFIER_BOUNDS_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/isa/decode.h"
#include "core/verifier/bounds.h"

/* Whether v is one of the values b describes. */
static inline bool bounds_has(const struct bpfrt_bounds *b, uint64_t v)
{
    return bpfrt_tnum_contains(b->var_off, v) && (int64_t)v >= b->smin_value && (int64_t)v <= b->smax_value &&
           v >= b->umin_value && v <= b->umax_value && (int32_t)v >= b->s32_min_value &&
           (int32_t)v <= b->s32_max_value && (uint32_t)v >= b->u32_min_value && (uint32_t)v <= b->u32_max_value;
}

static inline uint64_t swap_bytes(uint64_t v, int size)
{
    return size == 2 ? __builtin_bswap16((uint16_t)v) : size == 4 ? __builtin_bswap32((uint32_t)v)
                                                                   : __builtin_bswap64(v);
}

static inline uint64_t sext_bytes(uint64_t v, int size)
{
    return size == 1 ? (uint64_t)(int64_t)(int8_t)v : size == 2 ? (uint64_t)(int64_t)(int16_t)v
                                                                 : (uint64_t)(int64_t)(int32_t)v;
}

/* What the instruction `op` computes from dst d and operand s (the
 * sign-extended imm for K forms), per RFC 9669 and Linux: x / 0 = 0,
 * x % 0 = x, S_MIN / -1 = S_MIN, shift amounts masked to the width,
 * 32-bit results zero-extended; the host is little-endian. */
static inline uint64_t conc_alu(uint16_t op, uint64_t d, uint64_t s)
{
    const struct bpfrt_op_info *in = &bpfrt_op_info[op];
    bool w32 = in->flags & BPFRT_OPF_32;
    if (in->kind == BPFRT_K_MOVSX) {
        uint64_t r = sext_bytes(s, in->size);
        return w32 ? (uint32_t)r : r;
    }
    if (in->kind == BPFRT_K_END) {
        if (in->alu == BPFRT_ALU_LE)
            return in->size == 8 ? d : d & ((1ull << (in->size * 8)) - 1);
        return swap_bytes(d, in->size);
    }
    if (w32) {
        uint32_t a = (uint32_t)d, b = (uint32_t)s, r;
        switch (in->alu) {
        case BPFRT_ALU_ADD: r = a + b; break;
        case BPFRT_ALU_SUB: r = a - b; break;
        case BPFRT_ALU_MUL: r = a * b; break;
        case BPFRT_ALU_DIV: r = b ? a / b : 0; break;
        case BPFRT_ALU_SDIV: r = !b ? 0 : (a == 0x80000000u && b == 0xffffffffu) ? a
                                 : (uint32_t)((int32_t)a / (int32_t)b); break;
        case BPFRT_ALU_MOD: r = b ? a % b : a; break;
        case BPFRT_ALU_SMOD: r = !b ? a : b == 0xffffffffu ? 0 : (uint32_t)((int32_t)a % (int32_t)b); break;
        case BPFRT_ALU_OR: r = a | b; break;
        case BPFRT_ALU_AND: r = a & b; break;
        case BPFRT_ALU_XOR: r = a ^ b; break;
        case BPFRT_ALU_LSH: r = a << (b & 31); break;
        case BPFRT_ALU_RSH: r = a >> (b & 31); break;
        case BPFRT_ALU_ARSH: r = (uint32_t)((int32_t)a >> (b & 31)); break;
        case BPFRT_ALU_MOV: r = b; break;
        case BPFRT_ALU_NEG: r = -a; break;
        default: r = 0; break;
        }
        return r;
    }
    switch (in->alu) {
    case BPFRT_ALU_ADD: return d + s;
    case BPFRT_ALU_SUB: return d - s;
    case BPFRT_ALU_MUL: return d * s;
    case BPFRT_ALU_DIV: return s ? d / s : 0;
    case BPFRT_ALU_SDIV: return !s ? 0 : (d == 1ull << 63 && s == ~0ull) ? d : (uint64_t)((int64_t)d / (int64_t)s);
    case BPFRT_ALU_MOD: return s ? d % s : d;
    case BPFRT_ALU_SMOD: return !s ? d : s == ~0ull ? 0 : (uint64_t)((int64_t)d % (int64_t)s);
    case BPFRT_ALU_OR: return d | s;
    case BPFRT_ALU_AND: return d & s;
    case BPFRT_ALU_XOR: return d ^ s;
    case BPFRT_ALU_LSH: return d << (s & 63);
    case BPFRT_ALU_RSH: return d >> (s & 63);
    case BPFRT_ALU_ARSH: return (uint64_t)((int64_t)d >> (s & 63));
    case BPFRT_ALU_MOV: return s;
    case BPFRT_ALU_NEG: return -d;
    default: return 0;
    }
}

/* Whether "if a <cond> b" jumps (cond: enum bpfrt_cond or BPFRT_JSET_FALSE). */
static inline bool conc_cond(uint8_t cond, uint64_t a, uint64_t b, bool w32)
{
    if (w32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    int64_t sa = w32 ? (int32_t)a : (int64_t)a, sb = w32 ? (int32_t)b : (int64_t)b;
    switch (cond) {
    case BPFRT_JEQ: return a == b;
    case BPFRT_JNE: return a != b;
    case BPFRT_JGT: return a > b;
    case BPFRT_JGE: return a >= b;
    case BPFRT_JLT: return a < b;
    case BPFRT_JLE: return a <= b;
    case BPFRT_JSET: return (a & b) != 0;
    case BPFRT_JSET_FALSE: return (a & b) == 0;
    case BPFRT_JSGT: return sa > sb;
    case BPFRT_JSGE: return sa >= sb;
    case BPFRT_JSLT: return sa < sb;
    case BPFRT_JSLE: return sa <= sb;
    default: return false;
    }
}

/* The verifier log's text for a scalar register's value: "12", "scalar()",
 * "scalar(smin=...)". */
static inline const char *scalar_text(const struct bpfrt_bounds *b, char *buf, size_t size)
{
    if (bpfrt_tnum_is_const(b->var_off)) {
        bpfrt_bounds_snprint(buf, size, b);
        return buf;
    }
    int n = snprintf(buf, size, "scalar(");
    n += bpfrt_bounds_snprint(buf + n, size - (size_t)n, b);
    if ((size_t)n + 2 <= size)
        memcpy(buf + n, ")", 2);
    return buf;
}

#endif
