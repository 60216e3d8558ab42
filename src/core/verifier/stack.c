/* The stack: per-byte slot kinds, register spills and fills (Linux 6.18
 * verifier.c grow_stack_state, check_stack_access_within_bounds,
 * check_stack_write_fixed_off/_var_off, save_register_state,
 * check_stack_read_fixed_off/_var_off, mark_reg_stack_read,
 * check_stack_range_initialized). A privileged loader may read stack bytes
 * that were never written (they read as unknown scalars, since 6.3); an
 * unprivileged one (BPFRT_PROG_F_UNPRIV) may not, does not keep scalars
 * it spills, and may not overwrite part of a spilled pointer. */
#include "core/verifier/verifier.h"

static struct vframe *reg_frame(struct venv *env, const struct vreg *reg)
{
    return env->cur_state->frame[reg->frameno];
}

bool bpfrt_v_is_spilled_reg(const struct vslot *s)
{
    return s->slot_type[BPF_REG_SIZE - 1] == STACK_SPILL;
}

bool bpfrt_v_is_spilled_scalar_reg(const struct vslot *s)
{
    return bpfrt_v_is_spilled_reg(s) && s->spilled_ptr.type == SCALAR_VALUE;
}

static void scrub_spilled_slot(uint8_t *stype)
{
    if (*stype != STACK_INVALID)
        *stype = STACK_MISC;
}

int bpfrt_v_grow_stack(struct venv *env, struct vframe *f, int32_t size)
{
    uint32_t n = (uint32_t)bpfrt_round_up((uint64_t)size, BPF_REG_SIZE) / BPF_REG_SIZE;
    if (n <= f->nslots)
        return 0;
    struct vslot *stack = bpfrt_v_zalloc(env, (size_t)n * sizeof(*stack));
    if (!stack)
        return -BPFRT_ENOMEM;
    if (f->nslots)
        bpfrt_memcpy(stack, f->stack, (size_t)f->nslots * sizeof(*stack));
    for (uint32_t i = f->nslots; i < n; i++)
        bpfrt_v_mark_reg_not_init(&stack[i].spilled_ptr);
    bpfrt_v_free(env, f->stack, (size_t)f->nslots * sizeof(*stack));
    f->stack = stack;
    f->nslots = n;
    if (env->subprog[f->subprogno].stack_depth < n * BPF_REG_SIZE)
        env->subprog[f->subprogno].stack_depth = n * BPF_REG_SIZE;
    return 0;
}

int bpfrt_v_check_stack_access_within_bounds(struct venv *env, uint32_t regno, int32_t off, int size,
                                             bool write)
{
    struct vreg *reg = &cur_regs(env)[regno];
    struct vframe *f = reg_frame(env, reg);
    const char *extra = write ? " write to" : " read from";
    int64_t min_off, max_off;
    if (bpfrt_tnum_is_const(reg->s.var_off)) {
        min_off = (int64_t)reg->s.var_off.value + off;
        max_off = min_off + size;
    } else {
        if (reg->s.smax_value >= BPF_MAX_VAR_OFF || reg->s.smin_value <= -BPF_MAX_VAR_OFF) {
            verbose(env, "invalid unbounded variable-offset%s stack R%d\n", extra, regno);
            return -BPFRT_EACCES;
        }
        min_off = reg->s.smin_value + off;
        max_off = reg->s.smax_value + off + size;
    }
    /* privileged: reads may go below what was written (allow_uninit_stack) */
    int err = 0;
    if (min_off < -MAX_BPF_STACK || min_off > -1)
        err = -BPFRT_EACCES;
    /* unprivileged: reads stay within what was ever written */
    if (!write && env->unpriv && min_off < -(int64_t)f->nslots * BPF_REG_SIZE)
        err = -BPFRT_EACCES;
    if (!err && max_off > 0)
        err = -BPFRT_EINVAL;
    if (!err && size < 0)
        err = -BPFRT_EFAULT;
    if (err) {
        if (bpfrt_tnum_is_const(reg->s.var_off)) {
            verbose(env, "invalid%s stack R%d off=%d size=%d\n", extra, regno, off, size);
        } else {
            char tn[48];
            bpfrt_tnum_strn(tn, sizeof(tn), reg->s.var_off);
            verbose(env, "invalid variable-offset%s stack R%d var_off=%s off=%d size=%d\n", extra, regno, tn,
                    off, size);
        }
        return err;
    }
    return bpfrt_v_grow_stack(env, f, (int32_t)-min_off);
}

