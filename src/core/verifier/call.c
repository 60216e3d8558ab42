/* Helper calls, checked against the helper's row (Linux 6.18 verifier.c
 * check_helper_call, check_func_arg, check_reg_type with
 * compatible_reg_types[], check_func_arg_reg_off, check_helper_mem_access,
 * check_mem_size_reg, check_reg_const_str, record_func_map,
 * get_constant_map_key (mapfunc.c: check_map_func_compatibility),
 * do_refine_retval_range). A bpfrt row names each argument with one of its
 * own kinds; the table below gives each kind Linux's meaning. */
#include "core/verifier/verifier.h"

/* ---- argument kinds in Linux's terms ---- */
enum arg_base {
    AB_NONE, AB_ANYTHING, AB_CONST_MAP_PTR, AB_MAP_KEY, AB_MAP_VALUE, AB_MEM, AB_SIZE, AB_SIZE_OR_ZERO,
    AB_CTX, AB_CONST_STR, AB_SPIN_LOCK, AB_RINGBUF_MEM, AB_ALLOC_SIZE, AB_FUNC, AB_STACK, AB_SOCK, AB_DYNPTR,
    AB_BTF_ID,
};
enum { AF_MAYBE_NULL = 1, AF_UNINIT = 2, AF_WRITE = 4, AF_RELEASE = 8, AF_FIXED = 16 };

struct compat { uint8_t type, flags; const char *name; };
#define C(t, f) { t, f, NULL }
static const struct compat mem_types[] = {
    C(PTR_TO_STACK, 0), C(PTR_TO_PACKET, 0), C(PTR_TO_PACKET_META, 0), C(PTR_TO_MAP_KEY, 0),
    C(PTR_TO_MAP_VALUE, 0), C(PTR_TO_MEM, 0), C(PTR_TO_MEM, MEM_RINGBUF), C(PTR_TO_BUF, 0),
    { NR_VREG_TYPES, 0, "trusted_ptr_" }, { 0, 0, NULL },
};
static const struct compat map_ptr_types[] = { C(CONST_PTR_TO_MAP, 0), { 0, 0, NULL } };
static const struct compat ctx_types[] = { C(PTR_TO_CTX, 0), { 0, 0, NULL } };
static const struct compat scalar_types[] = { C(SCALAR_VALUE, 0), { 0, 0, NULL } };
static const struct compat map_value_types[] = { C(PTR_TO_MAP_VALUE, 0), { 0, 0, NULL } };
static const struct compat spin_lock_types[] = { C(PTR_TO_MAP_VALUE, 0), { NR_VREG_TYPES, 0, "ptr_" },
                                                 { 0, 0, NULL } };
static const struct compat ringbuf_types[] = { C(PTR_TO_MEM, MEM_RINGBUF), { 0, 0, NULL } };
static const struct compat func_types[] = { C(PTR_TO_FUNC, 0), { 0, 0, NULL } };
static const struct compat stack_types[] = { C(PTR_TO_STACK, 0), { 0, 0, NULL } };
#define SOCK_TYPES C(PTR_TO_SOCK_COMMON, 0), C(PTR_TO_SOCKET, 0), C(PTR_TO_TCP_SOCK, 0), C(PTR_TO_XDP_SOCK, 0)
static const struct compat sock_types[] = { SOCK_TYPES, { 0, 0, NULL } };
static const struct compat btf_id_sock_common_types[] = { SOCK_TYPES, C(PTR_TO_BTF_ID, 0),
                                                          C(PTR_TO_BTF_ID, PTR_TRUSTED), { 0, 0, NULL } };
static const struct compat btf_ptr_types[] = { C(PTR_TO_BTF_ID, 0), C(PTR_TO_BTF_ID, PTR_TRUSTED),
                                               C(PTR_TO_BTF_ID, MEM_RCU), { 0, 0, NULL } };
static const struct compat fullsock_types[] = { C(PTR_TO_SOCKET, 0), { 0, 0, NULL } };
static const struct compat dynptr_types[] = { C(PTR_TO_STACK, 0), C(CONST_PTR_TO_DYNPTR, 0), { 0, 0, NULL } };

struct arg_rule {
    uint8_t base, flags, size;
    const struct compat *types;
};

