/* Memory accesses, by the kind of pointer (Linux 6.18 verifier.c
 * check_mem_access and what it calls: check_ptr_alignment,
 * check_mem_region_access, __check_mem_access, check_map_access(_type),
 * check_packet_access, may_access_direct_pkt_data, check_ctx_access with the
 * program type's context description, __check_ptr_off_reg,
 * check_ptr_to_map_access, and the read of frozen read-only map values as
 * known constants). */
#include "core/verifier/verifier.h"

static const char *type_str(struct venv *env, const struct vreg *r)
{
    return bpfrt_v_reg_type_str(env, r->type, r->flags);
}

/* ---- alignment ---- */

static int check_ptr_alignment(struct venv *env, const struct vreg *reg, int32_t off, int size, bool strict_once)
{
    bool strict = (env->args->prog_flags & BPF_F_STRICT_ALIGNMENT) || strict_once;
    const char *desc = "";
    int ip_align = 0;
    switch (reg->type) {
    case PTR_TO_PACKET:
    case PTR_TO_PACKET_META:
        ip_align = 2; /* NET_IP_ALIGN as the strict check emulates it */
        break;
    case PTR_TO_FLOW_KEYS: desc = "flow keys "; break;
    case PTR_TO_MAP_KEY: desc = "key "; break;
    case PTR_TO_MAP_VALUE: desc = "value "; break;
    case PTR_TO_CTX: desc = "context "; break;
    case PTR_TO_STACK:
        desc = "stack ";
        strict = true; /* spill tracking relies on aligned stack access */
        break;
    case PTR_TO_SOCKET: desc = "sock "; break;
    case PTR_TO_SOCK_COMMON: desc = "sock_common "; break;
    case PTR_TO_TCP_SOCK: desc = "tcp_sock "; break;
    case PTR_TO_XDP_SOCK: desc = "xdp_sock "; break;
    default: break;
    }
    if (!strict || size == 1)
        return 0;
    struct bpfrt_tnum reg_off = bpfrt_tnum_add(reg->s.var_off, bpfrt_tnum_const((uint64_t)(int64_t)(ip_align + reg->off + off)));
    if (bpfrt_tnum_is_aligned(reg_off, (uint64_t)size))
        return 0;
    char tn[48];
    bpfrt_v_tnum_str(tn, sizeof(tn), reg->s.var_off);
    if (ip_align)
        verbose(env, "misaligned packet access off %d+%s+%d+%d size %d\n", ip_align, tn, reg->off, off, size);
    else
        verbose(env, "misaligned %saccess off %s+%d+%d size %d\n", desc, tn, reg->off, off, size);
    return -BPFRT_EACCES;
}

/* ---- bounded regions: map keys and values, helper memory, packets ---- */

static int check_mem_access_range(struct venv *env, uint32_t regno, int off, int size, uint32_t mem_size,
                                  bool zero_size_allowed)
{
    bool size_ok = size > 0 || (size == 0 && zero_size_allowed);
    if (off >= 0 && size_ok && (uint64_t)off + (uint64_t)size <= mem_size)
        return 0;
    const struct vreg *reg = &cur_regs(env)[regno];
    switch (reg->type) {
    case PTR_TO_MAP_KEY:
        verbose(env, "invalid access to map key, key_size=%d off=%d size=%d\n", mem_size, off, size);
        break;
    case PTR_TO_MAP_VALUE:
        verbose(env, "invalid access to map value, value_size=%d off=%d size=%d\n", mem_size, off, size);
        break;
    case PTR_TO_PACKET:
    case PTR_TO_PACKET_META:
    case PTR_TO_PACKET_END:
        verbose(env, "invalid access to packet, off=%d size=%d, R%d(id=%d,off=%d,r=%d)\n", off, size, regno,
                reg->id, off, mem_size);
        break;
    default:
        verbose(env, "invalid access to memory, mem_size=%u off=%d size=%d\n", mem_size, off, size);
    }
    return -BPFRT_EACCES;
}

