/* The program generator of test_verifier_gen.c: random programs in
 * kernel-syntax assembly built from blocks that each aim at one of the
 * verifier's rules, with the parameters that decide the verdict drawn at
 * random so that both safe and unsafe variants come out. The blocks of
 * issue 9 (scalars, map lookups, spills, packets, loops, pointer
 * arithmetic) are here; the edge blocks of issue 10 are in
 * verifier_gen_edges.h. Everything is static: one test includes it. */
#ifndef BPFRT_TESTS_VERIFIER_GEN_H
#define BPFRT_TESTS_VERIFIER_GEN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "test_rng.h"

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
    return n ? test_xorshift64star(&rng) % n : 0;
}

static bool chance(int percent)
{
    return (int)rnd(100) < percent;
}

/* ---- program text ---- */

struct gen {
    char code[16384];
    size_t len;
    int labels;
    uint32_t type;
    bool cb;            /* a bpf_loop callback follows the entry function */
    char tail[4096];    /* its body, appended after the entry's exit */
};

static void emit(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g->len += (size_t)vsnprintf(g->code + g->len, sizeof(g->code) - g->len, fmt, ap);
    va_end(ap);
    if (g->len >= sizeof(g->code))
        g->len = sizeof(g->code) - 1;
}

static int label(struct gen *g)
{
    return g->labels++;
}

/* The constants the program compares and computes with: the checked runs
 * feed them (and their neighbours) back as inputs, where bounds break. */
static int32_t gen_dict[64];
static int gen_ndict;

static int32_t remember(int32_t v)
{
    if (gen_ndict < (int)(sizeof(gen_dict) / sizeof(gen_dict[0])))
        gen_dict[gen_ndict++] = v;
    return v;
}

static int32_t pick_imm(void)
{
    static const int32_t imms[] = { 0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 4095,
                                    65535, 0x7fffffff, -1, -2, -8, -128, -4096, INT32_MIN };
    return remember(chance(70) ? imms[rnd(sizeof(imms) / sizeof(imms[0]))] : (int32_t)rnd(200) - 50);
}

static const char *const alu_ops[] = { "+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>=", "s>>=", "/=", "%=" };
static const char *const conds[] = { "==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&" };

/* A scalar in r0-r5 (clobbered by calls) shaped by a few ALU ops and branches. */
static void block_scalar(struct gen *g, int reg)
{
    emit(g, "    call bpf_get_prandom_u32#7\n");
    if (reg)
        emit(g, "    r%d = r0\n", reg);
    int steps = 1 + (int)rnd(5);
    for (int i = 0; i < steps; i++) {
        char w = chance(30) ? 'w' : 'r';
        if (chance(35)) {
            int l = label(g);
            emit(g, "    if %c%d %s %d goto l%d\n", w, reg, conds[rnd(11)], pick_imm(), l);
            emit(g, "    r%d = %d\n", reg, pick_imm());
            emit(g, "  l%d:\n", l);
            continue;
        }
        const char *op = alu_ops[rnd(sizeof(alu_ops) / sizeof(alu_ops[0]))];
        int32_t imm = pick_imm();
        if (op[0] == '<' || op[0] == '>' || op[1] == '>')
            imm = (int32_t)rnd(w == 'w' ? 32 : 64);
        if ((op[0] == '/' || op[0] == '%') && imm == 0)
            imm = 3;
        emit(g, "    %c%d %s %d\n", w, reg, op, imm);
    }
}

/* Looks up key in map a (array, 48-byte values) or h (hash); leaves the
 * value pointer (maybe null-checked) in r7 and r0 holds it too. */
