/* Round trip on random valid instructions and robustness on hostile text.
 *  - BPFRT_FUZZ_ITERS random valid instructions (every opcode and form of
 *    the table, random registers, offsets and immediates) survive
 *    assemble(disassemble(insn)) byte for byte in each syntax;
 *  - mutated and random text never crashes the assembler: it returns 0 or
 *    -EINVAL with a message and a position inside the input;
 *  - long lines, NUL bytes and a 100k-line program are handled. */
#include "test.h"

#include "bpfrt/asm.h"
#include "bpfrt/errno.h"
#include "core/isa/isa.h"
#include "test_rng.h"

static const struct bpfrt_platform *P;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    return test_xorshift64(&rng_state);
}

/* Random interesting 32-bit value: small, boundary or anything. */
static int32_t rnd_imm(void)
{
    static const int32_t edges[] = {0, 1, -1, 0x7fffffff, INT32_MIN, 16, 255, -256, 0x10000};
    switch (rnd() % 3) {
    case 0: return edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];
    case 1: return (int32_t)(rnd() % 64) - 32;
    default: return (int32_t)rnd();
    }
}

/* Makes a random instruction the table accepts; returns its slot count. */
static uint32_t random_valid_insn(struct bpf_insn in[2])
{
    for (;;) {
        uint8_t code = (uint8_t)rnd();
        const struct isa_opcode *op = &bpfrt_isa_opcodes[code];
        if (!op->nforms)
            continue;
        const struct isa_form *f = &op->forms[rnd() % op->nforms];
        if (f->flags & (ISA_ALIAS | ISA_UNSUPPORTED))
            continue;
        memset(in, 0, 2 * sizeof(*in));
        in[0].code = code;
        if (op->used & ISA_F_DST) in[0].dst_reg = (uint8_t)(rnd() % 11);
        if (op->used & ISA_F_SRC) in[0].src_reg = (uint8_t)(rnd() % 11);
        if ((op->used & ISA_F_OFF) || (f->flags & ISA_USES_OFF)) in[0].off = (int16_t)rnd_imm();
        if (op->used & ISA_F_IMM) in[0].imm = rnd_imm();
        bpfrt_isa_set_key(&in[0], op->key, f->key);
        if (bpfrt_insn_is_lddw(&in[0]) && (f->key == 0 || f->key == BPF_PSEUDO_MAP_VALUE ||
                                           f->key == BPF_PSEUDO_BTF_ID || f->key == BPF_PSEUDO_MAP_IDX_VALUE))
            in[1].imm = rnd_imm();
        uint32_t n = bpfrt_insn_is_lddw(&in[0]) ? 2 : 1;
        char msg[128];
        if (bpfrt_isa_check_insn(in, n, NULL, msg, sizeof(msg)) == 0)
            return n;
    }
}

static void test_random_round_trip(void)
{
    long iters = test_fuzz_iters();
    long ok[3] = {0, 0, 0};
    for (long it = 0; it < iters; it++) {
        struct bpf_insn in[2];
        uint32_t n = random_valid_insn(in);
        for (int syn = BPFRT_SYNTAX_KERNEL; syn <= BPFRT_SYNTAX_CONF; syn++) {
            char text[256];
            uint32_t used = 0;
            int len = bpfrt_disasm_insn(in, n, 0, syn, text, sizeof(text), &used);
            CHECK(len > 0 && (size_t)len < sizeof(text));
            CHECK_EQ(used, n);
            struct bpf_insn *back = NULL;
            uint32_t cnt = 0;
            struct bpfrt_asm_error e;
            int rc = bpfrt_asm(P, text, (size_t)len, syn, &back, &cnt, &e);
            if (rc == 0 && cnt == n && memcmp(back, in, n * 8) == 0) {
                ok[syn]++;
            } else {
                uint64_t w;
                memcpy(&w, in, 8);
                fprintf(stderr, "syntax %d: %016llx \"%s\" -> rc %d %s\n", syn, (unsigned long long)w, text,
                        rc, rc ? e.msg : "(different bytes)");
            }
            if (back) P->free(P->ctx, back, cnt * 8);
        }
    }
    CHECK_EQ(ok[0], iters);
    CHECK_EQ(ok[1], iters);
    CHECK_EQ(ok[2], iters);
}

