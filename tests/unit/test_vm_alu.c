/* Interpreter arithmetic, jumps and byte order: RFC 9669 corner cases with
 * hand-derived values, each run in checked and unchecked mode. */
#include "test_vm_util.h"

#define INT64_MIN_U 0x8000000000000000ull

static void test_division_by_zero(void)
{
    /* x / 0 = 0 */
    EXPECT_R0(0, MOV64_IMM(0, 7), MOV64_IMM(1, 0), ALU64_REG(BPF_DIV, 0, 1), EXIT());
    EXPECT_R0(0, MOV64_IMM(0, 7), ALU64_IMM(BPF_DIV, 0, 0), EXIT());
    EXPECT_R0(0, LD_IMM64(0, 0xffffffff00000007ull), MOV32_IMM(1, 0), ALU32_REG(BPF_DIV, 0, 1), EXIT());
    /* x % 0 = x; the 32-bit form keeps only the low half (zero-extended) */
    EXPECT_R0(7, MOV64_IMM(0, 7), MOV64_IMM(1, 0), ALU64_REG(BPF_MOD, 0, 1), EXIT());
    EXPECT_R0(0xffffffff00000007ull, LD_IMM64(0, 0xffffffff00000007ull), ALU64_IMM(BPF_MOD, 0, 0), EXIT());
    EXPECT_R0(7, LD_IMM64(0, 0xffffffff00000007ull), MOV32_IMM(1, 0), ALU32_REG(BPF_MOD, 0, 1), EXIT());
    EXPECT_R0(7, LD_IMM64(0, 0xffffffff00000007ull), ALU32_IMM(BPF_MOD, 0, 0), EXIT());
    /* the divisor of a 32-bit op is the low half only: 0x1_00000000 is 0 */
    EXPECT_R0(0, MOV64_IMM(0, 9), LD_IMM64(1, 0x100000000ull), ALU32_REG(BPF_DIV, 0, 1), EXIT());
    /* signed forms */
    EXPECT_R0(0, MOV64_IMM(0, -9), MOV64_IMM(1, 0), SDIV64_REG(0, 1), EXIT());
    EXPECT_R0((uint64_t)-9, MOV64_IMM(0, -9), MOV64_IMM(1, 0), SMOD64_REG(0, 1), EXIT());
    EXPECT_R0(0xfffffff7u, MOV64_IMM(0, -9), SMOD32_IMM(0, 0), EXIT());
    EXPECT_R0(0, MOV64_IMM(0, -9), SDIV32_IMM(0, 0), EXIT());
}

static void test_signed_overflow(void)
{
    /* INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0, 64 and 32 bits, reg and imm */
    EXPECT_R0(INT64_MIN_U, LD_IMM64(0, INT64_MIN_U), MOV64_IMM(1, -1), SDIV64_REG(0, 1), EXIT());
    EXPECT_R0(INT64_MIN_U, LD_IMM64(0, INT64_MIN_U), SDIV64_IMM(0, -1), EXIT());
    EXPECT_R0(0, LD_IMM64(0, INT64_MIN_U), MOV64_IMM(1, -1), SMOD64_REG(0, 1), EXIT());
    EXPECT_R0(0, LD_IMM64(0, INT64_MIN_U), SMOD64_IMM(0, -1), EXIT());
    EXPECT_R0(0x80000000u, MOV32_IMM(0, INT32_MIN), MOV32_IMM(1, -1), SDIV32_REG(0, 1), EXIT());
    EXPECT_R0(0x80000000u, MOV32_IMM(0, INT32_MIN), SDIV32_IMM(0, -1), EXIT());
    EXPECT_R0(0, MOV32_IMM(0, INT32_MIN), SMOD32_IMM(0, -1), EXIT());
    EXPECT_R0(0, MOV32_IMM(0, INT32_MIN), MOV32_IMM(1, -1), SMOD32_REG(0, 1), EXIT());
    /* truncation toward zero; remainder takes the dividend's sign */
    EXPECT_R0((uint64_t)-3, MOV64_IMM(0, -7), SDIV64_IMM(0, 2), EXIT());
    EXPECT_R0((uint64_t)-1, MOV64_IMM(0, -7), SMOD64_IMM(0, 2), EXIT());
    EXPECT_R0(1, MOV64_IMM(0, 7), SMOD64_IMM(0, -2), EXIT());
    EXPECT_R0(0xfffffffdu, MOV32_IMM(0, -7), SDIV32_IMM(0, 2), EXIT());
    /* unsigned division sees -7 as a huge number */
    EXPECT_R0(0x7ffffffffffffffcull, MOV64_IMM(0, -7), ALU64_IMM(BPF_DIV, 0, 2), EXIT());
    /* neg of INT_MIN wraps to itself */
    EXPECT_R0(INT64_MIN_U, LD_IMM64(0, INT64_MIN_U), NEG64(0), EXIT());
    EXPECT_R0(0x80000000u, MOV32_IMM(0, INT32_MIN), NEG32(0), EXIT());
    EXPECT_R0(0xffffffffu, MOV64_IMM(0, 1), NEG32(0), EXIT());
}

