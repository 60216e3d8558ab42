/* The verifier's log lines in Linux 6.18's notation (kernel/bpf/log.c:
 * reg_type_str, print_reg_state, print_scalar_ranges, print_verifier_state,
 * print_insn_state, verbose_linfo; verifier.c verbose_insn): register and
 * stack states ("R1=map_value(map=cfg,ks=4,vs=16)", "fp-8=????0"), the
 * alignment of the state after an instruction, source lines from BTF line
 * info, and the instruction text of kernel/bpf/disasm.c. The bytes go
 * through the load's struct bpfrt_vlog (rotation, rewinding, ENOSPC). */
#include "bpfrt/asm.h"
#include "bpfrt/btf.h"
#include "core/verifier/verifier.h"

void bpfrt_v_verbose(struct venv *env, const char *fmt, ...)
{
    if (!env->log || !env->log->level)
        return;
    va_list ap;
    va_start(ap, fmt);
    bpfrt_vlog_vprintf(env->log, fmt, ap);
    va_end(ap);
}

/* ---- scratch marks: what changed since the last state print ---- */

void bpfrt_v_mark_reg_scratched(struct venv *env, uint32_t regno)
{
    env->scratched_regs |= 1u << regno;
}

void bpfrt_v_mark_stack_slot_scratched(struct venv *env, uint32_t spi)
{
    if (spi < 64)
        env->scratched_stack_slots |= 1ull << spi;
}

void bpfrt_v_mark_state_scratched(struct venv *env)
{
    env->scratched_regs = ~0u;
    env->scratched_stack_slots = ~0ull;
}

void bpfrt_v_mark_state_clean(struct venv *env)
{
    env->scratched_regs = 0;
    env->scratched_stack_slots = 0;
}

bool bpfrt_v_state_scratched(const struct venv *env)
{
    return env->scratched_regs || env->scratched_stack_slots;
}

/* ---- type names ---- */

static const char *const type_names[NR_VREG_TYPES] = {
    [NOT_INIT] = "?",
    [SCALAR_VALUE] = "scalar",
    [PTR_TO_CTX] = "ctx",
    [CONST_PTR_TO_MAP] = "map_ptr",
    [PTR_TO_MAP_VALUE] = "map_value",
    [PTR_TO_STACK] = "fp",
    [PTR_TO_PACKET] = "pkt",
    [PTR_TO_PACKET_META] = "pkt_meta",
    [PTR_TO_PACKET_END] = "pkt_end",
    [PTR_TO_FLOW_KEYS] = "flow_keys",
    [PTR_TO_SOCKET] = "sock",
    [PTR_TO_SOCK_COMMON] = "sock_common",
    [PTR_TO_TCP_SOCK] = "tcp_sock",
    [PTR_TO_TP_BUFFER] = "tp_buffer",
    [PTR_TO_XDP_SOCK] = "xdp_sock",
    [PTR_TO_BTF_ID] = "ptr_",
    [PTR_TO_MEM] = "mem",
    [PTR_TO_ARENA] = "arena",
    [PTR_TO_BUF] = "buf",
    [PTR_TO_FUNC] = "func",
    [PTR_TO_MAP_KEY] = "map_key",
    [CONST_PTR_TO_DYNPTR] = "dynptr_ptr",
};

const char *bpfrt_v_reg_type_str(struct venv *env, uint8_t type, uint8_t flags)
{
    if (!flags) /* no prefix or suffix: spare the formatting (the checks ask often, the log rarely) */
        return type < NR_VREG_TYPES ? type_names[type] : "?";
    const char *null = !(flags & PTR_MAYBE_NULL) ? "" : type == PTR_TO_BTF_ID ? "or_null_" : "_or_null";
    bpfrt_snprintf(env->tmp_str, sizeof(env->tmp_str), "%s%s%s%s%s%s%s", flags & MEM_RDONLY ? "rdonly_" : "",
                   flags & MEM_RINGBUF ? "ringbuf_" : "", flags & MEM_RCU ? "rcu_" : "",
                   flags & PTR_UNTRUSTED ? "untrusted_" : "", flags & PTR_TRUSTED ? "trusted_" : "",
                   type < NR_VREG_TYPES ? type_names[type] : "?", null);
    return env->tmp_str;
}

