/* Compiling a program: decode once, find where r1-r5 are live (so helper
 * calls save only those), then emit it twice: once into scratch buffers
 * with every jump long, recording where labels and jumps are, and - after
 * the relaxation (jit_layout.c, the pass loop of Linux's x86 JIT over
 * instruction addresses) has chosen the shortest jumps - once into
 * executable memory written through a read-write mapping and sealed
 * read+execute. Each instruction's
 * emitter is found through a table indexed by its decoded kind.
 *
 * Image layout: [stubs][hot code, instruction by instruction][cold code:
 * slow paths, out of the straight line]. */
#include "core/jit/jit.h"

static const jit_emit_fn emit_kind[] = {
    [BPFRT_K_ALU] = bpfrt_jit_emit_alu,
    [BPFRT_K_MOVSX] = bpfrt_jit_emit_movsx,
    [BPFRT_K_END] = bpfrt_jit_emit_end,
    [BPFRT_K_JA] = bpfrt_jit_emit_ja,
    [BPFRT_K_JCOND] = bpfrt_jit_emit_jcond,
    [BPFRT_K_CALL] = bpfrt_jit_emit_call,
    [BPFRT_K_EXIT] = bpfrt_jit_emit_exit,
    [BPFRT_K_MAY_GOTO] = bpfrt_jit_emit_may_goto,
    [BPFRT_K_LDDW] = bpfrt_jit_emit_lddw,
    [BPFRT_K_LD_PKT] = bpfrt_jit_emit_ld_pkt,
    [BPFRT_K_LDX] = bpfrt_jit_emit_ldx,
    [BPFRT_K_LDACQ] = bpfrt_jit_emit_ldx,
    [BPFRT_K_ST] = bpfrt_jit_emit_st,
    [BPFRT_K_STX] = bpfrt_jit_emit_st,
    [BPFRT_K_STREL] = bpfrt_jit_emit_st,
    [BPFRT_K_ATOMIC] = bpfrt_jit_emit_atomic,
};

#define SCRATCH 4096     /* per-chunk scratch of the first emission */
#define MAX_INSN_CODE 2048

/* ---- liveness of r1-r5 ---- */

static inline uint8_t bit(uint8_t r)
{
    return r >= 1 && r <= 5 ? (uint8_t)(1u << r) : 0;
}

/* Registers (r1-r5 bits) an instruction reads and writes. */
static void use_def(const struct bpfrt_dinsn *d, bool calls, uint8_t *use, uint8_t *def)
{
    const struct bpfrt_op_info *info = &bpfrt_op_info[d->op];
    bool k = info->flags & BPFRT_OPF_K;
    uint8_t u = 0, w = 0;
    switch (info->kind) {
    case BPFRT_K_ALU:
        if (info->alu != BPFRT_ALU_MOV)
            u |= bit(d->dst);
        if (!k && info->alu != BPFRT_ALU_NEG)
            u |= bit(d->src);
        w = bit(d->dst);
        break;
    case BPFRT_K_MOVSX:
        u = bit(d->src);
        w = bit(d->dst);
        break;
    case BPFRT_K_END:
        u = w = bit(d->dst);
        break;
    case BPFRT_K_JCOND:
        u = bit(d->dst) | (k ? 0 : bit(d->src));
        break;
    case BPFRT_K_CALL:
        u = 0x3e | (d->op == BPFRT_OP_CALLX ? bit(d->dst) : 0);
        break;
    case BPFRT_K_EXIT:
        u = calls ? 0x3e : 0; /* a caller sees the callee's r1-r5 */
        break;
    case BPFRT_K_LDDW:
        w = bit(d->dst);
        break;
    case BPFRT_K_LD_PKT:
        /* out of bounds it exits the frame: like EXIT, a caller sees r1-r5 */
        u = (k ? 0 : bit(d->src)) | (calls ? 0x3e : 0);
        break;
    case BPFRT_K_LDX:
    case BPFRT_K_LDACQ:
        u = bit(d->src);
        w = bit(d->dst);
        break;
    case BPFRT_K_ST:
        u = bit(d->dst);
        break;
    case BPFRT_K_STX:
    case BPFRT_K_STREL:
    case BPFRT_K_ATOMIC:
        u = bit(d->dst) | bit(d->src);
        break;
    default:
        break;
    }
    *use = u;
    *def = w;
}