static const struct arg_rule arg_rules[__ARG_TYPE_MAX] = {
    [ARG_DONTCARE] = { AB_NONE, 0, 0, NULL },
    [ARG_ANYTHING] = { AB_ANYTHING, 0, 0, NULL },
    [ARG_CONST_MAP_PTR] = { AB_CONST_MAP_PTR, 0, 0, map_ptr_types },
    [ARG_PTR_TO_MAP_KEY] = { AB_MAP_KEY, 0, 0, mem_types },
    [ARG_PTR_TO_MAP_VALUE] = { AB_MAP_VALUE, 0, 0, mem_types },
    [ARG_PTR_TO_UNINIT_MAP_VALUE] = { AB_MAP_VALUE, AF_UNINIT | AF_WRITE, 0, mem_types },
    [ARG_PTR_TO_MEM] = { AB_MEM, 0, 0, mem_types },
    [ARG_PTR_TO_MEM_OR_NULL] = { AB_MEM, AF_MAYBE_NULL, 0, mem_types },
    [ARG_PTR_TO_UNINIT_MEM] = { AB_MEM, AF_UNINIT | AF_WRITE, 0, mem_types },
    [ARG_CONST_SIZE] = { AB_SIZE, 0, 0, scalar_types },
    [ARG_CONST_SIZE_OR_ZERO] = { AB_SIZE_OR_ZERO, 0, 0, scalar_types },
    [ARG_PTR_TO_CTX] = { AB_CTX, 0, 0, ctx_types },
    [ARG_PTR_TO_CONST_STR] = { AB_CONST_STR, 0, 0, map_value_types },
    [ARG_PTR_TO_SPIN_LOCK] = { AB_SPIN_LOCK, 0, 0, spin_lock_types },
    [ARG_PTR_TO_RINGBUF_MEM] = { AB_RINGBUF_MEM, AF_RELEASE, 0, ringbuf_types },
    [ARG_CONST_ALLOC_SIZE_OR_ZERO] = { AB_ALLOC_SIZE, 0, 0, scalar_types },
    [ARG_PTR_TO_FUNC] = { AB_FUNC, 0, 0, func_types },
    [ARG_PTR_TO_STACK_OR_NULL] = { AB_STACK, AF_MAYBE_NULL, 0, stack_types },
    [ARG_PTR_TO_LONG] = { AB_MEM, AF_UNINIT | AF_WRITE | AF_FIXED, 8, mem_types },
    [ARG_PTR_TO_INT] = { AB_MEM, AF_UNINIT | AF_WRITE | AF_FIXED, 4, mem_types },
    [ARG_PTR_TO_SOCK_COMMON] = { AB_SOCK, 0, 0, sock_types },
    [ARG_PTR_TO_BTF_ID_SOCK_COMMON] = { AB_SOCK, 0, 0, btf_id_sock_common_types },
    [ARG_PTR_TO_SOCKET] = { AB_SOCK, 0, 0, fullsock_types },
    [ARG_PTR_TO_DYNPTR] = { AB_DYNPTR, 0, 0, dynptr_types },
    [ARG_PTR_TO_BTF_ID] = { AB_BTF_ID, 0, 0, btf_ptr_types },
    [ARG_PTR_TO_BTF_ID_OR_NULL] = { AB_BTF_ID, AF_MAYBE_NULL, 0, btf_ptr_types },
    [ARG_PTR_TO_MAP_VALUE_OR_NULL] = { AB_MAP_VALUE, AF_MAYBE_NULL, 0, mem_types },
    [ARG_PTR_TO_UNINIT_DYNPTR] = { AB_DYNPTR, AF_UNINIT | AF_WRITE, 0, dynptr_types },
};

/* Linux gives some helpers one proto per context kind (net/core/filter.c)
 * whose first argument differs; their rows keep ARG_ANYTHING and this table
 * gives the kind per program type: bpf_get_socket_cookie's skb, sock,
 * sock_addr and sock_ops protos take the context (tracing's takes a socket
 * pointer, left to the row), every bpf_get_netns_cookie proto the context
 * or NULL (ARG_PTR_TO_CTX_OR_NULL). */
static const struct arg_rule ctx_or_null_rule = { AB_CTX, AF_MAYBE_NULL, 0, ctx_types };
#define TRACING_LIKE (BPFRT_PROG_TYPE_BIT(BPF_PROG_TYPE_TRACING) | BPFRT_PROG_TYPE_BIT(BPF_PROG_TYPE_LSM) | \
                      BPFRT_PROG_TYPE_BIT(BPF_PROG_TYPE_SYSCALL))
static const struct {
    int32_t func_id;
    uint64_t types;
    const struct arg_rule *arg1;
} per_type_arg1[] = {
    { BPF_FUNC_get_socket_cookie, ~TRACING_LIKE, &arg_rules[ARG_PTR_TO_CTX] },
    { BPF_FUNC_get_netns_cookie, BPFRT_ALL_PROG_TYPES, &ctx_or_null_rule },
};

static const struct arg_rule *arg_rule_of(const struct venv *env, const struct bpfrt_helper_proto *fn,
                                          uint32_t arg)
{
    uint8_t kind = fn->arg_type[arg];
    for (size_t i = 0; arg == 0 && i < sizeof(per_type_arg1) / sizeof(per_type_arg1[0]); i++)
        if (per_type_arg1[i].func_id == (int32_t)fn->id &&
            (per_type_arg1[i].types & BPFRT_PROG_TYPE_BIT(env->prog_type)))
            return per_type_arg1[i].arg1;
    return kind < __ARG_TYPE_MAX ? &arg_rules[kind] : &arg_rules[ARG_DONTCARE];
}

/* resolve_map_arg_type: a map value argument means a socket for a sockmap
 * or sockhash, and bloom filter peeks read an initialised value. */
static int resolve_map_arg_rule(struct venv *env, const struct bpfrt_map *map, uint8_t kind, int32_t func_id,
                                const struct arg_rule **rule)
{
    if (!map)
        return 0;
    if (map->map_type == BPF_MAP_TYPE_SOCKMAP || map->map_type == BPF_MAP_TYPE_SOCKHASH) {
        if (kind != ARG_PTR_TO_MAP_VALUE) {
            verbose(env, "invalid arg_type for sockmap/sockhash\n");
            return -BPFRT_EINVAL;
        }
        *rule = &arg_rules[ARG_PTR_TO_BTF_ID_SOCK_COMMON];
    } else if (map->map_type == BPF_MAP_TYPE_BLOOM_FILTER && func_id == BPF_FUNC_map_peek_elem) {
        *rule = &arg_rules[ARG_PTR_TO_MAP_VALUE];
    }
    return 0;
}

/* The struct a BTF pointer argument must point to (Linux's arg_btf_id):
 * sock_common for the socket kinds, else the helper row's BTF(...) trait. */
static const char *arg_btf_struct(const struct bpfrt_helper_proto *fn, const struct arg_rule *rule)
{
    return rule->base == AB_SOCK ? "sock_common" : fn->arg_btf_struct;
}

