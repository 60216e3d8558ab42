/* Scalar bounds against the running kernel's verifier: random straight-line
 * programs of ALU ops (64/32-bit, K/X, every op, byte swaps, sign
 * extensions) and conditional jumps (every condition, 64/32-bit, K/X, a
 * register against itself) on unknown values are loaded with log level 2;
 * after every instruction the state the kernel prints for each register
 * it names must be the state src/core/verifier/bounds*.c computes, printed
 * the same way, and for every jump the kernel's choice of sides (one, the
 * other, both) and the taken side's state ("from 7 to 40: R1=...") must be
 * the model's. Each jump leads to its own "r0 = 0; exit" stub, so every
 * taken side is printed once and never pruned; copies are followed by an
 * id-clearing op, so no two live registers are linked (linked-register
 * propagation belongs to the verifier proper, not to the bounds).
 * BPFRT_FUZZ_ITERS / 10 programs (at least 20). Skips (exit 77) where
 * bpf(2) is refused. */
#include "test.h"
#include "test_rng.h"
#include "kernel_bpf.h"
#include "verifier_bounds_util.h"

#include "bpfrt/asm.h"

#define MAX_INSNS 256
#define MAX_JUMPS 48

static uint64_t rng;
static char klog[1 << 20];

struct prog {
    struct bpf_insn insn[MAX_INSNS];
    int n;
    int jump_at[MAX_JUMPS];
    int njumps;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    struct bpf_insn *i = &p->insn[p->n++];
    memset(i, 0, sizeof(*i));
    i->code = code;
    i->dst_reg = dst;
    i->src_reg = src;
    i->off = off;
    i->imm = imm;
}

static uint64_t rnd(uint64_t n)
{
    return test_xorshift64star(&rng) % n;
}

static int32_t interesting_imm(void)
{
    static const int32_t imms[] = { 0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 100, 0xff, 0x100, 0xfff, 0xffff,
                                    0x10000, 0x7fffffff, -1, -2, -3, -8, -100, -128, -129, -0x8000,
                                    INT32_MIN, 0x12345678 };
    uint64_t r = rnd(8);
    if (r < 5)
        return imms[rnd(sizeof(imms) / sizeof(imms[0]))];
    if (r < 7)
        return (int32_t)rnd(64) - 16;
    return (int32_t)test_xorshift64star(&rng);
}

/* A register holding a scalar: r1-r9. */
static uint8_t reg(void)
{
    return (uint8_t)(1 + rnd(9));
}

static const uint8_t alu_codes[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_OR,
                                     BPF_AND, BPF_XOR, BPF_LSH, BPF_RSH, BPF_ARSH };
static const uint8_t jmp_codes[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
                                     BPF_JSET, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE };

/* "dst ^= 0" clears the scalar id a copy shares with its source. */
static void unlink_copy(struct prog *p, uint8_t dst)
{
    emit(p, BPF_ALU64 | BPF_XOR | BPF_K, dst, 0, 0, 0);
}

static void gen_body_insn(struct prog *p)
{
    uint64_t kind = rnd(100);
    uint8_t cls = rnd(3) ? BPF_ALU64 : BPF_ALU;
    uint8_t dst = reg();
    if (kind < 40) { /* ALU K */
        uint8_t op = alu_codes[rnd(sizeof(alu_codes))];
        int32_t imm = interesting_imm();
        int width = cls == BPF_ALU64 ? 64 : 32;
        if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
            imm = (int32_t)rnd((uint64_t)width);
        if ((op == BPF_DIV || op == BPF_MOD) && imm == 0)
            imm = 3;
        int16_t off = (op == BPF_DIV || op == BPF_MOD) && rnd(3) == 0; /* sdiv, smod */
        emit(p, cls | op | BPF_K, dst, 0, off, imm);
    } else if (kind < 58) { /* ALU X */
        uint8_t op = alu_codes[rnd(sizeof(alu_codes))];
        int16_t off = (op == BPF_DIV || op == BPF_MOD) && rnd(3) == 0;
        emit(p, cls | op | BPF_X, dst, reg(), off, 0);
    } else if (kind < 86 && p->njumps < MAX_JUMPS) { /* conditional jump, target filled in later */
        uint8_t jcls = rnd(3) ? BPF_JMP : BPF_JMP32;
        uint8_t op = jmp_codes[rnd(sizeof(jmp_codes))];
        p->jump_at[p->njumps++] = p->n;
        if (rnd(3))
            emit(p, jcls | op | BPF_K, dst, 0, 0, interesting_imm());
        else
            emit(p, jcls | op | BPF_X, dst, reg(), 0, 0);
    } else if (kind < 91) { /* copy or sign-extending copy */
        static const int16_t sx64[] = { 0, 8, 16, 32 }, sx32[] = { 0, 8, 16 };
        int16_t off = cls == BPF_ALU64 ? sx64[rnd(4)] : sx32[rnd(3)];
        emit(p, cls | BPF_MOV | BPF_X, dst, reg(), off, 0);
        unlink_copy(p, dst);
    } else if (kind < 95) { /* byte swap */
        static const int32_t widths[] = { 16, 32, 64 };
        uint8_t code = rnd(3) == 0 ? (BPF_ALU64 | BPF_END | BPF_TO_LE)
                                   : (BPF_ALU | BPF_END | (rnd(2) ? BPF_TO_BE : BPF_TO_LE));
        emit(p, code, dst, 0, 0, widths[rnd(3)]);
    } else if (kind < 98) {
        emit(p, cls | BPF_NEG | BPF_K, dst, 0, 0, 0);
    } else {
        emit(p, cls | BPF_MOV | BPF_K, dst, 0, 0, interesting_imm());
    }
}

