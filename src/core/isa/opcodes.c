/* The opcode table: one row per opcode byte (all 256 considered; rows left
 * zero are unknown opcodes), each row listing the forms the opcode can take.
 * Validation, disassembly and assembly all read this table; see isa.h for
 * its shape. Validity follows Linux 6.18's instruction table plus 0x8d
 * (callx with a helper id in dst, the conformance suite's meaning). */
#include "core/isa/isa.h"

#define NFORMS(a) ((uint8_t)(sizeof(a) / sizeof((a)[0])))

/* Flags shorthands. */
#define W_D  (ISA_WRITES_DST)
#define RW_D (ISA_WRITES_DST | ISA_READS_DST)
#define R_S  (ISA_READS_SRC)
#define R_D  (ISA_READS_DST)

/* ---- ALU / ALU64 forms: one array per class and source ---- */
#define ALU_FORMS(op, name, cop, OP)                                                         \
    static const struct isa_form alu32k_##op[] = {{0, ISA_SH_ALU_K, RW_D, name "32", cop, BPFRT_OP_##OP##32_K}}; \
    static const struct isa_form alu32x_##op[] = {{0, ISA_SH_ALU_X, RW_D | R_S, name "32", cop, BPFRT_OP_##OP##32_X}}; \
    static const struct isa_form alu64k_##op[] = {{0, ISA_SH_ALU_K, RW_D, name, cop, BPFRT_OP_##OP##64_K}}; \
    static const struct isa_form alu64x_##op[] = {{0, ISA_SH_ALU_X, RW_D | R_S, name, cop, BPFRT_OP_##OP##64_X}};

ALU_FORMS(add, "add", "+=", ADD)
ALU_FORMS(sub, "sub", "-=", SUB)
ALU_FORMS(mul, "mul", "*=", MUL)
ALU_FORMS(or, "or", "|=", OR)
ALU_FORMS(and, "and", "&=", AND)
ALU_FORMS(lsh, "lsh", "<<=", LSH)
ALU_FORMS(rsh, "rsh", ">>=", RSH)
ALU_FORMS(xor, "xor", "^=", XOR)
ALU_FORMS(arsh, "arsh", "s>>=", ARSH)