static void block_map(struct gen *g)
{
    bool array = chance(60);
    uint64_t key = rnd(3);
    if (key == 0)
        emit(g, "    r1 = %d\n    *(u32 *)(r10 -8) = r1\n", (int)rnd(6));
    else if (key == 1)
        emit(g, "    r1 = %d\n    *(u32 *)(r10 -4) = r1\n", (int)rnd(6));
    else
        emit(g, "    call bpf_get_prandom_u32#7\n    *(u32 *)(r10 -8) = r0\n");
    emit(g, "    r2 = r10\n    r2 += %d\n    r1 = map_fd(%s)\n    call bpf_map_lookup_elem#1\n",
         key == 1 ? -4 : -8, array ? "a" : "h");
    emit(g, "    r7 = r0\n");
    int out = label(g);
    if (chance(85))
        emit(g, "    if r7 == 0 goto l%d\n", out);
    static const int sizes[] = { 1, 2, 4, 8 };
    static const char *const types[] = { "u8", "u16", "u32", "u64" };
    int si = (int)rnd(4);
    if (chance(50)) { /* a variable offset */
        block_scalar(g, 1);
        if (chance(70))
            emit(g, "    r1 &= %d\n", chance(60) ? 0x1f : 0x3f);
        emit(g, "    r7 += r1\n");
    }
    int off = chance(80) ? (int)rnd((uint64_t)(48 - sizes[si] + 1)) : (int)rnd(64) - 8;
    if (chance(50))
        emit(g, "    r1 = *(%s *)(r7 %+d)\n", types[si], off);
    else
        emit(g, "    r1 = 1\n    *(%s *)(r7 %+d) = r1\n", types[si], off);
    emit(g, "  l%d:\n", out);
}

/* Spills a register, maybe overwrites part of the slot, fills it back. */
static void block_stack(struct gen *g)
{
    static const char *const types[] = { "u8", "u16", "u32", "u64" };
    int slot = -8 * (2 + (int)rnd(8));
    bool ptr = chance(40);
    if (ptr)
        emit(g, "    *(u64 *)(r10 %d) = r6\n", slot);
    else {
        block_scalar(g, 2);
        emit(g, "    *(%s *)(r10 %d) = r2\n", types[rnd(4)], slot + (chance(90) ? 0 : (int)rnd(8)));
    }
    if (chance(20))
        emit(g, "    r3 = 0\n    *(u8 *)(r10 %d) = r3\n", slot + (int)rnd(8));
    emit(g, "    r3 = *(%s *)(r10 %d)\n", types[chance(70) ? 3 : rnd(4)], slot);
    if (ptr && chance(60))
        emit(g, "    r0 = *(u32 *)(r3 +0)\n");
    if (chance(30)) { /* variable-offset stack write */
        block_scalar(g, 4);
        emit(g, "    r4 &= %d\n    r5 = r10\n    r5 += %d\n    r5 += r4\n    r1 = 0\n    *(u8 *)(r5 +0) = r1\n",
             chance(70) ? 0x1f : 0xff, slot);
    }
}

/* Checks data + n against data_end, then reads near it (r8 = data, r9 = end). */
static void block_packet(struct gen *g)
{
    int n = 1 + (int)rnd(40), out = label(g);
    static const int sizes[] = { 1, 2, 4, 8 };
    static const char *const types[] = { "u8", "u16", "u32", "u64" };
    int si = (int)rnd(4);
    emit(g, "    r2 = r8\n    r2 += %d\n", n);
    static const char *const forms[] = { "if r2 > r9 goto l%d\n", "if r9 < r2 goto l%d\n", "if r2 >= r9 goto l%d\n" };
    emit(g, "    ");
    emit(g, forms[rnd(3)], out);
    int off = (int)rnd((uint64_t)n + 3) - 1;
    if (chance(30)) { /* variable offset from a packet byte */
        emit(g, "    r3 = *(u8 *)(r8 +0)\n    r3 &= %d\n    r2 = r8\n    r2 += r3\n", chance(60) ? 7 : 63);
        if (chance(60)) {
            emit(g, "    r4 = r2\n    r4 += %d\n    if r4 > r9 goto l%d\n", sizes[si], out);
            off = 0;
        }
        emit(g, "    r0 = *(%s *)(r2 %+d)\n", types[si], off);
    } else if (g->type != BPF_PROG_TYPE_SOCKET_FILTER && chance(30)) {
        emit(g, "    r1 = 0\n    *(%s *)(r8 %+d) = r1\n", types[si], off);
    } else {
        emit(g, "    r0 = *(%s *)(r8 %+d)\n", types[si], off);
    }
    emit(g, "  l%d:\n", out);
}

