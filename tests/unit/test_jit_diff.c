/* Differential test, interpreter against JIT, on two sources:
 *
 *  1. every bpf_conformance case (and the benchmark data files): r0 and the
 *     input memory afterwards, in checked, trusted and verified mode;
 *  2. random generated programs (BPFRT_FUZZ_ITERS / 4 of them; make
 *     check-long raises the knob): every ALU/JMP form, loads, stores and
 *     atomics on the input, the stack and map values (in and out of bounds,
 *     aligned and not, constant and computed addresses), helper calls
 *     (scalar, memory arguments, map lookup/update, bpf_loop with a
 *     callback), bpf-to-bpf calls (recursion included), callx, tail calls,
 *     LD_ABS/LD_IND, may_goto and backward jumps under a small budget.
 *     Checked JIT and checked interpreter must agree on r0, the memory, the
 *     map and the error (kind, failing instruction, message with stack
 *     addresses masked); programs that ran cleanly are run again in trusted
 *     and verified mode and must agree too.
 *
 * Stack addresses differ between engines (each run has its own stack), so
 * generated programs never let one reach r0 or memory: r10 is only a base
 * address, and registers briefly holding stack pointers are cleared. */
#include <dirent.h>

#include "../../tools/conformance_plugin/conf_exec.h"
#include "kernel_bpf.h"
#include "test_jit_util.h"
#include "test_rng.h"

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
    return test_xorshift64star(&rng);
}
static uint32_t below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

/* ---- 1. the conformance suite ---- */

static long conf_cases;

static void conf_one(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[len] = '\0';
    struct conf_data d;
    char perr[512];
    if (conf_data_parse(text, len, &d, perr, sizeof(perr)))
        return;
    struct bpf_insn *insns = NULL;
    uint32_t n = 0;
    bool owned = false;
    struct conf_outcome out;
    const struct bpfrt_platform *plat = bpfrt_runtime_platform(vt_rt);
    if (!conf_program(plat, &d, &insns, &n, &owned, &out)) {
        conf_data_free(&d);
        return;
    }
    /* Every engine runs on the same buffer: a program that stores an
     * address stores the same one in each. */
    static uint8_t mem[512];
    uint8_t base_mem[512];
    size_t mlen = d.mem_len < sizeof(mem) ? d.mem_len : sizeof(mem);
    if (mlen)
        memcpy(mem, d.mem, mlen);
    vt_budget = CONF_DEFAULT_BUDGET;
    struct vt_result base = jt_run(insns, n, mlen ? mem : NULL, mlen, JT_INTERP);
    if (mlen)
        memcpy(base_mem, mem, mlen);
    for (int e = JT_JIT; e < JT_COUNT; e++) {
        if (mlen)
            memcpy(mem, d.mem, mlen);
        struct vt_result r = jt_run(insns, n, mlen ? mem : NULL, mlen, (enum jt_engine)e);
        char what[4200];
        snprintf(what, sizeof(what), "%s [%s]", path, jt_engine_names[e]);
        CHECK(jt_same(&base, &r, what));
        if (memcmp(mem, base_mem, mlen) != 0) {
            test_failed++;
            fprintf(stderr, "%s: memory differs\n", what);
        }
    }
    vt_budget = 0;
    conf_cases++;
    if (owned)
        plat->free(plat->ctx, insns, (size_t)n * sizeof(*insns));
    conf_data_free(&d);
}

static void conf_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    for (struct dirent *e; (e = readdir(dp));) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".data") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        conf_one(path);
    }
    closedir(dp);
}

static void test_conformance_cases(void)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/conformance/tests", test_shared_dir());
    conf_dir(dir);
    snprintf(dir, sizeof(dir), "%s/bench/data", test_shared_dir());
    conf_dir(dir);
    if (conf_cases == 0)
        printf("SKIP: no conformance suite under %s\n", test_shared_dir());
    printf("conformance cases compared: %ld\n", conf_cases);
}

/* ---- 2. random programs ---- */

#define MEMLEN 64
#define MAXN 400
#define VALUE_SIZE 16
#define NR_ENTRIES 4

enum { H_MIX = 0x7100, H_SUMMEM, H_FILL };

