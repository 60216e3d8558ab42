/* Registers: kinds, marks and identities (Linux 6.18 verifier.c
 * __mark_reg_known, __mark_reg_unknown, __mark_reg_not_init,
 * init_reg_state, init_func_state, check_reg_arg, mark_ptr_not_null_reg,
 * clear_all_pkt_pointers, copy_register_state, bpf_for_each_reg_in_vstate).
 * A privileged loader may leak pointers, so is_pointer_value is false. */
#include "core/verifier/verifier.h"

void bpfrt_v_mark_reg_known(struct vreg *reg, uint64_t imm)
{
    reg->off = 0;
    reg->aux = 0;
    reg->map = NULL;
    reg->id = 0;
    reg->ref_obj_id = 0;
    bpfrt_bounds_mark_known(&reg->s, imm);
}

void bpfrt_v_mark_reg_known_zero(struct vreg *reg)
{
    bpfrt_v_mark_reg_known(reg, 0);
}

void bpfrt_v_mark_reg_const_zero(struct vreg *reg)
{
    bpfrt_v_mark_reg_known(reg, 0);
    reg->type = SCALAR_VALUE;
    reg->flags = 0;
    reg->precise = false;
}

void bpfrt_v_mark_reg_unknown(struct vreg *reg)
{
    bpfrt_memset(reg, 0, sizeof(*reg));
    reg->type = SCALAR_VALUE;
    bpfrt_bounds_mark_unknown(&reg->s);
}

void bpfrt_v_mark_reg_not_init(struct vreg *reg)
{
    bpfrt_v_mark_reg_unknown(reg);
    reg->type = NOT_INIT;
}

void bpfrt_v_init_func_state(struct venv *env, struct vframe *f, int32_t callsite, uint32_t frameno,
                             uint32_t subprogno)
{
    f->callsite = callsite;
    f->frameno = frameno;
    f->subprogno = subprogno;
    f->cb_ret_min = f->cb_ret_max = 0;
    for (int i = 0; i < MAX_BPF_REG; i++)
        bpfrt_v_mark_reg_not_init(&f->regs[i]);
    struct vreg *fp = &f->regs[BPF_REG_FP];
    fp->type = PTR_TO_STACK;
    bpfrt_v_mark_reg_known_zero(fp);
    fp->frameno = (uint8_t)frameno;
    bpfrt_v_mark_state_scratched(env);
}

uint32_t bpfrt_v_new_id(struct venv *env)
{
    return ++env->id_gen;
}

void bpfrt_v_copy_register_state(struct vreg *dst, const struct vreg *src)
{
    *dst = *src;
}

bool bpfrt_v_is_pointer_value(struct venv *env, uint32_t regno)
{
    /* a privileged loader may leak pointers (allow_ptr_leaks) */
    return env->unpriv && cur_regs(env)[regno].type != SCALAR_VALUE;
}

bool bpfrt_v_reg_is_const_scalar(const struct vreg *r, uint64_t *val)
{
    if (r->type != SCALAR_VALUE || !bpfrt_tnum_is_const(r->s.var_off))
        return false;
    if (val)
        *val = r->s.var_off.value;
    return true;
}

/* check_reg_arg: the register number is valid, a source is initialised,
 * the destination is not the read-only frame pointer (DST_OP also makes it
 * an unknown scalar). */
int bpfrt_v_check_reg_arg(struct venv *env, uint32_t regno, int t)
{
    if (regno >= MAX_BPF_REG) {
        verbose(env, "R%d is invalid\n", regno);
        return -BPFRT_EINVAL;
    }
    bpfrt_v_mark_reg_scratched(env, regno);
    struct vreg *reg = &cur_regs(env)[regno];
    if (t == SRC_OP) {
        if (reg->type == NOT_INIT) {
            verbose(env, "R%d !read_ok\n", regno);
            return -BPFRT_EACCES;
        }
        return 0;
    }
    if (regno == BPF_REG_FP) {
        verbose(env, "frame pointer is read only\n");
        return -BPFRT_EACCES;
    }
    if (t == DST_OP)
        bpfrt_v_mark_reg_unknown(reg);
    return 0;
}