/* live[pc] = r1-r5 that may be read after instruction pc (backward
 * data flow to a fixed point). */
static void liveness(const struct bpfrt_dinsn *di, uint32_t len, bool calls, uint8_t *live)
{
    uint8_t *in = live + len; /* second half of the buffer */
    bpfrt_memset(live, 0, (size_t)len * 2);
    for (bool changed = true; changed;) {
        changed = false;
        for (uint32_t i = len; i-- > 0;) {
            const struct bpfrt_dinsn *d = &di[i];
            if (d->op == BPFRT_OP_BAD)
                continue;
            uint8_t kind = bpfrt_op_kind(d->op), out = 0;
            uint32_t next = i + d->len;
            if (kind != BPFRT_K_EXIT && kind != BPFRT_K_JA && next < len)
                out |= in[next];
            if ((kind == BPFRT_K_JA || kind == BPFRT_K_JCOND || kind == BPFRT_K_MAY_GOTO) &&
                (uint32_t)d->target < len)
                out |= in[d->target];
            uint8_t use, def;
            use_def(d, calls, &use, &def);
            uint8_t nin = (uint8_t)(use | (out & ~def));
            if (nin != in[i] || out != live[i]) {
                in[i] = nin;
                live[i] = out;
                changed = true;
            }
        }
    }
}

/* ---- the two emissions ---- */

/* Ends a chunk: in the first emission its sizes are recorded and the
 * scratch buffers rewound. */
static bool end_chunk(struct jit_ctx *c)
{
    if (c->final)
        return true;
    if (c->hot.len > MAX_INSN_CODE || c->cold.len > MAX_INSN_CODE) {
        c->err = -BPFRT_EFAULT;
        return false;
    }
    c->hot_len[c->chunk] = c->hot.len;
    c->cold_len[c->chunk] = c->cold.len;
    c->hot.origin += c->hot.len;
    c->hot.len = 0;
    c->cold.origin += c->cold.len;
    c->cold.len = 0;
    return true;
}

/* One emission of the whole program: into scratch buffers with every jump
 * long (the first), or into the image with the relaxed layout. */
static int emit_all(struct jit_ctx *c, uint8_t *hot, uint8_t *cold)
{
    c->nlabels = c->nsites = 0;
    c->hot = (struct x86){ hot, 0, 0 };
    c->cold = (struct x86){ cold, 0, 0 };
    c->chunk = 0;
    for (int i = 0; i < JIT_STUB_COUNT; i++)
        c->stub[i] = bpfrt_jit_label_new(c);
    bpfrt_jit_emit_stubs(c);
    for (uint32_t pc = 0; pc < c->len && !c->err; pc++) {
        const struct bpfrt_dinsn *d = &c->di[pc];
        if (!end_chunk(c))
            break;
        c->chunk = pc + 1;
        c->pc = pc;
        if (c->final && x86_pos(&c->hot) != c->addr[pc])
            c->err = -BPFRT_EFAULT;
        if (d->op != BPFRT_OP_BAD) /* BAD: the second half of an ld_imm64, never reached */
            emit_kind[bpfrt_op_kind(d->op)](c, d);
    }
    if (!c->err && end_chunk(c)) {
        c->chunk = c->len + 1;
        c->pc = c->len;
        bpfrt_jit_emit_fell_off(c);
        end_chunk(c);
    }
    return c->err;
}

/* The decoded instruction, from the interpreter's slot (its decoder has
 * parsed the opcode already) and the raw fields. */