static uint64_t h_mix(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    uint64_t v = (r1 * 3) ^ (r2 + r3) ^ (r4 << 7) ^ (r5 >> 3);
#if defined(__x86_64__)
    /* clobber every argument register, as the SysV ABI allows, with a
     * pattern: an r1-r5 the JIT leaves uncleared after the call then
     * differs from the interpreter's 0 */
    __asm__ volatile("mov $0x5a5a5a5a, %%edi\n\tmov %%edi, %%esi\n\tmov %%edi, %%edx\n\t"
                     "mov %%edi, %%ecx\n\tmov %%edi, %%r8d" ::: "rdi", "rsi", "rdx", "rcx", "r8");
#endif
    return v;
}

static uint64_t h_summem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    const uint8_t *p = (const uint8_t *)(uintptr_t)r1;
    uint64_t s = 0;
    for (uint64_t i = 0; i < r2; i++)
        s = s * 31 + p[i];
    return s;
}

static uint64_t h_fill(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    uint8_t *p = (uint8_t *)(uintptr_t)r1;
    for (uint64_t i = 0; i < r2; i++)
        p[i] = (uint8_t)(r3 + i);
    return r2;
}

static const uint8_t gregs[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9 }; /* r6 = the input, r10 = the frame */
static uint8_t greg(void)
{
    return gregs[below(sizeof(gregs))];
}
/* a register read as a value: any but r10 */
static uint8_t vreg(void)
{
    return below(10) ? greg() : 6;
}

static int32_t rnd_imm(void)
{
    static const int32_t interesting[] = { 0, 1, -1, 2, 3, 7, 10, 16, 31, 32, 33, 63, 64, 255, 0xffff, 4096,
                                           INT32_MIN, INT32_MAX, 0x12345678, -7, 1000003, 0x40000000 };
    return below(3) ? interesting[below(sizeof(interesting) / 4)] : (int32_t)rnd();
}

struct gen {
    struct bpf_insn p[MAXN];
    uint32_t n;
    bool overflow;
    bool unaligned_atomic;     /* verified mode would use a split lock: not run there */
    /* fix-ups */
    uint32_t calls[64], call_fn[64], ncalls;     /* CALL_LOCAL / PSEUDO_FUNC at p[idx] -> function call_fn */
    uint32_t maprefs[64], nmaprefs;              /* ld_imm64 of the array map */
    uint32_t parrefs[16], nparrefs;              /* ld_imm64 of the prog array */
    uint32_t fn_start[4], nfn;
};

static void put(struct gen *g, struct bpf_insn in)
{
    if (g->n < MAXN)
        g->p[g->n++] = in;
    else
        g->overflow = true;
}