/* Every form with every combination of edge values in its fields (the
 * random sweep rarely hits, say, a kfunc call with off 0). */
static void test_edge_sweep(void)
{
    static const uint8_t regs[] = {0, 1, 10};
    static const int16_t offs[] = {0, 1, -1, INT16_MIN, INT16_MAX};
    static const int32_t imms[] = {0, 1, -1, INT32_MIN, INT32_MAX};
    static const int32_t imm2s[] = {0, -1};
    long tried = 0, ok = 0;
    for (int code = 0; code < 256; code++) {
        const struct isa_opcode *op = &bpfrt_isa_opcodes[code];
        for (unsigned k = 0; k < op->nforms; k++) {
            const struct isa_form *f = &op->forms[k];
            if (f->flags & (ISA_ALIAS | ISA_UNSUPPORTED))
                continue;
            for (unsigned d = 0; d < 3; d++)
            for (unsigned sr = 0; sr < 3; sr++)
            for (unsigned o = 0; o < 5; o++)
            for (unsigned im = 0; im < 5; im++)
            for (unsigned i2 = 0; i2 < 2; i2++) {
                struct bpf_insn in[2] = {{0}};
                in[0].code = (uint8_t)code;
                if (op->used & ISA_F_DST) in[0].dst_reg = regs[d]; else if (d) continue;
                if (op->used & ISA_F_SRC) in[0].src_reg = regs[sr]; else if (sr) continue;
                if ((op->used & ISA_F_OFF) || (f->flags & ISA_USES_OFF)) in[0].off = offs[o]; else if (o) continue;
                if (op->used & ISA_F_IMM) in[0].imm = imms[im]; else if (im) continue;
                bpfrt_isa_set_key(&in[0], op->key, f->key);
                if (bpfrt_insn_is_lddw(&in[0])) in[1].imm = imm2s[i2]; else if (i2) continue;
                uint32_t n = bpfrt_insn_is_lddw(&in[0]) ? 2 : 1;
                char msg[128];
                if (bpfrt_isa_check_insn(in, n, NULL, msg, sizeof(msg)))
                    continue; /* e.g. writes to r10 */
                for (int syn = BPFRT_SYNTAX_KERNEL; syn <= BPFRT_SYNTAX_CONF; syn++) {
                    char text[256];
                    int len = bpfrt_disasm_insn(in, n, 0, syn, text, sizeof(text), NULL);
                    struct bpf_insn *back = NULL;
                    uint32_t cnt = 0;
                    struct bpfrt_asm_error e;
                    tried++;
                    if (len > 0 && bpfrt_asm(P, text, (size_t)len, syn, &back, &cnt, &e) == 0 && cnt == n &&
                        memcmp(back, in, n * 8) == 0)
                        ok++;
                    else
                        fprintf(stderr, "edge: syntax %d \"%s\" does not read back\n", syn, text);
                    if (back) P->free(P->ctx, back, cnt * 8);
                }
            }
        }
    }
    printf("edge sweep: %ld of %ld read back\n", ok, tried);
    CHECK(tried > 10000);
    CHECK_EQ(ok, tried);
}