static void gen_prog(struct prog *p)
{
    p->n = p->njumps = 0;
    for (uint8_t r = 6; r <= 9; r++) {
        emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, 7); /* bpf_get_prandom_u32: an unknown scalar */
        emit(p, BPF_ALU64 | BPF_MOV | BPF_X, r, 0, 0, 0);
    }
    emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
    for (uint8_t r = 1; r <= 5; r++) {
        uint64_t how = rnd(3);
        if (how == 0) {
            emit(p, BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, interesting_imm());
        } else {
            emit(p, (how == 1 ? BPF_ALU64 : BPF_ALU) | BPF_MOV | BPF_X, r, (uint8_t)(6 + rnd(4)), 0, 0);
            unlink_copy(p, r);
        }
    }
    int body = 10 + (int)rnd(40);
    for (int i = 0; i < body && p->n < MAX_INSNS - 2 * MAX_JUMPS - 4; i++)
        gen_body_insn(p);
    emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
    emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    for (int j = 0; j < p->njumps; j++) {
        p->insn[p->jump_at[j]].off = (int16_t)(p->n - p->jump_at[j] - 1);
        emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
        emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
}

/* ---- the kernel's log ---- */

/* A register's value as printed, without what the bounds do not model:
 * the precision mark 'P' and scalar ids ("id=3", "id=3+4"). */
static void normalize(char *v)
{
    if (v[0] == 'P')
        memmove(v, v + 1, strlen(v));
    char *p;
    while ((p = strstr(v, "id=")) != NULL) {
        char *e = p + 3;
        while (*e && *e != ',' && *e != ')')
            e++;
        if (*e == ',')
            e++;
        else if (p[-1] == ',')
            p--; /* "...,id=3)" */
        memmove(p, e, strlen(e) + 1);
    }
}

/* Scans "R1=... R6=scalar(...) fp-8=..." into vals[regno] (NULL when absent). */
static void parse_state(char *s, char *vals[11])
{
    for (int i = 0; i < 11; i++)
        vals[i] = NULL;
    while (*s) {
        while (*s == ' ')
            s++;
        char *tok = s;
        int depth = 0;
        while (*s && (depth || *s != ' ')) {
            depth += *s == '(';
            depth -= *s == ')';
            s++;
        }
        if (*s)
            *s++ = '\0';
        int r;
        char *eq = strchr(tok, '=');
        if (tok[0] == 'R' && eq && sscanf(tok + 1, "%d", &r) == 1 && r >= 0 && r <= 10) {
            vals[r] = eq + 1;
            normalize(vals[r]);
        }
    }
}

struct kstep {
    int idx;
    char *state; /* "" when the kernel printed no registers */
};

struct kview {
    struct kstep main[MAX_INSNS * 2];
    int nmain;
    char *taken[MAX_INSNS]; /* the first "from X to Y:" state of each X != Y */
    bool pushed[MAX_INSNS];
};

/* Splits the log in place: the first path's instructions with the state
 * printed after each, then the state of each pushed branch. */