static void put_lddw(struct gen *g, uint8_t dst, uint8_t src, uint64_t v)
{
    put(g, INSN(BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, (int32_t)(uint32_t)v));
    put(g, INSN(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

static const uint8_t alu_ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
                                   BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END };
static const uint8_t jmp_ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE,
                                   BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };
static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
static const unsigned size_bytes[] = { 1, 2, 4, 8 };

static void gen_alu(struct gen *g)
{
    uint8_t op = alu_ops[below(sizeof(alu_ops))];
    bool w64 = below(2);
    uint8_t cls = w64 ? BPF_ALU64 : BPF_ALU;
    uint8_t dst = greg();
    if (op == BPF_NEG) {
        put(g, INSN(cls | BPF_NEG, dst, 0, 0, 0));
    } else if (op == BPF_END) {
        int32_t bits = (int32_t[]){ 16, 32, 64 }[below(3)];
        put(g, w64 ? BSWAP(dst, bits) : below(2) ? END_LE(dst, bits) : END_BE(dst, bits));
    } else if (below(2)) {
        int16_t off = 0;
        if (op == BPF_DIV || op == BPF_MOD)
            off = (int16_t)below(2);
        if (op == BPF_MOV && below(3) == 0)
            off = w64 ? (int16_t[]){ 8, 16, 32 }[below(3)] : (int16_t[]){ 8, 16 }[below(2)];
        put(g, INSN(cls | op | BPF_X, dst, vreg(), off, 0));
    } else {
        int16_t off = (op == BPF_DIV || op == BPF_MOD) ? (int16_t)below(2) : 0;
        put(g, INSN(cls | op | BPF_K, dst, 0, off, rnd_imm()));
    }
}

/* An offset for a size-byte access on the input: mostly inside. */
static int16_t mem_off(unsigned size)
{
    if (below(12) == 0)
        return (int16_t)((int)below(MEMLEN + 16) - 8);
    return (int16_t)below(MEMLEN - size + 1);
}

static int16_t stack_off(unsigned size)
{
    if (below(15) == 0)
        return (int16_t)(int16_t[]){ -520, -513, 0, 8, -600, -1 }[below(6)];
    return (int16_t)(-(int)size - (int)below(512 - size + 1));
}

static void gen_mem(struct gen *g, bool stack)
{
    unsigned si = below(4), size = size_bytes[si];
    uint8_t base = stack ? 10 : 6;
    int16_t off = stack ? stack_off(size) : mem_off(size);
    switch (below(4)) {
    case 0:
        put(g, LDX(sizes[si], greg(), base, off));
        break;
    case 1:
        if (si < 3) {
            put(g, LDXSX(sizes[si], greg(), base, off));
            break;
        }
        /* fall through */
    case 2:
        put(g, STX(sizes[si], base, vreg(), off));
        break;
    default:
        put(g, ST(sizes[si], base, off, rnd_imm()));
        break;
    }
}

/* A computed address: input + (x & mask), or r10 - 8 - (x & 0x1f8). */
static void gen_dyn_mem(struct gen *g, bool stack)
{
    uint8_t t = greg(), s = vreg();
    unsigned si = below(4);
    if (t == s)
        s = 6;
    put(g, MOV64_REG(t, s));
    if (stack) {
        put(g, ALU64_IMM(BPF_AND, t, 0x1f8));
        put(g, NEG64(t));
        put(g, ALU64_REG(BPF_ADD, t, 10));
        put(g, ALU64_IMM(BPF_ADD, t, -8));
    } else {
        put(g, ALU64_IMM(BPF_AND, t, below(3) ? 0x38 : 0x3f));
        put(g, ALU64_REG(BPF_ADD, t, 6));
    }
    uint8_t v = greg();
    if (v == t)
        v = 6;
    if (below(2))
        put(g, LDX(sizes[si], v == 6 ? 0 : v, t, 0));
    else
        put(g, STX(sizes[si], t, v, 0));
    if (stack)
        put(g, MOV64_IMM(t, (int32_t)below(100))); /* no stack address survives */
}

static void gen_atomic(struct gen *g)
{
    static const int32_t ops[] = { BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH, BPF_OR | BPF_FETCH,
                                   BPF_AND | BPF_FETCH, BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG };
    bool dw = below(2);
    unsigned size = dw ? 8 : 4;
    bool stack = below(3) == 0;
    int16_t off;
    if (stack) {
        off = (int16_t)(-(int)size * (1 + (int)below(512 / size)));
    } else if (below(5) == 0) {
        off = (int16_t)(1 + 2 * below((MEMLEN - size) / 2)); /* odd: unaligned */
        g->unaligned_atomic = true;
    } else {
        off = (int16_t)(size * below(MEMLEN / size));
    }
    put(g, ATOMIC(dw ? BPF_DW : BPF_W, ops[below(sizeof(ops) / 4)], stack ? 10 : 6, greg(), off));
}

static void gen_acq_rel(struct gen *g)
{
    unsigned si = below(4), size = size_bytes[si];
    bool stack = below(2);
    int16_t off = stack ? (int16_t)(-(int)size * (1 + (int)below(8))) : (int16_t)(size * below(MEMLEN / size));
    if (below(2))
        put(g, ATOMIC(sizes[si], BPF_LOAD_ACQ, greg(), stack ? 10 : 6, off));
    else
        put(g, ATOMIC(sizes[si], BPF_STORE_REL, stack ? 10 : 6, vreg(), off));
}

/* Jumps get their targets once the function is generated. */
struct jump {
    uint32_t at;
    bool back;
};

static void gen_jump(struct gen *g, struct jump *jumps, uint32_t *njumps, bool back)
{
    if (*njumps >= 32)
        return;
    jumps[(*njumps)++] = (struct jump){ g->n, back };
    if (below(6) == 0) {
        put(g, JA(0));
        return;
    }
    uint8_t cls = below(2) ? BPF_JMP : BPF_JMP32, op = jmp_ops[below(sizeof(jmp_ops))];
    if (below(2))
        put(g, INSN(cls | op | BPF_X, vreg(), vreg(), 0, 0));
    else
        put(g, INSN(cls | op | BPF_K, vreg(), 0, 0, below(2) ? (int32_t)below(16) : rnd_imm()));
}

static void gen_helper(struct gen *g, bool have_cb)
{
    switch (below(have_cb ? 5 : 4)) {
    case 0: /* scalar: r1-r5 read 0 after it */
        put(g, CALL_HELPER(H_MIX));
        break;
    case 1: { /* memory argument: the input, maybe too long */
        uint32_t off = below(MEMLEN);
        put(g, MOV64_REG(1, 6));
        put(g, ALU64_IMM(BPF_ADD, 1, (int32_t)off));
        put(g, MOV64_IMM(2, (int32_t)(below(8) ? 1 + below(MEMLEN - off) : 1 + below(MEMLEN))));
        put(g, CALL_HELPER(H_SUMMEM));
        break;
    }
    case 2: { /* fill the stack, then read it back */
        int32_t off = -8 - 8 * (int32_t)below(60);
        put(g, MOV64_REG(1, 10));
        put(g, ALU64_IMM(BPF_ADD, 1, off));
        put(g, MOV64_IMM(2, (int32_t)(below(10) ? 8 : 16)));
        put(g, MOV64_IMM(3, (int32_t)below(256)));
        put(g, CALL_HELPER(H_FILL));
        put(g, MOV64_IMM(1, 0));
        put(g, LDX(BPF_DW, greg(), 10, (int16_t)off));
        break;
    }
    case 3: { /* map lookup, then an access to the value (maybe past it) */
        bool update = below(3) == 0;
        put(g, ST(BPF_W, 10, -4, (int32_t)below(NR_ENTRIES + 1)));
        g->maprefs[g->nmaprefs++ & 63] = g->n;
        put_lddw(g, 1, BPF_PSEUDO_MAP_FD, 0);
        put(g, MOV64_REG(2, 10));
        put(g, ALU64_IMM(BPF_ADD, 2, -4));
        if (update) {
            put(g, ST(BPF_DW, 10, -24, rnd_imm()));
            put(g, MOV64_REG(3, 10));
            put(g, ALU64_IMM(BPF_ADD, 3, -24));
            put(g, MOV64_IMM(4, 0));
            put(g, CALL_HELPER(2));
            put(g, MOV64_IMM(3, 0));
        } else {
            put(g, CALL_HELPER(1));
        }
        put(g, MOV64_IMM(2, 0));
        if (!update) {
            unsigned si = below(4);
            int16_t off = below(10) ? (int16_t)below(VALUE_SIZE - size_bytes[si] + 1) : (int16_t)(VALUE_SIZE - 1);
            put(g, JMP_IMM(BPF_JEQ, 0, 0, 1));
            put(g, below(2) ? STX(sizes[si], 0, vreg(), off) : LDX(sizes[si], greg(), 0, off));
        }
        break;
    }
    default: /* bpf_loop(n, callback, ctx, 0) */
        put(g, MOV64_IMM(1, (int32_t)below(4)));
        g->calls[g->ncalls & 63] = g->n;
        g->call_fn[g->ncalls++ & 63] = 3; /* the callback is function 3 */
        put_lddw(g, 2, BPF_PSEUDO_FUNC, 0);
        put(g, MOV64_REG(3, 6));
        put(g, MOV64_IMM(4, 0));
        put(g, CALL_HELPER(181));
        put(g, MOV64_IMM(2, 0));
        break;
    }
}

/* Calls function fn (1 or 2): directly, or through callx. */
static void gen_local_call(struct gen *g, uint32_t fn)
{
    if (below(4) == 0) {
        uint8_t r = greg();
        g->calls[g->ncalls & 63] = g->n;
        g->call_fn[g->ncalls++ & 63] = fn;
        put_lddw(g, r, BPF_PSEUDO_FUNC, 0);
        put(g, CALLX(r));
        put(g, MOV64_IMM(r, 1)); /* the handle is per program: drop it */
    } else {
        g->calls[g->ncalls & 63] = g->n;
        g->call_fn[g->ncalls++ & 63] = fn;
        put(g, CALL_LOCAL(0));
    }
}

static void gen_body(struct gen *g, uint32_t fn, uint32_t items, bool have_cb)
{
    struct jump jumps[32];
    uint32_t njumps = 0, starts[128], nstarts = 0;
    for (uint32_t i = 0; i < items && g->n < MAXN - 40; i++) {
        if (nstarts < 128)
            starts[nstarts++] = g->n;
        uint32_t k = below(100);
        if (k < 34)
            gen_alu(g);
        else if (k < 44)
            gen_mem(g, false);
        else if (k < 53)
            gen_mem(g, true);
        else if (k < 57)
            gen_dyn_mem(g, false);
        else if (k < 60)
            gen_dyn_mem(g, true);
        else if (k < 65)
            gen_atomic(g);
        else if (k < 67)
            gen_acq_rel(g);
        else if (k < 76)
            gen_jump(g, jumps, &njumps, below(8) == 0);
        else if (k < 82 && fn != 3)
            gen_helper(g, have_cb);
        else if (k < 85 && fn < 3)
            gen_local_call(g, fn == 0 ? 1 + below(2) : 2); /* function 2 may recurse */
        else if (k < 87 && fn == 0) { /* tail call: prog array slot 0, 1 or 2 (empty) */
            put(g, MOV64_REG(1, 6));
            g->parrefs[g->nparrefs++ & 15] = g->n;
            put_lddw(g, 2, BPF_PSEUDO_MAP_FD, 0);
            put(g, MOV64_IMM(3, (int32_t)below(3)));
            put(g, CALL_HELPER(12));
            put(g, MOV64_IMM(2, 0));
        } else if (k < 90) {
            int32_t off = below(6) ? (int32_t)below(MEMLEN) : (int32_t)below(MEMLEN + 8) - 4;
            unsigned si = below(3);
            if (below(2))
                put(g, LD_ABS(sizes[si], off));
            else
                put(g, LD_IND(sizes[si], vreg(), off));
        } else if (k < 92) {
            put_lddw(g, greg(), 0, rnd());
        } else if (k < 93) { /* a may_goto loop: runs until the budget stops it */
            uint32_t head = g->n;
            put(g, MAY_GOTO(2));
            put(g, ALU64_IMM(BPF_ADD, greg(), 1));
            put(g, JA((int16_t)(head - g->n - 1)));
        } else {
            gen_alu(g);
        }
    }
    if (nstarts < 128)
        starts[nstarts++] = g->n;
    for (uint32_t j = 0; j < njumps; j++) {
        uint32_t at = jumps[j].at, target = at + 1;
        /* item starts after (or, for a loop, before) the jump */
        uint32_t cand[128], nc = 0;
        for (uint32_t s = 0; s < nstarts; s++)
            if (jumps[j].back ? starts[s] <= at : starts[s] > at)
                cand[nc++] = starts[s];
        if (nc)
            target = cand[below(nc)];
        int32_t rel = (int32_t)target - (int32_t)at - 1;
        if (g->p[at].code == (BPF_JMP | BPF_JA))
            g->p[at].off = (int16_t)rel;
        else
            g->p[at].off = (int16_t)rel;
    }
}

static void gen_program(struct gen *g)
{
    memset(g, 0, sizeof(*g));
    bool subs = below(3) == 0, cb = below(4) == 0;
    /* main */
    put(g, MOV64_REG(6, 1));
    for (size_t i = 0; i < sizeof(gregs); i++)
        put(g, below(3) ? MOV64_IMM(gregs[i], rnd_imm()) : MOV32_IMM(gregs[i], (int32_t)rnd()));
    gen_body(g, 0, 10 + below(50), cb);
    /* mix every register and a few stack slots into r0 */
    put(g, LDX(BPF_DW, 6, 10, -8));
    put(g, ALU64_REG(BPF_XOR, 0, 6));
    put(g, LDX(BPF_DW, 6, 10, (int16_t)(-8 * (1 + (int)below(64)))));
    put(g, ALU64_REG(BPF_ADD, 0, 6));
    for (size_t i = 1; i < sizeof(gregs); i++) {
        put(g, ALU64_IMM(BPF_MUL, 0, 31));
        put(g, ALU64_REG(BPF_XOR, 0, gregs[i]));
    }
    put(g, EXIT());
    /* functions 1 and 2 (subprograms), 3 (the callback) */
    for (uint32_t fn = 1; fn <= 3; fn++) {
        g->fn_start[fn] = g->n;
        if ((fn < 3 && subs) || (fn == 3 && cb)) {
            if (fn == 2) /* bounded recursion: r1 counts down (the depth limit may still hit) */
                put(g, JMP_IMM(BPF_JSLT, 1, 1, (int16_t)2)), put(g, ALU64_IMM(BPF_SUB, 1, 1)), put(g, JA(1)),
                    put(g, EXIT());
            gen_body(g, fn, 3 + below(12), false);
            if (fn == 3)
                put(g, ALU64_IMM(BPF_AND, 0, 1));
        }
        put(g, EXIT());
    }
    for (uint32_t c = 0; c < g->ncalls && c < 64; c++) {
        uint32_t at = g->calls[c];
        g->p[at].imm = (int32_t)g->fn_start[g->call_fn[c]] - (int32_t)at - 1;
    }
}

/* The engine-specific pieces: the array map and a prog array of two tail
 * call targets compiled for the engine. */
struct engine_env {
    struct bpfrt_map *parr;
    struct bpfrt_prog *targets[2];
};

static struct bpfrt_map *array_map;
static struct engine_env envs[JT_COUNT];

static void set_ref(struct bpf_insn *p, uint32_t at, const void *ptr)
{
    uint64_t v = (uint64_t)(uintptr_t)ptr;
    p[at].imm = (int32_t)(uint32_t)v;
    p[at + 1].imm = (int32_t)(uint32_t)(v >> 32);
}

static void setup_env(enum jt_engine e)
{
    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 3, 0);
    CHECK_EQ(bpfrt_map_create(vt_rt, &a, NULL, NULL, &envs[e].parr), 0);
    /* 0: r0 = ctx[0] + 100, ctx[1] = r0; 1: tail-calls itself until the limit, then r0 = 7 */
    struct bpf_insn t0[] = { LDX(BPF_B, 0, 1, 0), ALU64_IMM(BPF_ADD, 0, 100), STX(BPF_B, 1, 0, 1), EXIT() };
    struct bpf_insn t1[] = { MOV64_REG(6, 1), LD_IMM64_RAW(2, BPF_PSEUDO_MAP_FD, 0), MOV64_IMM(3, 1),
                             CALL_HELPER(12), LDX(BPF_B, 1, 6, 2), ALU64_IMM(BPF_ADD, 1, 1), STX(BPF_B, 6, 1, 2),
                             MOV64_IMM(0, 7), EXIT() };
    set_ref(t1, 1, envs[e].parr);
    struct bpfrt_map *maps[1] = { envs[e].parr };
    for (uint32_t k = 0; k < 2; k++) {
        char msg[256];
        vt_maps = k ? maps : NULL;
        vt_nr_maps = k ? 1 : 0;
        int rc = jt_create(k ? t1 : t0, k ? sizeof(t1) / sizeof(t1[0]) : sizeof(t0) / sizeof(t0[0]), e,
                           &envs[e].targets[k], msg, sizeof(msg));
        vt_maps = NULL;
        vt_nr_maps = 0;
        CHECK_EQ(rc, 0);
        if (rc)
            continue;
        CHECK_EQ(bpfrt_map_update_prog(envs[e].parr, &k, envs[e].targets[k], 0), 0);
    }
}

