/* Edge blocks of the verifier program generator (issue 10, item 4): each
 * aims at a place where an unsound verifier would accept an unsafe access,
 * with the bound, width, signedness or check that decides it drawn at
 * random - bounds arithmetic mixing 32- and 64-bit ops and signed and
 * unsigned comparisons, variable offsets into map values, the stack and
 * packets, linked scalars (a check on a copy bounds the original), spills
 * and fills of bounded scalars (narrow, partial, misaligned), null checks
 * on copies, bpf_loop callbacks writing through the caller's stack, and
 * bounded loops indexing a map value. Included by verifier_gen.h after the
 * issue-9 blocks (it uses emit, rnd, chance, label, pick_imm). Registers:
 * r6 the context, r8/r9 data/data_end (packet types), r7 a map value. */
#ifndef BPFRT_TESTS_VERIFIER_GEN_EDGES_H
#define BPFRT_TESTS_VERIFIER_GEN_EDGES_H

#define VALUE_SIZE 48 /* the value size of both maps (test_verifier_gen.c) */

static const char *const widths[] = { "u8", "u16", "u32", "u64" };
static const int width_bytes[] = { 1, 2, 4, 8 };

/* A constant near a decisive edge: the value size, one past it, a
 * sign or width boundary, or small. */
static int32_t edge_imm(void)
{
    static const int32_t e[] = { 0, 1, 7, 8, 15, 16, 31, 32, 39, 40, 41, 44, 47, 48, 49, 63, 64,
                                 127, 128, 255, 256, -1, -8, -48, 0x7fffffff, INT32_MIN, 0xffff };
    return remember(chance(80) ? e[rnd(sizeof(e) / sizeof(e[0]))] : (int32_t)rnd(100) - 20);
}

/* r7 = a value of array a or hash h, or leave to out when the lookup
 * finds nothing. */
static void emit_lookup(struct gen *g, int out)
{
    emit(g, "    r1 = %d\n    *(u32 *)(r10 -4) = r1\n    r2 = r10\n    r2 += -4\n", (int)rnd(5));
    emit(g, "    r1 = map_fd(%s)\n    call bpf_map_lookup_elem#1\n    r7 = r0\n    if r7 == 0 goto l%d\n",
         chance(70) ? "a" : "h", out);
}

/* An unknown scalar in reg: random, a map value field (r7 must be a
 * value), or a context field the test run fills at random. */
static void emit_unknown(struct gen *g, int reg, bool have_value)
{
    uint64_t k = rnd(have_value ? 3 : 2);
    if (k == 2) {
        int w = (int)rnd(4);
        emit(g, "    r%d = *(%s *)(r7 +%d)\n", reg, widths[w], (int)rnd(VALUE_SIZE / width_bytes[w]) * width_bytes[w]);
    } else if (k == 1 && g->type != BPF_PROG_TYPE_XDP) {
        static const int skb_fields[] = { 0, 8, 12, 48, 52, 56, 60, 64 }; /* len, mark, priority, cb[] */
        emit(g, "    r%d = *(u32 *)(r6 +%d)\n", reg, skb_fields[rnd(8)]);
    } else {
        emit(g, "    call bpf_get_prandom_u32#7\n");
        if (reg != 0)
            emit(g, "    r%d = r0\n", reg);
        if (chance(40))
            emit(g, "    r%d <<= 32\n    r%d s>>= %d\n", reg, reg, 32 + (int)rnd(2) * 16);
    }
}

/* One op of the 32/64-bit mix on reg (never a division by zero). */
static void emit_mix_op(struct gen *g, int reg)
{
    static const char *const forms[] = {
        "w%d = w%d\n", "r%d = (s32)r%d\n", "r%d = (s8)r%d\n", "w%d = (s16)w%d\n", "r%d = -r%d\n", "w%d = -w%d\n",
    };
    uint64_t k = rnd(5);
    if (k == 0) {
        emit(g, "    ");
        emit(g, forms[rnd(6)], reg, reg);
        return;
    }
    char w = chance(40) ? 'w' : 'r';
    static const char *const ops[] = { "&=", "+=", "-=", "|=", "*=", ">>=", "s>>=", "<<=", "^=" };
    const char *op = ops[rnd(sizeof(ops) / sizeof(ops[0]))];
    int32_t imm = edge_imm();
    if (op[1] == '>' || op[0] == '<' || op[0] == '>')
        imm = (int32_t)rnd(w == 'w' ? 32 : 64);
    emit(g, "    %c%d %s %d\n", w, reg, op, imm);
}

