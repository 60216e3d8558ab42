/* The JIT's x86-64 encoder against an independent assembler: every form the
 * encoder has, over every register, the displacement classes (none, disp8,
 * disp32, both signs, the rsp/r12 SIB bases and the rbp/r13 disp8 bases)
 * and the immediate classes, is written as an Intel-syntax line, assembled
 * at test time by GNU as (or llvm-mc) and the bytes compared. Also checks
 * bpfrt_x86_mov_imm's choice of encoding. Skips (loudly) when no assembler is
 * installed. */
#include <stdarg.h>
#include <unistd.h>

#include "core/jit/x86.h"
#include "test.h"

struct tcase {
    char text[112];
    uint8_t bytes[X86_MAX_INSN];
    uint8_t len;
};

static struct tcase *cases;
static size_t ncases, capcases;
static uint8_t buf[64];
static struct x86 X;

static void begin(void)
{
    X.code = buf;
    X.len = 0;
    X.origin = 0;
}

static void end(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void end(const char *fmt, ...)
{
    if (ncases == capcases) {
        capcases = capcases ? capcases * 2 : 4096;
        cases = realloc(cases, capcases * sizeof(*cases));
    }
    struct tcase *c = &cases[ncases++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->text, sizeof(c->text), fmt, ap);
    va_end(ap);
    if (X.len > X86_MAX_INSN) {
        fprintf(stderr, "%s: %u bytes, more than X86_MAX_INSN\n", c->text, X.len);
        test_failed++;
        X.len = X86_MAX_INSN;
    }
    memcpy(c->bytes, buf, X.len);
    c->len = (uint8_t)X.len;
}

static const char *const r64[] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const r32[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                   "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" };
static const char *const r16[] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                                   "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" };
static const char *const r8n[] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
                                   "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" };
static const char *const alu_names[] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
static const char *const cc_names[] = { "o", "no", "b", "ae", "e", "ne", "be", "a",
                                        "s", "ns", "p", "np", "l", "ge", "le", "g" };
static const unsigned sizes[] = { 1, 2, 4, 8 };
static const int32_t imms[] = { 0, 1, -1, 5, 127, 128, -128, -129, 0x1234, -0x8000, 0x7fffffff, INT32_MIN };
static const int32_t disps[] = { 0, 8, -8, 127, -128, 128, -129, 0x1000, -0x12345678 };

static const char *rn(unsigned size, int r)
{
    return size == 8 ? r64[r] : size == 4 ? r32[r] : size == 2 ? r16[r] : r8n[r];
}

static const char *ptr(unsigned size)
{
    return size == 8 ? "QWORD PTR" : size == 4 ? "DWORD PTR" : size == 2 ? "WORD PTR" : "BYTE PTR";
}

static const char *mem(int base, int32_t disp)
{
    static char m[4][48];
    static int k;
    char *s = m[k++ & 3];
    if (disp == 0)
        snprintf(s, 48, "[%s]", r64[base]);
    else
        snprintf(s, 48, "[%s%s0x%x]", r64[base], disp < 0 ? "-" : "+",
                 disp < 0 ? (unsigned)-(int64_t)disp : (unsigned)disp);
    return s;
}

static int64_t imm_for(unsigned size, int32_t v)
{
    /* The immediate as the assembler sees it for an operand of `size`. */
    if (size == 1)
        return (int8_t)v;
    if (size == 2)
        return (int16_t)v;
    return v;
}

