/* LLVM-syntax output against LLVM itself: random valid instructions are
 * printed in LLVM syntax, assembled by clang's BPF assembler (clang 19 or
 * newer, -mcpu=v4) and the bytes compared with the originals. Forms LLVM 19
 * cannot spell (load-acquire/store-release, pseudo ld_imm64, local and kfunc
 * calls, packet loads with a register plus offset) are left out. Skips when
 * no suitable clang is installed. */
#include <unistd.h>

#include "test.h"

#include "bpfrt/asm.h"
#include "core/isa/isa.h"
#include "test_file.h"
#include "test_rng.h"

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
    return test_xorshift64(&rng_state);
}

static const char *find_clang(void)
{
    static const char *const candidates[] = {"clang-21", "clang-20", "clang-19", "clang"};
    static char cmd[64];
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        char probe[256];
        /* needs v4: movsx is the first v4 instruction */
        snprintf(probe, sizeof(probe),
                 "printf 'r1 = (s8)r2\\n' | %s -target bpfel -mcpu=v4 -x assembler -c - -o /dev/null 2>/dev/null",
                 candidates[i]);
        if (system(probe) == 0) {
            snprintf(cmd, sizeof(cmd), "%s", candidates[i]);
            return cmd;
        }
    }
    return NULL;
}

static bool llvm_can_spell(const struct isa_form *f, const struct bpf_insn *in)
{
    switch (f->shape) {
    case ISA_SH_LOAD_ACQ: case ISA_SH_STORE_REL: case ISA_SH_CALL_LOCAL: case ISA_SH_CALL_KFUNC:
    case ISA_SH_LDDW_MAP_FD: case ISA_SH_LDDW_MAP_VALUE: case ISA_SH_LDDW_BTF_ID: case ISA_SH_LDDW_FUNC:
    case ISA_SH_LDDW_MAP_IDX: case ISA_SH_LDDW_MAP_IDX_VALUE:
        return false;
    case ISA_SH_LD_IND:
        return in->imm == 0;
    case ISA_SH_JA32: /* LLVM 19's parser takes only 16-bit numeric gotol targets */
        return in->imm >= -32768 && in->imm <= 32767;
    default:
        return true;
    }
}

static uint32_t random_insn(struct bpf_insn in[2])
{
    for (;;) {
        uint8_t code = (uint8_t)rnd();
        const struct isa_opcode *op = &bpfrt_isa_opcodes[code];
        if (!op->nforms) continue;
        const struct isa_form *f = &op->forms[rnd() % op->nforms];
        if (f->flags & (ISA_ALIAS | ISA_UNSUPPORTED)) continue;
        memset(in, 0, 2 * sizeof(*in));
        in[0].code = code;
        if (op->used & ISA_F_DST) in[0].dst_reg = (uint8_t)(rnd() % 10);
        if (op->used & ISA_F_SRC) in[0].src_reg = (uint8_t)(rnd() % 10);
        if (op->used & ISA_F_OFF) in[0].off = (int16_t)((int)(rnd() % 200) - 100);
        if (op->used & ISA_F_IMM) in[0].imm = rnd() % 2 ? (int32_t)(rnd() % 1000) - 500 : (int32_t)rnd();
        bpfrt_isa_set_key(&in[0], op->key, f->key);
        if (bpfrt_insn_is_lddw(&in[0])) in[1].imm = (int32_t)rnd();
        uint32_t n = bpfrt_insn_is_lddw(&in[0]) ? 2 : 1;
        char msg[128];
        if (bpfrt_isa_check_insn(in, n, NULL, msg, sizeof(msg)) == 0 && llvm_can_spell(f, in))
            return n;
    }
}