/* A loop: bounded, bounded by an unknown count, or under may_goto. */
static void block_loop(struct gen *g)
{
    int top = label(g), out = label(g);
    uint64_t kind = rnd(3);
    /* Kept small both ways: a loop over constants costs the verifier one
     * state per iteration, and one left to may_goto's budget runs 8M
     * iterations at run time. */
    if (kind == 0) {
        emit(g, "    r1 = 0\n");
    } else {
        block_scalar(g, 1);
        emit(g, "    r1 &= %d\n", chance(80) ? 15 : 63);
    }
    emit(g, "  l%d:\n", top);
    if (kind == 2)
        emit(g, "    may_goto l%d\n", out);
    emit(g, "    r1 += %d\n", kind == 0 ? 1 : -1);
    if (kind == 0)
        emit(g, "    if r1 < %d goto l%d\n", 1 + (int)rnd(40), top);
    else
        emit(g, "    if r1 s> 0 goto l%d\n", top);
    emit(g, "  l%d:\n", out);
}

/* Pointer arithmetic on the context, the stack or a packet pointer, then a use. */
static void block_ptr(struct gen *g)
{
    static const char *const ptrs[] = { "r6", "r10", "r8" };
    const char *p = ptrs[rnd(g->type == BPF_PROG_TYPE_SOCKET_FILTER ? 2 : 3)];
    emit(g, "    r2 = %s\n", p);
    uint64_t op = rnd(6);
    if (op == 0)
        emit(g, "    r2 += %d\n", (int)rnd(32) - 16);
    else if (op == 1)
        emit(g, "    r2 -= %d\n", (int)rnd(16));
    else if (op == 2)
        emit(g, "    r2 &= %d\n", pick_imm());
    else if (op == 3)
        emit(g, "    w2 += %d\n", (int)rnd(8));
    else if (op == 4) {
        block_scalar(g, 3);
        emit(g, "    r3 &= 7\n    r2 += r3\n");
    } else {
        emit(g, "    r2 += r6\n");
    }
    if (chance(60))
        emit(g, "    r0 = *(u8 *)(r2 %+d)\n", (int)rnd(16) - 8);
}



#include "verifier_gen_edges.h"

/* A program of one to four blocks (a quarter of them up to eight; longer
 * programs reach pruning), issue 9's and the edge blocks mixed;
 * a bpf_loop callback's body (at most one) follows the entry's exit. */
static void gen_program(struct gen *g)
{
    static const uint32_t types[] = { BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER };
    g->len = 0;
    g->labels = 0;
    g->cb = false;
    g->tail[0] = '\0';
    gen_ndict = 0;
    g->type = types[rnd(3)];
    emit(g, "    r6 = r1\n");
    if (g->type == BPF_PROG_TYPE_XDP)
        emit(g, "    r8 = *(u32 *)(r6 +0)\n    r9 = *(u32 *)(r6 +4)\n");
    else if (g->type == BPF_PROG_TYPE_SCHED_CLS)
        emit(g, "    r8 = *(u32 *)(r6 +76)\n    r9 = *(u32 *)(r6 +80)\n");
    bool pkt = g->type != BPF_PROG_TYPE_SOCKET_FILTER;
    int blocks = 1 + (int)rnd(chance(25) ? 8 : 4);
    for (int b = 0; b < blocks; b++) {
        if (chance(60)) {
            edge_blocks[rnd(NR_EDGE_BLOCKS - (pkt ? 0 : 1))](g);
            continue;
        }
        switch (rnd(pkt ? 6 : 5)) {
        case 0: block_scalar(g, (int)rnd(6)); break;
        case 1: block_map(g); break;
        case 2: block_stack(g); break;
        case 3: block_loop(g); break;
        case 4: block_ptr(g); break;
        default: block_packet(g); break;
        }
    }
    emit(g, "    r0 = %d\n    exit\n%s", g->type == BPF_PROG_TYPE_XDP ? 2 : 0, g->tail);
}

#endif