/* ---- numbers, as the log prints them (verbose_snum/unum, tnum_strn) ---- */

static void put_unum(struct venv *env, uint64_t v)
{
    char num[24];
    bpfrt_bounds_unum(num, sizeof(num), v);
    verbose(env, "%s", num);
}

static void put_snum(struct venv *env, int64_t v)
{
    char num[24];
    bpfrt_bounds_snum(num, sizeof(num), v);
    verbose(env, "%s", num);
}

/* kernel/bpf/log.c's tnum_strn: a known value alone, else (value; mask). */
void bpfrt_v_tnum_str(char *buf, size_t size, struct bpfrt_tnum t)
{
    if (t.mask == 0)
        bpfrt_bounds_unum(buf, size, t.value);
    else
        bpfrt_tnum_strn(buf, size, t);
}

#define SEP() (verbose(env, "%s", sep), sep = ",")

static void print_reg_state(struct venv *env, const struct vframe *f, const struct vreg *reg)
{
    const char *sep = "";
    uint8_t t = reg->type;
    if (t == SCALAR_VALUE && reg->precise)
        verbose(env, "P");
    if (t == SCALAR_VALUE && bpfrt_tnum_is_const(reg->s.var_off)) {
        put_snum(env, (int64_t)reg->s.var_off.value);
        return;
    }
    verbose(env, "%s", bpfrt_v_reg_type_str(env, t, reg->flags));
    if (t == PTR_TO_BTF_ID)
        verbose(env, "%s", bpfrt_v_btf_type_name(env, (uint32_t)reg->reg_btf_id));
    if (t == PTR_TO_STACK) {
        if (f->frameno != reg->frameno)
            verbose(env, "[%d]", reg->frameno);
        if (bpfrt_tnum_is_const(reg->s.var_off)) {
            put_snum(env, (int64_t)(reg->s.var_off.value + (uint64_t)(int64_t)reg->off));
            return;
        }
    }
    verbose(env, "(");
    if (reg->id) {
        SEP();
        verbose(env, "id=%d", reg->id & ~BPF_ADD_CONST);
    }
    if (reg->id & BPF_ADD_CONST)
        verbose(env, "%+d", reg->off);
    if (reg->ref_obj_id) {
        SEP();
        verbose(env, "ref_obj_id=%d", reg->ref_obj_id);
    }
    if (t == CONST_PTR_TO_MAP || t == PTR_TO_MAP_KEY || t == PTR_TO_MAP_VALUE) {
        if (reg->map && reg->map->name[0] && !reg->map_anon) {
            SEP();
            verbose(env, "map=%s", reg->map->name);
        }
        SEP();
        verbose(env, "ks=%d,vs=%d", reg->map ? reg->map->key_size : 0, reg->map ? reg->map->value_size : 0);
    }
    if (t != SCALAR_VALUE && reg->off) {
        SEP();
        verbose(env, "off=");
        put_snum(env, reg->off);
    }
    if (type_is_pkt_pointer(t)) {
        SEP();
        verbose(env, "r=");
        put_unum(env, reg->reg_range);
    }
    if (t == PTR_TO_MEM) {
        SEP();
        verbose(env, "sz=");
        put_unum(env, reg->reg_mem_size);
    }
    if (t == CONST_PTR_TO_DYNPTR) {
        SEP();
        verbose(env, "type=%s", bpfrt_v_dynptr_type_str(reg->reg_dynptr_type));
    }
    if (bpfrt_tnum_is_const(reg->s.var_off)) {
        if (reg->s.var_off.value) {
            SEP();
            verbose(env, "imm=");
            put_snum(env, (int64_t)reg->s.var_off.value);
        }
    } else {
        char ranges[256];
        if (bpfrt_bounds_snprint(ranges, sizeof(ranges), &reg->s) > 0) {
            SEP();
            verbose(env, "%s", ranges);
        }
    }
    verbose(env, ")");
}