/* Unmodified PTR_TO_PACKET[_META,_END] straight from a context load. */
bool bpfrt_v_reg_is_init_pkt_pointer(const struct vreg *reg, uint8_t which)
{
    return reg->type == which && reg->id == 0 && reg->off == 0 && bpfrt_tnum_equals_const(reg->s.var_off, 0);
}

/* The non-NULL side of a null check (mark_ptr_not_null_reg): a lookup in
 * an XSKMAP gave an xdp_sock, one in a SOCKMAP or SOCKHASH a socket (a
 * reference, see call.c); map-in-map lookups already yield the inner map
 * pointer (call.c). */
void bpfrt_v_mark_ptr_not_null_reg(struct vreg *reg)
{
    reg->flags &= (uint8_t)~PTR_MAYBE_NULL;
    if (reg->type != PTR_TO_MAP_VALUE || !reg->map)
        return;
    uint32_t t = reg->map->map_type;
    if (t == BPF_MAP_TYPE_XSKMAP)
        reg->type = PTR_TO_XDP_SOCK;
    else if (t == BPF_MAP_TYPE_SOCKMAP || t == BPF_MAP_TYPE_SOCKHASH)
        reg->type = PTR_TO_SOCKET;
    if (reg->type != PTR_TO_MAP_VALUE)
        reg->map = NULL;
}

void bpfrt_v_for_each_reg(struct venv *env, struct vstate *st, bpfrt_v_reg_fn fn, void *arg)
{
    for (uint32_t i = 0; i <= st->curframe; i++) {
        struct vframe *f = st->frame[i];
        for (int r = 0; r < MAX_BPF_REG; r++)
            fn(env, &f->regs[r], arg);
        for (uint32_t s = 0; s < f->nslots; s++)
            if (bpfrt_v_is_spilled_reg(&f->stack[s]))
                fn(env, &f->stack[s].spilled_ptr, arg);
    }
}

/* mark_reg_invalid: an invalidated pointer (released, or into a packet
 * that may have moved) becomes an unknown scalar, or unreadable for an
 * unprivileged program, which must not leak the old address. */
void bpfrt_v_invalidate_reg(struct venv *env, struct vreg *reg)
{
    if (env->unpriv)
        bpfrt_v_mark_reg_not_init(reg);
    else
        bpfrt_v_mark_reg_unknown(reg);
}

static void clear_pkt_pointer(struct venv *env, struct vreg *reg, void *arg)
{
    (void)arg;
    if (reg_is_pkt_pointer_any(reg))
        bpfrt_v_invalidate_reg(env, reg);
}

/* clear_all_pkt_pointers: after a helper that may move the packet. */
void bpfrt_v_clear_all_pkt_pointers(struct venv *env)
{
    bpfrt_v_for_each_reg(env, env->cur_state, clear_pkt_pointer, NULL);
}

void *bpfrt_v_zalloc(struct venv *env, size_t size)
{
    if (!size)
        return NULL;
    void *p = bpfrt_zalloc(env->rt, size);
    if (!p)
        env->err_alloc = -BPFRT_ENOMEM;
    return p;
}

void bpfrt_v_free(struct venv *env, void *p, size_t size)
{
    if (p)
        bpfrt_free(env->rt, p, size);
}

/* reg_bounds_sanity_check: bounds a dead path made contradictory are
 * reported (Linux's "REG INVARIANTS VIOLATION") and reset. */
void bpfrt_v_reg_bounds_sanity_check(struct venv *env, struct vreg *reg, const char *ctx)
{
    const char *why;
    struct bpfrt_bounds before = reg->s;
    if (reg->type != SCALAR_VALUE || bpfrt_bounds_check_sanity(&reg->s, &why))
        return;
    char line[256];
    bpfrt_bounds_snprint_violation(line, sizeof(line), ctx, why, &before);
    verbose(env, "%s\n", line);
}