static void test_shift_masking(void)
{
    /* immediates: 65 & 63 = 1, 33 & 31 = 1 */
    EXPECT_R0(2, MOV64_IMM(0, 1), ALU64_IMM(BPF_LSH, 0, 65), EXIT());
    EXPECT_R0(2, MOV64_IMM(0, 1), ALU32_IMM(BPF_LSH, 0, 33), EXIT());
    EXPECT_R0(0x40000000u, MOV32_IMM(0, INT32_MIN), ALU32_IMM(BPF_RSH, 0, 33), EXIT());
    EXPECT_R0(0xc0000000u, MOV32_IMM(0, INT32_MIN), ALU32_IMM(BPF_ARSH, 0, 33), EXIT());
    /* negative immediate: -1 & 63 = 63 */
    EXPECT_R0(1, LD_IMM64(0, INT64_MIN_U), ALU64_IMM(BPF_RSH, 0, -1), EXIT());
    EXPECT_R0(0xffffffffffffffffull, LD_IMM64(0, INT64_MIN_U), ALU64_IMM(BPF_ARSH, 0, -1), EXIT());
    /* registers: 64 & 63 = 0, 32 & 31 = 0, 0x141 & 63 = 1 */
    EXPECT_R0(5, MOV64_IMM(0, 5), MOV64_IMM(1, 64), ALU64_REG(BPF_LSH, 0, 1), EXIT());
    EXPECT_R0(5, MOV64_IMM(0, 5), MOV64_IMM(1, 32), ALU32_REG(BPF_RSH, 0, 1), EXIT());
    EXPECT_R0(10, MOV64_IMM(0, 5), MOV64_IMM(1, 0x141), ALU64_REG(BPF_LSH, 0, 1), EXIT());
    EXPECT_R0(0xfffffffcu, MOV32_IMM(0, -8), MOV64_IMM(1, 33), ALU32_REG(BPF_ARSH, 0, 1), EXIT());
    /* arsh64 keeps the sign */
    EXPECT_R0(0xfffffffffffffffeull, MOV64_IMM(0, -8), ALU64_IMM(BPF_ARSH, 0, 2), EXIT());
}

static void test_zero_extension(void)
{
    /* every 32-bit op clears the upper half */
    EXPECT_R0(0x00000001u, LD_IMM64(0, 0xffffffffffffffffull), ALU32_IMM(BPF_ADD, 0, 2), EXIT());
    EXPECT_R0(0xfffffffeu, LD_IMM64(0, 0x12345678ffffffffull), ALU32_IMM(BPF_MUL, 0, 2), EXIT());
    EXPECT_R0(0x0fffffffu, LD_IMM64(0, 0xffffffffffffffffull), ALU32_IMM(BPF_RSH, 0, 4), EXIT());
    EXPECT_R0(0xffffffffu, MOV32_IMM(0, -1), EXIT());
    EXPECT_R0(0x9abcdef0u, LD_IMM64(1, 0x123456789abcdef0ull), MOV32_REG(0, 1), EXIT());
    EXPECT_R0(0, LD_IMM64(0, 0xffffffff00000000ull), ALU32_IMM(BPF_OR, 0, 0), EXIT());
    /* 64-bit mov of an imm sign-extends */
    EXPECT_R0(0xffffffffffffffffull, MOV64_IMM(0, -1), EXIT());
    EXPECT_R0(0xffffffff80000000ull, MOV64_IMM(0, INT32_MIN), EXIT());
    /* 64-bit alu with imm sign-extends the imm */
    EXPECT_R0(0xfffffffffffffff0ull, MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 0, -16), EXIT());
    EXPECT_R0(0xfffffffffffffff0ull, LD_IMM64(0, 0xffffffffffffffffull), ALU64_IMM(BPF_AND, 0, -16), EXIT());
}

static void test_movsx(void)
{
    EXPECT_R0(0xffffffffffffff80ull, MOV64_IMM(1, 0x180), MOVSX64(0, 1, 8), EXIT());
    EXPECT_R0(0x7f, MOV64_IMM(1, 0x17f), MOVSX64(0, 1, 8), EXIT());
    EXPECT_R0(0xffffffffffff8000ull, MOV64_IMM(1, 0x18000), MOVSX64(0, 1, 16), EXIT());
    EXPECT_R0(0xffffffff80000000ull, LD_IMM64(1, 0x1280000000ull), MOVSX64(0, 1, 32), EXIT());
    /* 32-bit movsx: sign-extend into 32 bits, upper half zero */
    EXPECT_R0(0xffffff80u, MOV64_IMM(1, 0x80), MOVSX32(0, 1, 8), EXIT());
    EXPECT_R0(0xffff8000u, MOV64_IMM(1, 0x8000), MOVSX32(0, 1, 16), EXIT());
    EXPECT_R0(0x1234u, LD_IMM64(1, 0xffffffff00001234ull), MOVSX32(0, 1, 16), EXIT());
}