static void save_register_state(struct vframe *f, uint32_t spi, const struct vreg *reg, int size)
{
    f->stack[spi].spilled_ptr = *reg;
    int i;
    for (i = BPF_REG_SIZE; i > BPF_REG_SIZE - size; i--)
        f->stack[spi].slot_type[i - 1] = STACK_SPILL;
    for (; i; i--) {
        uint8_t *t = &f->stack[spi].slot_type[i - 1];
        if (*t != STACK_ZERO && *t != STACK_INVALID)
            *t = STACK_MISC;
    }
}

static bool is_spillable_regtype(uint8_t t)
{
    return t != SCALAR_VALUE && t != NOT_INIT;
}

static uint32_t stack_access_flags(const struct vframe *f, uint32_t spi)
{
    return INSN_F_STACK_ACCESS | (spi << INSN_F_SPI_SHIFT) | f->frameno;
}

static int check_stack_write_fixed_off(struct venv *env, struct vframe *f, int32_t off, int size,
                                       int value_regno, int insn_idx)
{
    struct vframe *cur = cur_func(env);
    int32_t slot = -off - 1;
    uint32_t spi = (uint32_t)slot / BPF_REG_SIZE;
    struct vreg *reg = value_regno >= 0 ? &cur->regs[value_regno] : NULL;
    const struct bpfrt_dinsn *d = &env->di[insn_idx];
    bool st_mem = bpfrt_op_kind(d->op) == BPFRT_K_ST;

    if (env->unpriv && bpfrt_v_is_spilled_reg(&f->stack[spi]) && !bpfrt_v_is_spilled_scalar_reg(&f->stack[spi]) &&
        size != BPF_REG_SIZE) {
        verbose(env, "attempt to corrupt spilled pointer on stack\n");
        return -BPFRT_EACCES;
    }
    bpfrt_v_mark_stack_slot_scratched(env, spi);
    int derr = bpfrt_v_destroy_if_dynptr_stack_slot(env, f, (int)spi);
    if (derr)
        return derr;
    bpfrt_v_mark_stack_written(env, f->frameno, off, size);
    /* scalar spills are tracked for CAP_BPF only */
    if (reg && !(off % BPF_REG_SIZE) && reg->type == SCALAR_VALUE && !env->unpriv) {
        bool fits = bpfrt_bounds_width(&reg->s) <= 8 * size;
        if (fits)
            bpfrt_v_assign_scalar_id_before_mov(env, reg);
        save_register_state(f, spi, reg, size);
        if (!fits)
            f->stack[spi].spilled_ptr.id = 0;
    } else if (!reg && !(off % BPF_REG_SIZE) && st_mem && !env->unpriv) {
        struct vreg tmp;
        bpfrt_memset(&tmp, 0, sizeof(tmp));
        bpfrt_v_mark_reg_known(&tmp, (uint64_t)(int64_t)d->imm);
        tmp.type = SCALAR_VALUE;
        save_register_state(f, spi, &tmp, size);
    } else if (reg && is_spillable_regtype(reg->type)) {
        if (size != BPF_REG_SIZE) {
            bpfrt_v_verbose_linfo(env, (uint32_t)insn_idx, "; ");
            verbose(env, "invalid size of register spill\n");
            return -BPFRT_EACCES;
        }
        if (f != cur && reg->type == PTR_TO_STACK) {
            verbose(env, "cannot spill pointers to stack into stack frame of the caller\n");
            return -BPFRT_EINVAL;
        }
        save_register_state(f, spi, reg, size);
    } else {
        uint8_t type = STACK_MISC;
        f->stack[spi].spilled_ptr.type = NOT_INIT;
        if (bpfrt_v_is_spilled_reg(&f->stack[spi]))
            for (int i = 0; i < BPF_REG_SIZE; i++)
                scrub_spilled_slot(&f->stack[spi].slot_type[i]);
        if ((reg && register_is_null(reg)) || (!reg && st_mem && d->imm == 0)) {
            /* STACK_ZERO relies on the value being exactly 0 */
            int err = value_regno >= 0 ? bpfrt_v_mark_chain_precision(env, value_regno) : 0;
            if (err)
                return err;
            type = STACK_ZERO;
        }
        for (int i = 0; i < size; i++)
            f->stack[spi].slot_type[(slot - i) % BPF_REG_SIZE] = type;
        return 0; /* not a register spill */
    }
    return bpfrt_v_push_insn_history(env, env->cur_state, stack_access_flags(f, spi), 0);
}

