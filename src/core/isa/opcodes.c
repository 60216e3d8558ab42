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
#define ALU_FORMS(op, name, cop)                                                             \
    static const struct isa_form alu32k_##op[] = {{0, ISA_SH_ALU_K, RW_D, name "32", cop}};  \
    static const struct isa_form alu32x_##op[] = {{0, ISA_SH_ALU_X, RW_D | R_S, name "32", cop}}; \
    static const struct isa_form alu64k_##op[] = {{0, ISA_SH_ALU_K, RW_D, name, cop}};       \
    static const struct isa_form alu64x_##op[] = {{0, ISA_SH_ALU_X, RW_D | R_S, name, cop}};

ALU_FORMS(add, "add", "+=")
ALU_FORMS(sub, "sub", "-=")
ALU_FORMS(mul, "mul", "*=")
ALU_FORMS(or, "or", "|=")
ALU_FORMS(and, "and", "&=")
ALU_FORMS(lsh, "lsh", "<<=")
ALU_FORMS(rsh, "rsh", ">>=")
ALU_FORMS(xor, "xor", "^=")
ALU_FORMS(arsh, "arsh", "s>>=")

/* Division and modulo: off 1 selects the signed variant (v4). */
#define DIV_FORMS(op, name, cop)                                                     \
    static const struct isa_form alu32k_##op[] = {                                   \
        {0, ISA_SH_ALU_K, RW_D, name "32", cop}, {1, ISA_SH_ALU_K, RW_D, "s" name "32", "s" cop}}; \
    static const struct isa_form alu32x_##op[] = {                                   \
        {0, ISA_SH_ALU_X, RW_D | R_S, name "32", cop}, {1, ISA_SH_ALU_X, RW_D | R_S, "s" name "32", "s" cop}}; \
    static const struct isa_form alu64k_##op[] = {                                   \
        {0, ISA_SH_ALU_K, RW_D, name, cop}, {1, ISA_SH_ALU_K, RW_D, "s" name, "s" cop}}; \
    static const struct isa_form alu64x_##op[] = {                                   \
        {0, ISA_SH_ALU_X, RW_D | R_S, name, cop}, {1, ISA_SH_ALU_X, RW_D | R_S, "s" name, "s" cop}};

DIV_FORMS(div, "div", "/=")
DIV_FORMS(mod, "mod", "%=")

/* Moves: off 8/16/32 on the register form sign-extends (movsx, v4). */
static const struct isa_form alu32k_mov[] = {{0, ISA_SH_ALU_K, W_D, "mov32", "="}};
static const struct isa_form alu64k_mov[] = {{0, ISA_SH_ALU_K, W_D, "mov", "="}};
static const struct isa_form alu32x_mov[] = {
    {0, ISA_SH_ALU_X, W_D | R_S, "mov32", "="},
    {8, ISA_SH_MOVSX, W_D | R_S, "movsx832", "s8"},
    {16, ISA_SH_MOVSX, W_D | R_S, "movsx1632", "s16"},
};
static const struct isa_form alu64x_mov[] = {
    {0, ISA_SH_ALU_X, W_D | R_S, "mov", "="},
    {1, ISA_SH_NONE, ISA_UNSUPPORTED, "addr_space_cast", "addr_space_cast is not supported"},
    {8, ISA_SH_MOVSX, W_D | R_S, "movsx864", "s8"},
    {16, ISA_SH_MOVSX, W_D | R_S, "movsx1664", "s16"},
    {32, ISA_SH_MOVSX, W_D | R_S, "movsx3264", "s32"},
};

static const struct isa_form alu32_neg[] = {{0, ISA_SH_NEG, RW_D, "neg32", "-"}};
static const struct isa_form alu64_neg[] = {{0, ISA_SH_NEG, RW_D, "neg", "-"}};

/* Byte swaps: imm is the width. */
static const struct isa_form alu_le[] = {
    {16, ISA_SH_END, RW_D, "le16", "le16"}, {32, ISA_SH_END, RW_D, "le32", "le32"},
    {64, ISA_SH_END, RW_D, "le64", "le64"}};
static const struct isa_form alu_be[] = {
    {16, ISA_SH_END, RW_D, "be16", "be16"}, {32, ISA_SH_END, RW_D, "be32", "be32"},
    {64, ISA_SH_END, RW_D, "be64", "be64"}};
static const struct isa_form alu64_bswap[] = {
    {16, ISA_SH_END, RW_D, "bswap16", "bswap16"}, {32, ISA_SH_END, RW_D, "bswap32", "bswap32"},
    {64, ISA_SH_END, RW_D, "bswap64", "bswap64"},
    /* the conformance suite's older spelling */
    {16, ISA_SH_END, RW_D | ISA_ALIAS, "swap16", "bswap16"},
    {32, ISA_SH_END, RW_D | ISA_ALIAS, "swap32", "bswap32"},
    {64, ISA_SH_END, RW_D | ISA_ALIAS, "swap64", "bswap64"}};