struct outcome {
    struct vt_result r;
    uint8_t mem[MEMLEN];
    uint8_t values[NR_ENTRIES][VALUE_SIZE];
};

static void reset_map(void)
{
    uint8_t zero[VALUE_SIZE] = { 0 };
    for (uint32_t k = 0; k < NR_ENTRIES; k++)
        bpfrt_map_update(array_map, &k, zero, 0);
}

/* Every run uses the same input buffer (not one inside the outcome, whose
 * address depends on how the compiler returns it): r6 holds its address and
 * programs may store it. */
static uint8_t run_mem[MEMLEN];

static struct outcome run_in(struct gen *g, const uint8_t *input, enum jt_engine e)
{
    struct outcome o;
    for (uint32_t i = 0; i < g->nmaprefs && i < 64; i++)
        set_ref(g->p, g->maprefs[i], array_map);
    for (uint32_t i = 0; i < g->nparrefs && i < 16; i++)
        set_ref(g->p, g->parrefs[i], envs[e].parr);
    struct bpfrt_map *maps[2] = { array_map, envs[e].parr };
    vt_maps = maps;
    vt_nr_maps = 2;
    memcpy(run_mem, input, MEMLEN);
    reset_map();
    o.r = jt_run(g->p, g->n, run_mem, MEMLEN, e);
    memcpy(o.mem, run_mem, MEMLEN);
    vt_maps = NULL;
    vt_nr_maps = 0;
    for (uint32_t k = 0; k < NR_ENTRIES; k++)
        bpfrt_map_lookup(array_map, &k, o.values[k], 0);
    return o;
}

