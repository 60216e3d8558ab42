/* Dynptrs (Linux 6.18 verifier.c: process_dynptr_func, dynptr_get_spi
 * via stack_slot_obj_get_spi, mark_stack_slots_dynptr,
 * unmark_stack_slots_dynptr, destroy_if_dynptr_stack_slot,
 * is_dynptr_reg_valid_uninit/_init, is_dynptr_type_expected,
 * mark_dynptr_cb_reg). A struct bpf_dynptr lives in two stack slots of
 * type STACK_DYNPTR whose spilled_ptr records the dynptr's type (aux), its
 * id and, for a ring-buffer record, the reference the program must give
 * back with bpf_ringbuf_submit/discard_dynptr; a callback receives one as
 * CONST_PTR_TO_DYNPTR (bpf_user_ringbuf_drain). Programs cannot read or
 * write the slots themselves: only the dynptr helpers use them. */
#include "core/verifier/verifier.h"

#define BPF_DYNPTR_NR_SLOTS 2

static const char *const dynptr_names[] = {
    [BPF_DYNPTR_TYPE_INVALID] = "invalid", [BPF_DYNPTR_TYPE_LOCAL] = "local",
    [BPF_DYNPTR_TYPE_RINGBUF] = "ringbuf", [BPF_DYNPTR_TYPE_SKB] = "skb", [BPF_DYNPTR_TYPE_XDP] = "xdp",
};

const char *bpfrt_v_dynptr_type_str(int32_t type)
{
    return type >= 0 && type <= BPF_DYNPTR_TYPE_XDP ? dynptr_names[type] : "unknown";
}

static bool refcounted(int32_t type)
{
    return type == BPF_DYNPTR_TYPE_RINGBUF;
}

static struct vframe *reg_frame(struct venv *env, const struct vreg *reg)
{
    return env->cur_state->frame[reg->frameno];
}

/* stack_slot_obj_get_spi: the slot of the dynptr's first half, or a
 * negative errno (-ERANGE: not yet on the allocated stack). */
static int dynptr_get_spi(struct venv *env, const struct vreg *reg)
{
    if (!bpfrt_tnum_is_const(reg->s.var_off)) {
        verbose(env, "dynptr has to be at a constant offset\n");
        return -BPFRT_EINVAL;
    }
    int32_t off = reg->off + (int32_t)reg->s.var_off.value;
    if (off % BPF_REG_SIZE) {
        verbose(env, "cannot pass in dynptr at an offset=%d\n", off);
        return -BPFRT_EINVAL;
    }
    int spi = (-off - 1) / BPF_REG_SIZE;
    if (off >= 0 || spi + 1 < BPF_DYNPTR_NR_SLOTS) {
        verbose(env, "cannot pass in dynptr at an offset=%d\n", off);
        return -BPFRT_EINVAL;
    }
    if (spi - BPF_DYNPTR_NR_SLOTS + 1 < 0 || (uint32_t)spi >= reg_frame(env, reg)->nslots)
        return -BPFRT_ERANGE;
    return spi;
}

static void mark_dynptr_reg(struct vreg *reg, int32_t type, bool first_slot, uint32_t id)
{
    bpfrt_v_mark_reg_known_zero(reg);
    reg->type = CONST_PTR_TO_DYNPTR;
    reg->id = id;
    reg->reg_dynptr_type = type;
    reg->dynptr_first = first_slot;
}

void bpfrt_v_mark_dynptr_cb_reg(struct venv *env, struct vreg *reg, int32_t type)
{
    mark_dynptr_reg(reg, type, true, bpfrt_v_new_id(env));
}

static void clear_dynptr_slots(struct venv *env, struct vframe *f, int spi)
{
    for (int i = 0; i < BPF_REG_SIZE; i++) {
        f->stack[spi].slot_type[i] = STACK_INVALID;
        f->stack[spi - 1].slot_type[i] = STACK_INVALID;
    }
    bpfrt_v_mark_reg_not_init(&f->stack[spi].spilled_ptr);
    bpfrt_v_mark_reg_not_init(&f->stack[spi - 1].spilled_ptr);
    bpfrt_v_mark_stack_slot_scratched(env, (uint32_t)spi);
    bpfrt_v_mark_stack_slot_scratched(env, (uint32_t)spi - 1);
}