/* A whole random program through bpfrt_disasm (with kernel indexes) and back. */
static void test_random_program_round_trip(void)
{
    enum { N = 400 };
    struct bpf_insn prog[N + 2];
    uint32_t cnt = 0;
    while (cnt < N) cnt += random_valid_insn(&prog[cnt]);
    for (int syn = BPFRT_SYNTAX_KERNEL; syn <= BPFRT_SYNTAX_CONF; syn++) {
        size_t need = bpfrt_disasm(prog, cnt, syn, NULL, 0);
        char *text = malloc(need + 1);
        CHECK_EQ(bpfrt_disasm(prog, cnt, syn, text, need + 1), need);
        struct bpf_insn *back = NULL;
        uint32_t back_cnt = 0;
        struct bpfrt_asm_error e;
        CHECK_EQ(bpfrt_asm(P, text, need, syn, &back, &back_cnt, &e), 0);
        CHECK(back && back_cnt == cnt && memcmp(back, prog, cnt * 8) == 0);
        if (back) P->free(P->ctx, back, back_cnt * 8);
        free(text);
    }
}

/* Invalid instructions print as ".insn 0x..." and read back unchanged. */
static void test_invalid_insn_directive(void)
{
    struct bpf_insn prog[3] = {
        {.code = 0x8f},                                 /* unknown opcode */
        {.code = BPF_ALU64 | BPF_ADD | BPF_K, .off = 1}, /* reserved field */
        {.code = BPF_JMP | BPF_EXIT},
    };
    for (int syn = BPFRT_SYNTAX_KERNEL; syn <= BPFRT_SYNTAX_CONF; syn++) {
        char text[512];
        size_t n = bpfrt_disasm(prog, 3, syn, text, sizeof(text));
        CHECK_CONTAINS(text, ".insn 0x000000000000008f ; invalid: unknown opcode 8f");
        CHECK_CONTAINS(text, "invalid: BPF_ALU uses reserved fields");
        char one[64];
        CHECK_EQ(bpfrt_disasm_insn(prog, 3, 0, syn, one, sizeof(one), NULL), -BPFRT_EINVAL);
        struct bpf_insn *back = NULL;
        uint32_t cnt = 0;
        struct bpfrt_asm_error e;
        CHECK_EQ(bpfrt_asm(P, text, n, syn, &back, &cnt, &e), 0);
        CHECK(back && cnt == 3 && memcmp(back, prog, sizeof(prog)) == 0);
        if (back) P->free(P->ctx, back, cnt * 8);
    }
}

/* Checks an assembler failure is well formed. */
static void check_clean_failure(const char *text, size_t len, int rc, const struct bpfrt_asm_error *e,
                                uint32_t lines)
{
    CHECK(rc == 0 || rc == -BPFRT_EINVAL || rc == -BPFRT_ENOMEM);
    if (rc) {
        CHECK(e->msg[0] != '\0');
        CHECK(strlen(e->msg) < sizeof(e->msg));
        CHECK(e->line <= lines + 1);
    }
    (void)text;
    (void)len;
}

static void test_mutation_fuzz(void)
{
    static const char *seeds[] = {
        "mov %r0, 1\nlddw %r1, 0x1122334455667788\nlock fetch add [%r10-8], %r1\njeq %r1, 5, L1\nL1:\nexit\n",
        "r0 = 1\nw1 += w2\n*(u32 *)(r10 - 8) = r1\nif w1 s< w2 goto LBB0_2\nr1 = 0x1234 ll\nLBB0_2:\nexit\n",
        "   0: (b7) r0 = 0\n   1: (85) call bpf_map_lookup_elem#1\n   2: (55) if r0 != 0x0 goto pc+1\n   3: (95) exit\n   4: (95) exit\n",
    };
    static const char junk[] = "%r[]+-,:#;/0x9azZ \t\n\0()*=<>&|^sw$.{}";
    long iters = test_fuzz_iters();
    long accepted = 0, rejected = 0;
    for (long it = 0; it < iters; it++) {
        const char *seed = seeds[rnd() % 3];
        size_t len = strlen(seed);
        char buf[512];
        memcpy(buf, seed, len);
        int edits = 1 + (int)(rnd() % 4);
        for (int k = 0; k < edits; k++) {
            size_t pos = len ? rnd() % len : 0;
            switch (rnd() % 3) {
            case 0: buf[pos] = junk[rnd() % (sizeof(junk) - 1)]; break;
            case 1: if (len > 1) { memmove(buf + pos, buf + pos + 1, len - pos - 1); len--; } break;
            default:
                if (len + 1 < sizeof(buf)) {
                    memmove(buf + pos + 1, buf + pos, len - pos);
                    buf[pos] = junk[rnd() % (sizeof(junk) - 1)];
                    len++;
                }
            }
        }
        struct bpf_insn *out = NULL;
        uint32_t cnt = 0;
        struct bpfrt_asm_error e;
        int rc = bpfrt_asm(P, buf, len, (enum bpfrt_syntax)(rnd() % 4), &out, &cnt, &e);
        check_clean_failure(buf, len, rc, &e, 8);
        if (rc == 0) {
            accepted++;
            CHECK(out != NULL && cnt > 0);
            P->free(P->ctx, out, cnt * 8);
        } else {
            rejected++;
            CHECK(out == NULL);
        }
    }
    CHECK(accepted > 0);
    CHECK(rejected > 0);
}