/* Zero to three bound checks on reg that leave to out: unsigned, signed,
 * 32-bit or 64-bit, against constants near the edge. */
static void emit_checks(struct gen *g, int reg, int out)
{
    static const char *const edge_conds[] = { ">", ">=", "s>", "s>=", "s<", "s<=", "<", "<=", "==", "!=", "&" };
    int n = (int)rnd(4);
    for (int i = 0; i < n; i++) {
        char w = chance(30) ? 'w' : 'r';
        const char *c = edge_conds[chance(60) ? rnd(4) : rnd(11)];
        int32_t imm = c[0] == 's' && c[1] == '<' && chance(60) ? 0 : edge_imm();
        if (chance(15)) { /* against a register holding the constant */
            emit(g, "    r5 = %d\n    if %c%d %s %c5 goto l%d\n", imm, w, reg, c, w, out);
            continue;
        }
        if (chance(20)) { /* the constant on the left */
            emit(g, "    r5 = %d\n    if %c5 %s %c%d goto l%d\n", imm, w, c, w, reg, out);
            continue;
        }
        emit(g, "    if %c%d %s %d goto l%d\n", w, reg, c, imm, out);
    }
}

/* An access of a random width through ptr at an offset near the end of a
 * VALUE_SIZE region (or a given size). */
static void emit_access(struct gen *g, const char *ptr, int size_hint)
{
    int w = (int)rnd(4);
    int off = chance(70) ? (int)rnd((uint64_t)size_hint + 1) - width_bytes[w] : (int)rnd(16) - 8;
    if (chance(55))
        emit(g, "    r0 = *(%s *)(%s %+d)\n", widths[w], ptr, off);
    else if (chance(50))
        emit(g, "    *(%s *)(%s %+d) = %d\n", widths[w], ptr, off, (int)rnd(100));
    else
        emit(g, "    r0 = 1\n    *(%s *)(%s %+d) = r0\n", widths[w], ptr, off);
}

/* Bounds arithmetic: an unknown scalar mixed through 32/64-bit ops,
 * checked (or not) with signed/unsigned comparisons, then a variable
 * offset into a map value. */
static void block_bounds(struct gen *g)
{
    int out = label(g);
    emit_lookup(g, out);
    emit_unknown(g, 1, true);
    for (int i = (int)rnd(3); i > 0; i--)
        emit_mix_op(g, 1);
    emit_checks(g, 1, out);
    for (int i = (int)rnd(3); i > 0; i--)
        emit_mix_op(g, 1);
    if (chance(30))
        emit_checks(g, 1, out);
    uint64_t k = rnd(4);
    if (k == 0)
        emit(g, "    r7 += r1\n");
    else if (k == 1)
        emit(g, "    r1 += r7\n    r7 = r1\n"); /* scalar + pointer */
    else if (k == 2)
        emit(g, "    r7 -= r1\n");
    else
        emit(g, "    r2 = r7\n    r2 += r1\n    r7 = r2\n");
    emit_access(g, "r7", VALUE_SIZE);
    emit(g, "  l%d:\n", out);
}

/* Linked scalars: a copy (maybe with a constant added, or a 32-bit copy)
 * is checked, the original used; sometimes the link is broken in between. */
static void block_linked(struct gen *g)
{
    int out = label(g);
    emit_lookup(g, out);
    emit_unknown(g, 1, true);
    if (chance(50))
        emit(g, "    r1 &= %d\n", chance(50) ? 0xff : 0xffff);
    uint64_t k = rnd(3);
    if (k == 0)
        emit(g, "    r2 = r1\n");
    else if (k == 1)
        emit(g, "    r2 = r1\n    r2 += %d\n", (int)rnd(16) - 4);
    else
        emit(g, "    w2 = w1\n");
    if (chance(15))
        emit(g, "    r1 += 1\n"); /* breaks the link */
    if (chance(15))
        emit(g, "    r2 = r1\n    r2 ^= 1\n");
    static const char *const up_conds[] = { ">", ">=", "s>", "s>=" };
    emit(g, "    if %c2 %s %d goto l%d\n", chance(25) ? 'w' : 'r', up_conds[rnd(4)], (int)rnd(50), out);
    if (chance(50))
        emit(g, "    if r2 s< %d goto l%d\n", (int)rnd(3) - 1, out);
    emit(g, "    r7 += r%d\n", chance(80) ? 1 : 2);
    emit_access(g, "r7", VALUE_SIZE);
    emit(g, "  l%d:\n", out);
}