static void dump_prog(const struct gen *g)
{
    const char *out = getenv("BPFRT_JIT_DIFF_SAVE"); /* raw bytecode of the failing program, for debugging */
    if (out) {
        FILE *f = fopen(out, "wb");
        if (f) {
            fwrite(g->p, sizeof(g->p[0]), g->n, f);
            fclose(f);
        }
    }
    for (uint32_t i = 0; i < g->n; i++)
        fprintf(stderr, "  %3u: %02x %u %u %+d %d\n", i, g->p[i].code, g->p[i].dst_reg, g->p[i].src_reg,
                g->p[i].off, g->p[i].imm);
}

static bool same_outcome(const struct outcome *a, const struct outcome *b, const char *what)
{
    bool ok = jt_same(&a->r, &b->r, what);
    if (memcmp(a->mem, b->mem, MEMLEN) != 0) {
        fprintf(stderr, "%s: memory differs\n", what);
        ok = false;
    }
    if (memcmp(a->values, b->values, sizeof(a->values)) != 0) {
        fprintf(stderr, "%s: map values differ\n", what);
        ok = false;
    }
    return ok;
}

/* Whether engine e still disagrees with the interpreter on g. */
static bool differs(struct gen *g, const uint8_t *input, enum jt_engine e)
{
    struct outcome a = run_in(g, input, JT_INTERP), b = run_in(g, input, e);
    if (a.r.create_rc)
        return false;
    if (e != JT_JIT && a.r.rc != 0)
        return false;
    char ma[256], mb[256];
    jt_mask_addrs(a.r.msg, ma, sizeof(ma));
    jt_mask_addrs(b.r.msg, mb, sizeof(mb));
    return a.r.rc != b.r.rc || a.r.r0 != b.r.r0 || a.r.error != b.r.error ||
           (a.r.rc && a.r.error_insn != b.r.error_insn) || strcmp(ma, mb) != 0 ||
           memcmp(a.mem, b.mem, MEMLEN) != 0 || memcmp(a.values, b.values, sizeof(a.values)) != 0;
}

