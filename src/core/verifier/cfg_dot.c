/* The control-flow graph in Graphviz DOT: what bpftool draws for `bpftool
 * prog dump xlated visual` (tools/bpf/bpftool/cfg.c: cfg_build,
 * draw_bb_node, draw_bb_succ_edges), written from its output's shape. Each
 * subprogram is a cluster "func_N" with an ENTRY and an EXIT node; basic
 * blocks start at a subprogram start, a jump target or after a jump/exit.
 * Fall-through edges are bold black, taken jumps green ("goto" black),
 * calls dashed blue to the callee's ENTRY. `bpfrt verify --cfg` uses it. */
#include "bpfrt/diag.h"
#include "bpfrt/verifier.h"
#include "core/core.h"
#include "core/isa/decode.h"
#include "core/isa/isa.h"

#include "bpfrt/asm.h"

enum { DOT_LEADER = 1, DOT_SUBPROG = 2 };

struct dot {
    struct bpfrt_strbuf sb;
    const struct bpf_insn *insns;
    uint32_t cnt;
    struct bpfrt_dinsn *di;
    uint8_t *mark;       /* DOT_* per instruction */
    uint32_t *block;     /* block number (from 2, as bpftool) of each leader */
    uint32_t *func;      /* subprogram index of each instruction */
};

static bool ends_block(const struct bpfrt_dinsn *d)
{
    uint8_t k = bpfrt_op_kind(d->op);
    return k == BPFRT_K_EXIT || k == BPFRT_K_JA || k == BPFRT_K_JCOND || k == BPFRT_K_MAY_GOTO;
}

static bool is_subprog_ref(const struct bpfrt_dinsn *d)
{
    return (d->op == BPFRT_OP_CALL_LOCAL) || (d->op == BPFRT_OP_LDDW && d->src == BPF_PSEUDO_FUNC);
}

/* Appends one instruction's text, escaped for a record label. */
static void put_insn(struct dot *g, uint32_t i)
{
    char text[160];
    uint32_t used = 1;
    if (bpfrt_disasm_insn(&g->insns[i], g->cnt - i, i, BPFRT_SYNTAX_KERNEL, text, sizeof(text), &used) < 0)
        bpfrt_snprintf(text, sizeof(text), "(%02x) ?", g->insns[i].code);
    bpfrt_strbuf_printf(&g->sb, "%4u: ", i);
    for (const char *c = text; *c; c++) {
        if (*c == '<' || *c == '>' || *c == '|' || *c == '{' || *c == '}' || *c == '"' || *c == '\\')
            bpfrt_strbuf_puts(&g->sb, "\\");
        char one[2] = {*c, 0};
        bpfrt_strbuf_puts(&g->sb, one);
    }
    bpfrt_strbuf_puts(&g->sb, "\\l\\\n");
}

static void edge(struct dot *g, uint32_t fn, uint32_t from, uint32_t to_fn, uint32_t to, const char *style)
{
    bpfrt_strbuf_printf(&g->sb, "\tfn_%u_bb_%u:s -> fn_%u_bb_%u:n [%s];\n", fn, from, to_fn, to, style);
}

#define FALL "style=\"solid,bold\", color=black, weight=10, constraint=true"
#define TAKEN "style=\"solid,bold\", color=green, weight=10, constraint=true"
#define GOTO "style=\"solid,bold\", color=black, weight=10, constraint=true"
#define CALL "style=dashed, color=blue, weight=1, constraint=false"