/* bpf_helper_changes_pkt_data */
bool bpfrt_v_helper_changes_pkt_data(int32_t id)
{
    switch (id) {
    case BPF_FUNC_clone_redirect: case BPF_FUNC_l3_csum_replace: case BPF_FUNC_l4_csum_replace:
    case BPF_FUNC_lwt_push_encap: case BPF_FUNC_lwt_seg6_action: case BPF_FUNC_lwt_seg6_adjust_srh:
    case BPF_FUNC_lwt_seg6_store_bytes: case BPF_FUNC_msg_pop_data: case BPF_FUNC_msg_pull_data:
    case BPF_FUNC_msg_push_data: case BPF_FUNC_skb_adjust_room: case BPF_FUNC_skb_change_head:
    case BPF_FUNC_skb_change_proto: case BPF_FUNC_skb_change_tail: case BPF_FUNC_skb_pull_data:
    case BPF_FUNC_skb_store_bytes: case BPF_FUNC_skb_vlan_pop: case BPF_FUNC_skb_vlan_push:
    case BPF_FUNC_store_hdr_opt: case BPF_FUNC_xdp_adjust_head: case BPF_FUNC_xdp_adjust_meta:
    case BPF_FUNC_xdp_adjust_tail: case BPF_FUNC_tail_call:
        return true;
    default:
        return false;
    }
}

struct call_meta {
    const struct bpfrt_map *map;
    bool map_anon;
    int32_t func_id;
    uint32_t regno;          /* raw-mode memory argument */
    int access_size;         /* raw-mode bytes the helper writes */
    bool raw_mode;
    bool pkt_access;
    uint32_t release_regno;
    uint32_t ref_obj_id;
    uint64_t msize_max_value;
    uint64_t mem_size;
    int64_t const_map_key;
    int32_t subprogno;
    uint32_t dynptr_ref_obj_id;   /* bpf_dynptr_data's dynptr's reference */
};

static const char *rtype(struct venv *env, const struct vreg *r)
{
    return bpfrt_v_reg_type_str(env, r->type, r->flags);
}

/* check_helper_mem_access: access_size bytes at the pointer in regno. */
static int check_helper_mem_access(struct venv *env, uint32_t regno, int access_size, bool write,
                                   bool zero_size_allowed, struct call_meta *meta)
{
    struct vreg *reg = &cur_regs(env)[regno];
    switch (reg->type) {
    case PTR_TO_PACKET:
    case PTR_TO_PACKET_META:
        return bpfrt_v_check_packet_access(env, regno, reg->off, access_size, zero_size_allowed);
    case PTR_TO_MAP_KEY:
        if (write) {
            verbose(env, "R%d cannot write into %s\n", regno, rtype(env, reg));
            return -BPFRT_EACCES;
        }
        return bpfrt_v_check_mem_region_access(env, regno, reg->off, access_size, reg->map->key_size, false);
    case PTR_TO_MAP_VALUE:
        if (write && (reg->map->map_flags & BPF_F_RDONLY_PROG)) {
            verbose(env, "write into map forbidden, value_size=%d off=%d size=%d\n", reg->map->value_size,
                    reg->off, access_size);
            return -BPFRT_EACCES;
        }
        if (!write && (reg->map->map_flags & BPF_F_WRONLY_PROG)) {
            verbose(env, "read from map forbidden, value_size=%d off=%d size=%d\n", reg->map->value_size,
                    reg->off, access_size);
            return -BPFRT_EACCES;
        }
        return bpfrt_v_check_map_access(env, regno, reg->off, access_size, zero_size_allowed, true);
    case PTR_TO_MEM:
        if (write && (reg->flags & MEM_RDONLY)) {
            verbose(env, "R%d cannot write into %s\n", regno, rtype(env, reg));
            return -BPFRT_EACCES;
        }
        return bpfrt_v_check_mem_region_access(env, regno, reg->off, access_size, (uint32_t)reg->reg_mem_size,
                                               zero_size_allowed);
    case PTR_TO_STACK: {
        bool raw = meta && meta->raw_mode;
        int err = bpfrt_v_check_stack_range_initialized(env, regno, reg->off, access_size, zero_size_allowed,
                                                        write, raw);
        if (!err && raw && bpfrt_tnum_is_const(reg->s.var_off)) {
            meta->access_size = access_size;
            meta->regno = regno;
        }
        return err;
    }
    case PTR_TO_CTX:
        if (!env->ctx_desc || env->ctx_desc->whole_ctx_readable) {
            if (access_size == 0)
                return zero_size_allowed ? 0 : -BPFRT_EACCES;
            return bpfrt_v_check_mem_access(env, env->insn_idx, regno, access_size - 1, 1, write, -1, false,
                                            false);
        }
        /* fallthrough */
    default:
        if (zero_size_allowed && access_size == 0 && register_is_null(reg))
            return 0;
        verbose(env, "R%d type=%s ", regno, rtype(env, reg));
        verbose(env, "expected=%s\n", "fp");
        return -BPFRT_EACCES;
    }
}