/* ---- loads and stores ---- */
static const struct isa_form ld_imm64[] = {
    {BPF_PSEUDO_MAP_FD, ISA_SH_LDDW_MAP_FD, W_D, "lddw", "map_fd"},
    {BPF_PSEUDO_MAP_VALUE, ISA_SH_LDDW_MAP_VALUE, W_D, "lddw", "map_value"},
    {BPF_PSEUDO_BTF_ID, ISA_SH_LDDW_BTF_ID, W_D, "lddw", "btf_id"},
    {BPF_PSEUDO_FUNC, ISA_SH_LDDW_FUNC, W_D, "lddw", "func"},
    {BPF_PSEUDO_MAP_IDX, ISA_SH_LDDW_MAP_IDX, W_D, "lddw", "map_idx"},
    {BPF_PSEUDO_MAP_IDX_VALUE, ISA_SH_LDDW_MAP_IDX_VALUE, W_D, "lddw", "map_idx_value"},
    /* plain last: its pattern ("r1 = 0x...") is the most general */
    {0, ISA_SH_LDDW, W_D, "lddw", ""},
    {0, ISA_SH_LDDW_LL, W_D | ISA_ALIAS, "lddw", ""},
};
#define LD_FORMS(sz, szname)                                                              \
    static const struct isa_form ld_abs_##sz[] = {{0, ISA_SH_LD_ABS, 0, "ldabs" szname, ""}}; \
    static const struct isa_form ld_ind_##sz[] = {{0, ISA_SH_LD_IND, R_S, "ldind" szname, ""}};
LD_FORMS(b, "b")
LD_FORMS(h, "h")
LD_FORMS(w, "w")

#define MEM_FORMS(sz, szname)                                                                \
    static const struct isa_form ldx_##sz[] = {{0, ISA_SH_LDX, W_D | R_S, "ldx" szname, ""}};  \
    static const struct isa_form st_##sz[] = {{0, ISA_SH_ST, R_D, "st" szname, ""}};          \
    static const struct isa_form stx_##sz[] = {{0, ISA_SH_STX, R_D | R_S, "stx" szname, ""}};
MEM_FORMS(b, "b")
MEM_FORMS(h, "h")
MEM_FORMS(w, "w")
MEM_FORMS(dw, "dw")
static const struct isa_form ldxs_b[] = {{0, ISA_SH_LDX, W_D | R_S, "ldxsb", ""}};
static const struct isa_form ldxs_h[] = {{0, ISA_SH_LDX, W_D | R_S, "ldxsh", ""}};
static const struct isa_form ldxs_w[] = {{0, ISA_SH_LDX, W_D | R_S, "ldxsw", ""}};

/* Atomics: imm selects the operation. LLVM spells 32-bit xchg/cmpxchg
 * "xchg32_32"/"cmpxchg32_32" and 64-bit "xchg_64"/"cmpxchg_64". */
#define RMW (R_D | R_S)
#define FETCH (R_D | R_S | ISA_WRITES_SRC)
#define ATOMIC_FORMS(sz, sfx, xchg, cmpxchg, acq, rel)                                     \
    static const struct isa_form atomic_##sz[] = {                                         \
        {BPF_ADD, ISA_SH_ATOMIC, RMW, "lock add" sfx, "+="},                               \
        {BPF_OR, ISA_SH_ATOMIC, RMW, "lock or" sfx, "|="},                                 \
        {BPF_AND, ISA_SH_ATOMIC, RMW, "lock and" sfx, "&="},                               \
        {BPF_XOR, ISA_SH_ATOMIC, RMW, "lock xor" sfx, "^="},                               \
        {BPF_ADD | BPF_FETCH, ISA_SH_ATOMIC_FETCH, FETCH, "lock fetch add" sfx, "add"},    \
        {BPF_OR | BPF_FETCH, ISA_SH_ATOMIC_FETCH, FETCH, "lock fetch or" sfx, "or"},       \
        {BPF_AND | BPF_FETCH, ISA_SH_ATOMIC_FETCH, FETCH, "lock fetch and" sfx, "and"},    \
        {BPF_XOR | BPF_FETCH, ISA_SH_ATOMIC_FETCH, FETCH, "lock fetch xor" sfx, "xor"},    \
        {BPF_XCHG, ISA_SH_ATOMIC_XCHG, FETCH, "lock xchg" sfx, xchg},                      \
        {BPF_CMPXCHG, ISA_SH_ATOMIC_CMPXCHG, RMW | ISA_WRITES_R0, "lock cmpxchg" sfx, cmpxchg}, \
        {BPF_LOAD_ACQ, ISA_SH_LOAD_ACQ, W_D | R_S, acq, ""},                               \
        {BPF_STORE_REL, ISA_SH_STORE_REL, R_D | R_S, rel, ""},                             \
    };