static void test_byte_order(void)
{
    const uint64_t v = 0x0102030405060708ull;
    EXPECT_R0(0x0807, LD_IMM64(0, v), END_BE(0, 16), EXIT());
    EXPECT_R0(0x08070605, LD_IMM64(0, v), END_BE(0, 32), EXIT());
    EXPECT_R0(0x0807060504030201ull, LD_IMM64(0, v), END_BE(0, 64), EXIT());
    EXPECT_R0(0x0708, LD_IMM64(0, v), END_LE(0, 16), EXIT());
    EXPECT_R0(0x05060708, LD_IMM64(0, v), END_LE(0, 32), EXIT());
    EXPECT_R0(v, LD_IMM64(0, v), END_LE(0, 64), EXIT());
    /* bswap (ALU64 | END) swaps unconditionally and truncates */
    EXPECT_R0(0x0807, LD_IMM64(0, v), BSWAP(0, 16), EXIT());
    EXPECT_R0(0x08070605, LD_IMM64(0, v), BSWAP(0, 32), EXIT());
    EXPECT_R0(0x0807060504030201ull, LD_IMM64(0, v), BSWAP(0, 64), EXIT());
}

static void test_jumps(void)
{
    /* signed vs unsigned: -1 > 1 unsigned, < 1 signed */
    EXPECT_R0(1, MOV64_IMM(0, 0), MOV64_IMM(1, -1), JMP_IMM(BPF_JGT, 1, 1, 1), EXIT(), MOV64_IMM(0, 1), EXIT());
    EXPECT_R0(0, MOV64_IMM(0, 0), MOV64_IMM(1, -1), JMP_IMM(BPF_JSGT, 1, 1, 1), EXIT(), MOV64_IMM(0, 1), EXIT());
    EXPECT_R0(1, MOV64_IMM(0, 0), MOV64_IMM(1, -1), JMP_IMM(BPF_JSLT, 1, 1, 1), EXIT(), MOV64_IMM(0, 1), EXIT());
    /* JMP32 compares the low halves only: 0x1_00000005 == 5 */
    EXPECT_R0(1, MOV64_IMM(0, 0), LD_IMM64(1, 0x100000005ull), JMP32_IMM(BPF_JEQ, 1, 5, 1), EXIT(),
              MOV64_IMM(0, 1), EXIT());
    EXPECT_R0(0, MOV64_IMM(0, 0), LD_IMM64(1, 0x100000005ull), JMP_IMM(BPF_JEQ, 1, 5, 1), EXIT(),
              MOV64_IMM(0, 1), EXIT());
    /* JMP32 signed: 0x80000000 is negative in 32 bits */
    EXPECT_R0(1, MOV64_IMM(0, 0), MOV32_IMM(1, INT32_MIN), JMP32_IMM(BPF_JSLT, 1, 0, 1), EXIT(),
              MOV64_IMM(0, 1), EXIT());
    /* jset, reg forms */
    EXPECT_R0(1, MOV64_IMM(0, 0), MOV64_IMM(1, 6), MOV64_IMM(2, 4), JMP_REG(BPF_JSET, 1, 2, 1), EXIT(),
              MOV64_IMM(0, 1), EXIT());
    EXPECT_R0(0, MOV64_IMM(0, 0), MOV64_IMM(1, 6), JMP_IMM(BPF_JSET, 1, 8, 1), EXIT(), MOV64_IMM(0, 1), EXIT());
    EXPECT_R0(1, MOV64_IMM(0, 0), MOV64_IMM(1, 3), MOV64_IMM(2, 3), JMP32_REG(BPF_JLE, 1, 2, 1), EXIT(),
              MOV64_IMM(0, 1), EXIT());
    /* ja32 (gotol) uses imm as the offset */
    EXPECT_R0(3, MOV64_IMM(0, 3), JA32(1), MOV64_IMM(0, 4), EXIT());
    /* a loop: sum 1..10 = 55 with a backward jump */
    EXPECT_R0(55, MOV64_IMM(0, 0), MOV64_IMM(1, 10), ALU64_REG(BPF_ADD, 0, 1), ALU64_IMM(BPF_SUB, 1, 1),
              JMP_IMM(BPF_JNE, 1, 0, -3), EXIT());
}