static void gen_alu(void)
{
    for (int op = 0; op < 8; op++)
        for (unsigned si = 0; si < 4; si++) {
            unsigned s = sizes[si];
            for (int d = 0; d < 16; d++) {
                for (int r = 0; r < 16; r++) {
                    begin();
                    bpfrt_x86_alu_rr(&X, op, s, d, r);
                    end("%s %s, %s", alu_names[op], rn(s, d), rn(s, r));
                }
                for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
                    int64_t v = imm_for(s, imms[i]);
                    begin();
                    bpfrt_x86_alu_ri(&X, op, s, d, (int32_t)v);
                    end("%s %s, %lld", alu_names[op], rn(s, d), (long long)v);
                }
            }
            for (int b = 0; b < 16; b++)
                for (size_t k = 0; k < sizeof(disps) / sizeof(disps[0]); k += 2) {
                    int32_t disp = disps[k];
                    int reg = (b + 3) & 15;
                    begin();
                    bpfrt_x86_alu_rm(&X, op, s, reg, b, disp);
                    end("%s %s, %s %s", alu_names[op], rn(s, reg), ptr(s), mem(b, disp));
                    begin();
                    bpfrt_x86_alu_mr(&X, op, s, b, disp, reg);
                    end("%s %s %s, %s", alu_names[op], ptr(s), mem(b, disp), rn(s, reg));
                    for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i += 3) {
                        int64_t v = imm_for(s, imms[i]);
                        begin();
                        bpfrt_x86_alu_mi(&X, op, s, b, disp, (int32_t)v);
                        end("%s %s %s, %lld", alu_names[op], ptr(s), mem(b, disp), (long long)v);
                    }
                }
        }
}

static void gen_mov(void)
{
    for (unsigned si = 0; si < 4; si++) {
        unsigned s = sizes[si];
        for (int d = 0; d < 16; d++)
            for (int r = 0; r < 16; r++) {
                begin();
                bpfrt_x86_mov_rr(&X, s, d, r);
                end("mov %s, %s", rn(s, d), rn(s, r));
                begin();
                bpfrt_x86_test_rr(&X, s, d, r);
                end("test %s, %s", rn(s, d), rn(s, r));
            }
    }
    static const uint64_t vals[] = { 0, 1, 0x7f, 0x80000000, 0xffffffff, 0x100000000ull,
                                     0xffffffffffffffffull, 0xffffffff80000000ull, 0x123456789abcdef0ull };
    for (int d = 0; d < 16; d++) {
        begin();
        bpfrt_x86_mov_r32_imm(&X, d, 0xdeadbeef);
        end("mov %s, 0xdeadbeef", r32[d]);
        begin();
        bpfrt_x86_mov_r64_simm(&X, d, -2);
        end("mov %s, -2", r64[d]);
        begin();
        bpfrt_x86_movabs(&X, d, 0x123456789abcdef0ull);
        end("movabs %s, 0x123456789abcdef0", r64[d]);
        /* bpfrt_x86_mov_imm chooses: xor / mov r32 / mov r64 simm32 / movabs */
        for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
            uint64_t v = vals[i];
            begin();
            bpfrt_x86_mov_imm(&X, d, v);
            if (v == 0)
                end("xor %s, %s", r32[d], r32[d]);
            else if (v <= 0xffffffffu)
                end("mov %s, 0x%llx", r32[d], (unsigned long long)v);
            else if ((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX)
                end("mov %s, %lld", r64[d], (long long)v);
            else
                end("movabs %s, 0x%llx", r64[d], (unsigned long long)v);
        }
        for (unsigned si = 0; si < 4; si++) {
            unsigned s = sizes[si];
            for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i += 2) {
                int64_t v = imm_for(s, imms[i]);
                begin();
                bpfrt_x86_test_ri(&X, s, d, (int32_t)v);
                end("test %s, %lld", rn(s, d), (long long)v);
            }
        }
    }
}