/* One subprogram [start, end) as a cluster. */
static void draw_func(struct dot *g, uint32_t fn, uint32_t start, uint32_t end)
{
    struct bpfrt_strbuf *sb = &g->sb;
    bpfrt_strbuf_printf(sb, "subgraph \"cluster_%u\" {\n\tstyle=\"dashed\";\n\tcolor=\"black\";\n"
                            "\tlabel=\"func_%u ()\";\n\tfn_%u_bb_0 [shape=Mdiamond,style=filled,label=\"ENTRY\"];\n",
                        fn, fn, fn);
    for (uint32_t i = start; i < end; i += g->di[i].len) {
        if (g->mark[i] & DOT_LEADER)
            bpfrt_strbuf_printf(sb, "\tfn_%u_bb_%u [shape=record,style=filled,label=\"{", fn, g->block[i]);
        else
            bpfrt_strbuf_puts(sb, " | ");
        put_insn(g, i);
        uint32_t next = i + g->di[i].len;
        if (next >= end || (g->mark[next] & DOT_LEADER))
            bpfrt_strbuf_puts(sb, "}\"];\n");
    }
    bpfrt_strbuf_printf(sb, "\tfn_%u_bb_1 [shape=Mdiamond,style=filled,label=\"EXIT\"];\n\n", fn);
    edge(g, fn, 0, fn, g->block[start], FALL);
    uint32_t leader = start;
    for (uint32_t i = start; i < end; i += g->di[i].len) {
        const struct bpfrt_dinsn *d = &g->di[i];
        if (g->mark[i] & DOT_LEADER)
            leader = i;
        if (is_subprog_ref(d) && d->target >= 0 && (uint32_t)d->target < g->cnt)
            edge(g, fn, g->block[leader], g->func[d->target], 0, CALL);
        uint32_t next = i + d->len;
        bool last = next >= end || (g->mark[next] & DOT_LEADER);
        if (!last)
            continue;
        uint8_t k = bpfrt_op_kind(d->op);
        uint32_t bb = g->block[leader];
        if (k == BPFRT_K_EXIT) {
            edge(g, fn, bb, fn, 1, FALL);
            continue;
        }
        if (k != BPFRT_K_JA && next < end)
            edge(g, fn, bb, fn, g->block[next], FALL);
        if (k == BPFRT_K_JA || k == BPFRT_K_JCOND || k == BPFRT_K_MAY_GOTO)
            edge(g, fn, bb, fn, g->block[d->target], k == BPFRT_K_JA ? GOTO : TAKEN);
    }
    bpfrt_strbuf_puts(sb, "}\n");
}

long bpfrt_verifier_cfg_dot(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt, char *buf,
                            size_t size)
{
    struct bpfrt_diag diag;
    bpfrt_diag_init(&diag, NULL, 0);
    if (!rt || !insns || !cnt || bpfrt_isa_validate(insns, cnt, &diag))
        return -BPFRT_EINVAL;
    struct dot g = {.insns = insns, .cnt = cnt};
    size_t dsz = (size_t)cnt * sizeof(*g.di), msz = cnt, usz = (size_t)cnt * sizeof(uint32_t);
    g.di = bpfrt_zalloc(rt, dsz);
    g.mark = bpfrt_zalloc(rt, msz);
    g.block = bpfrt_zalloc(rt, usz);
    g.func = bpfrt_zalloc(rt, usz);
    long ret = -BPFRT_ENOMEM;
    if (!g.di || !g.mark || !g.block || !g.func)
        goto out;
    g.mark[0] = DOT_LEADER | DOT_SUBPROG;
    for (uint32_t i = 0; i < cnt; i += g.di[i].len) {
        struct bpfrt_dinsn *d = &g.di[i];
        bpfrt_isa_decode(insns, cnt, i, d);
        if (!d->len)
            d->len = 1;
        bool in_range = d->target >= 0 && (uint32_t)d->target < cnt;
        if (is_subprog_ref(d) && in_range)
            g.mark[d->target] |= DOT_LEADER | DOT_SUBPROG;
        if (ends_block(d)) {
            if (in_range && bpfrt_op_kind(d->op) != BPFRT_K_EXIT)
                g.mark[d->target] |= DOT_LEADER;
            if (i + d->len < cnt)
                g.mark[i + d->len] |= DOT_LEADER;
        }
    }
    uint32_t fn = 0, bb = 2;
    for (uint32_t i = 0; i < cnt; i++) {
        if ((g.mark[i] & DOT_SUBPROG) && i) {
            fn++;
            bb = 2;
        }
        g.func[i] = fn;
        if (g.mark[i] & DOT_LEADER)
            g.block[i] = bb++;
    }
    bpfrt_strbuf_init(&g.sb, buf, size);
    bpfrt_strbuf_puts(&g.sb, "digraph \"DOT graph for eBPF program\" {\n");
    for (uint32_t start = 0, f = 0; start < cnt; f++) {
        uint32_t end = start + 1;
        while (end < cnt && !(g.mark[end] & DOT_SUBPROG))
            end++;
        draw_func(&g, f, start, end);
        start = end;
    }
    bpfrt_strbuf_puts(&g.sb, "}\n");
    ret = (long)g.sb.len;
out:
    bpfrt_free(rt, g.di, dsz);
    bpfrt_free(rt, g.mark, msz);
    bpfrt_free(rt, g.block, usz);
    bpfrt_free(rt, g.func, usz);
    return ret;
}