static int check_stack_write_var_off(struct venv *env, struct vframe *f, uint32_t ptr_regno, int32_t off,
                                     int size, int value_regno, int insn_idx)
{
    struct vreg *ptr = &cur_regs(env)[ptr_regno];
    struct vreg *val = value_regno >= 0 ? &cur_regs(env)[value_regno] : NULL;
    const struct bpfrt_dinsn *d = &env->di[insn_idx];
    int64_t min_off = ptr->s.smin_value + off, max_off = ptr->s.smax_value + off + size;
    bool writing_zero = (val && register_is_null(val)) ||
                        (!val && bpfrt_op_kind(d->op) == BPFRT_K_ST && d->imm == 0);
    bool zero_used = false;
    for (int64_t i = min_off; i < max_off; i++) {
        int32_t slot = (int32_t)(-i - 1);
        uint32_t spi = (uint32_t)slot / BPF_REG_SIZE;
        uint8_t *stype = &f->stack[spi].slot_type[slot % BPF_REG_SIZE];
        bpfrt_v_mark_stack_slot_scratched(env, spi);
        int derr = bpfrt_v_destroy_if_dynptr_stack_slot(env, f, (int)spi);
        if (derr)
            return derr;
        if (writing_zero && *stype == STACK_SPILL && bpfrt_v_is_spilled_scalar_reg(&f->stack[spi])) {
            struct vreg *sp = &f->stack[spi].spilled_ptr;
            if (bpfrt_tnum_equals_const(sp->s.var_off, 0)) {
                zero_used = true;
                continue;
            }
        }
        f->stack[spi].spilled_ptr.type = NOT_INIT;
        zero_used |= writing_zero && *stype == STACK_ZERO;
        *stype = (writing_zero && *stype == STACK_ZERO) ? STACK_ZERO : STACK_MISC;
    }
    if (zero_used && value_regno >= 0)
        return bpfrt_v_mark_chain_precision(env, value_regno);
    return 0;
}

int bpfrt_v_check_stack_write(struct venv *env, uint32_t ptr_regno, int32_t off, int size, int value_regno,
                              int insn_idx)
{
    struct vreg *reg = &cur_regs(env)[ptr_regno];
    struct vframe *f = reg_frame(env, reg);
    if (bpfrt_tnum_is_const(reg->s.var_off))
        return check_stack_write_fixed_off(env, f, off + (int32_t)reg->s.var_off.value, size, value_regno,
                                           insn_idx);
    return check_stack_write_var_off(env, f, ptr_regno, off, size, value_regno, insn_idx);
}

/* mark_reg_stack_read: all zero bytes read as 0, anything else unknown. */
static void mark_reg_stack_read(struct venv *env, struct vframe *pf, int64_t min_off, int64_t max_off,
                                int dst_regno)
{
    struct vframe *f = cur_func(env);
    int64_t zeros = 0;
    for (int64_t i = min_off; i < max_off; i++) {
        int32_t slot = (int32_t)(-i - 1);
        uint32_t spi = (uint32_t)slot / BPF_REG_SIZE;
        bpfrt_v_mark_stack_slot_scratched(env, spi);
        if (pf->stack[spi].slot_type[slot % BPF_REG_SIZE] != STACK_ZERO)
            break;
        zeros++;
    }
    if (zeros == max_off - min_off)
        bpfrt_v_mark_reg_const_zero(&f->regs[dst_regno]);
    else
        bpfrt_v_mark_reg_unknown(&f->regs[dst_regno]);
}