int bpfrt_v_check_mem_region_access(struct venv *env, uint32_t regno, int32_t off, int size, uint32_t mem_size,
                                    bool zero_size_allowed)
{
    const struct vreg *reg = &cur_regs(env)[regno];
    int64_t smin = reg->s.smin_value;
    if (smin < 0 && (smin == INT64_MIN || (off + smin != (int64_t)(int32_t)(off + smin)) || smin + off < 0)) {
        verbose(env, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.\n",
                regno);
        return -BPFRT_EACCES;
    }
    int err = check_mem_access_range(env, regno, (int)(smin + off), size, mem_size, zero_size_allowed);
    if (err) {
        verbose(env, "R%d min value is outside of the allowed memory range\n", regno);
        return err;
    }
    if (reg->s.umax_value >= BPF_MAX_VAR_OFF) {
        verbose(env, "R%d unbounded memory access, make sure to bounds check any such access\n", regno);
        return -BPFRT_EACCES;
    }
    err = check_mem_access_range(env, regno, (int)(reg->s.umax_value + (uint64_t)(int64_t)off), size, mem_size,
                                 zero_size_allowed);
    if (err) {
        verbose(env, "R%d max value is outside of the allowed memory range\n", regno);
        return err;
    }
    return 0;
}

/* check_map_access: the value's bounds, then no direct touch of the
 * bpf_spin_lock a value holds. */
int bpfrt_v_check_map_access(struct venv *env, uint32_t regno, int32_t off, int size, bool zero_size_allowed,
                             bool helper)
{
    const struct vreg *reg = &cur_regs(env)[regno];
    const struct bpfrt_map *map = reg->map;
    (void)helper;
    int err = bpfrt_v_check_mem_region_access(env, regno, off, size, map->value_size, zero_size_allowed);
    if (err)
        return err;
    if (map->spin_lock_off >= 0) {
        int64_t p = map->spin_lock_off;
        if (reg->s.smin_value + off < p + 4 && p < (int64_t)(reg->s.umax_value + (uint64_t)(int64_t)off) + size) {
            verbose(env, "bpf_spin_lock cannot be accessed directly by load/store\n");
            return -BPFRT_EACCES;
        }
    }
    return 0;
}

static int check_map_access_type(struct venv *env, uint32_t regno, int32_t off, int size, bool write)
{
    const struct bpfrt_map *map = cur_regs(env)[regno].map;
    if (write && (map->map_flags & BPF_F_RDONLY_PROG)) {
        verbose(env, "write into map forbidden, value_size=%d off=%d size=%d\n", map->value_size, off, size);
        return -BPFRT_EACCES;
    }
    if (!write && (map->map_flags & BPF_F_WRONLY_PROG)) {
        verbose(env, "read from map forbidden, value_size=%d off=%d size=%d\n", map->value_size, off, size);
        return -BPFRT_EACCES;
    }
    return 0;
}

/* may_access_direct_pkt_data, from the program type's row. */
bool bpfrt_v_may_access_direct_pkt_data(struct venv *env, bool write)
{
    const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(env->prog_type);
    uint8_t pkt = row ? row->pkt : BPFRT_PKT_NONE;
    if (pkt == BPFRT_PKT_NONE || (write && pkt != BPFRT_PKT_READ_WRITE))
        return false;
    env->seen_direct_write |= write;
    return true;
}

int bpfrt_v_check_packet_access(struct venv *env, uint32_t regno, int32_t off, int size, bool zero_size_allowed)
{
    const struct vreg *reg = &cur_regs(env)[regno];
    if (reg->s.smin_value < 0) {
        verbose(env, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.\n",
                regno);
        return -BPFRT_EACCES;
    }
    int err = reg->reg_range < 0 ? -BPFRT_EINVAL
                                 : check_mem_access_range(env, regno, off, size, (uint32_t)reg->reg_range,
                                                          zero_size_allowed);
    if (err)
        verbose(env, "R%d offset is outside of the packet\n", regno);
    return err;
}

/* ---- the context ---- */