/* Division and modulo: off 1 selects the signed variant (v4). */
#define DIV_FORMS(op, name, cop, OP)                                                 \
    static const struct isa_form alu32k_##op[] = {                                   \
        {0, ISA_SH_ALU_K, RW_D, name "32", cop, BPFRT_OP_##OP##32_K},                \
        {1, ISA_SH_ALU_K, RW_D, "s" name "32", "s" cop, BPFRT_OP_S##OP##32_K}};      \
    static const struct isa_form alu32x_##op[] = {                                   \
        {0, ISA_SH_ALU_X, RW_D | R_S, name "32", cop, BPFRT_OP_##OP##32_X},          \
        {1, ISA_SH_ALU_X, RW_D | R_S, "s" name "32", "s" cop, BPFRT_OP_S##OP##32_X}}; \
    static const struct isa_form alu64k_##op[] = {                                   \
        {0, ISA_SH_ALU_K, RW_D, name, cop, BPFRT_OP_##OP##64_K},                     \
        {1, ISA_SH_ALU_K, RW_D, "s" name, "s" cop, BPFRT_OP_S##OP##64_K}};           \
    static const struct isa_form alu64x_##op[] = {                                   \
        {0, ISA_SH_ALU_X, RW_D | R_S, name, cop, BPFRT_OP_##OP##64_X},               \
        {1, ISA_SH_ALU_X, RW_D | R_S, "s" name, "s" cop, BPFRT_OP_S##OP##64_X}};

DIV_FORMS(div, "div", "/=", DIV)
DIV_FORMS(mod, "mod", "%=", MOD)

/* Moves: off 8/16/32 on the register form sign-extends (movsx, v4). */
static const struct isa_form alu32k_mov[] = {{0, ISA_SH_ALU_K, W_D, "mov32", "=", BPFRT_OP_MOV32_K}};
static const struct isa_form alu64k_mov[] = {{0, ISA_SH_ALU_K, W_D, "mov", "=", BPFRT_OP_MOV64_K}};
static const struct isa_form alu32x_mov[] = {
    {0, ISA_SH_ALU_X, W_D | R_S, "mov32", "=", BPFRT_OP_MOV32_X},
    {8, ISA_SH_MOVSX, W_D | R_S, "movsx832", "s8", BPFRT_OP_MOVSX8_32},
    {16, ISA_SH_MOVSX, W_D | R_S, "movsx1632", "s16", BPFRT_OP_MOVSX16_32},
};
static const struct isa_form alu64x_mov[] = {
    {0, ISA_SH_ALU_X, W_D | R_S, "mov", "=", BPFRT_OP_MOV64_X},
    {1, ISA_SH_NONE, ISA_UNSUPPORTED, "addr_space_cast", "addr_space_cast is not supported", BPFRT_OP_BAD},
    {8, ISA_SH_MOVSX, W_D | R_S, "movsx864", "s8", BPFRT_OP_MOVSX8_64},
    {16, ISA_SH_MOVSX, W_D | R_S, "movsx1664", "s16", BPFRT_OP_MOVSX16_64},
    {32, ISA_SH_MOVSX, W_D | R_S, "movsx3264", "s32", BPFRT_OP_MOVSX32_64},
};

static const struct isa_form alu32_neg[] = {{0, ISA_SH_NEG, RW_D, "neg32", "-", BPFRT_OP_NEG32}};
static const struct isa_form alu64_neg[] = {{0, ISA_SH_NEG, RW_D, "neg", "-", BPFRT_OP_NEG64}};

/* Byte swaps: imm is the width. */
static const struct isa_form alu_le[] = {
    {16, ISA_SH_END, RW_D, "le16", "le16", BPFRT_OP_LE16}, {32, ISA_SH_END, RW_D, "le32", "le32", BPFRT_OP_LE32},
    {64, ISA_SH_END, RW_D, "le64", "le64", BPFRT_OP_LE64}};
static const struct isa_form alu_be[] = {
    {16, ISA_SH_END, RW_D, "be16", "be16", BPFRT_OP_BE16}, {32, ISA_SH_END, RW_D, "be32", "be32", BPFRT_OP_BE32},
    {64, ISA_SH_END, RW_D, "be64", "be64", BPFRT_OP_BE64}};
static const struct isa_form alu64_bswap[] = {
    {16, ISA_SH_END, RW_D, "bswap16", "bswap16", BPFRT_OP_BSWAP16},
    {32, ISA_SH_END, RW_D, "bswap32", "bswap32", BPFRT_OP_BSWAP32},
    {64, ISA_SH_END, RW_D, "bswap64", "bswap64", BPFRT_OP_BSWAP64},
    /* the conformance suite's older spelling */
    {16, ISA_SH_END, RW_D | ISA_ALIAS, "swap16", "bswap16", BPFRT_OP_BSWAP16},
    {32, ISA_SH_END, RW_D | ISA_ALIAS, "swap32", "bswap32", BPFRT_OP_BSWAP32},
    {64, ISA_SH_END, RW_D | ISA_ALIAS, "swap64", "bswap64", BPFRT_OP_BSWAP64}};

/* ---- loads and stores ---- */
static const struct isa_form ld_imm64[] = {
    {BPF_PSEUDO_MAP_FD, ISA_SH_LDDW_MAP_FD, W_D, "lddw", "map_fd", BPFRT_OP_LDDW},
    {BPF_PSEUDO_MAP_VALUE, ISA_SH_LDDW_MAP_VALUE, W_D, "lddw", "map_value", BPFRT_OP_LDDW},
    {BPF_PSEUDO_BTF_ID, ISA_SH_LDDW_BTF_ID, W_D, "lddw", "btf_id", BPFRT_OP_LDDW},
    {BPF_PSEUDO_FUNC, ISA_SH_LDDW_FUNC, W_D, "lddw", "func", BPFRT_OP_LDDW},
    {BPF_PSEUDO_MAP_IDX, ISA_SH_LDDW_MAP_IDX, W_D, "lddw", "map_idx", BPFRT_OP_LDDW},
    {BPF_PSEUDO_MAP_IDX_VALUE, ISA_SH_LDDW_MAP_IDX_VALUE, W_D, "lddw", "map_idx_value", BPFRT_OP_LDDW},
    /* plain last: its pattern ("r1 = 0x...") is the most general */
    {0, ISA_SH_LDDW, W_D, "lddw", "", BPFRT_OP_LDDW},
    {0, ISA_SH_LDDW_LL, W_D | ISA_ALIAS, "lddw", "", BPFRT_OP_LDDW},
};
#define LD_FORMS(sz, szname, SZ)                                                              \
    static const struct isa_form ld_abs_##sz[] = {{0, ISA_SH_LD_ABS, 0, "ldabs" szname, "", BPFRT_OP_LDABS_##SZ}}; \
    static const struct isa_form ld_ind_##sz[] = {{0, ISA_SH_LD_IND, R_S, "ldind" szname, "", BPFRT_OP_LDIND_##SZ}};
LD_FORMS(b, "b", B)
LD_FORMS(h, "h", H)
LD_FORMS(w, "w", W)

#define MEM_FORMS(sz, szname, SZ)                                                            \
    static const struct isa_form ldx_##sz[] = {{0, ISA_SH_LDX, W_D | R_S, "ldx" szname, "", BPFRT_OP_LDX_##SZ}}; \
    static const struct isa_form st_##sz[] = {{0, ISA_SH_ST, R_D, "st" szname, "", BPFRT_OP_ST_##SZ}};          \
    static const struct isa_form stx_##sz[] = {{0, ISA_SH_STX, R_D | R_S, "stx" szname, "", BPFRT_OP_STX_##SZ}};
MEM_FORMS(b, "b", B)
MEM_FORMS(h, "h", H)
MEM_FORMS(w, "w", W)
MEM_FORMS(dw, "dw", DW)
static const struct isa_form ldxs_b[] = {{0, ISA_SH_LDX, W_D | R_S, "ldxsb", "", BPFRT_OP_LDXSX_B}};
static const struct isa_form ldxs_h[] = {{0, ISA_SH_LDX, W_D | R_S, "ldxsh", "", BPFRT_OP_LDXSX_H}};
static const struct isa_form ldxs_w[] = {{0, ISA_SH_LDX, W_D | R_S, "ldxsw", "", BPFRT_OP_LDXSX_W}};

/* Atomics: imm selects the operation. LLVM spells 32-bit xchg/cmpxchg
 * "xchg32_32"/"cmpxchg32_32" and 64-bit "xchg_64"/"cmpxchg_64". */
#define RMW (R_D | R_S)
#define FETCH (R_D | R_S | ISA_WRITES_SRC)
#define ATOMIC_FORMS(sz, sfx, xchg, cmpxchg, acq, rel, SZ)                                 \
    static const struct isa_form atomic_##sz[] = {                                         \
        {BPF_ADD, ISA_SH_ATOMIC, RMW, "lock add" sfx, "+=", BPFRT_OP_AADD_##SZ},           \
        {BPF_OR, ISA_SH_ATOMIC, RMW, "lock or" sfx, "|=", BPFRT_OP_AOR_##SZ},              \
        {BPF_AND, ISA_SH_ATOMIC, RMW, "lock and" sfx, "&=", BPFRT_OP_AAND_##SZ},           \
        {BPF_XOR, ISA_SH_ATOMIC, RMW, "lock xor" sfx, "^=", BPFRT_OP_AXOR_##SZ},           \
        {BPF_ADD | BPF_FETCH, ISA_SH_ATOMIC_FETCH, FETCH, "lock fetch add" sfx, "add", BPFRT_OP_AFADD_##SZ}, \
        {BPF_OR | BPF_FETCH, ISA_SH_ATOMIC_FETCH, FETCH, "lock fetch or" sfx, "or", BPFRT_OP_AFOR_##SZ},     \
        {BPF_AND | BPF_FETCH, ISA_SH_ATOMIC_FETCH, FETCH, "lock fetch and" sfx, "and", BPFRT_OP_AFAND_##SZ}, \
        {BPF_XOR | BPF_FETCH, ISA_SH_ATOMIC_FETCH, FETCH, "lock fetch xor" sfx, "xor", BPFRT_OP_AFXOR_##SZ}, \
        {BPF_XCHG, ISA_SH_ATOMIC_XCHG, FETCH, "lock xchg" sfx, xchg, BPFRT_OP_AXCHG_##SZ},                \
        {BPF_CMPXCHG, ISA_SH_ATOMIC_CMPXCHG, RMW | ISA_WRITES_R0, "lock cmpxchg" sfx, cmpxchg, BPFRT_OP_ACMPXCHG_##SZ}, \
        {BPF_LOAD_ACQ, ISA_SH_LOAD_ACQ, W_D | R_S, acq, "", BPFRT_OP_LDACQ_##SZ},          \
        {BPF_STORE_REL, ISA_SH_STORE_REL, R_D | R_S, rel, "", BPFRT_OP_STREL_##SZ},        \
    };
ATOMIC_FORMS(w, "32", "xchg32_32", "cmpxchg32_32", "ldacqw", "strelw", W)
ATOMIC_FORMS(dw, "", "xchg_64", "cmpxchg_64", "ldacqdw", "streldw", DW)
/* 8- and 16-bit atomics exist only as load-acquire/store-release; Linux
 * names the read-modify-write operations there an operand size error. */
#define NARROW_RMW(op) {op, ISA_SH_NONE, ISA_UNSUPPORTED, "", "invalid atomic operand size", BPFRT_OP_BAD}
#define NARROW_ATOMIC_FORMS(sz, acq, rel, SZ)                                                \
    static const struct isa_form atomic_##sz[] = {                                           \
        {BPF_LOAD_ACQ, ISA_SH_LOAD_ACQ, W_D | R_S, acq, "", BPFRT_OP_LDACQ_##SZ},            \
        {BPF_STORE_REL, ISA_SH_STORE_REL, R_D | R_S, rel, "", BPFRT_OP_STREL_##SZ},          \
        NARROW_RMW(BPF_ADD), NARROW_RMW(BPF_OR), NARROW_RMW(BPF_AND), NARROW_RMW(BPF_XOR),   \
        NARROW_RMW(BPF_ADD | BPF_FETCH), NARROW_RMW(BPF_OR | BPF_FETCH),                     \
        NARROW_RMW(BPF_AND | BPF_FETCH), NARROW_RMW(BPF_XOR | BPF_FETCH),                    \
        NARROW_RMW(BPF_XCHG), NARROW_RMW(BPF_CMPXCHG),                                       \
    };
NARROW_ATOMIC_FORMS(b, "ldacqb", "strelb", B)
NARROW_ATOMIC_FORMS(h, "ldacqh", "strelh", H)

/* ---- jumps ---- */
#define JMP_FORMS(op, name, cop, OP)                                                         \
    static const struct isa_form jmpk_##op[] = {{0, ISA_SH_JMP_K, R_D, name, cop, BPFRT_OP_##OP##64_K}}; \
    static const struct isa_form jmpx_##op[] = {{0, ISA_SH_JMP_X, R_D | R_S, name, cop, BPFRT_OP_##OP##64_X}}; \
    static const struct isa_form jmp32k_##op[] = {{0, ISA_SH_JMP_K, R_D, name "32", cop, BPFRT_OP_##OP##32_K}}; \
    static const struct isa_form jmp32x_##op[] = {{0, ISA_SH_JMP_X, R_D | R_S, name "32", cop, BPFRT_OP_##OP##32_X}};
JMP_FORMS(jeq, "jeq", "==", JEQ)
JMP_FORMS(jgt, "jgt", ">", JGT)
JMP_FORMS(jge, "jge", ">=", JGE)
JMP_FORMS(jset, "jset", "&", JSET)
JMP_FORMS(jne, "jne", "!=", JNE)
JMP_FORMS(jsgt, "jsgt", "s>", JSGT)
JMP_FORMS(jsge, "jsge", "s>=", JSGE)
JMP_FORMS(jlt, "jlt", "<", JLT)
JMP_FORMS(jle, "jle", "<=", JLE)
JMP_FORMS(jslt, "jslt", "s<", JSLT)
JMP_FORMS(jsle, "jsle", "s<=", JSLE)

static const struct isa_form jmp_ja[] = {{0, ISA_SH_JA, 0, "ja", "", BPFRT_OP_JA}};
static const struct isa_form jmp32_ja[] = {{0, ISA_SH_JA32, 0, "ja32", "", BPFRT_OP_JA}};
static const struct isa_form jmp_call[] = {
    {0, ISA_SH_CALL, 0, "call", "", BPFRT_OP_CALL_HELPER},
    {BPF_PSEUDO_CALL, ISA_SH_CALL_LOCAL, 0, "call local", "", BPFRT_OP_CALL_LOCAL},
    {BPF_PSEUDO_CALL, ISA_SH_CALL_LOCAL_ALIAS, ISA_ALIAS, "call local", "", BPFRT_OP_CALL_LOCAL},
    {BPF_PSEUDO_CALL, ISA_SH_CALL_LOCAL_BARE, ISA_ALIAS, "call local", "", BPFRT_OP_CALL_LOCAL},
    {BPF_PSEUDO_KFUNC_CALL, ISA_SH_CALL_KFUNC, ISA_USES_OFF, "call kfunc", "", BPFRT_OP_CALL_KFUNC},
};
static const struct isa_form jmp_callx[] = {
    {0, ISA_SH_CALLX, R_D, "callx", "", BPFRT_OP_CALLX},
    {0, ISA_SH_CALLX_ALIAS, R_D | ISA_ALIAS, "call", "", BPFRT_OP_CALLX},
};
static const struct isa_form jmp_exit[] = {{0, ISA_SH_EXIT, 0, "exit", "", BPFRT_OP_EXIT}};
static const struct isa_form jmp_may_goto[] = {{BPF_MAY_GOTO, ISA_SH_MAY_GOTO, 0, "may_goto", "", BPFRT_OP_MAY_GOTO}};

/* ---- the table ---- */
#define F_D ISA_F_DST
#define F_S ISA_F_SRC
#define F_O ISA_F_OFF
#define F_I ISA_F_IMM

#define ROW(used_, key_, reg_, size_, katom_, rmsg_, kmsg_, forms_) \
    {(used_), (key_), NFORMS(forms_), (reg_), (size_), (katom_), (rmsg_), (kmsg_), (forms_)}

#define ALU_MSG "BPF_ALU uses reserved fields"
#define MOV_MSG "BPF_MOV uses reserved fields"
#define JMP_MSG "BPF_JMP/JMP32 uses reserved fields"

/* Plain ALU op (no key): K uses dst+imm, X uses dst+src. */
#define ALU_ROWS(OP, op)                                                                       \
    [BPF_ALU | OP | BPF_K] = ROW(F_D | F_I, ISA_KEY_NONE, 'w', 0, 0, ALU_MSG, 0, alu32k_##op),  \
    [BPF_ALU | OP | BPF_X] = ROW(F_D | F_S, ISA_KEY_NONE, 'w', 0, 0, ALU_MSG, 0, alu32x_##op),  \
    [BPF_ALU64 | OP | BPF_K] = ROW(F_D | F_I, ISA_KEY_NONE, 'r', 0, 0, ALU_MSG, 0, alu64k_##op),\
    [BPF_ALU64 | OP | BPF_X] = ROW(F_D | F_S, ISA_KEY_NONE, 'r', 0, 0, ALU_MSG, 0, alu64x_##op)
#define DIV_ROWS(OP, op)                                                                           \
    [BPF_ALU | OP | BPF_K] = ROW(F_D | F_I, ISA_KEY_OFF, 'w', 0, 0, ALU_MSG, ALU_MSG, alu32k_##op),  \
    [BPF_ALU | OP | BPF_X] = ROW(F_D | F_S, ISA_KEY_OFF, 'w', 0, 0, ALU_MSG, ALU_MSG, alu32x_##op),  \
    [BPF_ALU64 | OP | BPF_K] = ROW(F_D | F_I, ISA_KEY_OFF, 'r', 0, 0, ALU_MSG, ALU_MSG, alu64k_##op),\
    [BPF_ALU64 | OP | BPF_X] = ROW(F_D | F_S, ISA_KEY_OFF, 'r', 0, 0, ALU_MSG, ALU_MSG, alu64x_##op)
#define JMP_ROWS(OP, op)                                                                          \
    [BPF_JMP | OP | BPF_K] = ROW(F_D | F_O | F_I, ISA_KEY_NONE, 'r', 0, 0, JMP_MSG, 0, jmpk_##op),  \
    [BPF_JMP | OP | BPF_X] = ROW(F_D | F_S | F_O, ISA_KEY_NONE, 'r', 0, 0, JMP_MSG, 0, jmpx_##op),  \
    [BPF_JMP32 | OP | BPF_K] = ROW(F_D | F_O | F_I, ISA_KEY_NONE, 'w', 0, 0, JMP_MSG, 0, jmp32k_##op),\
    [BPF_JMP32 | OP | BPF_X] = ROW(F_D | F_S | F_O, ISA_KEY_NONE, 'w', 0, 0, JMP_MSG, 0, jmp32x_##op)

#define LD_ROWS(SZ, sz, type)                                                                       \
    [BPF_LD | BPF_ABS | SZ] = ROW(F_I, ISA_KEY_NONE, 'r', type, 0, "BPF_LD_[ABS|IND] uses reserved fields", 0, ld_abs_##sz), \
    [BPF_LD | BPF_IND | SZ] = ROW(F_S | F_I, ISA_KEY_NONE, 'r', type, 0, "BPF_LD_[ABS|IND] uses reserved fields", 0, ld_ind_##sz)
#define MEM_ROWS(SZ, sz, type)                                                                                  \
    [BPF_LDX | BPF_MEM | SZ] = ROW(F_D | F_S | F_O, ISA_KEY_NONE, 'r', type, 0, "BPF_LDX uses reserved fields", 0, ldx_##sz), \
    [BPF_ST | BPF_MEM | SZ] = ROW(F_D | F_O | F_I, ISA_KEY_NONE, 'r', type, 0, "BPF_ST uses reserved fields", 0, st_##sz),    \
    [BPF_STX | BPF_MEM | SZ] = ROW(F_D | F_S | F_O, ISA_KEY_NONE, 'r', type, 0, "BPF_STX uses reserved fields", 0, stx_##sz)

#define ATOMIC_MSG "BPF_ATOMIC uses invalid atomic opcode %02x"

const struct isa_opcode bpfrt_isa_opcodes[256] = {
    ALU_ROWS(BPF_ADD, add), ALU_ROWS(BPF_SUB, sub), ALU_ROWS(BPF_MUL, mul),
    ALU_ROWS(BPF_OR, or), ALU_ROWS(BPF_AND, and), ALU_ROWS(BPF_LSH, lsh),
    ALU_ROWS(BPF_RSH, rsh), ALU_ROWS(BPF_XOR, xor), ALU_ROWS(BPF_ARSH, arsh),
    DIV_ROWS(BPF_DIV, div), DIV_ROWS(BPF_MOD, mod),
    [BPF_ALU | BPF_MOV | BPF_K] = ROW(F_D | F_I, ISA_KEY_NONE, 'w', 0, 0, MOV_MSG, 0, alu32k_mov),
    [BPF_ALU | BPF_MOV | BPF_X] = ROW(F_D | F_S, ISA_KEY_OFF, 'w', 0, 0, MOV_MSG, MOV_MSG, alu32x_mov),
    [BPF_ALU64 | BPF_MOV | BPF_K] = ROW(F_D | F_I, ISA_KEY_NONE, 'r', 0, 0, MOV_MSG, 0, alu64k_mov),
    [BPF_ALU64 | BPF_MOV | BPF_X] = ROW(F_D | F_S, ISA_KEY_OFF, 'r', 0, 0, MOV_MSG, MOV_MSG, alu64x_mov),
    [BPF_ALU | BPF_NEG] = ROW(F_D, ISA_KEY_NONE, 'w', 0, 0, "BPF_NEG uses reserved fields", 0, alu32_neg),
    [BPF_ALU64 | BPF_NEG] = ROW(F_D, ISA_KEY_NONE, 'r', 0, 0, "BPF_NEG uses reserved fields", 0, alu64_neg),
    [BPF_ALU | BPF_END | BPF_TO_LE] = ROW(F_D, ISA_KEY_IMM, 'r', 0, 0, "BPF_END uses reserved fields", "BPF_END uses reserved fields", alu_le),
    [BPF_ALU | BPF_END | BPF_TO_BE] = ROW(F_D, ISA_KEY_IMM, 'r', 0, 0, "BPF_END uses reserved fields", "BPF_END uses reserved fields", alu_be),
    [BPF_ALU64 | BPF_END | BPF_TO_LE] = ROW(F_D, ISA_KEY_IMM, 'r', 0, 0, "BPF_END uses reserved fields", "BPF_END uses reserved fields", alu64_bswap),

    [BPF_LD | BPF_IMM | BPF_DW] = ROW(F_D | F_I, ISA_KEY_SRC, 'r', 0, 0, "BPF_LD_IMM64 uses reserved fields", "unrecognized bpf_ld_imm64 insn", ld_imm64),
    LD_ROWS(BPF_B, b, "u8"), LD_ROWS(BPF_H, h, "u16"), LD_ROWS(BPF_W, w, "u32"),
    MEM_ROWS(BPF_B, b, "u8"), MEM_ROWS(BPF_H, h, "u16"), MEM_ROWS(BPF_W, w, "u32"), MEM_ROWS(BPF_DW, dw, "u64"),
    [BPF_LDX | BPF_MEMSX | BPF_B] = ROW(F_D | F_S | F_O, ISA_KEY_NONE, 'r', "s8", 0, "BPF_LDX uses reserved fields", 0, ldxs_b),
    [BPF_LDX | BPF_MEMSX | BPF_H] = ROW(F_D | F_S | F_O, ISA_KEY_NONE, 'r', "s16", 0, "BPF_LDX uses reserved fields", 0, ldxs_h),
    [BPF_LDX | BPF_MEMSX | BPF_W] = ROW(F_D | F_S | F_O, ISA_KEY_NONE, 'r', "s32", 0, "BPF_LDX uses reserved fields", 0, ldxs_w),
    [BPF_STX | BPF_ATOMIC | BPF_B] = ROW(F_D | F_S | F_O, ISA_KEY_IMM, 'w', "u8", "atomic", ATOMIC_MSG, ATOMIC_MSG, atomic_b),
    [BPF_STX | BPF_ATOMIC | BPF_H] = ROW(F_D | F_S | F_O, ISA_KEY_IMM, 'w', "u16", "atomic", ATOMIC_MSG, ATOMIC_MSG, atomic_h),
    [BPF_STX | BPF_ATOMIC | BPF_W] = ROW(F_D | F_S | F_O, ISA_KEY_IMM, 'w', "u32", "atomic", ATOMIC_MSG, ATOMIC_MSG, atomic_w),
    [BPF_STX | BPF_ATOMIC | BPF_DW] = ROW(F_D | F_S | F_O, ISA_KEY_IMM, 'r', "u64", "atomic64", ATOMIC_MSG, ATOMIC_MSG, atomic_dw),

    JMP_ROWS(BPF_JEQ, jeq), JMP_ROWS(BPF_JGT, jgt), JMP_ROWS(BPF_JGE, jge), JMP_ROWS(BPF_JSET, jset),
    JMP_ROWS(BPF_JNE, jne), JMP_ROWS(BPF_JSGT, jsgt), JMP_ROWS(BPF_JSGE, jsge), JMP_ROWS(BPF_JLT, jlt),
    JMP_ROWS(BPF_JLE, jle), JMP_ROWS(BPF_JSLT, jslt), JMP_ROWS(BPF_JSLE, jsle),
    [BPF_JMP | BPF_JA] = ROW(F_O, ISA_KEY_NONE, 'r', 0, 0, "BPF_JA uses reserved fields", 0, jmp_ja),
    [BPF_JMP32 | BPF_JA] = ROW(F_I, ISA_KEY_NONE, 'r', 0, 0, "BPF_JA uses reserved fields", 0, jmp32_ja),
    [BPF_JMP | BPF_CALL] = ROW(F_I, ISA_KEY_SRC, 'r', 0, 0, "BPF_CALL uses reserved fields", "BPF_CALL uses reserved fields", jmp_call),
    [BPF_JMP | BPF_CALL | BPF_X] = ROW(F_D, ISA_KEY_NONE, 'r', 0, 0, "BPF_CALL uses reserved fields", 0, jmp_callx),
    [BPF_JMP | BPF_EXIT] = ROW(0, ISA_KEY_NONE, 'r', 0, 0, "BPF_EXIT uses reserved fields", 0, jmp_exit),
    [BPF_JMP | BPF_JCOND] = ROW(F_O, ISA_KEY_SRC, 'r', 0, 0, "invalid may_goto imm %d", "invalid may_goto imm %d", jmp_may_goto),
};

int32_t bpfrt_isa_key_value(const struct bpf_insn *insn, uint8_t key)
{
    switch (key) {
    case ISA_KEY_OFF: return insn->off;
    case ISA_KEY_IMM: return insn->imm;
    case ISA_KEY_SRC: return insn->src_reg;
    default: return 0;
    }
}

void bpfrt_isa_set_key(struct bpf_insn *insn, uint8_t key, int32_t value)
{
    switch (key) {
    case ISA_KEY_OFF: insn->off = (int16_t)value; break;
    case ISA_KEY_IMM: insn->imm = value; break;
    case ISA_KEY_SRC: insn->src_reg = (uint8_t)(value & 0xf); break;
    default: break;
    }
}

const struct isa_form *bpfrt_isa_find_form(const struct isa_opcode *op, const struct bpf_insn *insn)
{
    int32_t k = bpfrt_isa_key_value(insn, op->key);
    for (unsigned i = 0; i < op->nforms; i++) {
        const struct isa_form *f = &op->forms[i];
        if (f->key == k && !(f->flags & ISA_ALIAS))
            return f;
    }
    return NULL;
}