/* A write touching a dynptr's slot destroys the whole dynptr; a dynptr
 * holding a reference may not be overwritten (it would leak). */
int bpfrt_v_destroy_if_dynptr_stack_slot(struct venv *env, struct vframe *f, int spi)
{
    if (spi < 0 || (uint32_t)spi >= f->nslots || f->stack[spi].slot_type[0] != STACK_DYNPTR)
        return 0;
    if (!f->stack[spi].spilled_ptr.dynptr_first && (uint32_t)++spi >= f->nslots)
        return 0;
    if (refcounted(f->stack[spi].spilled_ptr.reg_dynptr_type)) {
        verbose(env, "cannot overwrite referenced dynptr\n");
        return -BPFRT_EINVAL;
    }
    clear_dynptr_slots(env, f, spi);
    return 0;
}

static bool valid_init(struct venv *env, const struct vreg *reg)
{
    if (reg->type == CONST_PTR_TO_DYNPTR)
        return true;
    int spi = dynptr_get_spi(env, reg);
    if (spi < 0)
        return false;
    const struct vframe *f = reg_frame(env, reg);
    if (!f->stack[spi].spilled_ptr.dynptr_first)
        return false;
    for (int i = 0; i < BPF_REG_SIZE; i++)
        if (f->stack[spi].slot_type[i] != STACK_DYNPTR || f->stack[spi - 1].slot_type[i] != STACK_DYNPTR)
            return false;
    return true;
}

static int32_t dynptr_type_of(struct venv *env, const struct vreg *reg)
{
    if (reg->type == CONST_PTR_TO_DYNPTR)
        return reg->reg_dynptr_type;
    int spi = dynptr_get_spi(env, reg);
    return spi < 0 ? BPF_DYNPTR_TYPE_INVALID : reg_frame(env, reg)->stack[spi].spilled_ptr.reg_dynptr_type;
}

/* The dynptr's reference (dynptr_ref_obj_id): the slices bpf_dynptr_data
 * hands out die with it. */
uint32_t bpfrt_v_dynptr_ref_obj_id(struct venv *env, const struct vreg *reg)
{
    if (reg->type == CONST_PTR_TO_DYNPTR)
        return reg->ref_obj_id;
    int spi = dynptr_get_spi(env, reg);
    return spi < 0 ? 0 : reg_frame(env, reg)->stack[spi].spilled_ptr.ref_obj_id;
}

/* mark_stack_slots_dynptr: 16 bytes become a dynptr of type; a ring-buffer
 * record's dynptr holds a new reference. */
static int mark_slots(struct venv *env, const struct vreg *reg, int32_t type, int insn_idx)
{
    struct vframe *f = reg_frame(env, reg);
    int spi = dynptr_get_spi(env, reg);
    if (spi < 0)
        return spi;
    int err = bpfrt_v_destroy_if_dynptr_stack_slot(env, f, spi);
    if (!err)
        err = bpfrt_v_destroy_if_dynptr_stack_slot(env, f, spi - 1);
    if (err)
        return err;
    for (int i = 0; i < BPF_REG_SIZE; i++) {
        f->stack[spi].slot_type[i] = STACK_DYNPTR;
        f->stack[spi - 1].slot_type[i] = STACK_DYNPTR;
    }
    uint32_t id = bpfrt_v_new_id(env);
    mark_dynptr_reg(&f->stack[spi].spilled_ptr, type, true, id);
    mark_dynptr_reg(&f->stack[spi - 1].spilled_ptr, type, false, id);
    if (refcounted(type)) {
        int ref = bpfrt_v_acquire_reference(env, (uint32_t)insn_idx);
        if (ref < 0)
            return ref;
        f->stack[spi].spilled_ptr.ref_obj_id = (uint32_t)ref;
        f->stack[spi - 1].spilled_ptr.ref_obj_id = (uint32_t)ref;
    }
    bpfrt_v_mark_stack_slot_scratched(env, (uint32_t)spi);
    bpfrt_v_mark_stack_slot_scratched(env, (uint32_t)spi - 1);
    return 0;
}

/* check_func_arg's release of a dynptr argument: it must be one on the
 * stack that holds a reference. */