static void gen_shift_mul(void)
{
    static const char *const sh_names[8] = { "rol", "ror", NULL, NULL, "shl", "shr", NULL, "sar" };
    static const int shifts[] = { X86_ROL, X86_ROR, X86_SHL, X86_SHR, X86_SAR };
    for (unsigned si = 0; si < 4; si++) {
        unsigned s = sizes[si];
        for (int d = 0; d < 16; d++) {
            for (size_t k = 0; k < 5; k++) {
                int op = shifts[k];
                static const uint8_t counts[] = { 1, 2, 7, 8, 31, 63 };
                for (size_t c = 0; c < sizeof(counts); c++) {
                    begin();
                    bpfrt_x86_shift_ri(&X, op, s, d, counts[c]);
                    end("%s %s, %u", sh_names[op], rn(s, d), counts[c]);
                }
                begin();
                bpfrt_x86_shift_cl(&X, op, s, d);
                end("%s %s, cl", sh_names[op], rn(s, d));
            }
            if (s == 1)
                continue;
            begin();
            bpfrt_x86_neg(&X, s, d);
            end("neg %s", rn(s, d));
            begin();
            bpfrt_x86_mul_r(&X, s, d);
            end("mul %s", rn(s, d));
            begin();
            bpfrt_x86_div_r(&X, s, d, false);
            end("div %s", rn(s, d));
            begin();
            bpfrt_x86_div_r(&X, s, d, true);
            end("idiv %s", rn(s, d));
            for (int r = 0; r < 16; r++) {
                begin();
                bpfrt_x86_imul_rr(&X, s, d, r);
                end("imul %s, %s", rn(s, d), rn(s, r));
                for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i += 4) {
                    int64_t v = imm_for(s, imms[i]);
                    begin();
                    bpfrt_x86_imul_rri(&X, s, d, r, (int32_t)v);
                    end("imul %s, %s, %lld", rn(s, d), rn(s, r), (long long)v);
                }
                if (s >= 4)
                    for (size_t k = 2; k < 5; k++) {
                        int op = shifts[k];
                        int c = (r + d) & 15;
                        begin();
                        bpfrt_x86_shiftx(&X, op, s, d, r, c);
                        end("%sx %s, %s, %s", sh_names[op], rn(s, d), rn(s, r), rn(s, c));
                    }
            }
        }
    }
    begin();
    bpfrt_x86_neg(&X, 1, 6);
    end("neg sil");
    begin();
    bpfrt_x86_cdq(&X, 4);
    end("cdq");
    begin();
    bpfrt_x86_cdq(&X, 8);
    end("cqo");
    for (int d = 0; d < 16; d++) {
        begin();
        bpfrt_x86_bswap(&X, 4, d);
        end("bswap %s", r32[d]);
        begin();
        bpfrt_x86_bswap(&X, 8, d);
        end("bswap %s", r64[d]);
        for (int r = 0; r < 16; r++) {
            for (unsigned ds = 4; ds <= 8; ds += 4) {
                begin();
                bpfrt_x86_movzx_rr(&X, ds, 1, d, r);
                end("movzx %s, %s", rn(ds, d), r8n[r]);
                begin();
                bpfrt_x86_movzx_rr(&X, ds, 2, d, r);
                end("movzx %s, %s", rn(ds, d), r16[r]);
                begin();
                bpfrt_x86_movsx_rr(&X, ds, 1, d, r);
                end("movsx %s, %s", rn(ds, d), r8n[r]);
                begin();
                bpfrt_x86_movsx_rr(&X, ds, 2, d, r);
                end("movsx %s, %s", rn(ds, d), r16[r]);
            }
            begin();
            bpfrt_x86_movsx_rr(&X, 8, 4, d, r);
            end("movsxd %s, %s", r64[d], r32[r]);
        }
        begin();
        bpfrt_x86_push(&X, d);
        end("push %s", r64[d]);
        begin();
        bpfrt_x86_pop(&X, d);
        end("pop %s", r64[d]);
        begin();
        bpfrt_x86_call_r(&X, d);
        end("call %s", r64[d]);
        begin();
        bpfrt_x86_jmp_r(&X, d);
        end("jmp %s", r64[d]);
    }
}