static void test_random_bytes(void)
{
    long iters = test_fuzz_iters() / 4 + 1;
    for (long it = 0; it < iters; it++) {
        char buf[300];
        size_t len = rnd() % sizeof(buf);
        for (size_t i = 0; i < len; i++) buf[i] = (char)rnd();
        struct bpf_insn *out = NULL;
        uint32_t cnt = 0;
        struct bpfrt_asm_error e;
        int rc = bpfrt_asm(P, buf, len, BPFRT_SYNTAX_AUTO, &out, &cnt, &e);
        check_clean_failure(buf, len, rc, &e, (uint32_t)len);
        if (rc == 0) P->free(P->ctx, out, cnt * 8);
    }
}

static void test_long_lines_and_nul(void)
{
    struct bpf_insn *out = NULL;
    uint32_t cnt;
    struct bpfrt_asm_error e;
    /* a 1 MB line of spaces before an instruction, and a 1 MB garbage token */
    size_t big = 1 << 20;
    char *s = malloc(big + 64);
    memset(s, ' ', big);
    strcpy(s + big, "exit\n");
    CHECK_EQ(bpfrt_asm(P, s, strlen(s), BPFRT_SYNTAX_CONF, &out, &cnt, &e), 0);
    CHECK_EQ(cnt, 1);
    P->free(P->ctx, out, cnt * 8);
    memset(s, 'a', big);
    strcpy(s + big, " %r0, 1\n");
    CHECK_EQ(bpfrt_asm(P, s, strlen(s), BPFRT_SYNTAX_CONF, &out, &cnt, &e), -BPFRT_EINVAL);
    CHECK_CONTAINS(e.msg, "unknown instruction 'aaaa");
    CHECK(strlen(e.msg) < 100);
    memset(s, '9', big);
    memcpy(s, "mov %r0, ", 9);
    strcpy(s + big, "\nexit\n");
    CHECK_EQ(bpfrt_asm(P, s, strlen(s), BPFRT_SYNTAX_CONF, &out, &cnt, &e), -BPFRT_EINVAL);
    CHECK_CONTAINS(e.msg, "out of range");
    free(s);
    /* an embedded NUL byte is reported where it is */
    static const char nul[] = "mov %r0, 1\nmov %r1,\0 2\nexit\n";
    CHECK_EQ(bpfrt_asm(P, nul, sizeof(nul) - 1, BPFRT_SYNTAX_CONF, &out, &cnt, &e), -BPFRT_EINVAL);
    CHECK_EQ(e.line, 2);
    CHECK_EQ(e.column, 9);
    CHECK_CONTAINS(e.msg, "NUL");
    /* a C string passed with its terminator is fine */
    static const char term[] = "exit\n";
    CHECK_EQ(bpfrt_asm(P, term, sizeof(term), BPFRT_SYNTAX_CONF, &out, &cnt, &e), 0);
    CHECK_EQ(cnt, 1);
    P->free(P->ctx, out, cnt * 8);
}