int bpfrt_v_check_dynptr_release_arg(struct venv *env, uint32_t regno)
{
    const struct vreg *reg = &cur_regs(env)[regno];
    if (reg->type != PTR_TO_STACK) {
        verbose(env, "cannot release unowned const bpf_dynptr\n");
        return -BPFRT_EINVAL;
    }
    int spi = dynptr_get_spi(env, reg);
    if (spi < 0 || !reg_frame(env, reg)->stack[spi].spilled_ptr.ref_obj_id) {
        verbose(env, "arg %d is an unacquired reference\n", regno);
        return -BPFRT_EINVAL;
    }
    return 0;
}

/* unmark_stack_slots_dynptr: the release helpers give the record back;
 * every slice of it dies with the reference. */
int bpfrt_v_unmark_dynptr(struct venv *env, uint32_t regno)
{
    const struct vreg *reg = &cur_regs(env)[regno];
    struct vframe *f = reg_frame(env, reg);
    int spi = dynptr_get_spi(env, reg);
    if (spi < 0)
        return spi;
    uint32_t ref = f->stack[spi].spilled_ptr.ref_obj_id;
    if (!refcounted(f->stack[spi].spilled_ptr.reg_dynptr_type) || !ref) {
        clear_dynptr_slots(env, f, spi);
        return 0;
    }
    int err = bpfrt_v_release_reference(env, ref);
    if (err)
        return err;
    clear_dynptr_slots(env, f, spi);
    return 0;
}

/* process_dynptr_func for a helper argument: type is the dynptr type the
 * helper makes (uninit) or wants (BPF_DYNPTR_TYPE_INVALID: any). */
int bpfrt_v_process_dynptr_arg(struct venv *env, uint32_t regno, bool uninit, bool rdonly, int32_t type)
{
    struct vreg *reg = &cur_regs(env)[regno];
    if (reg->type != PTR_TO_STACK && reg->type != CONST_PTR_TO_DYNPTR) {
        verbose(env, "arg#%d expected pointer to stack or const struct bpf_dynptr\n", regno - 1);
        return -BPFRT_EINVAL;
    }
    if (uninit) {
        int spi = reg->type == CONST_PTR_TO_DYNPTR ? -BPFRT_EINVAL : dynptr_get_spi(env, reg);
        if (spi < 0 && spi != -BPFRT_ERANGE) {
            verbose(env, "Dynptr has to be an uninitialized dynptr\n");
            return -BPFRT_EINVAL;
        }
        for (int i = 0; i < 16; i += 8) {
            int err = bpfrt_v_check_mem_access(env, env->insn_idx, regno, i, 8, true, -1, false, false);
            if (err)
                return err;
        }
        return mark_slots(env, reg, type, env->insn_idx);
    }
    if (reg->type == CONST_PTR_TO_DYNPTR && !rdonly) {
        verbose(env, "cannot pass pointer to const bpf_dynptr, the helper mutates it\n");
        return -BPFRT_EINVAL;
    }
    if (!valid_init(env, reg)) {
        verbose(env, "Expected an initialized dynptr as arg #%d\n", regno - 1);
        return -BPFRT_EINVAL;
    }
    if (type != BPF_DYNPTR_TYPE_INVALID && dynptr_type_of(env, reg) != type) {
        verbose(env, "Expected a dynptr of type %s as arg #%d\n", bpfrt_v_dynptr_type_str(type), regno - 1);
        return -BPFRT_EINVAL;
    }
    return 0;
}

/* Stack bytes a helper may fill (raw mode) must not hold a dynptr. */
int bpfrt_v_check_raw_write_over_dynptr(struct venv *env, const struct vframe *f, int64_t min_off,
                                        int64_t max_off)
{
    for (int64_t i = min_off; i < max_off; i++) {
        int32_t slot = (int32_t)(-i - 1);
        uint32_t spi = (uint32_t)slot / BPF_REG_SIZE;
        if (slot < 0 || spi >= f->nslots)
            continue;
        if (f->stack[spi].slot_type[slot % BPF_REG_SIZE] == STACK_DYNPTR) {
            verbose(env, "potential write to dynptr at off=%d disallowed\n", (int)i);
            return -BPFRT_EACCES;
        }
    }
    return 0;
}