static const char slot_type_char[] = { [STACK_INVALID] = '?', [STACK_SPILL] = 'r', [STACK_MISC] = 'm',
                                       [STACK_ZERO] = '0', [STACK_DYNPTR] = 'd' };

void bpfrt_v_print_verifier_state(struct venv *env, const struct vstate *st, uint32_t frameno, bool print_all)
{
    const struct vframe *f = st->frame[frameno];
    if (f->frameno)
        verbose(env, " frame%d:", f->frameno);
    for (uint32_t i = 0; i < MAX_BPF_REG; i++) {
        const struct vreg *reg = &f->regs[i];
        if (reg->type == NOT_INIT)
            continue;
        if (!print_all && !(env->scratched_regs & (1u << i)))
            continue;
        verbose(env, " R%d=", i);
        print_reg_state(env, f, reg);
    }
    for (uint32_t i = 0; i < f->nslots; i++) {
        const struct vslot *slot = &f->stack[i];
        char types[BPF_REG_SIZE + 1];
        bool valid = false;
        if (!print_all && !(i < 64 && (env->scratched_stack_slots & (1ull << i))))
            continue;
        for (int j = 0; j < BPF_REG_SIZE; j++) {
            valid |= slot->slot_type[j] != STACK_INVALID;
            types[j] = slot_type_char[slot->slot_type[j]];
        }
        types[BPF_REG_SIZE] = 0;
        if (!valid)
            continue;
        if (slot->slot_type[0] == STACK_DYNPTR && i + 1 < f->nslots) {
            /* both slots of a dynptr print as one, at its first slot */
            const struct vreg *d = &f->stack[++i].spilled_ptr;
            const char *sep = "";
            verbose(env, " fp%d=dynptr_%s(", (-(int)i - 1) * BPF_REG_SIZE, bpfrt_v_dynptr_type_str(d->aux));
            if (d->id)
                SEP(), verbose(env, "id=%d", d->id);
            if (d->ref_obj_id)
                SEP(), verbose(env, "ref_id=%d", d->ref_obj_id);
            if (d->id) /* 6.18 prints the slot's id again as its dynptr_id */
                SEP(), verbose(env, "dynptr_id=%d", d->id);
            verbose(env, ")");
            continue;
        }
        if (slot->slot_type[BPF_REG_SIZE - 1] == STACK_SPILL) {
            /* the MISC/ZERO/INVALID bytes above a sub-register spill */
            int j = 0;
            while (j < BPF_REG_SIZE && slot->slot_type[j] != STACK_SPILL)
                j++;
            types[j] = 0;
            verbose(env, " fp%d=%s", (-(int)i - 1) * BPF_REG_SIZE, types);
            print_reg_state(env, f, &slot->spilled_ptr);
        } else {
            verbose(env, " fp%d=%s", (-(int)i - 1) * BPF_REG_SIZE, types);
        }
    }
    if (st->acquired_refs && st->refs[0].id) {
        verbose(env, " refs=%d", st->refs[0].id);
        for (uint32_t i = 1; i < st->acquired_refs; i++)
            if (st->refs[i].id)
                verbose(env, ",%d", st->refs[i].id);
    }
    if (f->in_callback_fn)
        verbose(env, " cb");
    verbose(env, "\n");
    if (!print_all)
        bpfrt_v_mark_state_clean(env);
}