static int check_stack_read_fixed_off(struct venv *env, struct vframe *rf, int32_t off, int size, int dst_regno)
{
    struct vframe *f = cur_func(env);
    int32_t slot = -off - 1;
    uint32_t spi = (uint32_t)slot / BPF_REG_SIZE;
    uint8_t *stype = rf->stack[spi].slot_type;
    struct vreg *reg = &rf->stack[spi].spilled_ptr;

    bpfrt_v_mark_stack_slot_scratched(env, spi);
    bpfrt_v_mark_stack_read(env, rf->frameno, off, off + size);
    if (bpfrt_v_is_spilled_reg(&rf->stack[spi])) {
        int spill_size = 1;
        for (int i = BPF_REG_SIZE - 1; i > 0 && stype[i - 1] == STACK_SPILL; i--)
            spill_size++;
        if (size != BPF_REG_SIZE || spill_size != BPF_REG_SIZE) {
            if (reg->type != SCALAR_VALUE) {
                bpfrt_v_verbose_linfo(env, (uint32_t)env->insn_idx, "; ");
                verbose(env, "invalid size of register fill\n");
                return -BPFRT_EACCES;
            }
            if (dst_regno < 0)
                return 0;
            if (size <= spill_size && !(off % BPF_REG_SIZE)) {
                if (size == 4 && spill_size == 4 && bpfrt_bounds_width(&reg->s) <= 32)
                    bpfrt_v_assign_scalar_id_before_mov(env, reg);
                f->regs[dst_regno] = *reg;
                if (bpfrt_bounds_width(&reg->s) > size * 8)
                    f->regs[dst_regno].id = 0;
            } else {
                int spill_cnt = 0, zero_cnt = 0;
                for (int i = 0; i < size; i++) {
                    uint8_t type = stype[(slot - i) % BPF_REG_SIZE];
                    if (type == STACK_SPILL)
                        spill_cnt++;
                    else if (type == STACK_ZERO)
                        zero_cnt++;
                    else if (type == STACK_INVALID && env->unpriv) {
                        verbose(env, "invalid read from stack off %d+%d size %d\n", off, i, size);
                        return -BPFRT_EACCES;
                    }
                }
                if (spill_cnt == size && bpfrt_tnum_equals_const(reg->s.var_off, 0)) {
                    bpfrt_v_mark_reg_const_zero(&f->regs[dst_regno]);
                } else {
                    if (zero_cnt == size)
                        bpfrt_v_mark_reg_const_zero(&f->regs[dst_regno]);
                    else
                        bpfrt_v_mark_reg_unknown(&f->regs[dst_regno]);
                    return 0; /* not restoring the register */
                }
            }
        } else if (dst_regno >= 0) {
            bpfrt_v_assign_scalar_id_before_mov(env, reg);
            f->regs[dst_regno] = *reg;
        } else if (env->unpriv && reg->type != SCALAR_VALUE) {
            verbose(env, "leaking pointer from stack off %d\n", off);
            return -BPFRT_EACCES;
        }
        return bpfrt_v_push_insn_history(env, env->cur_state, stack_access_flags(rf, spi), 0);
    }
    /* MISC, ZERO and (privileged) never-written bytes are all readable;
     * a dynptr's are not */
    for (int i = 0; i < size; i++) {
        uint8_t t = stype[(slot - i) % BPF_REG_SIZE];
        if (t == STACK_DYNPTR || (env->unpriv && t == STACK_INVALID)) {
            verbose(env, "invalid read from stack off %d+%d size %d\n", off, i, size);
            return -BPFRT_EACCES;
        }
    }
    if (dst_regno >= 0)
        mark_reg_stack_read(env, rf, off, off + size, dst_regno);
    return 0;
}