static void test_100k_lines(void)
{
    enum { LINES = 100000 };
    size_t cap = (size_t)LINES * 40;
    char *s = malloc(cap);
    size_t len = 0;
    for (int i = 0; i < LINES - 2; i++)
        len += (size_t)snprintf(s + len, cap - len, i % 2 ? "L%d:\nadd %%r1, %d\n" : "jne %%r1, %d, L%d\n",
                                i % 2 ? i : i + 3, i % 2 ? i : i + 3);
    len += (size_t)snprintf(s + len, cap - len, "L%d:\nL%d:\nexit\n", LINES - 1, LINES + 1);
    struct bpf_insn *out = NULL;
    uint32_t cnt = 0;
    struct bpfrt_asm_error e;
    int rc = bpfrt_asm(P, s, len, BPFRT_SYNTAX_CONF, &out, &cnt, &e);
    CHECK_EQ(rc, 0);
    if (rc) fprintf(stderr, "%u:%u: %s\n", e.line, e.column, e.msg);
    CHECK_EQ(cnt, LINES - 1);
    if (rc == 0) {
        char msg[128];
        CHECK_EQ(bpfrt_insns_validate(out, cnt, msg, sizeof(msg), NULL), 0);
        /* line i makes insn i; jne at 0 targets L3, i.e. insn 3 */
        CHECK_EQ(out[0].off, 2);
        P->free(P->ctx, out, cnt * 8);
    }
    free(s);
}

/* A platform whose allocator fails after a budget of calls and counts what
 * is outstanding: every failure must be -ENOMEM with nothing leaked. */
static long alloc_budget, alloc_live;
static void *counting_alloc(void *ctx, size_t size, size_t align)
{
    if (alloc_budget-- <= 0)
        return NULL;
    void *p = P->alloc(P->ctx, size, align);
    if (p) alloc_live++;
    return p;
}
static void counting_free(void *ctx, void *ptr, size_t size)
{
    if (ptr) alloc_live--;
    P->free(P->ctx, ptr, size);
}

static void test_allocation_failures(void)
{
    struct bpfrt_platform failing = *P;
    failing.alloc = counting_alloc;
    failing.free = counting_free;
    /* enough lines and labels to grow every table a few times */
    size_t cap = 64 * 1024, len = 0;
    char *src = malloc(cap);
    for (int i = 0; i < 600; i++)
        len += (size_t)snprintf(src + len, cap - len, "L%d: jeq %%r1, %d, L%d\n", i, i, (i * 7) % 600);
    len += (size_t)snprintf(src + len, cap - len, "exit\n");
    int failures = 0;
    for (long budget = 0;; budget++) {
        alloc_budget = budget;
        alloc_live = 0;
        struct bpf_insn *out = NULL;
        uint32_t cnt = 0;
        struct bpfrt_asm_error e;
        int rc = bpfrt_asm(&failing, src, len, BPFRT_SYNTAX_CONF, &out, &cnt, &e);
        if (rc == 0) {
            CHECK_EQ(cnt, 601);
            CHECK_EQ(alloc_live, 1); /* only the result */
            failing.free(NULL, out, cnt * 8);
            break;
        }
        failures++;
        CHECK_EQ(rc, -BPFRT_ENOMEM);
        CHECK(out == NULL);
        CHECK_EQ(alloc_live, 0);
        if (budget > 1000) { CHECK(!"never succeeded"); break; }
    }
    CHECK(failures >= 5);
    free(src);
}

int main(void)
{
    P = bpfrt_platform_hosted();
    RUN(test_random_round_trip);
    RUN(test_edge_sweep);
    RUN(test_random_program_round_trip);
    RUN(test_invalid_insn_directive);
    RUN(test_mutation_fuzz);
    RUN(test_random_bytes);
    RUN(test_long_lines_and_nul);
    RUN(test_100k_lines);
    RUN(test_allocation_failures);
    return test_summary();
}
