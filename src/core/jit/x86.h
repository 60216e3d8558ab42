/* The x86-64 encoder: bytes only. It knows REX, ModRM/SIB, immediates and
 * displacements and nothing of eBPF; the emitters (emit_*.c) build eBPF
 * semantics from these calls. Every function appends one instruction to a
 * struct x86 stream and picks the shortest encoding of the form it names
 * (imm8 over imm32, disp8 over disp32, no displacement when it is 0), the
 * way GNU as encodes the same Intel-syntax line, so tests compare the bytes
 * with an assembler's. Linux's counterpart is the emit_* layer at the top of
 * arch/x86/net/bpf_jit_comp.c. */
#ifndef BPFRT_JIT_X86_H
#define BPFRT_JIT_X86_H

#include <stdbool.h>
#include <stdint.h>

enum x86_reg {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum x86_cc {
    X86_CC_O = 0, X86_CC_NO, X86_CC_B, X86_CC_AE, X86_CC_E, X86_CC_NE, X86_CC_BE, X86_CC_A,
    X86_CC_S, X86_CC_NS, X86_CC_P, X86_CC_NP, X86_CC_L, X86_CC_GE, X86_CC_LE, X86_CC_G,
};

/* The eight classic ALU operations (the /digit of 0x80-0x83). */
enum x86_alu { X86_ADD = 0, X86_OR, X86_ADC, X86_SBB, X86_AND, X86_SUB, X86_XOR, X86_CMP };

/* Shifts and rotates (the /digit of 0xc1/0xd1/0xd3). */
enum x86_shift { X86_ROL = 0, X86_ROR = 1, X86_SHL = 4, X86_SHR = 5, X86_SAR = 7 };

/* One stream of code: bytes go to code[len]; origin is the image offset of
 * code[0], so x86_pos() is where the next instruction lands. The encoder
 * writes exactly an instruction's bytes and never checks room: the owner
 * of the buffer keeps X86_MAX_INSN free before each call (cap, its size,
 * is the owner's bookkeeping; 0 when not needed). */
struct x86 {
    uint8_t *code;
    uint32_t len;
    uint32_t origin;
    uint32_t cap;
};

static inline uint32_t x86_pos(const struct x86 *x)
{
    return x->origin + x->len;
}

static inline bool x86_is_imm8(int64_t v)
{
    return v >= -128 && v <= 127;
}

static inline bool x86_is_simm32(int64_t v)
{
    return v >= INT32_MIN && v <= INT32_MAX;
}

/* Longest instruction this encoder emits (movabs: 10 bytes; a few spare). */
#define X86_MAX_INSN 16

/* ---- register and immediate operations; size is 1, 2, 4 or 8 bytes ---- */
static inline void bpfrt_x86_alu_rr(struct x86 *x, enum x86_alu op, unsigned size, int dst, int src);
static inline void bpfrt_x86_alu_ri(struct x86 *x, enum x86_alu op, unsigned size, int dst, int32_t imm);
static inline void bpfrt_x86_mov_rr(struct x86 *x, unsigned size, int dst, int src);
/* mov r32, imm32 (zero-extends). */
static inline void bpfrt_x86_mov_r32_imm(struct x86 *x, int dst, uint32_t imm);
/* mov r64, simm32 (sign-extends: REX.W C7 /0). */
static inline void bpfrt_x86_mov_r64_simm(struct x86 *x, int dst, int32_t imm);
/* movabs r64, imm64. */
static inline void bpfrt_x86_movabs(struct x86 *x, int dst, uint64_t imm);
/* Loads a 64-bit constant the shortest way: xor r32 (0; clobbers flags),
 * mov r32 (fits 32 bits unsigned), mov r64 sign-extended, movabs. */
static inline void bpfrt_x86_mov_imm(struct x86 *x, int dst, uint64_t imm);
static inline void bpfrt_x86_test_rr(struct x86 *x, unsigned size, int a, int b);
static inline void bpfrt_x86_test_ri(struct x86 *x, unsigned size, int a, int32_t imm);
static inline void bpfrt_x86_shift_ri(struct x86 *x, enum x86_shift op, unsigned size, int dst, uint8_t imm);
static inline void bpfrt_x86_shift_cl(struct x86 *x, enum x86_shift op, unsigned size, int dst);
/* BMI2 shlx/shrx/sarx dst, src, count (size 4 or 8). */
static inline void bpfrt_x86_shiftx(struct x86 *x, enum x86_shift op, unsigned size, int dst, int src, int count);
static inline void bpfrt_x86_imul_rr(struct x86 *x, unsigned size, int dst, int src);
static inline void bpfrt_x86_imul_rri(struct x86 *x, unsigned size, int dst, int src, int32_t imm);
/* mul/div/idiv r/m (rdx:rax implicit); neg/not. */
static inline void bpfrt_x86_mul_r(struct x86 *x, unsigned size, int src);
static inline void bpfrt_x86_div_r(struct x86 *x, unsigned size, int src, bool is_signed);
static inline void bpfrt_x86_neg(struct x86 *x, unsigned size, int dst);
/* cdq (size 4) / cqo (size 8). */
static inline void bpfrt_x86_cdq(struct x86 *x, unsigned size);
static inline void bpfrt_x86_bswap(struct x86 *x, unsigned size, int reg);
/* movzx / movsx dst, src from a 1- or 2-byte source (dst size 4 or 8);
 * movsxd for a 4-byte source. */
static inline void bpfrt_x86_movzx_rr(struct x86 *x, unsigned dst_size, unsigned src_size, int dst, int src);
static inline void bpfrt_x86_movsx_rr(struct x86 *x, unsigned dst_size, unsigned src_size, int dst, int src);
static inline void bpfrt_x86_push(struct x86 *x, int reg);
static inline void bpfrt_x86_pop(struct x86 *x, int reg);
/* push / pop qword [base + disp]. */
static inline void bpfrt_x86_push_m(struct x86 *x, int base, int32_t disp);
static inline void bpfrt_x86_pop_m(struct x86 *x, int base, int32_t disp);

/* ---- memory operands: [base + disp] (rsp/r12 get a SIB, rbp/r13 a disp8) ---- */
/* Loads size bytes into dst: movzx for 1 and 2 (dst 32-bit), mov r32 for 4,
 * mov r64 for 8; with sign: movsx/movsxd into the 64-bit dst. */
static inline void bpfrt_x86_load(struct x86 *x, unsigned size, bool sign, int dst, int base, int32_t disp);
static inline void bpfrt_x86_store(struct x86 *x, unsigned size, int base, int32_t disp, int src);
static inline void bpfrt_x86_store_imm(struct x86 *x, unsigned size, int base, int32_t disp, int32_t imm);
static inline void bpfrt_x86_lea(struct x86 *x, int dst, int base, int32_t disp);
/* lea dst, [base + index*1 + disp] (index not rsp): a copy and an addition
 * in one instruction. */
static inline void bpfrt_x86_lea_idx(struct x86 *x, int dst, int base, int index, int32_t disp);
/* op reg, [base + disp] and op [base + disp], reg (ALU forms 03/01 etc.). */
static inline void bpfrt_x86_alu_rm(struct x86 *x, enum x86_alu op, unsigned size, int reg, int base, int32_t disp);
static inline void bpfrt_x86_alu_mr(struct x86 *x, enum x86_alu op, unsigned size, int base, int32_t disp, int reg);
/* op [base + disp], imm (83 /op ib or 81 /op id; 80 for bytes). */
static inline void bpfrt_x86_alu_mi(struct x86 *x, enum x86_alu op, unsigned size, int base, int32_t disp,
                                    int32_t imm);
/* op [base + index*1 + disp], imm, and the matching dword load/store: the
 * only SIB-with-index forms the JIT needs (per-frame counters). */
static inline void bpfrt_x86_alu_mi_idx(struct x86 *x, enum x86_alu op, unsigned size, int base, int index,
                                        int32_t disp, int32_t imm);
static inline void bpfrt_x86_store_imm_idx(struct x86 *x, unsigned size, int base, int index, int32_t disp,
                                           int32_t imm);
/* lock prefix (0xf0) for the next instruction. */
static inline void bpfrt_x86_lock(struct x86 *x);
/* xadd [m], reg / xchg [m], reg / cmpxchg [m], reg (size 4 or 8). */
static inline void bpfrt_x86_xadd_m(struct x86 *x, unsigned size, int base, int32_t disp, int reg);
static inline void bpfrt_x86_xchg_m(struct x86 *x, unsigned size, int base, int32_t disp, int reg);
static inline void bpfrt_x86_cmpxchg_m(struct x86 *x, unsigned size, int base, int32_t disp, int reg);
static inline void bpfrt_x86_mfence(struct x86 *x);

/* ---- control flow ---- */
/* Relative jumps: rel counts from the end of the instruction. */
static inline void bpfrt_x86_jcc_rel8(struct x86 *x, enum x86_cc cc, int8_t rel);
static inline void bpfrt_x86_jcc_rel32(struct x86 *x, enum x86_cc cc, int32_t rel);
static inline void bpfrt_x86_jmp_rel8(struct x86 *x, int8_t rel);
static inline void bpfrt_x86_jmp_rel32(struct x86 *x, int32_t rel);
static inline void bpfrt_x86_call_rel32(struct x86 *x, int32_t rel);
static inline void bpfrt_x86_call_r(struct x86 *x, int reg);
static inline void bpfrt_x86_jmp_r(struct x86 *x, int reg);
static inline void bpfrt_x86_ret(struct x86 *x);
static inline void bpfrt_x86_int3(struct x86 *x);
/* A nop of n bytes (1 to 9: the recommended multi-byte forms). */
static inline void bpfrt_x86_nop(struct x86 *x, unsigned n);

/* Sizes of the relative-jump encodings. */
#define X86_JCC8_LEN 2
#define X86_JCC32_LEN 6
#define X86_JMP8_LEN 2
#define X86_JMP32_LEN 5
#define X86_CALL32_LEN 5

/* The definitions: inline, so the constants emitters pass (sizes, the
 * JIT's fixed registers, opcodes) fold into a few byte stores. */
#include "core/jit/x86_enc.h"

#endif