static void test_llvm_agrees(const char *clang)
{
    long iters = test_fuzz_iters();
    if (iters > 20000) iters = 20000;
    char dir[] = "/tmp/bpfrt-llvm-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char src[64], obj[64], bin[64], cmd[1024];
    snprintf(src, sizeof(src), "%s/p.s", dir);
    snprintf(obj, sizeof(obj), "%s/p.o", dir);
    snprintf(bin, sizeof(bin), "%s/p.bin", dir);
    struct bpf_insn *prog = calloc((size_t)iters * 2, sizeof(*prog));
    uint32_t cnt = 0;
    FILE *f = fopen(src, "w");
    for (long i = 0; i < iters; i++) {
        uint32_t n = random_insn(&prog[cnt]);
        char text[200];
        CHECK(bpfrt_disasm_insn(&prog[cnt], n, cnt, BPFRT_SYNTAX_LLVM, text, sizeof(text), NULL) > 0);
        fprintf(f, "\t%s\n", text);
        cnt += n;
    }
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "%s -target bpfel -mcpu=v4 -x assembler -c %s -o %s && "
             "(llvm-objcopy -O binary --only-section=.text %s %s 2>/dev/null || "
             "llvm-objcopy-14 -O binary --only-section=.text %s %s)",
             clang, src, obj, obj, bin, obj, bin);
    int rc = system(cmd);
    CHECK_EQ(rc, 0);
    FILE *b = fopen(bin, "rb");
    CHECK(b != NULL);
    if (rc == 0 && b) {
        struct bpf_insn *theirs = calloc(cnt + 1, sizeof(*theirs));
        size_t got = fread(theirs, sizeof(*theirs), cnt + 1, b);
        CHECK_EQ(got, cnt);
        uint32_t same = 0;
        for (uint32_t i = 0; i < cnt && i < got; i++) {
            if (memcmp(&theirs[i], &prog[i], 8) == 0) {
                same++;
            } else {
                char text[200] = "";
                bpfrt_disasm_insn(&prog[i], cnt - i, i, BPFRT_SYNTAX_LLVM, text, sizeof(text), NULL);
                uint64_t a, c;
                memcpy(&a, &prog[i], 8);
                memcpy(&c, &theirs[i], 8);
                fprintf(stderr, "insn %u \"%s\": ours %016llx, llvm %016llx\n", i, text,
                        (unsigned long long)a, (unsigned long long)c);
            }
        }
        printf("%u of %u instruction slots identical to LLVM's encoding\n", same, cnt);
        CHECK_EQ(same, cnt);
        free(theirs);
    }
    if (b) fclose(b);
    free(prog);
    unlink(src);
    unlink(obj);
    unlink(bin);
    rmdir(dir);
}

/* A whole llvm-objdump listing (headers, labels, raw bytes, relocations,
 * "<prog+0x50>" annotations) of a clang-compiled program assembles to the
 * object's .text bytes. */
static void test_objdump_listing(const char *clang)
{
    if (system("llvm-objdump --version >/dev/null 2>&1") != 0) {
        printf("note: no llvm-objdump, listing test skipped\n");
        return;
    }
    char dir[] = "/tmp/bpfrt-objdump-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char c[64], o[64], lst[64], bin[64], cmd[1024];
    snprintf(c, sizeof(c), "%s/p.c", dir);
    snprintf(o, sizeof(o), "%s/p.o", dir);
    snprintf(lst, sizeof(lst), "%s/p.lst", dir);
    snprintf(bin, sizeof(bin), "%s/p.bin", dir);
    FILE *f = fopen(c, "w");
    fputs("struct { int x; } m __attribute__((section(\".maps\")));\n"
          "static __attribute__((noinline)) int twice(int a) { return a * 2; }\n"
          "int prog(int *ctx) {\n"
          "  int k = 0; long s = 0;\n"
          "  void *v = ((void *(*)(void *, const void *))1)(&m, &k);\n"
          "  for (int i = 0; i < 8; i++) s += (signed char)ctx[i] / 3 + (ctx[i] >> 2);\n"
          "  __sync_fetch_and_add(ctx, 1);\n"
          "  return v ? *(int *)v + twice((int)s) : (int)__builtin_bswap32(s);\n"
          "}\n", f);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "%s -O2 -target bpfel -mcpu=v4 -c %s -o %s && llvm-objdump -d -r %s > %s && "
             "(llvm-objcopy -O binary --only-section=.text %s %s 2>/dev/null || "
             "llvm-objcopy-14 -O binary --only-section=.text %s %s)",
             clang, c, o, o, lst, o, bin, o, bin);
    int rc = system(cmd);
    CHECK_EQ(rc, 0);
    size_t llen = 0, blen = 0;
    char *listing = rc == 0 ? test_read_file(lst, &llen) : NULL;
    char *text = rc == 0 ? test_read_file(bin, &blen) : NULL;
    if (listing && text) {
        struct bpf_insn *out;
        uint32_t cnt;
        struct bpfrt_asm_error e;
        int arc = bpfrt_asm(bpfrt_platform_hosted(), listing, llen, BPFRT_SYNTAX_AUTO, &out, &cnt, &e);
        CHECK_EQ(arc, 0);
        if (arc) fprintf(stderr, "listing %u:%u: %s\n", e.line, e.column, e.msg);
        if (arc == 0) {
            CHECK_EQ((size_t)cnt * 8, blen);
            CHECK((size_t)cnt * 8 == blen && memcmp(out, text, blen) == 0);
            bpfrt_platform_hosted()->free(NULL, out, cnt * 8);
        }
    }
    free(listing);
    free(text);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    const char *clang = find_clang();
    if (!clang)
        TEST_SKIP("no clang with the BPF v4 assembler");
    test_current = "test_llvm_agrees";
    test_llvm_agrees(clang);
    test_current = "test_objdump_listing";
    test_objdump_listing(clang);
    return test_summary();
}