static int check_ptr_off_reg(struct venv *env, const struct vreg *reg, uint32_t regno, bool fixed_off_ok)
{
    if (reg->off < 0) {
        verbose(env, "negative offset %s ptr R%d off=%d disallowed\n", type_str(env, reg), regno, reg->off);
        return -BPFRT_EACCES;
    }
    if (!fixed_off_ok && reg->off) {
        verbose(env, "dereference of modified %s ptr R%d off=%d disallowed\n", type_str(env, reg), regno, reg->off);
        return -BPFRT_EACCES;
    }
    if (!bpfrt_tnum_is_const(reg->s.var_off) || reg->s.var_off.value) {
        char tn[48];
        bpfrt_v_tnum_str(tn, sizeof(tn), reg->s.var_off);
        verbose(env, "variable %s access var_off=%s disallowed\n", type_str(env, reg), tn);
        return -BPFRT_EACCES;
    }
    return 0;
}

/* The register type a context load yields (bpf_insn_access_aux.reg_type). */
static void ctx_field_reg_type(const struct bpfrt_ctx_field *f, uint8_t *type, uint8_t *flags)
{
    *flags = 0;
    switch (f->kind) {
    case BPFRT_CTX_PTR_TO_PACKET: *type = PTR_TO_PACKET; break;
    case BPFRT_CTX_PTR_TO_PACKET_END: *type = PTR_TO_PACKET_END; break;
    case BPFRT_CTX_PTR_TO_PACKET_META: *type = PTR_TO_PACKET_META; break;
    case BPFRT_CTX_PTR_SOCKET:
        *type = PTR_TO_SOCKET;
        *flags = PTR_MAYBE_NULL;
        break;
    case BPFRT_CTX_PTR_SOCK_COMMON:
        *type = PTR_TO_SOCK_COMMON;
        *flags = PTR_MAYBE_NULL;
        break;
    case BPFRT_CTX_PTR_FLOW_KEYS:
        *type = PTR_TO_FLOW_KEYS;
        break;
    case BPFRT_CTX_PTR_OTHER:
        /* netfilter state: not modelled - a pointer of no
         * known type, which may be tested for NULL and passed on but not
         * dereferenced */
        *type = PTR_TO_BTF_ID;
        *flags = PTR_MAYBE_NULL;
        break;
    default: *type = SCALAR_VALUE; break;
    }
}

/* cg_skb_is_valid_access: a cgroup skb program loaded without CAP_BPF
 * neither reads the packet pointers nor writes the timestamp. */
static bool ctx_field_needs_cap_bpf(const struct venv *env, int32_t off, bool write)
{
    static const struct {
        uint32_t off, size;
        bool write_only;
    } fields[] = {
        { __builtin_offsetof(struct __sk_buff, data), 4, false },
        { __builtin_offsetof(struct __sk_buff, data_end), 4, false },
        { __builtin_offsetof(struct __sk_buff, tstamp), 8, true },
    };
    if (!env->unpriv || env->prog_type != BPF_PROG_TYPE_CGROUP_SKB)
        return false;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (off >= (int32_t)fields[i].off && off < (int32_t)(fields[i].off + fields[i].size) &&
            (write || !fields[i].write_only))
            return true;
    return false;
}