static void parse_log(char *log, struct kview *kv)
{
    memset(kv, 0, sizeof(*kv));
    bool main_path = true;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        int idx, to, n = 0;
        if (sscanf(line, "from %d to %d:%n", &idx, &to, &n) == 2 && n) {
            main_path = false;
            if (idx >= 0 && idx < MAX_INSNS && idx != to && !kv->pushed[idx]) {
                kv->pushed[idx] = true;
                kv->taken[idx] = strcmp(line + n, " safe") == 0 ? NULL : line + n;
            }
            continue;
        }
        if (!main_path || sscanf(line, "%d: %n", &idx, &n) != 1 || !n)
            continue;
        char *rest = line + n;
        if (rest[0] == '(' && kv->nmain < MAX_INSNS * 2) {
            char *semi = strstr(rest, " ; ");
            kv->main[kv->nmain].idx = idx;
            kv->main[kv->nmain].state = semi ? semi + 3 : (char *)"";
            kv->nmain++;
        } else if (rest[0] == 'R' && kv->nmain && kv->main[kv->nmain - 1].idx == idx &&
                   !kv->main[kv->nmain - 1].state[0]) {
            kv->main[kv->nmain - 1].state = rest; /* printed after mark_precise lines */
        }
    }
}

/* ---- the model ---- */

struct model {
    struct bpfrt_bounds r[11];
    bool init[11];
    int path[MAX_INSNS * 2], npath;
    struct bpfrt_bounds after[MAX_INSNS][11]; /* state after each main-path insn */
    bool both[MAX_INSNS];                     /* jump explored both ways */
    struct bpfrt_bounds taken[MAX_INSNS][11];
    bool forked[MAX_INSNS];
    int first_fork; /* the first forking insn on the path, 0 if none */
};

static void run_model(const struct prog *p, struct model *m)
{
    memset(m, 0, sizeof(*m));
    int pc = 0;
    while (pc < p->n && m->npath < MAX_INSNS * 2) {
        struct bpfrt_dinsn d;
        bpfrt_isa_decode(p->insn, (uint32_t)p->n, (uint32_t)pc, &d);
        const struct bpfrt_op_info *info = &bpfrt_op_info[d.op];
        int next = pc + 1;
        m->path[m->npath++] = pc;
        struct bpfrt_bounds src = (info->flags & BPFRT_OPF_K) ? bpfrt_bounds_known(d.value) : m->r[d.src];
        switch (info->kind) {
        case BPFRT_K_CALL:
            m->r[0] = bpfrt_bounds_unknown();
            m->init[0] = true;
            for (int i = 1; i <= 5; i++)
                m->init[i] = false;
            break;
        case BPFRT_K_ALU:
        case BPFRT_K_MOVSX:
        case BPFRT_K_END: {
            struct bpfrt_bounds fork;
            if (info->kind == BPFRT_K_END || info->alu == BPFRT_ALU_NEG)
                src = m->r[d.dst];
            m->forked[pc] = bpfrt_bounds_alu(&m->r[d.dst], &src, d.op, &fork) == 1;
            m->init[d.dst] = true;
            bpfrt_bounds_check_sanity(&m->r[d.dst], NULL);
            if (m->forked[pc] && !m->first_fork)
                m->first_fork = pc;
            break;
        }
        case BPFRT_K_JCOND: {
            bool w32 = info->flags & BPFRT_OPF_32, same = !(info->flags & BPFRT_OPF_K) && d.src == d.dst;
            struct bpfrt_bounds *b = same ? &m->r[d.dst] : &src;
            int pred = bpfrt_bounds_branch_taken(&m->r[d.dst], b, info->alu, w32);
            if (pred == 1) {
                next = d.target;
            } else if (pred < 0) {
                /* reg_set_min_max: refine both sides, then check all four */
                struct bpfrt_bounds t[11], ts = src, fs = src;
                memcpy(t, m->r, sizeof(t));
                bool k = info->flags & BPFRT_OPF_K;
                struct bpfrt_bounds *t1 = &t[d.dst], *t2 = same ? t1 : k ? &ts : &t[d.src];
                struct bpfrt_bounds *f1 = &m->r[d.dst], *f2 = same ? f1 : k ? &fs : &m->r[d.src];
                bpfrt_bounds_refine_cond(f1, f2, bpfrt_cond_reverse(info->alu), w32);
                bpfrt_bounds_refine_cond(t1, t2, info->alu, w32);
                bpfrt_bounds_check_sanity(t1, NULL);
                bpfrt_bounds_check_sanity(t2, NULL);
                bpfrt_bounds_check_sanity(f1, NULL);
                bpfrt_bounds_check_sanity(f2, NULL);
                memcpy(m->taken[pc], t, sizeof(t));
                m->both[pc] = true;
            }
            break;
        }
        case BPFRT_K_EXIT:
            next = p->n;
            break;
        default:
            break;
        }
        memcpy(m->after[pc], m->r, sizeof(m->r));
        pc = next;
    }
}