/* A copy followed by additions to the copy (the JIT merges them into one
 * lea where nothing jumps between them): the sums, with r10, with r += r
 * right after the copy (s + s) and after an addition ((s + 4) * 2, which
 * stays apart), and with a jump landing on the addition. */
static void test_copy_then_add(void)
{
    EXPECT_R0(0x77, MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), ST(BPF_DW, 2, 0, 0x77), LDX(BPF_DW, 0, 10, -8), EXIT());
    EXPECT_R0(0x1234 + 5 + 40, MOV64_IMM(2, 0x1234), MOV64_IMM(3, 40), MOV64_REG(1, 2), ALU64_IMM(BPF_ADD, 1, 5),
              ALU64_REG(BPF_ADD, 1, 3), MOV64_REG(0, 1), EXIT());
    EXPECT_R0(0x1234 + 40 - 5, MOV64_IMM(2, 0x1234), MOV64_IMM(3, 40), MOV64_REG(1, 2), ALU64_REG(BPF_ADD, 1, 3),
              ALU64_IMM(BPF_ADD, 1, -5), MOV64_REG(0, 1), EXIT());
    EXPECT_R0(2 * 0x1234, MOV64_IMM(2, 0x1234), MOV64_REG(1, 2), ALU64_REG(BPF_ADD, 1, 1), MOV64_REG(0, 1), EXIT());
    EXPECT_R0(2 * (0x1234 + 4), MOV64_IMM(2, 0x1234), MOV64_REG(1, 2), ALU64_IMM(BPF_ADD, 1, 4),
              ALU64_REG(BPF_ADD, 1, 1), MOV64_REG(0, 1), EXIT());
    /* a copy into the added register: r3 = r1 + r3 with r1 = 7 */
    EXPECT_R0(7 + 7, MOV64_IMM(1, 7), MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 1), MOV64_REG(0, 3), EXIT());
    /* a subtraction, INT32_MIN too (whose negation does not fit a lea) */
    EXPECT_R0(0x1234 - 0x34 + 40, MOV64_IMM(2, 0x1234), MOV64_IMM(3, 40), MOV64_REG(1, 2),
              ALU64_IMM(BPF_SUB, 1, 0x34), ALU64_REG(BPF_ADD, 1, 3), MOV64_REG(0, 1), EXIT());
    EXPECT_R0(0x1234ull + 0x80000000ull, MOV64_IMM(2, 0x1234), MOV64_REG(1, 2), ALU64_IMM(BPF_SUB, 1, INT32_MIN),
              MOV64_REG(0, 1), EXIT());
    /* 64-bit wrap-around */
    EXPECT_R0(1, MOV64_IMM(2, -1), MOV64_REG(1, 2), ALU64_IMM(BPF_ADD, 1, 2), MOV64_REG(0, 1), EXIT());
    /* the jump skips the copy and lands on the addition: r1 = 100 + 7 */
    EXPECT_R0(107, MOV64_IMM(2, 1000), MOV64_IMM(1, 100), MOV64_IMM(3, 1), JMP_IMM(BPF_JNE, 3, 0, 1),
              MOV64_REG(1, 2), ALU64_IMM(BPF_ADD, 1, 7), MOV64_REG(0, 1), EXIT());
    /* ... and on the second addition: r1 = 100 + r3 */
    EXPECT_R0(101, MOV64_IMM(2, 1000), MOV64_IMM(1, 100), MOV64_IMM(3, 1), JMP_IMM(BPF_JNE, 3, 0, 2),
              MOV64_REG(1, 2), ALU64_IMM(BPF_ADD, 1, 7), ALU64_REG(BPF_ADD, 1, 3), MOV64_REG(0, 1), EXIT());
    /* a loop whose head is the addition */
    EXPECT_R0(1000 + 3 * 7, MOV64_IMM(2, 1000), MOV64_IMM(3, 3), MOV64_REG(1, 2), ALU64_IMM(BPF_ADD, 1, 7),
              ALU64_IMM(BPF_SUB, 3, 1), JMP_IMM(BPF_JNE, 3, 0, -3), MOV64_REG(0, 1), EXIT());
}

static void test_lddw(void)
{
    EXPECT_R0(0x123456789abcdef0ull, LD_IMM64(0, 0x123456789abcdef0ull), EXIT());
    EXPECT_R0(0x80000000ull, LD_IMM64(0, 0x80000000ull), EXIT()); /* the low half is not sign-extended */
}

int main(void)
{
    vt_setup();
    RUN(test_division_by_zero);
    RUN(test_signed_overflow);
    RUN(test_shift_masking);
    RUN(test_zero_extension);
    RUN(test_movsx);
    RUN(test_byte_order);
    RUN(test_jumps);
    RUN(test_copy_then_add);
    RUN(test_lddw);
    vt_teardown();
    return test_summary();
}