/* Spill a bounded scalar and fill it back - full, narrow, misaligned, or
 * after part of the slot was overwritten - then use it as an offset. */
static void block_spill_fill(struct gen *g)
{
    int out = label(g);
    emit_lookup(g, out);
    emit_unknown(g, 1, true);
    emit(g, "    r1 &= %d\n", chance(70) ? 0x1f : 0x3f);
    int slot = -8 * (2 + (int)rnd(6));
    int ws = chance(60) ? 3 : (int)rnd(4), wf = chance(60) ? ws : (int)rnd(4);
    int soff = chance(85) ? 0 : (int)rnd(8), foff = chance(80) ? soff : (int)rnd(8);
    if (chance(20))
        emit(g, "    r3 = 0\n    *(u64 *)(r10 %d) = r3\n", slot); /* a zeroed slot below */
    emit(g, "    *(%s *)(r10 %d) = r1\n", widths[ws], slot + soff);
    if (chance(25)) {
        if (chance(50))
            emit(g, "    *(u8 *)(r10 %d) = %d\n", slot + (int)rnd(8), (int)rnd(256));
        else
            emit(g, "    call bpf_get_prandom_u32#7\n    *(u8 *)(r10 %d) = r0\n", slot + (int)rnd(8));
    }
    emit(g, "    r2 = *(%s *)(r10 %d)\n", widths[wf], slot + foff);
    emit(g, "    r7 += r2\n");
    emit_access(g, "r7", VALUE_SIZE - 0x1f);
    emit(g, "  l%d:\n", out);
}

/* A null check on a copy of the lookup's result - maybe made before a
 * second lookup replaced r0, or through a spilled copy. */
static void block_null_copy(struct gen *g)
{
    int out = label(g), ok = label(g);
    emit(g, "    r1 = %d\n    *(u32 *)(r10 -4) = r1\n    r2 = r10\n    r2 += -4\n", (int)rnd(5));
    emit(g, "    r1 = map_fd(%s)\n    call bpf_map_lookup_elem#1\n", chance(50) ? "a" : "h");
    emit(g, "    r3 = r0\n");
    uint64_t k = rnd(4);
    if (k == 1) /* a second lookup: the copy is the first one's */
        emit(g, "    *(u64 *)(r10 -16) = r3\n    r2 = r10\n    r2 += -4\n    r1 = map_fd(h)\n"
                "    call bpf_map_lookup_elem#1\n    r3 = *(u64 *)(r10 -16)\n");
    else if (k == 2) /* through a spill */
        emit(g, "    *(u64 *)(r10 -16) = r0\n    r3 = *(u64 *)(r10 -16)\n");
    else if (k == 3 && chance(50))
        emit(g, "    r3 += %d\n", (int)rnd(8)); /* an offset: no longer tied */
    if (chance(70)) {
        emit(g, "    if r3 == 0 goto l%d\n", out);
    } else {
        emit(g, "    if r3 != 0 goto l%d\n    goto l%d\n  l%d:\n", ok, out, ok);
    }
    emit_access(g, chance(70) ? "r0" : "r3", VALUE_SIZE);
    emit(g, "  l%d:\n", out);
}

/* A variable packet offset against data_end, checked in one of the
 * comparison forms (or on the wrong register, or not at all). */
static void block_pkt_range(struct gen *g)
{
    int out = label(g), ok = label(g);
    int n = width_bytes[rnd(4)];
    emit(g, "    r2 = r8\n    r2 += 1\n    if r2 > r9 goto l%d\n    r3 = *(u8 *)(r8 +0)\n", out);
    if (chance(10))
        emit(g, "    r3 = *(u16 *)(r8 +0)\n"); /* one byte checked: may be out of range */
    if (chance(80))
        emit(g, "    r3 &= %d\n", chance(50) ? 0x3f : 0xff);
    else
        emit_checks(g, 3, out);
    if (chance(50))
        emit(g, "    r2 = r8\n    r2 += r3\n");
    else
        emit(g, "    r2 = r3\n    r2 += r8\n");
    emit(g, "    r4 = r2\n    r4 += %d\n", chance(80) ? n : (int)rnd(9));
    switch (rnd(6)) {
    case 0: emit(g, "    if r4 > r9 goto l%d\n", out); break;
    case 1: emit(g, "    if r9 < r4 goto l%d\n", out); break;
    case 2: emit(g, "    if r4 <= r9 goto l%d\n    goto l%d\n  l%d:\n", ok, out, ok); break;
    case 3: emit(g, "    if r9 >= r4 goto l%d\n    goto l%d\n  l%d:\n", ok, out, ok); break;
    case 4: emit(g, "    if r4 >= r9 goto l%d\n", out); break;
    default: emit(g, "    if r4 s> r9 goto l%d\n", out); break;
    }
    int w = (int)rnd(4);
    int off = chance(80) ? 0 : (int)rnd(5) - 2;
    if (g->type == BPF_PROG_TYPE_SCHED_CLS && chance(30))
        emit(g, "    *(%s *)(r2 %+d) = %d\n", widths[w], off, (int)rnd(100));
    else
        emit(g, "    r0 = *(%s *)(r2 %+d)\n", widths[w], off);
    emit(g, "  l%d:\n", out);
}