static int check_ctx_access(struct venv *env, int insn_idx, uint32_t regno, int32_t off, int size, bool write,
                            int value_regno, bool is_ldsx)
{
    struct vreg *regs = cur_regs(env);
    int err = check_ptr_off_reg(env, &regs[regno], regno, false);
    if (err)
        return err;
    const struct bpfrt_ctx_field *f =
        off >= 0 ? bpfrt_ctx_access_ok(env->ctx_desc, (uint32_t)off, (uint32_t)size, write) : NULL;
    uint8_t type = SCALAR_VALUE, flags = 0;
    if (f)
        ctx_field_reg_type(f, &type, &flags);
    /* the is_valid_access callbacks refuse a sign-extending load of a
     * field that gives a pointer (__sk_buff/xdp_md data, data_end, data_meta) */
    if (!f || (is_ldsx && type != SCALAR_VALUE) || ctx_field_needs_cap_bpf(env, off, write)) {
        verbose(env, "invalid bpf_context access off=%d size=%d\n", off, size);
        bpfrt_v_verbose_linfo(env, (uint32_t)insn_idx, "; ");
        return -BPFRT_EACCES;
    }
    if (env->max_ctx_offset < (uint32_t)off + (uint32_t)size)
        env->max_ctx_offset = (uint32_t)off + (uint32_t)size;
    struct vaux *aux = &env->aux[insn_idx];
    aux->ctx_field_off = f->off;
    aux->ctx_field_size = f->size;
    if (write || value_regno < 0)
        return 0;
    struct vreg *dst = &regs[value_regno];
    if (env->args->attach_btf && size == 8) { /* btf_ctx_access: a typed pointer argument */
        err = bpfrt_v_btf_ctx_load(env, off, dst);
        if (err < 0) {
            verbose(env, "invalid bpf_context access off=%d size=%d\n", off, size);
            return err;
        }
        if (err)
            return 0;
    }
    if (type == SCALAR_VALUE) {
        bpfrt_v_mark_reg_unknown(dst);
        return 0;
    }
    bpfrt_v_mark_reg_known_zero(dst);
    dst->type = type;
    dst->flags = flags;
    if (flags & PTR_MAYBE_NULL)
        dst->id = bpfrt_v_new_id(env);
    return 0;
}

/* A load at a constant offset of a frozen map the program may only read:
 * the value itself (bpf_map_direct_read). */
static bool map_direct_read(struct venv *env, const struct vreg *reg, int32_t off, int size, bool is_ldsx,
                            uint64_t *val)
{
    struct bpfrt_map *map = (struct bpfrt_map *)reg->map;
    if (!bpfrt_tnum_is_const(reg->s.var_off) || !(map->map_flags & BPF_F_RDONLY_PROG) || !map->frozen ||
        map->map_type != BPF_MAP_TYPE_ARRAY)
        return false;
    int64_t moff = off + (int64_t)reg->s.var_off.value;
    uint64_t addr;
    if (moff < 0 || moff + size > map->value_size || bpfrt_map_direct_value_addr(map, 0, &addr))
        return false;
    const uint8_t *p = (const uint8_t *)(uintptr_t)addr + moff;
    uint64_t v = 0;
    bpfrt_memcpy(&v, p, (size_t)size);
    if (is_ldsx && size < 8) {
        int sh = 64 - size * 8;
        v = (uint64_t)((int64_t)(v << sh) >> sh);
    }
    (void)env;
    *val = v;
    return true;
}

/* ---- the map pointer itself (check_ptr_to_map_access) ---- */

/* The kernel struct each map type's ops name as its map_btf_id (the
 * struct Linux lets a privileged program read through the map pointer);
 * NULL: none (insn arrays). */