/* Shrinks a failing program: instructions that do not matter become
 * `ja +0` (the count stays, so every jump and call stays valid). */
static void minimize(struct gen *g, const uint8_t *input, enum jt_engine e)
{
    for (uint32_t i = 1; i < g->n; i++) {
        struct bpf_insn keep = g->p[i];
        if (keep.code == (BPF_JMP | BPF_EXIT) || keep.code == 0 || keep.code == (BPF_JMP | BPF_JA))
            continue;
        bool wide = bpfrt_insn_is_lddw(&keep);
        struct bpf_insn keep2 = wide ? g->p[i + 1] : keep;
        g->p[i] = JA(wide ? 1 : 0);
        if (wide)
            g->p[i + 1] = JA(0);
        if (!differs(g, input, e)) {
            g->p[i] = keep;
            if (wide)
                g->p[i + 1] = keep2;
        }
        if (wide)
            i++;
    }
}

static void test_random_programs(void)
{
    long iters = test_fuzz_iters() / 4;
    long created = 0, clean = 0, failed_runs = 0, compared = 0;
    static const enum jt_engine unchecked[] = { JT_JIT_TRUSTED, JT_INTERP_VERIFIED, JT_JIT_VERIFIED };
    for (long it = 0; it < iters; it++) {
        static struct gen g;
        gen_program(&g);
        if (g.overflow)
            continue;
        uint8_t input[MEMLEN];
        for (int i = 0; i < MEMLEN; i++)
            input[i] = (uint8_t)rnd();
        vt_budget = 3000;
        struct outcome base = run_in(&g, input, JT_INTERP);
        if (base.r.create_rc) {
            fprintf(stderr, "program %ld refused: %s\n", it, base.r.msg);
            dump_prog(&g);
            CHECK(false);
            continue;
        }
        created++;
        char what[64];
        snprintf(what, sizeof(what), "program %ld [jit]", it);
        struct outcome j = run_in(&g, input, JT_JIT);
        bool ok = same_outcome(&base, &j, what);
        compared++;
        if (base.r.rc == 0) {
            clean++;
            for (size_t k = 0; k < 3; k++) {
                if (unchecked[k] != JT_JIT_TRUSTED && g.unaligned_atomic)
                    continue;
                snprintf(what, sizeof(what), "program %ld [%s]", it, jt_engine_names[unchecked[k]]);
                struct outcome u = run_in(&g, input, unchecked[k]);
                ok &= same_outcome(&base, &u, what);
                compared++;
            }
        } else {
            failed_runs++;
        }
        CHECK(ok);
        if (!ok) {
            for (int e = JT_INTERP_VERIFIED; e < JT_COUNT; e++)
                if (differs(&g, input, (enum jt_engine)e)) {
                    minimize(&g, input, (enum jt_engine)e);
                    fprintf(stderr, "minimized (differs in %s):\n", jt_engine_names[e]);
                    break;
                }
            dump_prog(&g);
            vt_budget = 0;
            break;
        }
        vt_budget = 0;
    }
    printf("random programs: %ld created, %ld ran cleanly, %ld stopped with an error, %ld comparisons\n", created,
           clean, failed_runs, compared);
    CHECK(clean > iters / 10);
    CHECK(failed_runs > iters / 20);
}