ATOMIC_FORMS(w, "32", "xchg32_32", "cmpxchg32_32", "ldacqw", "strelw")
ATOMIC_FORMS(dw, "", "xchg_64", "cmpxchg_64", "ldacqdw", "streldw")
/* 8- and 16-bit atomics exist only as load-acquire/store-release; Linux
 * names the read-modify-write operations there an operand size error. */
#define NARROW_RMW(op) {op, ISA_SH_NONE, ISA_UNSUPPORTED, "", "invalid atomic operand size"}
#define NARROW_ATOMIC_FORMS(sz, acq, rel)                                                    \
    static const struct isa_form atomic_##sz[] = {                                           \
        {BPF_LOAD_ACQ, ISA_SH_LOAD_ACQ, W_D | R_S, acq, ""},                                 \
        {BPF_STORE_REL, ISA_SH_STORE_REL, R_D | R_S, rel, ""},                               \
        NARROW_RMW(BPF_ADD), NARROW_RMW(BPF_OR), NARROW_RMW(BPF_AND), NARROW_RMW(BPF_XOR),   \
        NARROW_RMW(BPF_ADD | BPF_FETCH), NARROW_RMW(BPF_OR | BPF_FETCH),                     \
        NARROW_RMW(BPF_AND | BPF_FETCH), NARROW_RMW(BPF_XOR | BPF_FETCH),                    \
        NARROW_RMW(BPF_XCHG), NARROW_RMW(BPF_CMPXCHG),                                       \
    };
NARROW_ATOMIC_FORMS(b, "ldacqb", "strelb")
NARROW_ATOMIC_FORMS(h, "ldacqh", "strelh")

/* ---- jumps ---- */
#define JMP_FORMS(op, name, cop)                                                             \
    static const struct isa_form jmpk_##op[] = {{0, ISA_SH_JMP_K, R_D, name, cop}};           \
    static const struct isa_form jmpx_##op[] = {{0, ISA_SH_JMP_X, R_D | R_S, name, cop}};     \
    static const struct isa_form jmp32k_##op[] = {{0, ISA_SH_JMP_K, R_D, name "32", cop}};    \
    static const struct isa_form jmp32x_##op[] = {{0, ISA_SH_JMP_X, R_D | R_S, name "32", cop}};
JMP_FORMS(jeq, "jeq", "==")
JMP_FORMS(jgt, "jgt", ">")
JMP_FORMS(jge, "jge", ">=")
JMP_FORMS(jset, "jset", "&")
JMP_FORMS(jne, "jne", "!=")
JMP_FORMS(jsgt, "jsgt", "s>")
JMP_FORMS(jsge, "jsge", "s>=")
JMP_FORMS(jlt, "jlt", "<")
JMP_FORMS(jle, "jle", "<=")
JMP_FORMS(jslt, "jslt", "s<")
JMP_FORMS(jsle, "jsle", "s<=")

static const struct isa_form jmp_ja[] = {{0, ISA_SH_JA, 0, "ja", ""}};
static const struct isa_form jmp32_ja[] = {{0, ISA_SH_JA32, 0, "ja32", ""}};
static const struct isa_form jmp_call[] = {
    {0, ISA_SH_CALL, 0, "call", ""},
    {BPF_PSEUDO_CALL, ISA_SH_CALL_LOCAL, 0, "call local", ""},
    {BPF_PSEUDO_CALL, ISA_SH_CALL_LOCAL_ALIAS, ISA_ALIAS, "call local", ""},
    {BPF_PSEUDO_CALL, ISA_SH_CALL_LOCAL_BARE, ISA_ALIAS, "call local", ""},
    {BPF_PSEUDO_KFUNC_CALL, ISA_SH_CALL_KFUNC, ISA_USES_OFF, "call kfunc", ""},
};
static const struct isa_form jmp_callx[] = {
    {0, ISA_SH_CALLX, R_D, "callx", ""},
    {0, ISA_SH_CALLX_ALIAS, R_D | ISA_ALIAS, "call", ""},
};
static const struct isa_form jmp_exit[] = {{0, ISA_SH_EXIT, 0, "exit", ""}};
static const struct isa_form jmp_may_goto[] = {{BPF_MAY_GOTO, ISA_SH_MAY_GOTO, 0, "may_goto", ""}};

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