static const char *const map_struct_names[] = {
    [BPF_MAP_TYPE_HASH] = "bpf_htab", [BPF_MAP_TYPE_PERCPU_HASH] = "bpf_htab",
    [BPF_MAP_TYPE_LRU_HASH] = "bpf_htab", [BPF_MAP_TYPE_LRU_PERCPU_HASH] = "bpf_htab",
    [BPF_MAP_TYPE_HASH_OF_MAPS] = "bpf_htab",
    [BPF_MAP_TYPE_ARRAY] = "bpf_array", [BPF_MAP_TYPE_PERCPU_ARRAY] = "bpf_array",
    [BPF_MAP_TYPE_PROG_ARRAY] = "bpf_array", [BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "bpf_array",
    [BPF_MAP_TYPE_CGROUP_ARRAY] = "bpf_array", [BPF_MAP_TYPE_ARRAY_OF_MAPS] = "bpf_array",
    [BPF_MAP_TYPE_STACK_TRACE] = "bpf_stack_map", [BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie",
    [BPF_MAP_TYPE_DEVMAP] = "bpf_dtab", [BPF_MAP_TYPE_DEVMAP_HASH] = "bpf_dtab",
    [BPF_MAP_TYPE_SOCKMAP] = "bpf_stab", [BPF_MAP_TYPE_SOCKHASH] = "bpf_shtab",
    [BPF_MAP_TYPE_CPUMAP] = "bpf_cpu_map", [BPF_MAP_TYPE_XSKMAP] = "xsk_map",
    [BPF_MAP_TYPE_CGROUP_STORAGE] = "bpf_cgroup_storage_map",
    [BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = "bpf_cgroup_storage_map",
    [BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = "reuseport_array",
    [BPF_MAP_TYPE_QUEUE] = "bpf_queue_stack", [BPF_MAP_TYPE_STACK] = "bpf_queue_stack",
    [BPF_MAP_TYPE_SK_STORAGE] = "bpf_local_storage_map", [BPF_MAP_TYPE_INODE_STORAGE] = "bpf_local_storage_map",
    [BPF_MAP_TYPE_TASK_STORAGE] = "bpf_local_storage_map", [BPF_MAP_TYPE_CGRP_STORAGE] = "bpf_local_storage_map",
    [BPF_MAP_TYPE_STRUCT_OPS] = "bpf_struct_ops_map",
    [BPF_MAP_TYPE_RINGBUF] = "bpf_ringbuf_map", [BPF_MAP_TYPE_USER_RINGBUF] = "bpf_ringbuf_map",
    [BPF_MAP_TYPE_BLOOM_FILTER] = "bpf_bloom_filter", [BPF_MAP_TYPE_ARENA] = "bpf_arena",
};

/* Linux lets a privileged program read the kernel's struct behind a map
 * pointer; bpfrt's maps are not kernel structs, so after Linux's checks
 * (in Linux's order, with its words) the read itself is refused too. */
static int check_ptr_to_map_access(struct venv *env, uint32_t regno, const struct vreg *reg, int32_t off,
                                   bool write)
{
    uint32_t type = reg->map->map_type;
    const char *tname =
        type < sizeof(map_struct_names) / sizeof(map_struct_names[0]) ? map_struct_names[type] : NULL;
    if (!tname) {
        verbose(env, "map_ptr access not supported for map type %u\n", type);
        return -BPFRT_ENOTSUPP;
    }
    if (env->unpriv) {
        verbose(env, "'struct %s' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN\n", tname);
        return -BPFRT_EPERM;
    }
    if (off < 0) {
        verbose(env, "R%u is %s invalid negative access: off=%d\n", regno, tname, off);
        return -BPFRT_EACCES;
    }
    if (write) {
        verbose(env, "only read from %s is supported\n", tname);
        return -BPFRT_EACCES;
    }
    verbose(env, "R%u invalid mem access '%s'\n", regno, type_str(env, reg));
    return -BPFRT_EACCES;
}

int bpfrt_v_check_mem_access(struct venv *env, int insn_idx, uint32_t regno, int32_t off, int size, bool write,
                             int value_regno, bool strict_align, bool is_ldsx)
{
    struct vreg *regs = cur_regs(env);
    struct vreg *reg = &regs[regno];
    int err = check_ptr_alignment(env, reg, off, size, strict_align);
    if (err)
        return err;
    off += reg->off;
    err = bpfrt_v_unpriv_store(env, reg, write, value_regno);
    if (err)
        return err;

    if (reg->type == PTR_TO_MAP_KEY) {
        if (write) {
            verbose(env, "write to change key R%d not allowed\n", regno);
            return -BPFRT_EACCES;
        }
        err = bpfrt_v_check_mem_region_access(env, regno, off, size, reg->map->key_size, false);
        if (err)
            return err;
        if (value_regno >= 0)
            bpfrt_v_mark_reg_unknown(&regs[value_regno]);
    } else if (reg->type == PTR_TO_MAP_VALUE && !reg->flags) {
        err = check_map_access_type(env, regno, off, size, write);
        if (!err)
            err = bpfrt_v_check_map_access(env, regno, off, size, false, false);
        if (err)
            return err;
        if (!write && value_regno >= 0) {
            uint64_t v;
            if (map_direct_read(env, reg, off, size, is_ldsx, &v)) {
                regs[value_regno].type = SCALAR_VALUE;
                bpfrt_v_mark_reg_known(&regs[value_regno], v);
            } else {
                bpfrt_v_mark_reg_unknown(&regs[value_regno]);
            }
        }
    } else if (reg->type == PTR_TO_MEM) {
        if (type_may_be_null(reg->flags)) {
            verbose(env, "R%d invalid mem access '%s'\n", regno, type_str(env, reg));
            return -BPFRT_EACCES;
        }
        if (write && (reg->flags & MEM_RDONLY)) {
            verbose(env, "R%d cannot write into %s\n", regno, type_str(env, reg));
            return -BPFRT_EACCES;
        }
        /* untrusted read-only memory (a kernel object's void pointer
         * member) is read through fault-safe loads: no bounds to check */
        if (!bpfrt_v_probe_ptr(reg))
            err = bpfrt_v_check_mem_region_access(env, regno, off, size, (uint32_t)reg->reg_mem_size, false);
        if (!err && value_regno >= 0 && (!write || (reg->flags & MEM_RDONLY)))
            bpfrt_v_mark_reg_unknown(&regs[value_regno]);
    } else if (reg->type == PTR_TO_CTX) {
        err = check_ctx_access(env, insn_idx, regno, off, size, write, value_regno, is_ldsx);
    } else if (reg->type == PTR_TO_STACK) {
        err = bpfrt_v_check_stack_access_within_bounds(env, regno, off, size, write);
        if (err)
            return err;
        err = write ? bpfrt_v_check_stack_write(env, regno, off, size, value_regno, insn_idx)
                    : bpfrt_v_check_stack_read(env, regno, off, size, value_regno);
    } else if (type_is_pkt_pointer(reg->type)) {
        if (write && !bpfrt_v_may_access_direct_pkt_data(env, true)) {
            verbose(env, "cannot write into packet\n");
            return -BPFRT_EACCES;
        }
        err = bpfrt_v_check_packet_access(env, regno, off, size, false);
        if (!err && !write && value_regno >= 0)
            bpfrt_v_mark_reg_unknown(&regs[value_regno]);
    } else if (reg->type == PTR_TO_BTF_ID && !type_may_be_null(reg->flags)) {
        err = bpfrt_v_check_ptr_to_btf_access(env, regno, off, size, write, value_regno);
    } else if (reg->type == PTR_TO_FLOW_KEYS) {
        if (write && value_regno >= 0 && bpfrt_v_is_pointer_value(env, (uint32_t)value_regno)) {
            verbose(env, "R%d leaks addr into flow keys\n", value_regno);
            return -BPFRT_EACCES;
        }
        /* check_flow_keys_access: anywhere inside struct bpf_flow_keys */
        if (off < 0 || (uint64_t)off + (uint64_t)size > sizeof(struct bpf_flow_keys)) {
            verbose(env, "invalid access to flow keys off=%d size=%d\n", off, size);
            return -BPFRT_EACCES;
        }
        if (!write && value_regno >= 0)
            bpfrt_v_mark_reg_unknown(&regs[value_regno]);
    } else if (type_is_sk_pointer(reg->type) && !type_may_be_null(reg->flags)) {
        if (write) {
            verbose(env, "R%d cannot write into %s\n", regno, type_str(env, reg));
            return -BPFRT_EACCES;
        }
        err = bpfrt_v_check_sock_access(env, regno, off, size);
        if (!err && value_regno >= 0)
            bpfrt_v_mark_reg_unknown(&regs[value_regno]);
    } else if (reg->type == CONST_PTR_TO_MAP && !reg->flags) {
        return check_ptr_to_map_access(env, regno, reg, off, write);
    } else {
        verbose(env, "R%d invalid mem access '%s'\n", regno, type_str(env, reg));
        return -BPFRT_EACCES;
    }

    if (!err && size < BPF_REG_SIZE && value_regno >= 0 && !write && regs[value_regno].type == SCALAR_VALUE) {
        if (is_ldsx)
            bpfrt_bounds_coerce_to_size_sx(&regs[value_regno].s, size);
        else
            bpfrt_bounds_coerce_to_size(&regs[value_regno].s, size);
    }
    return err;
}