static uint32_t vlog_alignment(uint32_t pos)
{
    uint32_t m = pos + BPF_LOG_MIN_ALIGNMENT / 2 > BPF_LOG_ALIGNMENT ? pos + BPF_LOG_MIN_ALIGNMENT / 2
                                                                       : BPF_LOG_ALIGNMENT;
    return (uint32_t)bpfrt_round_up(m, BPF_LOG_MIN_ALIGNMENT) - pos - 1;
}

/* The state after an instruction: on the instruction's line after ';' when
 * nothing was printed since, else on a line of its own. */
void bpfrt_v_print_insn_state(struct venv *env, const struct vstate *st, uint32_t frameno)
{
    if (env->prev_log_pos && env->prev_log_pos == bpfrt_vlog_pos(env->log)) {
        bpfrt_vlog_reset(env->log, env->prev_log_pos - 1); /* the newline */
        verbose(env, "%*c;", (int)vlog_alignment((uint32_t)env->prev_insn_print_pos), ' ');
    } else {
        verbose(env, "%d:", env->insn_idx);
    }
    bpfrt_v_print_verifier_state(env, st, frameno, false);
}

/* "; <source line> @ <file>:<line>" before the first instruction of a line. */
void bpfrt_v_verbose_linfo(struct venv *env, uint32_t insn_off, const char *prefix)
{
    const struct bpfrt_verify_args *a = env->args;
    if (!env->log || !env->log->level || !a->nr_line_info || insn_off >= env->len || !a->btf)
        return;
    uint32_t i;
    for (i = 1; i < a->nr_line_info; i++)
        if (insn_off < a->line_info[i].insn_off)
            break;
    const struct bpf_line_info *li = &a->line_info[i - 1];
    const struct bpf_line_info *prev = env->prev_linfo;
    if (li == prev)
        return;
    if (prev && li->file_name_off == prev->file_name_off &&
        BPF_LINE_INFO_LINE_NUM(li->line_col) == BPF_LINE_INFO_LINE_NUM(prev->line_col))
        return;
    const char *line = bpfrt_btf_str(a->btf, li->line_off);
    const char *file = bpfrt_btf_str(a->btf, li->file_name_off);
    if (!line || !file)
        return;
    while (*line == ' ' || *line == '\t' || *line == '\n' || *line == '\r' || *line == '\v' || *line == '\f')
        line++;
    const char *base = file;
    for (const char *p = file; *p; p++)
        if (*p == '/')
            base = p + 1;
    if (prefix)
        verbose(env, "%s", prefix);
    verbose(env, "%s @ %s:%u\n", line, base, BPF_LINE_INFO_LINE_NUM(li->line_col));
    env->prev_linfo = li;
}

/* kernel/bpf/disasm.c's text of insn idx ("(bf) r2 = r10"). ld_imm64 of a
 * map, map value or function prints its 64-bit immediate as the kernel's
 * log does (the map pointer or value address, the function's offset). */
int bpfrt_v_insn_text(const struct venv *env, uint32_t idx, char *buf, size_t size)
{
    const struct bpf_insn *in = &env->insns[idx];
    const struct bpfrt_dinsn *d = &env->di[idx];
    if (d->op == BPFRT_OP_LDDW && d->src != 0)
        return bpfrt_snprintf(buf, size, "(%02x) r%d = 0x%llx", in->code, in->dst_reg,
                              (unsigned long long)d->value);
    if (d->op == BPFRT_OP_CALL_KFUNC)
        return bpfrt_snprintf(buf, size, "(%02x) call kernel-function", in->code);
    int n = bpfrt_disasm_insn(in, env->len - idx, idx, BPFRT_SYNTAX_KERNEL, buf, size, NULL);
    if (n < 0)
        n = bpfrt_snprintf(buf, size, "(%02x) invalid insn", in->code);
    return n;
}

void bpfrt_v_verbose_insn(struct venv *env, uint32_t idx)
{
    char text[160];
    bpfrt_v_insn_text(env, idx, text, sizeof(text));
    verbose(env, "%s\n", text);
}