/* ---- 3. failures far into a large program ---- */

/* A checked access or a helper call that fails near the end of a program
 * of almost BPFRT_MAX_INSNS instructions: the JIT's slow paths carry the
 * instruction in a 20-bit field (jit.h, JIT_ACCESS_INFO) and the helper
 * stub's in 32 bits; the failing instruction, the error and its message
 * must be the interpreter's. Also a load from the input there, which
 * succeeds, into each register the test may use. */
static void test_far_failures(void)
{
    uint32_t n = BPFRT_MAX_INSNS - 1;
    struct bpf_insn *p = malloc((size_t)n * sizeof(*p));
    CHECK(p != NULL);
    if (!p)
        return;
    static const char *const what[] = { "load out of bounds", "store out of bounds", "helper fails", "load" };
    static const uint8_t dsts[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9 }; /* r6 is the input's copy, r10 the frame */
    for (unsigned k = 0; k < 3 + sizeof(dsts); k++) {
        for (uint32_t i = 0; i < n; i++)
            p[i] = ALU64_IMM(BPF_ADD, 0, 1);
        uint32_t at = n - 6;
        uint8_t dst = k < 3 ? 2 : dsts[k - 3];
        p[at] = MOV64_REG(6, 1);
        switch (k) {
        case 0:
            p[at + 1] = LDX(BPF_W, 2, 6, 0x7ff0);
            break;
        case 1:
            p[at + 1] = ST(BPF_DW, 6, -0x7ff0, 1);
            break;
        case 2: /* test_summem over 4 KiB the program does not have */
            p[at + 1] = MOV64_IMM(2, 4096);
            p[at + 2] = CALL_HELPER(H_SUMMEM);
            break;
        default:
            p[at + 1] = LDX(BPF_B, dst, 6, 3);
            p[at + 2] = MOV64_REG(0, dst);
            break;
        }
        p[n - 1] = EXIT();
        static uint8_t mem[MEMLEN];
        memset(mem, 0x5a, sizeof(mem));
        struct vt_result base = jt_run(p, n, mem, sizeof(mem), JT_INTERP);
        struct vt_result r = jt_run(p, n, mem, sizeof(mem), JT_JIT);
        char w[96];
        snprintf(w, sizeof(w), "far: %s (r%u) at insn %u", what[k < 4 ? k : 3], dst, at + 1);
        CHECK(jt_same(&base, &r, w));
        if (k < 3)
            CHECK(base.rc != 0 && base.error_insn == at + 1 + (k == 2));
        else
            CHECK(base.rc == 0 && base.r0 == 0x5a + 2); /* the byte, then the two adds before the exit */
    }
    free(p);
}