/* A variable offset into the stack, bounded by a mask or a check. */
static void block_stack_var(struct gen *g)
{
    int out = label(g);
    if (chance(60))
        emit(g, "    r1 = 0\n    *(u64 *)(r10 -64) = r1\n    *(u64 *)(r10 -56) = r1\n"
                "    *(u64 *)(r10 -48) = r1\n    *(u64 *)(r10 -40) = r1\n");
    emit_unknown(g, 4, false);
    if (chance(70))
        emit(g, "    r4 &= %d\n", chance(60) ? 0x1f : 0x3f);
    else
        emit_checks(g, 4, out);
    emit(g, "    r5 = r10\n    r5 += %d\n    r5 += r4\n", -64 + (int)rnd(3) * 8);
    emit_access(g, "r5", 32);
    emit(g, "  l%d:\n", out);
}

/* bpf_loop with a callback that updates a counter in the caller's stack
 * and may use it (or the index) as an offset; after the loop the counter
 * indexes a map value. */
static void block_callback(struct gen *g)
{
    if (g->cb) {
        block_bounds(g);
        return;
    }
    g->cb = true;
    int out = label(g);
    emit(g, "    r1 = %d\n    *(u64 *)(r10 -24) = r1\n", chance(80) ? 0 : (int)rnd(64));
    if (chance(70))
        emit(g, "    r1 = %d\n", 1 + (int)rnd(8));
    else
        emit(g, "    call bpf_get_prandom_u32#7\n    r1 = r0\n    r1 &= 7\n");
    emit(g, "    r2 = func(l_cb)\n    r3 = r10\n    r3 += -24\n    r4 = 0\n    call bpf_loop#181\n");
    emit_lookup(g, out);
    emit(g, "    r1 = *(u64 *)(r10 -24)\n");
    if (chance(60))
        emit_checks(g, 1, out);
    emit(g, "    r7 += r1\n");
    emit_access(g, "r7", VALUE_SIZE);
    emit(g, "  l%d:\n", out);

    /* the callback: r1 the index, r2 the caller's fp-24 */
    snprintf(g->tail, sizeof(g->tail), "  l_cb:\n    r3 = *(u64 *)(r2 +0)\n%s%s    *(u64 *)(r2 +0) = r3\n%s    r0 = %d\n    exit\n",
             chance(50) ? "    r3 += 1\n" : "    r3 += r1\n", chance(60) ? "    r3 &= 15\n" : "",
             chance(20) ? "    r2 += r1\n    r0 = *(u8 *)(r2 +0)\n" : "", chance(90) ? 0 : (int)rnd(3));
}

/* A bounded loop indexing a map value by the counter. */
static void block_loop_index(struct gen *g)
{
    int out = label(g), top = label(g);
    emit_lookup(g, out);
    int step = width_bytes[rnd(4)], bound = 1 + (int)rnd(VALUE_SIZE / step + 2);
    emit(g, "    r1 = 0\n  l%d:\n    r2 = r1\n", top);
    if (step > 1)
        emit(g, "    r2 *= %d\n", step);
    emit(g, "    r3 = r7\n    r3 += r2\n    r0 = *(%s *)(r3 +0)\n    r1 += 1\n    if r1 %s %d goto l%d\n",
         widths[rnd(4)], chance(70) ? "<" : "<=", bound, top);
    emit(g, "  l%d:\n", out);
}

typedef void (*gen_block_fn)(struct gen *g);
static const gen_block_fn edge_blocks[] = {
    block_bounds, block_bounds, block_linked, block_spill_fill, block_null_copy,
    block_stack_var, block_callback, block_loop_index, block_pkt_range,
};
#define NR_EDGE_BLOCKS (sizeof(edge_blocks) / sizeof(edge_blocks[0]))

#endif
