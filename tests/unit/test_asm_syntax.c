/* The assembler's three input syntaxes, line by line, against hand-derived
 * encodings (RFC 9669 layout; LLVM's spellings were checked with clang 19's
 * assembler, the kernel's with Linux 6.18's verifier log), and the error
 * positions and texts for malformed lines. */
#include "test.h"

#include "bpfrt/asm.h"
#include "bpfrt/errno.h"

static const struct bpfrt_platform *P;

/* Encodes one instruction word: code | regs << 8 | off << 16 | imm << 32. */
#define W(code, dst, src, off, imm)                                                          \
    ((uint64_t)(uint8_t)(code) | (uint64_t)((dst) | (src) << 4) << 8 |                       \
     (uint64_t)(uint16_t)(int16_t)(off) << 16 | (uint64_t)(uint32_t)(int32_t)(imm) << 32)

struct line_case {
    enum bpfrt_syntax syntax;
    const char *text;
    uint64_t w0, w1; /* w1: second ld_imm64 half, or ~0 for none */
};

#define NONE (~0ull)

static const struct line_case cases[] = {
    /* LLVM */
    {BPFRT_SYNTAX_LLVM, "r0 = 1", W(0xb7, 0, 0, 0, 1), NONE},
    {BPFRT_SYNTAX_LLVM, "w1 += w2", W(0x0c, 1, 2, 0, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "*(u32 *)(r10 - 8) = r1", W(0x63, 10, 1, -8, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "*(u32 *)(r10 - 8) = w1", W(0x63, 10, 1, -8, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "r1 = *(u64 *)(r2 + 8)", W(0x79, 1, 2, 8, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "if r1 > 5 goto +3", W(0x25, 1, 0, 3, 5), NONE},
    {BPFRT_SYNTAX_LLVM, "if w1 s< w2 goto -1", W(0xce, 1, 2, -1, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "call 1", W(0x85, 0, 0, 0, 1), NONE},
    {BPFRT_SYNTAX_LLVM, "r1 = 0x1234 ll", W(0x18, 1, 0, 0, 0x1234), W(0, 0, 0, 0, 0)},
    {BPFRT_SYNTAX_LLVM, "r1 = -1 ll", W(0x18, 1, 0, 0, -1), W(0, 0, 0, 0, -1)},
    {BPFRT_SYNTAX_LLVM, "lock *(u64 *)(r10 - 8) += r1", W(0xdb, 10, 1, -8, 0x00), NONE},
    {BPFRT_SYNTAX_LLVM, "lock *(u32 *)(r1 + 0) += w0", W(0xc3, 1, 0, 0, 0x00), NONE},
    {BPFRT_SYNTAX_LLVM, "r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)", W(0xdb, 1, 0, 0, 0x01), NONE},
    {BPFRT_SYNTAX_LLVM, "r0 = xchg_64(r1 + 0, r0)", W(0xdb, 1, 0, 0, 0xe1), NONE},
    {BPFRT_SYNTAX_LLVM, "w0 = cmpxchg32_32(r1 + 0, w0, w2)", W(0xc3, 1, 2, 0, 0xf1), NONE},
    {BPFRT_SYNTAX_LLVM, "r0 = load_acquire((u64 *)(r1 + 8))", W(0xdb, 0, 1, 8, 0x100), NONE},
    {BPFRT_SYNTAX_LLVM, "store_release((u8 *)(r1 + 0), w2)", W(0xd3, 1, 2, 0, 0x110), NONE},
    {BPFRT_SYNTAX_LLVM, "r1 = be16 r1", W(0xdc, 1, 0, 0, 16), NONE},
    {BPFRT_SYNTAX_LLVM, "r1 = bswap32 r1", W(0xd7, 1, 0, 0, 32), NONE},
    {BPFRT_SYNTAX_LLVM, "r1 = (s8)r2", W(0xbf, 1, 2, 8, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "w1 = (s16)w2", W(0xbc, 1, 2, 16, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "r0 = *(s16 *)(r1 + 2)", W(0x89, 0, 1, 2, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "goto +2", W(0x05, 0, 0, 2, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "gotol +3", W(0x06, 0, 0, 0, 3), NONE},
    {BPFRT_SYNTAX_LLVM, "may_goto +2", W(0xe5, 0, 0, 2, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "r1 = -r1", W(0x87, 1, 0, 0, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "r0 s/= r1", W(0x3f, 0, 1, 1, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "r0 s%= 3", W(0x97, 0, 0, 1, 3), NONE},
    {BPFRT_SYNTAX_LLVM, "r0 s>>= 3", W(0xc7, 0, 0, 0, 3), NONE},
    {BPFRT_SYNTAX_LLVM, "exit", W(0x95, 0, 0, 0, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "call pc+2", W(0x85, 0, 1, 0, 2), NONE},
    {BPFRT_SYNTAX_LLVM, "callx r2", W(0x8d, 2, 0, 0, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "r0 = *(u8 *)skb[12]", W(0x30, 0, 0, 0, 12), NONE},
    {BPFRT_SYNTAX_LLVM, "r0 = *(u16 *)skb[r1]", W(0x48, 0, 1, 0, 0), NONE},
    {BPFRT_SYNTAX_LLVM, "r1 = map_fd(3) ll", W(0x18, 1, 1, 0, 3), W(0, 0, 0, 0, 0)},
    {BPFRT_SYNTAX_LLVM, "r1 = map_value(3)+8 ll", W(0x18, 1, 2, 0, 3), W(0, 0, 0, 0, 8)},
    {BPFRT_SYNTAX_LLVM, "r1 = btf_id(77) ll", W(0x18, 1, 3, 0, 77), W(0, 0, 0, 0, 0)},
    {BPFRT_SYNTAX_LLVM, "r1 = func(+4) ll", W(0x18, 1, 4, 0, 4), W(0, 0, 0, 0, 0)},
    {BPFRT_SYNTAX_LLVM, "r2 = map_idx(0) ll", W(0x18, 2, 5, 0, 0), W(0, 0, 0, 0, 0)},
    {BPFRT_SYNTAX_LLVM, "r2 = map_idx_value(1)-4 ll", W(0x18, 2, 6, 0, 1), W(0, 0, 0, 0, -4)},
    {BPFRT_SYNTAX_LLVM, "  r0 = 1   // comment", W(0xb7, 0, 0, 0, 1), NONE},
    {BPFRT_SYNTAX_LLVM, "0: b7 00 00 00 01 00 00 00 r0 = 1", W(0xb7, 0, 0, 0, 1), NONE},
    /* kernel (bpftool) */
    {BPFRT_SYNTAX_KERNEL, "if r0 == 0x0 goto pc+4", W(0x15, 0, 0, 4, 0), NONE},
    {BPFRT_SYNTAX_KERNEL, "*(u32 *)(r10 -4) = 0", W(0x62, 10, 0, -4, 0), NONE},
    {BPFRT_SYNTAX_KERNEL, "call bpf_map_lookup_elem#1", W(0x85, 0, 0, 0, 1), NONE},
    {BPFRT_SYNTAX_KERNEL, "call map_lookup_elem", W(0x85, 0, 0, 0, 1), NONE},
    {BPFRT_SYNTAX_KERNEL, "call bpf_ktime_get_ns", W(0x85, 0, 0, 0, 5), NONE},
    {BPFRT_SYNTAX_KERNEL, "call unknown#300", W(0x85, 0, 0, 0, 300), NONE},
    {BPFRT_SYNTAX_KERNEL, "r0 = *(u8 *)skb[12]", W(0x30, 0, 0, 0, 12), NONE},
    {BPFRT_SYNTAX_KERNEL, "r0 = *(u16 *)skb[r1 + 4]", W(0x48, 0, 1, 0, 4), NONE},
    {BPFRT_SYNTAX_KERNEL, "   0: (b7) r0 = 0", W(0xb7, 0, 0, 0, 0), NONE},
    {BPFRT_SYNTAX_KERNEL, "(18) r1 = 0x1122334455667788", W(0x18, 1, 0, 0, 0x55667788), W(0, 0, 0, 0, 0x11223344)},
    {BPFRT_SYNTAX_KERNEL, "r1 = 5 ll", W(0x18, 1, 0, 0, 5), W(0, 0, 0, 0, 0)},
    {BPFRT_SYNTAX_KERNEL, "r1 = 5", W(0xb7, 1, 0, 0, 5), NONE},
    {BPFRT_SYNTAX_KERNEL, "r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)", W(0xdb, 10, 1, -8, 0x01), NONE},
    {BPFRT_SYNTAX_KERNEL, "r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)", W(0xc3, 10, 1, -8, 0xf1), NONE},
    {BPFRT_SYNTAX_KERNEL, "w1 = load_acquire((u32 *)(r2 +0))", W(0xc3, 1, 2, 0, 0x100), NONE},
    {BPFRT_SYNTAX_KERNEL, "r1 = load_acquire((u32 *)(r2 +0))", W(0xc3, 1, 2, 0, 0x100), NONE},
    {BPFRT_SYNTAX_KERNEL, "gotol pc-1", W(0x06, 0, 0, 0, -1), NONE},
    {BPFRT_SYNTAX_KERNEL, "call pc+3", W(0x85, 0, 1, 0, 3), NONE},
    {BPFRT_SYNTAX_KERNEL, "call kfunc#1234@2", W(0x85, 0, 2, 2, 1234), NONE},
    {BPFRT_SYNTAX_KERNEL, "call kfunc#7", W(0x85, 0, 2, 0, 7), NONE}, /* not helper 7 */
    {BPFRT_SYNTAX_KERNEL, "if w3 s>= 0xffffffff goto pc-2", W(0x76, 3, 0, -2, -1), NONE},
    /* conformance */
    {BPFRT_SYNTAX_CONF, "mov %r0, 1", W(0xb7, 0, 0, 0, 1), NONE},
    {BPFRT_SYNTAX_CONF, "mov32 %r0, 0xffffffff", W(0xb4, 0, 0, 0, -1), NONE},
    {BPFRT_SYNTAX_CONF, "ldxw %r0, [%r1+4]", W(0x61, 0, 1, 4, 0), NONE},
    {BPFRT_SYNTAX_CONF, "ldxw %r0, [%r1]", W(0x61, 0, 1, 0, 0), NONE},
    {BPFRT_SYNTAX_CONF, "stxdw [%r10-8], %r1", W(0x7b, 10, 1, -8, 0), NONE},
    {BPFRT_SYNTAX_CONF, "stw [%r1+2], 5", W(0x62, 1, 0, 2, 5), NONE},
    {BPFRT_SYNTAX_CONF, "lock fetch add [%r10-8], %r1", W(0xdb, 10, 1, -8, 0x01), NONE},
    {BPFRT_SYNTAX_CONF, "lock cmpxchg32 [%r10-8], %r1", W(0xc3, 10, 1, -8, 0xf1), NONE},
    {BPFRT_SYNTAX_CONF, "lock xchg [%r10-8], %r1", W(0xdb, 10, 1, -8, 0xe1), NONE},
    {BPFRT_SYNTAX_CONF, "lddw %r0, 0x100000002", W(0x18, 0, 0, 0, 2), W(0, 0, 0, 0, 1)},
    {BPFRT_SYNTAX_CONF, "lddw %r0, -2", W(0x18, 0, 0, 0, -2), W(0, 0, 0, 0, -1)},
    {BPFRT_SYNTAX_CONF, "be16 %r0", W(0xdc, 0, 0, 0, 16), NONE},
    {BPFRT_SYNTAX_CONF, "le32 %r3", W(0xd4, 3, 0, 0, 32), NONE},
    {BPFRT_SYNTAX_CONF, "swap64 %r3", W(0xd7, 3, 0, 0, 64), NONE},
    {BPFRT_SYNTAX_CONF, "neg %r2", W(0x87, 2, 0, 0, 0), NONE},
    {BPFRT_SYNTAX_CONF, "jeq %r1, %r2, +3", W(0x1d, 1, 2, 3, 0), NONE},
    {BPFRT_SYNTAX_CONF, "jsgt32 %r1, -5, -3", W(0x66, 1, 0, -3, -5), NONE},
    {BPFRT_SYNTAX_CONF, "call 5", W(0x85, 0, 0, 0, 5), NONE},
    {BPFRT_SYNTAX_CONF, "call %r2", W(0x8d, 2, 0, 0, 0), NONE},
    {BPFRT_SYNTAX_CONF, "callx %r2", W(0x8d, 2, 0, 0, 0), NONE},
    {BPFRT_SYNTAX_CONF, "sdiv32 %r0, %r1", W(0x3c, 0, 1, 1, 0), NONE},
    {BPFRT_SYNTAX_CONF, "smod %r0, 3", W(0x97, 0, 0, 1, 3), NONE},
    {BPFRT_SYNTAX_CONF, "movsx1632 %r4, %r3", W(0xbc, 4, 3, 16, 0), NONE},
    {BPFRT_SYNTAX_CONF, "ldxsb %r0, [%r10-1]", W(0x91, 0, 10, -1, 0), NONE},
    {BPFRT_SYNTAX_CONF, "ldabsh 12", W(0x28, 0, 0, 0, 12), NONE},
    {BPFRT_SYNTAX_CONF, "ldindb %r1, 4", W(0x50, 0, 1, 0, 4), NONE},
    {BPFRT_SYNTAX_CONF, "ldacqdw %r0, [%r1+8]", W(0xdb, 0, 1, 8, 0x100), NONE},
    {BPFRT_SYNTAX_CONF, "ja32 -1", W(0x06, 0, 0, 0, -1), NONE},
    {BPFRT_SYNTAX_CONF, "exit # comment", W(0x95, 0, 0, 0, 0), NONE},
};

static void test_lines(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct line_case *c = &cases[i];
        struct bpf_insn *out = NULL;
        uint32_t cnt = 0;
        struct bpfrt_asm_error e;
        int rc = bpfrt_asm(P, c->text, strlen(c->text), c->syntax, &out, &cnt, &e);
        CHECK_EQ(rc, 0);
        if (rc) {
            fprintf(stderr, "  \"%s\": %u:%u: %s\n", c->text, e.line, e.column, e.msg);
            continue;
        }
        CHECK_EQ(cnt, c->w1 == NONE ? 1 : 2);
        uint64_t w0, w1 = NONE;
        memcpy(&w0, &out[0], 8);
        if (cnt > 1) memcpy(&w1, &out[1], 8);
        if (w0 != c->w0 || w1 != c->w1)
            fprintf(stderr, "  \"%s\": got %016llx %016llx\n", c->text, (unsigned long long)w0,
                    (unsigned long long)w1);
        CHECK_EQ(w0, c->w0);
        CHECK_EQ(w1, c->w1);
        P->free(P->ctx, out, cnt * 8);
    }
}

/* Labels in each syntax, backwards and forwards, and the conformance
 * suite's implicit "exit" label. */
static void test_labels(void)
{
    static const char llvm[] = "LBB0_1:\n  if w1 s< w2 goto LBB0_2\n  goto LBB0_1\nLBB0_2: r0 = 0\n  exit\n";
    struct bpf_insn *out;
    uint32_t cnt;
    struct bpfrt_asm_error e;
    CHECK_EQ(bpfrt_asm(P, llvm, sizeof(llvm) - 1, BPFRT_SYNTAX_LLVM, &out, &cnt, &e), 0);
    CHECK_EQ(cnt, 4);
    CHECK_EQ(out[0].off, 1);
    CHECK_EQ(out[1].off, -2);
    P->free(P->ctx, out, cnt * 8);
    static const char conf[] = "mov %r0, 0\nja exit\nmov %r0, 1\nexit\nmov %r0, 2\nexit\n";
    CHECK_EQ(bpfrt_asm(P, conf, sizeof(conf) - 1, BPFRT_SYNTAX_CONF, &out, &cnt, &e), 0);
    CHECK_EQ(out[1].off, 1); /* the first exit */
    P->free(P->ctx, out, cnt * 8);
    static const char local[] = "call local f\nexit\nf:\nmov %r0, 1\nexit\n";
    CHECK_EQ(bpfrt_asm(P, local, sizeof(local) - 1, BPFRT_SYNTAX_CONF, &out, &cnt, &e), 0);
    CHECK_EQ(out[0].src_reg, BPF_PSEUDO_CALL);
    CHECK_EQ(out[0].imm, 1);
    P->free(P->ctx, out, cnt * 8);
    static const char func[] = "r1 = func(cb) ll\nexit\ncb: r0 = 0\nexit\n";
    CHECK_EQ(bpfrt_asm(P, func, sizeof(func) - 1, BPFRT_SYNTAX_LLVM, &out, &cnt, &e), 0);
    CHECK_EQ(out[0].src_reg, BPF_PSEUDO_FUNC);
    CHECK_EQ(out[0].imm, 2); /* cb is insn 3, the lddw ends at 1 */
    P->free(P->ctx, out, cnt * 8);
}

struct err_case {
    enum bpfrt_syntax syntax;
    const char *text;
    uint32_t line, column;
    const char *msg;
};

static const struct err_case errs[] = {
    {BPFRT_SYNTAX_LLVM, "r0 = 1\nr1 = 2\n  r0 = r11\nexit\n", 3, 8, "expected register, got 'r11'"},
    {BPFRT_SYNTAX_LLVM, "w1 += r2\n", 1, 7, "expected 32-bit register (w0..w10), got 'r2'"},
    {BPFRT_SYNTAX_LLVM, "r1 = *(u64 *)(r2 + 40000)\n", 1, 18, "offset out of range: '+ 40000' (expected -32768..32767)"},
    {BPFRT_SYNTAX_LLVM, "goto nowhere\nexit\n", 1, 6, "undefined label 'nowhere'"},
    {BPFRT_SYNTAX_LLVM, "a:\nexit\na: exit\n", 3, 1, "duplicate label 'a' (first defined on line 1)"},
    {BPFRT_SYNTAX_LLVM, ".text\nexit\n", 1, 1, "unknown directive '.text'"},
    {BPFRT_SYNTAX_LLVM, "frobnicate r1\n", 1, 1, "unknown instruction 'frobnicate'"},
    {BPFRT_SYNTAX_LLVM, "exit r0\n", 1, 6, "unexpected 'r0' after the instruction"},
    {BPFRT_SYNTAX_LLVM, "r1 = -r2\n", 1, 7, "expected the same register as before (r1)"},
    {BPFRT_SYNTAX_LLVM, "", 0, 0, "empty program"},
    {BPFRT_SYNTAX_LLVM, "; only a comment\n", 0, 0, "empty program"},
    {BPFRT_SYNTAX_CONF, "mov %r0, 1\nadd %r11, 1\n", 2, 5, "expected register, got '%r11'"},
    {BPFRT_SYNTAX_CONF, "lddw %r0, 0x10000000000000000\n", 1, 11, "64-bit immediate out of range"},
    {BPFRT_SYNTAX_CONF, "jeq %r1, 5, +40000\n", 1, 13, "jump offset out of range"},
    {BPFRT_SYNTAX_CONF, "add %r1, 1, 2\n", 1, 11, "unexpected ',' after the instruction"},
    {BPFRT_SYNTAX_CONF, "add %r1\n", 1, 8, "expected ',', got end of line (too few operands)"},
    {BPFRT_SYNTAX_KERNEL, "call no_such_helper#x\n", 1, 20, "unexpected '#' after the instruction"},
    {BPFRT_SYNTAX_KERNEL, "call bpf_map_lookup_elem#x\n", 1, 26, "expected helper id, got 'x'"},
    {BPFRT_SYNTAX_KERNEL, "call no_such_helper\n", 1, 6, "undefined label 'no_such_helper'"},
    {BPFRT_SYNTAX_KERNEL, "r0 = *(u32 *)(r1 +8) junk\n", 1, 22, "unexpected 'junk'"},
};

static void test_errors(void)
{
    for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        const struct err_case *c = &errs[i];
        struct bpf_insn *out = (struct bpf_insn *)1;
        uint32_t cnt = 7;
        struct bpfrt_asm_error e;
        int rc = bpfrt_asm(P, c->text, strlen(c->text), c->syntax, &out, &cnt, &e);
        CHECK_EQ(rc, -BPFRT_EINVAL);
        CHECK(out == NULL);
        CHECK_EQ(cnt, 0);
        if (c->line || c->column) {
            if (e.line != c->line || e.column != c->column)
                fprintf(stderr, "  \"%s\": at %u:%u: %s\n", c->text, e.line, e.column, e.msg);
            CHECK_EQ(e.line, c->line);
            CHECK_EQ(e.column, c->column);
        }
        CHECK_CONTAINS(e.msg, c->msg);
    }
}

/* AUTO picks each syntax from the text. */
static void test_auto(void)
{
    static const char *texts[] = {"mov %r0, 1\nexit\n", "r0 = 1\nexit\n", "   0: (b7) r0 = 1\n   1: (95) exit\n"};
    for (int i = 0; i < 3; i++) {
        struct bpf_insn *out;
        uint32_t cnt;
        struct bpfrt_asm_error e;
        CHECK_EQ(bpfrt_asm(P, texts[i], strlen(texts[i]), BPFRT_SYNTAX_AUTO, &out, &cnt, &e), 0);
        CHECK_EQ(cnt, 2);
        CHECK_EQ(out[0].code, 0xb7);
        CHECK_EQ(out[0].imm, 1);
        P->free(P->ctx, out, cnt * 8);
    }
}

/* Exact disassembly in each syntax for a few instructions. */
static void test_disasm_text(void)
{
    struct bpf_insn prog[] = {
        {.code = 0xb7, .dst_reg = 0, .imm = 0},
        {.code = 0x85, .imm = 1},
        {.code = 0x55, .dst_reg = 1, .off = 2, .imm = 0},
        {.code = 0x18, .dst_reg = 1, .src_reg = 2, .imm = 3}, {.imm = 8},
        {.code = 0x7b, .dst_reg = 10, .src_reg = 1, .off = -8},
        {.code = 0xc3, .dst_reg = 10, .src_reg = 1, .off = -4, .imm = 0x41},
        {.code = 0x95},
    };
    char buf[1024];
    bpfrt_disasm(prog, 8, BPFRT_SYNTAX_KERNEL, buf, sizeof(buf));
    CHECK_STR(buf, "   0: (b7) r0 = 0\n"
                   "   1: (85) call bpf_map_lookup_elem#1\n"
                   "   2: (55) if r1 != 0x0 goto pc+2\n"
                   "   3: (18) r1 = map_value(3)+8\n"
                   "   5: (7b) *(u64 *)(r10 -8) = r1\n"
                   "   6: (c3) r1 = atomic_fetch_or((u32 *)(r10 -4), r1)\n"
                   "   7: (95) exit\n");
    bpfrt_disasm(prog, 8, BPFRT_SYNTAX_LLVM, buf, sizeof(buf));
    CHECK_STR(buf, "r0 = 0\ncall 1\nif r1 != 0 goto +2\nr1 = map_value(3)+8 ll\n*(u64 *)(r10 - 8) = r1\n"
                   "w1 = atomic_fetch_or((u32 *)(r10 - 4), w1)\nexit\n");
    bpfrt_disasm(prog, 8, BPFRT_SYNTAX_CONF, buf, sizeof(buf));
    CHECK_STR(buf, "mov %r0, 0\ncall 1\njne %r1, 0, +2\nlddw %r1, map_value(3)+8\nstxdw [%r10-8], %r1\n"
                   "lock fetch or32 [%r10-4], %r1\nexit\n");
    /* snprintf-style sizes */
    size_t need = bpfrt_disasm(prog, 8, BPFRT_SYNTAX_KERNEL, NULL, 0);
    char small[10];
    CHECK_EQ(bpfrt_disasm(prog, 8, BPFRT_SYNTAX_KERNEL, small, sizeof(small)), need);
    CHECK_EQ(strlen(small), sizeof(small) - 1);
    uint32_t used = 0;
    char one[64];
    CHECK_EQ(bpfrt_disasm_insn(&prog[3], 2, 3, BPFRT_SYNTAX_LLVM, one, sizeof(one), &used),
             (int)strlen("r1 = map_value(3)+8 ll"));
    CHECK_EQ(used, 2);
    /* a truncated ld_imm64 is invalid */
    CHECK_EQ(bpfrt_disasm_insn(&prog[3], 1, 3, BPFRT_SYNTAX_LLVM, one, sizeof(one), &used), -BPFRT_EINVAL);
}

int main(void)
{
    P = bpfrt_platform_hosted();
    RUN(test_lines);
    RUN(test_labels);
    RUN(test_errors);
    RUN(test_auto);
    RUN(test_disasm_text);
    return test_summary();
}