int bpfrt_v_check_mem_size_reg(struct venv *env, uint32_t regno, bool zero_size_allowed, bool write,
                               bool raw_mode, uint64_t *msize_max)
{
    struct vreg *reg = &cur_regs(env)[regno];
    *msize_max = reg->s.umax_value;
    if (reg->s.smin_value < 0) {
        verbose(env, "R%d min value is negative, either use unsigned or 'var &= const'\n", regno);
        return -BPFRT_EACCES;
    }
    if (reg->s.umin_value == 0 && !zero_size_allowed) {
        verbose(env, "R%d invalid zero-sized read: u64=[%lld,%lld]\n", regno, (long long)reg->s.umin_value,
                (long long)reg->s.umax_value);
        return -BPFRT_EACCES;
    }
    if (reg->s.umax_value >= BPF_MAX_VAR_SIZ) {
        verbose(env, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'\n", regno);
        return -BPFRT_EACCES;
    }
    struct call_meta m = { 0 };
    m.raw_mode = raw_mode && bpfrt_tnum_is_const(reg->s.var_off);
    int err = check_helper_mem_access(env, regno - 1, (int)reg->s.umax_value, write, zero_size_allowed, &m);
    if (!err && m.access_size) {
        for (int i = 0; i < m.access_size; i++) {
            err = bpfrt_v_check_mem_access(env, env->insn_idx, m.regno, i, 1, true, -1, false, false);
            if (err)
                return err;
        }
    }
    return err ? err : bpfrt_v_mark_chain_precision(env, (int)regno);
}

static int check_reg_type(struct venv *env, uint32_t regno, const struct arg_rule *rule, uint8_t rdonly,
                          bool release, const char *btf_struct)
{
    const struct vreg *reg = &cur_regs(env)[regno];
    uint8_t flags = reg->flags;
    if (rdonly)
        flags &= (uint8_t)~MEM_RDONLY;
    if (rule->flags & AF_MAYBE_NULL)
        flags &= (uint8_t)~PTR_MAYBE_NULL;
    int n = 0;
    for (const struct compat *c = rule->types; c->type || c->name; c++, n++)
        if (!c->name && c->type == reg->type && c->flags == flags)
            return bpfrt_v_check_btf_arg(env, regno, reg, (rule->flags & AF_MAYBE_NULL) != 0, release,
                                         btf_struct);
    verbose(env, "R%d type=%s expected=", regno, rtype(env, reg));
    for (int i = 0; i < n; i++) {
        const struct compat *c = &rule->types[i];
        const char *name = c->name ? c->name : bpfrt_v_reg_type_str(env, c->type, c->flags);
        verbose(env, "%s%s", name, i + 1 < n ? ", " : "\n");
    }
    return -BPFRT_EACCES;
}

static int check_func_arg_reg_off(struct venv *env, const struct vreg *reg, uint32_t regno, bool release,
                                  bool dynptr)
{
    if (release && dynptr && reg->type == PTR_TO_STACK)
        return 0; /* the dynptr's slot: checked by process_dynptr_func */
    if (release) {
        if (reg->off) {
            verbose(env, "R%d must have zero offset when passed to release func or trusted arg to kfunc\n",
                    regno);
            return -BPFRT_EINVAL;
        }
    } else {
        switch (reg->type) {
        case PTR_TO_STACK: case PTR_TO_PACKET: case PTR_TO_PACKET_META: case PTR_TO_MAP_KEY:
        case PTR_TO_MAP_VALUE: case PTR_TO_MEM: case PTR_TO_BUF: case SCALAR_VALUE:
            return 0;
        default:
            break;
        }
    }
    const char *t = rtype(env, reg);
    if (reg->off < 0) {
        verbose(env, "negative offset %s ptr R%d off=%d disallowed\n", t, regno, reg->off);
        return -BPFRT_EACCES;
    }
    if (reg->off) {
        verbose(env, "dereference of modified %s ptr R%d off=%d disallowed\n", t, regno, reg->off);
        return -BPFRT_EACCES;
    }
    if (!bpfrt_tnum_is_const(reg->s.var_off) || reg->s.var_off.value) {
        verbose(env, "variable %s access var_off=(0x%llx; 0x%llx) disallowed\n", t,
                (unsigned long long)reg->s.var_off.value, (unsigned long long)reg->s.var_off.mask);
        return -BPFRT_EACCES;
    }
    return 0;
}

/* get_constant_map_key: a key on the stack that is a known constant. */
static int64_t constant_map_key(struct venv *env, const struct vreg *key, uint32_t key_size, int *err)
{
    if (key->type != PTR_TO_STACK || !bpfrt_tnum_is_const(key->s.var_off))
        return -1;
    const struct vframe *f = env->cur_state->frame[key->frameno];
    int32_t stack_off = key->off + (int32_t)key->s.var_off.value;
    int32_t slot = -stack_off - 1;
    uint32_t spi = (uint32_t)slot / BPF_REG_SIZE;
    int off = slot % BPF_REG_SIZE;
    if (spi >= f->nslots)
        return -1;
    const uint8_t *stype = f->stack[spi].slot_type;
    uint32_t zero_size = 0, spill_size = 0;
    for (int i = off; i >= 0 && stype[i] == STACK_ZERO; i--)
        zero_size++;
    if (zero_size >= key_size)
        return 0;
    if (!bpfrt_v_is_spilled_scalar_reg(&f->stack[spi]))
        return -1;
    for (int i = off; i >= 0 && stype[i] == STACK_SPILL; i--)
        spill_size++;
    if (spill_size != key_size || !bpfrt_tnum_is_const(f->stack[spi].spilled_ptr.s.var_off))
        return -1;
    /* the lookup's nullness now rests on this value */
    *err = bpfrt_v_mark_stack_slot_precise(env, key->frameno, spi);
    return (int64_t)f->stack[spi].spilled_ptr.s.var_off.value;
}

static int check_reg_const_str(struct venv *env, uint32_t regno)
{
    const struct vreg *reg = &cur_regs(env)[regno];
    struct bpfrt_map *map = (struct bpfrt_map *)reg->map;
    if (reg->type != PTR_TO_MAP_VALUE)
        return -BPFRT_EINVAL;
    if (!(map->map_flags & BPF_F_RDONLY_PROG) || !map->frozen) {
        verbose(env, "R%d does not point to a readonly map'\n", regno);
        return -BPFRT_EACCES;
    }
    if (!bpfrt_tnum_is_const(reg->s.var_off)) {
        verbose(env, "R%d is not a constant address'\n", regno);
        return -BPFRT_EACCES;
    }
    uint64_t addr;
    if (map->map_type != BPF_MAP_TYPE_ARRAY || bpfrt_map_direct_value_addr(map, 0, &addr)) {
        verbose(env, "no direct value access support for this map type\n");
        return -BPFRT_EACCES;
    }
    int err = bpfrt_v_check_map_access(env, regno, reg->off, (int)map->value_size - reg->off, false, true);
    if (err)
        return err;
    uint32_t map_off = (uint32_t)(reg->off + (int32_t)reg->s.var_off.value);
    const char *str = (const char *)(uintptr_t)addr + map_off;
    if (bpfrt_strnlen(str, map->value_size - map_off) == map->value_size - map_off) {
        verbose(env, "string is not zero-terminated\n");
        return -BPFRT_EINVAL;
    }
    return 0;
}

static int check_func_arg(struct venv *env, uint32_t arg, struct call_meta *meta,
                          const struct bpfrt_helper_proto *fn)
{
    uint32_t regno = BPF_REG_1 + arg;
    const struct arg_rule *rule = arg_rule_of(env, fn, arg);
    uint8_t rdonly = (fn->arg_rdonly >> arg) & 1;
    if (rule->base == AB_NONE)
        return 0;
    int err = bpfrt_v_check_reg_arg(env, regno, SRC_OP);
    if (err)
        return err;
    if (rule->base == AB_MAP_VALUE &&
        (err = resolve_map_arg_rule(env, meta->map, fn->arg_type[arg], meta->func_id, &rule)))
        return err;
    if (rule->base == AB_ANYTHING)
        return bpfrt_v_unpriv_leak(env, (int)regno, "into helper function");
    struct vreg *reg = &cur_regs(env)[regno];
    if (type_is_pkt_pointer(reg->type) && !(meta->pkt_access && bpfrt_v_may_access_direct_pkt_data(env, false))) {
        verbose(env, "helper access to the packet is not allowed\n");
        return -BPFRT_EACCES;
    }
    bool release = (rule->flags & AF_RELEASE) || (fn->arg_flags[arg] & BPFRT_ARG_RELEASE);
    if (!(register_is_null(reg) && (rule->flags & AF_MAYBE_NULL))) {
        err = check_reg_type(env, regno, rule, rdonly, release, arg_btf_struct(fn, rule));
        if (!err)
            err = check_func_arg_reg_off(env, reg, regno, release, rule->base == AB_DYNPTR);
        if (err)
            return err;
    }
    if (release && rule->base == AB_DYNPTR) {
        err = bpfrt_v_check_dynptr_release_arg(env, regno);
        if (err)
            return err;
        meta->release_regno = regno;
    } else if (release) {
        if (!reg->ref_obj_id && !register_is_null(reg)) {
            verbose(env, "R%d must be referenced when passed to release function\n", regno);
            return -BPFRT_EINVAL;
        }
        meta->release_regno = regno;
    }
    if (reg->ref_obj_id) {
        if (meta->ref_obj_id) {
            verbose(env, "more than one arg with ref_obj_id R%d %u %u", regno, reg->ref_obj_id, meta->ref_obj_id);
            return -BPFRT_EACCES;
        }
        meta->ref_obj_id = reg->ref_obj_id;
    }
    bool write = rule->flags & AF_WRITE;
    switch (rule->base) {
    case AB_CONST_MAP_PTR:
        meta->map = reg->map;
        meta->map_anon = reg->map_anon;
        break;
    case AB_MAP_KEY:
        if (!meta->map)
            return -BPFRT_EFAULT;
        err = check_helper_mem_access(env, regno, (int)meta->map->key_size, false, false, NULL);
        if (!err && (meta->map->map_type == BPF_MAP_TYPE_ARRAY || meta->map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY)) {
            meta->const_map_key = constant_map_key(env, reg, meta->map->key_size, &err);
        }
        break;
    case AB_MAP_VALUE:
        if (!meta->map)
            return -BPFRT_EFAULT;
        if ((rule->flags & AF_MAYBE_NULL) && register_is_null(reg))
            break; /* a local storage's initial value may be NULL */
        meta->raw_mode = rule->flags & AF_UNINIT;
        err = check_helper_mem_access(env, regno, (int)meta->map->value_size, write, false, meta);
        break;
    case AB_SPIN_LOCK:
        err = bpfrt_v_process_spin_lock(env, regno, meta->func_id == BPF_FUNC_spin_lock);
        break;
    case AB_FUNC:
        meta->subprogno = reg->reg_subprogno;
        break;
    case AB_MEM:
        meta->raw_mode = rule->flags & AF_UNINIT;
        if (rule->flags & AF_FIXED)
            err = check_helper_mem_access(env, regno, rule->size, write, false, meta);
        else if (fn->arg_size[arg]) /* MEM_FIXED_SIZE: initialised, written unless MEM_RDONLY */
            err = check_helper_mem_access(env, regno, fn->arg_size[arg], !rdonly, false, meta);
        break;
    case AB_SIZE:
    case AB_SIZE_OR_ZERO: {
        const struct arg_rule *prev = &arg_rules[fn->arg_type[arg - 1]];
        /* memory the helper may write (6.18's MEM_WRITE: every ARG_PTR_TO_MEM
         * not MEM_RDONLY) loses what was spilled there */
        bool written = (prev->flags & AF_WRITE) || (prev->base == AB_MEM && !((fn->arg_rdonly >> (arg - 1)) & 1));
        err = bpfrt_v_check_mem_size_reg(env, regno, rule->base == AB_SIZE_OR_ZERO, written, meta->raw_mode,
                                         &meta->msize_max_value);
        break;
    }
    case AB_ALLOC_SIZE:
        if (!bpfrt_tnum_is_const(reg->s.var_off)) {
            verbose(env, "R%d is not a known constant'\n", regno);
            return -BPFRT_EACCES;
        }
        meta->mem_size = reg->s.var_off.value;
        err = bpfrt_v_mark_chain_precision(env, (int)regno);
        break;
    case AB_CONST_STR:
        err = check_reg_const_str(env, regno);
        break;
    case AB_DYNPTR: {
        /* the dynptr type a helper makes or wants (arg_to_dynptr_type) */
        int32_t type = BPF_DYNPTR_TYPE_INVALID;
        if (meta->func_id == BPF_FUNC_dynptr_from_mem)
            type = BPF_DYNPTR_TYPE_LOCAL;
        else if (meta->func_id == BPF_FUNC_ringbuf_reserve_dynptr || release)
            type = BPF_DYNPTR_TYPE_RINGBUF;
        err = bpfrt_v_process_dynptr_arg(env, regno, rule->flags & AF_UNINIT, rdonly, type);
        if (!err && meta->func_id == BPF_FUNC_dynptr_data)
            meta->dynptr_ref_obj_id = bpfrt_v_dynptr_ref_obj_id(env, reg);
        break;
    }
    default:
        break;
    }
    return err;
}

int bpfrt_v_check_trusted_arg(struct venv *env, uint32_t regno, bool nullable, const char *btf_struct)
{
    const struct vreg *reg = &cur_regs(env)[regno];
    if (nullable && register_is_null(reg))
        return 0;
    /* is_trusted_reg: a reference, or trusted with no other flag (the
     * running 6.18 kernel asks this first) */
    if (!reg->ref_obj_id && !(reg->type == PTR_TO_BTF_ID && reg->flags == PTR_TRUSTED)) {
        verbose(env, "R%d must be referenced or trusted\n", regno);
        return -BPFRT_EINVAL;
    }
    const struct arg_rule *rule = &arg_rules[nullable ? ARG_PTR_TO_BTF_ID_OR_NULL : ARG_PTR_TO_BTF_ID];
    int err = check_reg_type(env, regno, rule, 0, false, btf_struct);
    return err ? err : check_func_arg_reg_off(env, reg, regno, false, false);
}

static int record_func_map(struct venv *env, const struct call_meta *meta, int32_t id)
{
    switch (id) {
    case BPF_FUNC_tail_call: case BPF_FUNC_map_lookup_elem: case BPF_FUNC_map_update_elem:
    case BPF_FUNC_map_delete_elem: case BPF_FUNC_map_push_elem: case BPF_FUNC_map_pop_elem:
    case BPF_FUNC_map_peek_elem: case BPF_FUNC_for_each_map_elem: case BPF_FUNC_redirect_map:
    case BPF_FUNC_map_lookup_percpu_elem:
        break;
    default:
        return 0;
    }
    if (!meta->map)
        return -BPFRT_EFAULT;
    if ((meta->map->map_flags & BPF_F_RDONLY_PROG) &&
        (id == BPF_FUNC_map_delete_elem || id == BPF_FUNC_map_update_elem || id == BPF_FUNC_map_push_elem ||
         id == BPF_FUNC_map_pop_elem)) {
        verbose(env, "write into map forbidden\n");
        return -BPFRT_EACCES;
    }
    struct vaux *aux = &env->aux[env->insn_idx];
    aux->map_poisoned |= aux->map && aux->map != meta->map;
    aux->map = meta->map;
    return 0;
}

static void set_r0_ret(struct venv *env, const struct bpfrt_helper_proto *fn, const struct call_meta *meta)
{
    struct vreg *r0 = &cur_regs(env)[BPF_REG_0];
    switch (fn->ret_type) {
    case RET_INTEGER:
        bpfrt_v_mark_reg_unknown(r0);
        break;
    case RET_VOID:
        r0->type = NOT_INIT;
        break;
    case RET_PTR_TO_MAP_VALUE:
    case RET_PTR_TO_MAP_VALUE_OR_NULL: {
        bool maybe_null = fn->ret_type == RET_PTR_TO_MAP_VALUE_OR_NULL;
        bpfrt_v_mark_reg_known_zero(r0);
        if (meta->func_id == BPF_FUNC_map_lookup_elem &&
            (meta->map->map_type == BPF_MAP_TYPE_ARRAY || meta->map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
            meta->const_map_key >= 0 && meta->const_map_key < (int64_t)meta->map->max_entries)
            maybe_null = false;
        r0->map = meta->map;
        r0->map_anon = meta->map_anon;
        r0->type = PTR_TO_MAP_VALUE;
        if (meta->map->inner_meta) {
            /* a map-in-map lookup yields the inner map (map_ptr_or_null) */
            r0->type = CONST_PTR_TO_MAP;
            r0->map = meta->map->inner_meta;
            r0->map_anon = true;
        }
        r0->flags = maybe_null ? PTR_MAYBE_NULL : 0;
        if (!maybe_null && meta->map->spin_lock_off >= 0)
            r0->id = bpfrt_v_new_id(env);
        break;
    }
    case RET_PTR_TO_MEM_OR_NULL:
        bpfrt_v_mark_reg_known_zero(r0);
        r0->type = PTR_TO_MEM;
        r0->flags = MEM_RINGBUF | PTR_MAYBE_NULL;
        r0->reg_mem_size = (int32_t)meta->mem_size;
        break;
    case RET_PTR_TO_SOCKET_OR_NULL:
    case RET_PTR_TO_SOCK_COMMON_OR_NULL:
    case RET_PTR_TO_TCP_SOCK_OR_NULL:
        bpfrt_v_mark_reg_known_zero(r0);
        r0->type = fn->ret_type == RET_PTR_TO_SOCKET_OR_NULL       ? PTR_TO_SOCKET
                   : fn->ret_type == RET_PTR_TO_SOCK_COMMON_OR_NULL ? PTR_TO_SOCK_COMMON
                                                                     : PTR_TO_TCP_SOCK;
        r0->flags = PTR_MAYBE_NULL;
        break;
    case RET_PTR_TO_BTF_ID: /* bpf_get_current_task_btf (unmodelled() lets no other through) */
        break;
    case RET_PTR_TO_DYNPTR_MEM_OR_NULL:
        /* a slice of the dynptr: dies with the dynptr's reference */
        bpfrt_v_mark_reg_known_zero(r0);
        r0->type = PTR_TO_MEM;
        r0->flags = PTR_MAYBE_NULL;
        r0->reg_mem_size = (int32_t)meta->mem_size;
        r0->ref_obj_id = meta->dynptr_ref_obj_id;
        break;
    default:
        bpfrt_v_mark_reg_unknown(r0);
        break;
    }
    if (type_may_be_null(r0->flags))
        r0->id = bpfrt_v_new_id(env);
}

/* What of a row this verifier does not model - an argument kind without a
 * rule above (a BTF pointer argument of a struct arg_btf_struct does not
 * know), a BTF return other than bpf_get_current_task_btf's, or a callback
 * it does not explore - or NULL. Such a call is refused: accepted
 * unchecked, a verified run would trust pointers nothing proved. */
static const char *unmodelled(const struct bpfrt_helper_proto *fn, int32_t id)
{
    for (int i = 0; i < 5; i++) {
        uint8_t k = fn->arg_type[i];
        if (k != ARG_DONTCARE && (k >= __ARG_TYPE_MAX || arg_rules[k].base == AB_NONE))
            return bpfrt_helper_arg_type_name(k);
        if (k < __ARG_TYPE_MAX && arg_rules[k].base == AB_BTF_ID && !arg_btf_struct(fn, &arg_rules[k]))
            return bpfrt_helper_arg_type_name(k);
    }
    if ((fn->ret_type == RET_PTR_TO_BTF_ID && id != BPF_FUNC_get_current_task_btf) ||
        fn->ret_type == RET_PTR_TO_BTF_ID_OR_NULL || fn->ret_type >= __RET_TYPE_MAX)
        return bpfrt_helper_ret_type_name(fn->ret_type);
    if (fn->cb && id != BPF_FUNC_loop && id != BPF_FUNC_for_each_map_elem &&
        id != BPF_FUNC_user_ringbuf_drain)
        return "its callback";
    return NULL;
}

int bpfrt_v_check_helper_call(struct venv *env, const struct bpfrt_dinsn *d, int32_t *insn_idx)
{
    int32_t id = d->imm;
    /* the runtime's one helper policy (exists and is provided, program
     * type, GPL), with Linux's words where Linux has them */
    const struct bpfrt_helper_proto *fn = NULL;
    char why[128];
    if (bpfrt_helper_allowed(env->rt, (uint32_t)id, env->prog_type, env->args->gpl, &fn, why, sizeof(why))) {
        verbose(env, "%s\n", why);
        return -BPFRT_EINVAL;
    }
    if (bpfrt_v_unpriv_helper_denied(env, id)) { /* bpf_base_func_proto: CAP_BPF/CAP_PERFMON only */
        verbose(env, "program of this type cannot use helper %s#%d\n", fn->name, id);
        return -BPFRT_EINVAL;
    }
    const char *gap = unmodelled(fn, id);
    if (gap) {
        verbose(env, "helper %s#%d is not provided to verified programs yet (the verifier does not model %s): "
                     "load the program unverified (BPFRT_PROG_F_NO_VERIFY, --no-verify)\n", fn->name, id, gap);
        return -BPFRT_EINVAL;
    }
    if ((fn->flags & BPFRT_HELPER_SLEEPABLE) && !(env->args->prog_flags & BPF_F_SLEEPABLE)) { /* might_sleep */
        verbose(env, "helper call might sleep in a non-sleepable prog\n");
        return -BPFRT_EINVAL;
    }
    struct call_meta meta;
    bpfrt_memset(&meta, 0, sizeof(meta));
    meta.func_id = id;
    meta.pkt_access = fn->flags & BPFRT_HELPER_PKT_ACCESS; /* bpf_func_proto.pkt_access */
    meta.const_map_key = -1;
    int err = 0;
    for (uint32_t i = 0; i < MAX_BPF_FUNC_REG_ARGS && !err; i++)
        err = check_func_arg(env, i, &meta, fn);
    if (!err)
        err = record_func_map(env, &meta, id);
    if (!err && id == BPF_FUNC_tail_call && (!meta.map || meta.map->map_type != BPF_MAP_TYPE_PROG_ARRAY)) {
        verbose(env, "expected prog array map for tail call"); /* record_func_key: no newline, as Linux */
        err = -BPFRT_EINVAL;
    }
    if (err)
        return err;
    struct vreg *regs = cur_regs(env);
    if (meta.release_regno) {
        err = -BPFRT_EINVAL;
        if (arg_rules[fn->arg_type[meta.release_regno - BPF_REG_1]].base == AB_DYNPTR)
            err = bpfrt_v_unmark_dynptr(env, meta.release_regno);
        else if (meta.ref_obj_id)
            err = bpfrt_v_release_reference(env, meta.ref_obj_id);
        else if (register_is_null(&regs[meta.release_regno]))
            err = 0;
        if (err) {
            verbose(env, "func %s#%d reference has not been acquired before\n", fn->name, id);
            return err;
        }
    }
    switch (id) {
    case BPF_FUNC_tail_call:
        err = bpfrt_v_check_resource_leak(env, false, true, "tail_call");
        if (!err && register_is_const(&regs[BPF_REG_3]) && meta.map &&
            regs[BPF_REG_3].s.var_off.value < meta.map->max_entries)
            err = bpfrt_v_mark_chain_precision(env, BPF_REG_3); /* record_func_key */
        break;
    case BPF_FUNC_for_each_map_elem:
    case BPF_FUNC_user_ringbuf_drain:
        err = bpfrt_v_push_callback_call(env, (uint32_t)*insn_idx, (uint32_t)meta.subprogno, id);
        break;
    case BPF_FUNC_dynptr_from_mem:
        if (regs[BPF_REG_1].type != PTR_TO_MAP_VALUE) {
            verbose(env, "Unsupported reg type %s for bpf_dynptr_from_mem data\n",
                    rtype(env, &regs[BPF_REG_1]));
            return -BPFRT_EACCES;
        }
        break;
    case BPF_FUNC_loop:
        err = bpfrt_v_mark_chain_precision(env, BPF_REG_1);
        if (err)
            return err;
        if (cur_func(env)->callback_depth < regs[BPF_REG_1].s.umax_value) {
            err = bpfrt_v_push_callback_call(env, (uint32_t)*insn_idx, (uint32_t)meta.subprogno, id);
        } else {
            cur_func(env)->callback_depth = 0;
            if (log_level(env, BPF_LOG_LEVEL2))
                verbose(env, "frame%d bpf_loop iteration limit reached\n", env->cur_state->curframe);
        }
        break;
    default:
        break;
    }
    if (err)
        return err;
    for (uint32_t i = 0; i < CALLER_SAVED_REGS; i++) {
        bpfrt_v_mark_reg_not_init(&regs[i]);
        bpfrt_v_mark_reg_scratched(env, i);
    }
    set_r0_ret(env, fn, &meta);
    if (fn->ret_type == RET_PTR_TO_BTF_ID) {
        err = bpfrt_v_ret_task_btf(env, &regs[BPF_REG_0]);
        if (err)
            return err;
    }
    if (id == BPF_FUNC_sk_fullsock || id == BPF_FUNC_tcp_sock) { /* is_ptr_cast_function */
        regs[BPF_REG_0].ref_obj_id = meta.ref_obj_id;
    } else if ((fn->flags & BPFRT_HELPER_ACQUIRE) ||
               (id == BPF_FUNC_map_lookup_elem && meta.map &&
                (meta.map->map_type == BPF_MAP_TYPE_SOCKMAP || meta.map->map_type == BPF_MAP_TYPE_SOCKHASH))) {
        /* is_acquire_function: a socket from a sockmap is a reference too */
        int ref = bpfrt_v_acquire_reference(env, (uint32_t)*insn_idx);
        if (ref < 0)
            return ref;
        regs[BPF_REG_0].id = (uint32_t)ref;
        regs[BPF_REG_0].ref_obj_id = (uint32_t)ref;
    }
    struct vreg *r0 = &regs[BPF_REG_0];
    if (fn->ret_type == RET_INTEGER) {
        if (id == BPF_FUNC_probe_read_str || id == BPF_FUNC_probe_read_kernel_str ||
            id == BPF_FUNC_probe_read_user_str || id == BPF_FUNC_get_stack || id == BPF_FUNC_get_task_stack) {
            /* do_refine_retval_range: at most the buffer's size, or -errno */
            r0->s.smax_value = (int64_t)meta.msize_max_value;
            r0->s.s32_max_value = (int32_t)meta.msize_max_value;
            r0->s.smin_value = -4095;
            r0->s.s32_min_value = -4095;
            bpfrt_bounds_sync(&r0->s);
        } else if (id == BPF_FUNC_get_smp_processor_id) {
            uint32_t n = env->rt->ncpus ? env->rt->ncpus - 1 : 0;
            r0->s.umin_value = r0->s.u32_min_value = 0;
            r0->s.smin_value = r0->s.s32_min_value = 0;
            r0->s.umax_value = r0->s.u32_max_value = n;
            r0->s.smax_value = r0->s.s32_max_value = (int32_t)n;
            bpfrt_bounds_sync(&r0->s);
        }
    }
    err = bpfrt_v_check_map_func_compatibility(env, meta.map, id);
    if (err)
        return err;
    bool changes_pkt = bpfrt_v_helper_changes_pkt_data(id);
    env->changes_pkt_data |= changes_pkt;
    /* after bpf_tail_call the walk goes on where it failed, which changed
     * nothing (a successful one never comes back, or from a subprogram
     * returns to the caller: bpfrt_v_tail_call_return), as in 6.18 */
    if (id == BPF_FUNC_tail_call)
        return env->cur_state->curframe ? bpfrt_v_tail_call_return(env, insn_idx) : 0;
    if (changes_pkt)
        bpfrt_v_clear_all_pkt_pointers(env);
    return 0;
}

/* check_mem_reg: a global function's memory argument must be readable and
 * writable for the pointee's size (NULL allowed). */
int bpfrt_v_check_global_mem_arg(struct venv *env, uint32_t regno, uint32_t mem_size)
{
    struct vreg *reg = &cur_regs(env)[regno];
    if (register_is_null(reg))
        return 0;
    int err = check_func_arg_reg_off(env, reg, regno, false, false);
    if (err)
        return err;
    struct vreg saved = *reg;
    reg->flags &= (uint8_t)~PTR_MAYBE_NULL;
    err = check_helper_mem_access(env, regno, (int)mem_size, false, true, NULL);
    if (!err)
        err = check_helper_mem_access(env, regno, (int)mem_size, true, true, NULL);
    *reg = saved;
    return err;
}