/* ---- comparison ---- */

static long progs, states_compared, sides_compared, mismatches;

static void show_prog(const struct prog *p)
{
    static char text[1 << 16];
    bpfrt_disasm(p->insn, (uint32_t)p->n, BPFRT_SYNTAX_KERNEL, text, sizeof(text));
    fprintf(stderr, "%s", text);
}

static char klog_copy[sizeof(klog)];

static bool mismatch(const struct prog *p, const char *what, int idx, int r, const char *kernel, const char *model)
{
    mismatches++;
    if (mismatches <= 3) {
        fprintf(stderr, "bounds differ from the kernel's: %s at insn %d R%d\n  kernel: %s\n  model:  %s\n", what, idx,
                r, kernel, model);
        show_prog(p);
        if (getenv("BPFRT_TEST_VERBOSE"))
            fprintf(stderr, "the kernel's log:\n%s\n", klog_copy);
    }
    return false;
}

/* Compares every scalar register r1-r9 the kernel printed with the model. */
static bool compare_regs(const struct prog *p, const char *what, int idx, char *state,
                         const struct bpfrt_bounds regs[11], const bool init[11])
{
    char *vals[11], buf[256];
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", state);
    parse_state(copy, vals);
    for (int r = 1; r <= 9; r++) {
        if (!vals[r] || !init[r])
            continue;
        states_compared++;
        const char *mine = scalar_text(&regs[r], buf, sizeof(buf));
        if (strcmp(vals[r], mine) != 0)
            return mismatch(p, what, idx, r, vals[r], mine);
    }
    return true;
}

static void check_one(void)
{
    static struct prog p;
    static struct model m;
    static struct kview kv;
    gen_prog(&p);
    long fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, p.insn, (uint32_t)p.n, 2, klog, sizeof(klog));
    if (fd < 0) {
        mismatches++;
        fprintf(stderr, "the kernel refused a generated program (%ld):\n%s\n", fd, klog);
        show_prog(&p);
        return;
    }
    close((int)fd);
    progs++;
    run_model(&p, &m);
    memcpy(klog_copy, klog, sizeof(klog));
    parse_log(klog, &kv);
    /* the same path... */
    if (kv.nmain != m.npath) {
        mismatch(&p, "path length", kv.nmain, 0, "(kernel)", "(model)");
        return;
    }
    for (int i = 0; i < m.npath; i++) {
        int idx = m.path[i];
        if (kv.main[i].idx != idx) {
            mismatch(&p, "path", idx, 0, "(kernel went elsewhere)", "");
            return;
        }
        /* ...the same state after each instruction... */
        if (!compare_regs(&p, "after", idx, kv.main[i].state, m.after[idx], m.init))
            return;
    }
    /* ...and the same branches, with the same state on the taken side */
    for (int j = 0; j < p.njumps; j++) {
        int at = p.jump_at[j];
        bool on_path = false;
        for (int i = 0; i < m.npath; i++)
            on_path |= m.path[i] == at;
        if (!on_path)
            continue;
        /* A branch the path predicted may still be pushed by a forked
         * path re-running it (popped first when the path did not push it). */
        if (m.first_fork && at > m.first_fork && !m.both[at])
            continue;
        if (kv.pushed[at] != m.both[at]) {
            mismatch(&p, m.both[at] ? "model explores both sides, kernel one" : "kernel explores both sides, model one",
                     at, 0, "", "");
            return;
        }
        if (m.both[at] && kv.taken[at]) {
            sides_compared++;
            if (!compare_regs(&p, "taken side", at, kv.taken[at], m.taken[at], m.init))
                return;
        }
    }
}

static void test_against_kernel(void)
{
    long n = test_fuzz_iters() / 10;
    if (n < 20)
        n = 20;
    for (long i = 0; i < n && mismatches < 20; i++)
        check_one();
    printf("%ld programs, %ld register states and %ld taken sides compared with the kernel\n", progs,
           states_compared, sides_compared);
    CHECK_EQ(mismatches, 0);
    CHECK(progs > 0);
}

int main(void)
{
    if (!kbpf_available())
        TEST_SKIP("bpf(2) is not available to this process; nothing to compare with");
    rng = 0x853c49e6748fea9bull;
    test_seed_from_env(&rng);
    RUN(test_against_kernel);
    return test_summary();
}