static void gen_mem(void)
{
    for (int b = 0; b < 16; b++)
        for (size_t k = 0; k < sizeof(disps) / sizeof(disps[0]); k++) {
            int32_t disp = disps[k];
            for (int r = 0; r < 16; r += (k % 3) + 1) {
                for (unsigned si = 0; si < 4; si++) {
                    unsigned s = sizes[si];
                    begin();
                    bpfrt_x86_load(&X, s, false, r, b, disp);
                    if (s <= 2)
                        end("movzx %s, %s %s", r32[r], ptr(s), mem(b, disp));
                    else
                        end("mov %s, %s %s", rn(s, r), ptr(s), mem(b, disp));
                    if (s < 8) {
                        begin();
                        bpfrt_x86_load(&X, s, true, r, b, disp);
                        end("%s %s, %s %s", s == 4 ? "movsxd" : "movsx", r64[r], ptr(s), mem(b, disp));
                    }
                    begin();
                    bpfrt_x86_store(&X, s, b, disp, r);
                    end("mov %s %s, %s", ptr(s), mem(b, disp), rn(s, r));
                    if (s >= 4) {
                        begin();
                        bpfrt_x86_lock(&X);
                        bpfrt_x86_xadd_m(&X, s, b, disp, r);
                        end("lock xadd %s %s, %s", ptr(s), mem(b, disp), rn(s, r));
                        begin();
                        bpfrt_x86_xchg_m(&X, s, b, disp, r);
                        end("xchg %s %s, %s", ptr(s), mem(b, disp), rn(s, r));
                        begin();
                        bpfrt_x86_lock(&X);
                        bpfrt_x86_cmpxchg_m(&X, s, b, disp, r);
                        end("lock cmpxchg %s %s, %s", ptr(s), mem(b, disp), rn(s, r));
                        begin();
                        bpfrt_x86_cmpxchg_m(&X, s, b, disp, r);
                        end("cmpxchg %s %s, %s", ptr(s), mem(b, disp), rn(s, r));
                    }
                }
                begin();
                bpfrt_x86_lea(&X, r, b, disp);
                end("lea %s, %s", r64[r], mem(b, disp));
            }
            begin();
            bpfrt_x86_push_m(&X, b, disp);
            end("push QWORD PTR %s", mem(b, disp));
            begin();
            bpfrt_x86_pop_m(&X, b, disp);
            end("pop QWORD PTR %s", mem(b, disp));
            for (unsigned si = 0; si < 4; si++) {
                unsigned s = sizes[si];
                for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i += 3) {
                    int64_t v = imm_for(s, imms[i]);
                    begin();
                    bpfrt_x86_store_imm(&X, s, b, disp, (int32_t)v);
                    end("mov %s %s, %lld", ptr(s), mem(b, disp), (long long)v);
                }
                int idx = (b + 5) & 15;
                if (idx == X86_RSP)
                    idx = X86_R10;
                if (s == 8)
                    for (int r = 0; r < 16; r += 5) {
                        begin();
                        bpfrt_x86_lea_idx(&X, r, b, idx, disp);
                        end("lea %s, [%s+%s*1%+d]", r64[r], r64[b], r64[idx], disp);
                    }
                begin();
                bpfrt_x86_alu_mi_idx(&X, X86_SUB, s, b, idx, disp, 1);
                end("sub %s [%s+%s*1%+d], 1", ptr(s), r64[b], r64[idx], disp);
                begin();
                bpfrt_x86_alu_mi_idx(&X, X86_CMP, s, b, idx, disp, 0);
                end("cmp %s [%s+%s*1%+d], 0", ptr(s), r64[b], r64[idx], disp);
                begin();
                bpfrt_x86_store_imm_idx(&X, s, b, idx, disp, 0x3412);
                end("mov %s [%s+%s*1%+d], %lld", ptr(s), r64[b], r64[idx], disp, (long long)imm_for(s, 0x3412));
            }
        }
    begin();
    bpfrt_x86_mfence(&X);
    end("mfence");
    static const char *const nops[10] = {
        NULL, "nop", "xchg ax, ax", "nop DWORD PTR [rax]", "{disp8} nop DWORD PTR [rax+0x0]",
        "{disp8} nop DWORD PTR [rax+rax*1+0x0]", "{disp8} nop WORD PTR [rax+rax*1+0x0]",
        "{disp32} nop DWORD PTR [rax+0x0]", "{disp32} nop DWORD PTR [rax+rax*1+0x0]",
        "{disp32} nop WORD PTR [rax+rax*1+0x0]",
    };
    for (unsigned n = 1; n <= 9; n++) {
        begin();
        bpfrt_x86_nop(&X, n);
        end("%s", nops[n]);
    }
    begin();
    bpfrt_x86_ret(&X);
    end("ret");
    begin();
    bpfrt_x86_int3(&X);
    end("int3");
}