int bpfrt_v_check_stack_range_initialized(struct venv *env, uint32_t regno, int32_t off, int access_size,
                                          bool zero_size_allowed, bool write, bool raw_mode)
{
    struct vreg *reg = &cur_regs(env)[regno];
    struct vframe *f = reg_frame(env, reg);
    if (access_size == 0 && !zero_size_allowed) {
        verbose(env, "invalid zero-sized read\n");
        return -BPFRT_EACCES;
    }
    int err = bpfrt_v_check_stack_access_within_bounds(env, regno, off, access_size, write);
    if (err)
        return err;
    int64_t min_off, max_off;
    if (bpfrt_tnum_is_const(reg->s.var_off)) {
        min_off = max_off = (int64_t)reg->s.var_off.value + off;
    } else {
        raw_mode = false; /* an uninitialised buffer needs a fixed offset */
        min_off = reg->s.smin_value + off;
        max_off = reg->s.smax_value + off;
    }
    if (raw_mode) /* the helper writes it: the caller marks the bytes */
        return bpfrt_v_check_raw_write_over_dynptr(env, f, min_off, max_off + access_size);
    bpfrt_v_mark_stack_read(env, f->frameno, min_off, max_off + access_size);
    for (int64_t i = min_off; i < max_off + access_size; i++) {
        int32_t slot = (int32_t)(-i - 1);
        uint32_t spi = (uint32_t)slot / BPF_REG_SIZE;
        uint8_t *stype = &f->stack[spi].slot_type[slot % BPF_REG_SIZE];
        if (*stype == STACK_MISC)
            continue;
        if (*stype == STACK_ZERO || (*stype == STACK_INVALID && !env->unpriv)) {
            if (write)
                *stype = STACK_MISC;
            continue;
        }
        if (*stype == STACK_DYNPTR) {
            if (bpfrt_tnum_is_const(reg->s.var_off)) {
                verbose(env, "invalid read from stack R%d off %d+%d size %d\n", regno, (int)min_off,
                        (int)(i - min_off), access_size);
            } else {
                char tn[48];
                bpfrt_tnum_strn(tn, sizeof(tn), reg->s.var_off);
                verbose(env, "invalid read from stack R%d var_off %s+%d size %d\n", regno, tn,
                        (int)(i - min_off), access_size);
            }
            return -BPFRT_EACCES;
        }
        /* a spilled register: privileged loaders may pass any */
        if (env->unpriv && (*stype == STACK_INVALID || f->stack[spi].spilled_ptr.type != SCALAR_VALUE)) {
            if (bpfrt_tnum_is_const(reg->s.var_off)) {
                verbose(env, "invalid read from stack R%d off %lld+%lld size %d\n", regno, (long long)min_off,
                        (long long)(i - min_off), access_size);
            } else {
                char tn[48];
                bpfrt_tnum_strn(tn, sizeof(tn), reg->s.var_off);
                verbose(env, "invalid read from stack R%d var_off %s+%lld size %d\n", regno, tn,
                        (long long)(i - min_off), access_size);
            }
            return -BPFRT_EACCES;
        }
        if (write) {
            bpfrt_v_mark_reg_unknown(&f->stack[spi].spilled_ptr);
            for (int j = 0; j < BPF_REG_SIZE; j++)
                scrub_spilled_slot(&f->stack[spi].slot_type[j]);
        }
    }
    return 0;
}

int bpfrt_v_check_stack_read(struct venv *env, uint32_t ptr_regno, int32_t off, int size, int dst_regno)
{
    struct vreg *reg = &cur_regs(env)[ptr_regno];
    struct vframe *f = reg_frame(env, reg);
    bool var_off = !bpfrt_tnum_is_const(reg->s.var_off);
    if (dst_regno < 0 && var_off) {
        char tn[48];
        bpfrt_tnum_strn(tn, sizeof(tn), reg->s.var_off);
        verbose(env, "variable offset stack pointer cannot be passed into helper function; var_off=%s off=%d size=%d\n",
                tn, off, size);
        return -BPFRT_EACCES;
    }
    if (!var_off)
        return check_stack_read_fixed_off(env, f, off + (int32_t)reg->s.var_off.value, size, dst_regno);
    int err = bpfrt_v_check_stack_range_initialized(env, ptr_regno, off, size, false, false, false);
    if (err)
        return err;
    mark_reg_stack_read(env, f, reg->s.smin_value + off, reg->s.smax_value + off + size, dst_regno);
    return 0;
}

void bpfrt_v_update_stack_depth(struct venv *env, const struct vframe *f, int32_t off)
{
    uint32_t depth = (uint32_t)-off;
    if (env->subprog[f->subprogno].stack_depth < depth)
        env->subprog[f->subprogno].stack_depth = depth;
}