static void from_slot(const struct interp_slot *s, const struct bpf_insn *raw, uint32_t pc, struct bpfrt_dinsn *d)
{
    const struct bpfrt_op_info *info = &bpfrt_op_info[s->op];
    d->op = s->op;
    d->dst = raw->dst_reg;
    d->src = raw->src_reg;
    d->size = info->size;
    d->len = 1;
    d->off = raw->off;
    d->imm = raw->imm;
    d->value = (uint64_t)(int64_t)raw->imm;
    d->target = 0;
    switch (info->kind) {
    case BPFRT_K_JA:
    case BPFRT_K_JCOND:
    case BPFRT_K_MAY_GOTO:
        d->target = s->off; /* absolute */
        break;
    case BPFRT_K_CALL:
        if (s->op == BPFRT_OP_CALL_LOCAL)
            d->target = s->off;
        break;
    case BPFRT_K_LDDW:
        d->len = 2;
        d->value = s->imm; /* the value, or for BPF_PSEUDO_FUNC the handle (the target's slot) */
        break;
    default:
        break;
    }
}

static void ctx_free(struct jit_ctx *c, uint8_t *scratch, void *di, uint8_t *live, uint32_t *keys)
{
    struct bpfrt_runtime *rt = c->prog->rt;
    size_t chunks = (size_t)c->len + 2;
    bpfrt_free(rt, c->addr, ((size_t)c->len + 1) * sizeof(uint32_t));
    bpfrt_free(rt, c->hot_len, chunks * sizeof(uint32_t));
    bpfrt_free(rt, c->cold_len, chunks * sizeof(uint32_t));
    bpfrt_free(rt, c->hot_start, chunks * sizeof(uint32_t));
    bpfrt_free(rt, c->cold_start, chunks * sizeof(uint32_t));
    bpfrt_free(rt, c->ev, (size_t)c->cap_ev * sizeof(*c->ev));
    bpfrt_free(rt, c->near, (size_t)c->nsites_total + 1);
    bpfrt_free(rt, c->label_pos, ((size_t)c->nlabels_total + 1) * sizeof(uint32_t));
    bpfrt_free(rt, scratch, 2 * SCRATCH);
    bpfrt_free(rt, di, (size_t)c->len * sizeof(struct bpfrt_dinsn));
    bpfrt_free(rt, live, (size_t)c->len * 2);
    bpfrt_free(rt, keys, (size_t)c->len * sizeof(uint32_t));
}

/* True when the CPU has BMI2 (shlx/shrx/sarx). Asked once per runtime:
 * cpuid traps to the hypervisor in a VM (about 25 us here). */
static bool cpu_has_bmi2(struct bpfrt_runtime *rt)
{
    int8_t known = __atomic_load_n(&rt->jit_bmi2, __ATOMIC_RELAXED);
    if (known >= 0)
        return known;
    bool has = false;
#if defined(__x86_64__)
    uint32_t a = 7, b, cx = 0, d;
    uint32_t max;
    __asm__ volatile("cpuid" : "=a"(max), "=b"(b), "=c"(cx), "=d"(d) : "a"(0), "c"(0));
    if (max >= 7) {
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(cx), "=d"(d));
        has = (b >> 8) & 1;
    }
#endif
    __atomic_store_n(&rt->jit_bmi2, (int8_t)has, __ATOMIC_RELAXED);
    return has;
}

static uint64_t now_ns(const struct bpfrt_platform *plat)
{
    return plat->ktime_ns ? plat->ktime_ns(plat->ctx) : 0;
}