static void gen_jumps(void)
{
    static const int32_t rels[] = { 0, 5, -2, 127, -128 };
    static const int32_t rels32[] = { 0, 0x1000, -0x1000, 0x7fffff00, -0x7fffff00 };
    for (int cc = 0; cc < 16; cc++)
        for (size_t i = 0; i < 5; i++) {
            begin();
            bpfrt_x86_jcc_rel8(&X, cc, (int8_t)rels[i]);
            end("j%s .%+d", cc_names[cc], rels[i] + 2);
            begin();
            bpfrt_x86_jcc_rel32(&X, cc, rels32[i]);
            end("{disp32} j%s .%+d", cc_names[cc], rels32[i] + 6);
        }
    for (size_t i = 0; i < 5; i++) {
        begin();
        bpfrt_x86_jmp_rel8(&X, (int8_t)rels[i]);
        end("jmp .%+d", rels[i] + 2);
        begin();
        bpfrt_x86_jmp_rel32(&X, rels32[i]);
        end("{disp32} jmp .%+d", rels32[i] + 5);
        begin();
        bpfrt_x86_call_rel32(&X, rels32[i]);
        end("call .%+d", rels32[i] + 5);
    }
}

/* Assembles the listing; returns the byte count or -1. */
static long assemble(const char *dir, uint8_t **out)
{
    char src[256], obj[256], bin[256], cmd[2048];
    snprintf(src, sizeof(src), "%s/x.s", dir);
    snprintf(obj, sizeof(obj), "%s/x.o", dir);
    snprintf(bin, sizeof(bin), "%s/x.bin", dir);
    FILE *f = fopen(src, "w");
    if (!f)
        return -1;
    fprintf(f, ".intel_syntax noprefix\n.text\n");
    for (size_t i = 0; i < ncases; i++)
        fprintf(f, "%s\n", cases[i].text);
    fclose(f);
    const char *how;
    if (system("as --version >/dev/null 2>&1") == 0) {
        how = "GNU as";
        snprintf(cmd, sizeof(cmd), "as --64 -o %s %s", obj, src);
    } else if (system("llvm-mc --version >/dev/null 2>&1") == 0) {
        how = "llvm-mc";
        snprintf(cmd, sizeof(cmd), "llvm-mc -triple=x86_64 -filetype=obj -o %s %s", obj, src);
    } else {
        return -2;
    }
    printf("assembling %zu instructions with %s\n", ncases, how);
    if (system(cmd) != 0)
        return -1;
    snprintf(cmd, sizeof(cmd),
             "(objcopy -O binary --only-section=.text %s %s || llvm-objcopy -O binary --only-section=.text %s %s) 2>/dev/null",
             obj, bin, obj, bin);
    if (system(cmd) != 0)
        return -1;
    f = fopen(bin, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    if (fread(*out, 1, (size_t)n, f) != (size_t)n)
        n = -1;
    fclose(f);
    return n;
}

int main(void)
{
    gen_alu();
    gen_mov();
    gen_shift_mul();
    gen_mem();
    gen_jumps();

    char dir[] = "/tmp/bpfrt_jit_x86_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    uint8_t *ref = NULL;
    long n = assemble(dir, &ref);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (n == -2) {
        free(cases);
        TEST_SKIP("neither GNU as nor llvm-mc is installed: the x86-64 encoder is NOT checked");
    }
    CHECK(n > 0);
    if (n <= 0) {
        fprintf(stderr, "assembling failed (listing kept in %s)\n", dir);
        return test_summary();
    }
    /* Walk the cases over the reference bytes. */
    long off = 0;
    int shown = 0;
    for (size_t i = 0; i < ncases && off <= n; i++) {
        const struct tcase *c = &cases[i];
        bool ok = off + c->len <= n && memcmp(ref + off, c->bytes, c->len) == 0;
        if (ok) {
            test_passed++;
        } else {
            test_failed++;
            if (shown++ < 20) {
                fprintf(stderr, "%s:\n  encoder:", c->text);
                for (unsigned k = 0; k < c->len; k++)
                    fprintf(stderr, " %02x", c->bytes[k]);
                fprintf(stderr, "\n  as:     ");
                for (long k = off; k < off + 12 && k < n; k++)
                    fprintf(stderr, " %02x", ref[k]);
                fprintf(stderr, "\n");
            }
            if (shown > 20)
                break;
            /* lengths may differ: stop comparing (the rest is misaligned) */
            break;
        }
        off += c->len;
    }
    if (!test_failed)
        CHECK_EQ(off, n);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(ref);
    free(cases);
    return test_summary();
}