int main(void)
{
    vt_setup();
    test_seed_from_env(&rng);
    static const struct bpfrt_helper_proto protos[] = {
        { .id = H_MIX, .name = "test_mix", .fn = h_mix, .ret_type = RET_INTEGER,
          .arg_type = { ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING },
          .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_SUMMEM, .name = "test_summem", .fn = h_summem, .ret_type = RET_INTEGER,
          .arg_type = { ARG_PTR_TO_MEM, ARG_CONST_SIZE }, .prog_types = BPFRT_ALL_PROG_TYPES },
        { .id = H_FILL, .name = "test_fill", .fn = h_fill, .ret_type = RET_INTEGER,
          .arg_type = { ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING },
          .prog_types = BPFRT_ALL_PROG_TYPES },
    };
    for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
        CHECK_EQ(bpfrt_helper_register(vt_rt, &protos[i]), 0);
    conf_ensure_helper5(vt_rt);
    RUN(test_conformance_cases);

    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_ARRAY, 4, VALUE_SIZE, NR_ENTRIES, 0);
    CHECK_EQ(bpfrt_map_create(vt_rt, &a, NULL, NULL, &array_map), 0);
    for (int e = 0; e < JT_COUNT; e++)
        setup_env((enum jt_engine)e);
    RUN(test_random_programs);
    RUN(test_far_failures);
    for (int e = 0; e < JT_COUNT; e++) {
        bpfrt_map_put(envs[e].parr); /* drops the targets */
        for (int k = 0; k < 2; k++)
            bpfrt_prog_put(envs[e].targets[k]);
    }
    bpfrt_map_put(array_map);
    vt_teardown();
    return test_summary();
}