int bpfrt_jit_compile(struct bpfrt_prog *prog, struct jit_prog *jp, char *msg, size_t msg_size)
{
    struct bpfrt_runtime *rt = prog->rt;
    const struct bpfrt_platform *plat = rt->plat;
    uint32_t len = prog->len;
    size_t chunks = (size_t)len + 2;
    struct jit_ctx c;
    bpfrt_memset(&c, 0, sizeof(c));
    c.prog = prog;
    c.jp = jp;
    c.len = len;
    c.mode = jp->mode;
    c.bmi2 = cpu_has_bmi2(rt);
    struct bpfrt_dinsn *di = bpfrt_zalloc(rt, (size_t)len * sizeof(*di));
    uint8_t *live = bpfrt_zalloc(rt, (size_t)len * 2);
    uint32_t *keys = jp->blind ? bpfrt_zalloc(rt, (size_t)len * sizeof(*keys)) : NULL;
    uint8_t *scratch = bpfrt_zalloc(rt, 2 * SCRATCH);
    c.addr = bpfrt_zalloc(rt, ((size_t)len + 1) * sizeof(uint32_t));
    c.hot_len = bpfrt_zalloc(rt, chunks * sizeof(uint32_t));
    c.cold_len = bpfrt_zalloc(rt, chunks * sizeof(uint32_t));
    c.hot_start = bpfrt_zalloc(rt, chunks * sizeof(uint32_t));
    c.cold_start = bpfrt_zalloc(rt, chunks * sizeof(uint32_t));
    int err = -BPFRT_ENOMEM;
    if (!di || !live || (jp->blind && !keys) || !scratch || !c.addr || !c.hot_len || !c.cold_len ||
        !c.hot_start || !c.cold_start)
        goto out;

    const struct interp_slot *slots = jp->vm->slots;
    for (uint32_t pc = 0; pc < len; pc++) {
        from_slot(&slots[pc], &prog->insns[pc], pc, &di[pc]);
        uint16_t op = di[pc].op;
        c.has_local_calls |= op == BPFRT_OP_CALL_LOCAL || op == BPFRT_OP_CALLX;
        c.has_may_goto |= op == BPFRT_OP_MAY_GOTO;
        c.may_tail_call |= op == BPFRT_OP_CALL_HELPER || op == BPFRT_OP_CALLX;
        if (keys)
            keys[pc] = plat->random_u32 ? plat->random_u32(plat->ctx) : 0x9e3779b9u * (pc + 1);
        if (di[pc].len == 2 && pc + 1 < len) {
            di[pc + 1].op = BPFRT_OP_BAD;
            pc++;
        }
    }
    liveness(di, len, c.has_local_calls, live);
    c.di = di;
    c.live = live;
    c.keys = keys;

    /* Every jump long, then the layout with the shortest jumps. */
    err = emit_all(&c, scratch, scratch + SCRATCH);
    c.nlabels_total = c.nlabels;
    c.nsites_total = c.nsites;
    c.near = err ? NULL : bpfrt_zalloc(rt, (size_t)c.nsites_total + 1);
    c.label_pos = err ? NULL : bpfrt_zalloc(rt, ((size_t)c.nlabels_total + 1) * sizeof(uint32_t));
    if (!err && (!c.near || !c.label_pos))
        err = -BPFRT_ENOMEM;
    if (!err)
        err = bpfrt_jit_relax(&c);
    if (err) {
        bpfrt_snprintf(msg, msg_size, "jit: cannot compile insn %u (%d)", c.pc, err);
        goto out;
    }
    jp->passes = c.passes;

    /* The image: written read-write, then sealed read+execute. */
    uint32_t size = c.image_len;
    uint64_t t0 = now_ns(plat);
    uint8_t *image = plat->exec_alloc(plat->ctx, size);
    jp->exec_mem_ns += now_ns(plat) - t0;
    if (!image) {
        bpfrt_snprintf(msg, msg_size, "jit: no executable memory for %u bytes", size);
        err = -BPFRT_ENOMEM;
        goto out;
    }
    c.final = true;
    err = emit_all(&c, image, image + c.cold_base);
    if (!err && (x86_pos(&c.hot) != c.cold_base || c.cold_base + x86_pos(&c.cold) != size ||
                 c.nsites != c.nsites_total || c.nlabels != c.nlabels_total))
        err = -BPFRT_EFAULT;
    if (!err) {
        t0 = now_ns(plat);
        err = plat->exec_seal(plat->ctx, image, size);
        jp->exec_mem_ns += now_ns(plat) - t0;
    }
    if (err) {
        bpfrt_snprintf(msg, msg_size, "jit: the final emission failed (%d)", err);
        plat->exec_free(plat->ctx, image, size);
        goto out;
    }
    jp->image = image;
    jp->image_len = size;
    jp->entry = 0;
    jp->len = len;
    jp->insn_off = c.addr;
    c.addr = NULL;
    err = 0;
out:
    ctx_free(&c, scratch, di, live, keys);
    return err;
}
