/* Pointers to kernel objects typed by BTF (Linux 6.18: verifier.c
 * PTR_TO_BTF_ID - check_ptr_to_btf_access, mark_btf_ld_reg, the
 * BTF_TYPE_SAFE_* trust tables, check_reg_type's btf_struct_ids_match for
 * helper arguments; kernel/bpf/btf.c btf_ctx_access for the pointer
 * arguments of BTF-typed tracing contexts, btf_struct_access and
 * btf_struct_walk for loads). Type ids are those of the load's attach BTF,
 * else the runtime's kernel BTF (bpfrt_runtime_set_kernel_btf).
 *
 * Loads through these pointers read memory the verifier cannot vouch for
 * (a hook's argument, a field of an object): Linux turns them into
 * BPF_PROBE_MEM loads (do_misc_fixups' convert_ctx_accesses), which read 0
 * on a fault. bpfrt marks each such load (memops.c, on every path through
 * it; BPFRT_FACT_PROBE_LOAD for the engines) and the engines run it as a
 * probe: a read of exactly its size of memory the run may read, else 0
 * (docs/sandbox.md). Unlike Linux, which probes only pointers it does not
 * trust, every load through such a pointer is a probe: a trusted pointer
 * here is one a caller may have handed in. */
#include "bpfrt/btf.h"
#include "core/verifier/verifier.h"

#define WALK_MAX_DEPTH 32

static const struct bpfrt_btf *kbtf(const struct venv *env)
{
    if (env->args->attach_btf)
        return env->args->attach_btf;
    return env->rt->kernel_btf ? env->rt->kernel_btf : env->platform_btf;
}

/* The kernel BTF, falling back to the platform's (on a Linux host the
 * running kernel's, which helpers lay their objects out by too), parsed
 * once for this load. */
static const struct bpfrt_btf *need_kbtf(struct venv *env)
{
    const struct bpfrt_platform *p = env->rt->plat;
    if (!kbtf(env) && p->kernel_btf) {
        size_t size = 0;
        const void *data = p->kernel_btf(p->ctx, &size);
        if (data && size && size <= UINT32_MAX)
            bpfrt_btf_new(env->rt, data, (uint32_t)size, NULL, 0, &env->platform_btf);
    }
    return kbtf(env);
}

const char *bpfrt_v_btf_type_name(const struct venv *env, uint32_t btf_id)
{
    const struct bpfrt_btf *btf = kbtf(env);
    return btf && btf_id ? bpfrt_btf_name(btf, btf_id) : "";
}

static bool is_struct(const struct btf_type *t)
{
    return t && (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = bpfrt_strlen(s), m = bpfrt_strlen(suffix);
    return n >= m && bpfrt_strcmp(s + n - m, suffix) == 0;
}

/* ---- the arguments of a BTF-typed tracing context (btf_ctx_access) ---- */

/* The target's prototype and how many leading parameters are not the
 * program's (tp_btf: the tracepoint's data), with the name Linux prints. */
static const struct btf_type *target_proto(const struct venv *env, uint32_t *skip, const char **tname)
{
    const struct bpfrt_btf *btf = env->args->attach_btf;
    uint32_t id = env->args->attach_btf_id;
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
    if (!t)
        return NULL;
    *tname = bpfrt_btf_name(btf, id);
    *skip = 0;
    if (env->args->expected_attach_type == BPF_TRACE_RAW_TP) {
        const struct btf_type *p = bpfrt_btf_type_by_id(btf, t->type);
        if (!p)
            return NULL;
        t = p;
        *skip = 1;
        if (bpfrt_strncmp(*tname, "btf_trace_", 10) == 0)
            *tname += 10;
    }
    return bpfrt_btf_type_by_id(btf, t->type);
}

/* Whether the program's arguments are trusted pointers (prog_args_trusted). */
static bool args_trusted(const struct venv *env)
{
    uint32_t a = env->args->expected_attach_type;
    return env->prog_type == BPF_PROG_TYPE_LSM ||
           (env->prog_type == BPF_PROG_TYPE_TRACING && (a == BPF_TRACE_RAW_TP || a == BPF_TRACE_ITER));
}

/* A context load of 8 bytes at off of a BTF-typed tracing program: when
 * the argument there points to a struct, dst becomes PTR_TO_BTF_ID.
 * Returns 1 when it did, 0 for a scalar argument, or -EACCES when the
 * argument is a pointer to something that is not a struct (Linux refuses
 * the context access then). */
int bpfrt_v_btf_ctx_load(struct venv *env, int32_t off, struct vreg *dst)
{
    const struct bpfrt_btf *btf = env->args->attach_btf;
    uint32_t skip;
    const char *tname;
    const struct btf_type *fp = btf ? target_proto(env, &skip, &tname) : NULL;
    if (!fp || btf_kind(fp) != BTF_KIND_FUNC_PROTO || off % 8)
        return 0;
    uint32_t arg = (uint32_t)off / 8, nargs = btf_vlen(fp) - skip;
    const struct btf_param *params = (const struct btf_param *)(fp + 1);
    uint32_t type;
    const char *pname = "";
    if (arg < nargs) {
        type = params[skip + arg].type;
        pname = bpfrt_btf_str(btf, params[skip + arg].name_off);
    } else if (arg == nargs) {
        type = fp->type; /* fexit, fmod_ret, lsm: the return value */
    } else {
        return 0;
    }
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, type));
    if (!t || btf_kind(t) != BTF_KIND_PTR)
        return 0;
    uint32_t target = bpfrt_btf_skip_mods(btf, t->type);
    const struct btf_type *pt = bpfrt_btf_type_by_id(btf, target);
    if (!pt || btf_kind(pt) == BTF_KIND_INT) /* is_void_or_int_ptr */
        return 0;
    if (!is_struct(pt)) {
        verbose(env, "func '%s' arg%u type %s is not a struct\n", tname, arg,
                bpfrt_btf_kind_name(btf_kind(pt)));
        return -BPFRT_EACCES;
    }
    verbose(env, "func '%s' arg%u has btf_id %u type %s '%s'\n", tname, arg, target,
            bpfrt_btf_kind_name(btf_kind(pt)), bpfrt_btf_name(btf, target));
    uint8_t flags = args_trusted(env) ? PTR_TRUSTED : 0;
    /* iterators' objects are NULL at the end of the walk (their ctx_arg_info) */
    if ((pname && ends_with(pname, "__nullable")) ||
        (env->args->expected_attach_type == BPF_TRACE_ITER && arg > 0))
        flags |= PTR_MAYBE_NULL;
    bpfrt_v_mark_reg_known_zero(dst);
    dst->type = PTR_TO_BTF_ID;
    dst->flags = flags;
    dst->reg_btf_id = (int32_t)target;
    if (flags & PTR_MAYBE_NULL)
        dst->id = bpfrt_v_new_id(env);
    return 1;
}

bool bpfrt_v_probe_ptr(const struct vreg *reg)
{
    const uint8_t untrusted_ro = MEM_RDONLY | PTR_UNTRUSTED; /* a void * member's memory */
    return reg->type == PTR_TO_BTF_ID || (reg->type == PTR_TO_MEM && (reg->flags & untrusted_ro) == untrusted_ro);
}

/* ---- walking a struct (btf_struct_walk) ---- */

enum { WALK_SCALAR, WALK_PTR, WALK_PTR_UNTRUSTED, WALK_STRUCT };

struct walk {
    uint32_t next_id;
    uint8_t flag;             /* MEM_RCU from an __rcu tag, PTR_UNTRUSTED from a union */
    const char *field;        /* the pointer member's name */
    const char *owner;        /* the register's struct, whose safe list names the field
                               * (btf_nested_type_is_trusted), even when the field sits
                               * in a nested struct or an __bpf_md_ptr union */
};

/* Resolves a member's type: arrays to their element (count multiplied
 * out), modifiers skipped. Returns the type id, the whole size and the
 * element size (== size when not an array). */
static uint32_t member_shape(const struct bpfrt_btf *btf, uint32_t id, uint32_t *size, uint32_t *elem_size,
                             bool *is_array)
{
    uint64_t n = 1;
    *is_array = false;
    for (int depth = 0; depth < WALK_MAX_DEPTH; depth++) {
        id = bpfrt_btf_skip_mods(btf, id);
        const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
        if (t && btf_kind(t) == BTF_KIND_ARRAY) {
            const struct btf_array *a = btf_type_extra(t);
            n *= a->nelems;
            id = a->type;
            *is_array = true;
            continue;
        }
        long sz = bpfrt_btf_type_size(btf, id);
        if (sz < 0 || n * (uint64_t)sz > UINT32_MAX)
            return 0;
        *elem_size = (uint32_t)sz;
        *size = (uint32_t)(n * (uint64_t)sz);
        return id;
    }
    return 0;
}

static int walk_once(struct venv *env, const struct bpfrt_btf *btf, uint32_t id, int32_t off, int size,
                     struct walk *w)
{
    for (int depth = 0; depth < WALK_MAX_DEPTH; depth++) {
        id = bpfrt_btf_skip_mods(btf, id);
        const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
        const char *tname = bpfrt_btf_name(btf, id);
        if (!is_struct(t)) {
            verbose(env, "Type '%s' is not a struct\n", tname);
            return -BPFRT_EINVAL;
        }
        uint32_t vlen = btf_vlen(t);
        const struct btf_member *members = btf_members(t);
        if (btf_kind(t) == BTF_KIND_UNION && vlen != 1)
            w->flag |= PTR_UNTRUSTED; /* walking unions yields untrusted pointers */
        if ((uint64_t)off + (uint64_t)size > t->size) {
            /* a flexible array at the end may be indexed past the size */
            const struct btf_member *last = vlen ? &members[vlen - 1] : NULL;
            const struct btf_type *mt =
                last ? bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, last->type)) : NULL;
            const struct btf_array *arr = mt && btf_kind(mt) == BTF_KIND_ARRAY ? btf_type_extra(mt) : NULL;
            uint32_t moff = last ? btf_member_bit_offset(t, vlen - 1) / 8 : 0;
            if (arr && arr->nelems == 0 && (uint32_t)off >= moff) {
                uint32_t eid = bpfrt_btf_skip_mods(btf, arr->type);
                const struct btf_type *et = bpfrt_btf_type_by_id(btf, eid);
                if (et && btf_kind(et) == BTF_KIND_INT)
                    return WALK_SCALAR;
                if (is_struct(et) && et->size) {
                    off = (int32_t)(((uint32_t)off - moff) % et->size);
                    id = eid;
                    continue;
                }
            }
            verbose(env, "access beyond struct %s at off %u size %u\n", tname, (uint32_t)off, (uint32_t)size);
            return -BPFRT_EACCES;
        }
        bool descended = false;
        for (uint32_t i = 0; i < vlen && !descended; i++) {
            uint32_t bit = btf_member_bit_offset(t, i), moff = bit / 8;
            if ((uint32_t)off + (uint32_t)size <= moff)
                break;
            uint32_t bits = btf_member_bitfield_size(t, i);
            if (bits) {
                if ((uint32_t)off <= moff && (bit + bits + 7) / 8 <= (uint32_t)off + (uint32_t)size)
                    return WALK_SCALAR;
                continue;
            }
            if ((uint32_t)off < moff)
                break;
            const char *mname = bpfrt_btf_str(btf, members[i].name_off);
            mname = mname ? mname : "";
            uint32_t msize, esize;
            bool is_array;
            uint32_t mid = member_shape(btf, members[i].type, &msize, &esize, &is_array);
            if (!mid) {
                verbose(env, "field %s doesn't have size\n", mname);
                return -BPFRT_EFAULT;
            }
            uint32_t mtrue_end = moff + msize;
            if ((uint32_t)off >= mtrue_end)
                continue;
            if (is_array) {
                if (moff == mtrue_end || !esize)
                    continue;
                moff += ((uint32_t)off - moff) / esize * esize;
                msize = esize;
            }
            const struct btf_type *mt = bpfrt_btf_type_by_id(btf, mid);
            if (is_struct(mt)) {
                if ((uint32_t)off == moff) {
                    w->next_id = mid;
                    return WALK_STRUCT;
                }
                off -= (int32_t)moff;
                id = mid;
                descended = true;
                break;
            }
            if (mt && btf_kind(mt) == BTF_KIND_PTR) {
                if (msize != (uint32_t)size || (uint32_t)off != moff) {
                    verbose(env,
                            "cannot access ptr member %s with moff %u in struct %s with off %u size %u\n",
                            mname, moff, tname, (uint32_t)off, (uint32_t)size);
                    return -BPFRT_EACCES;
                }
                const struct btf_type *tag = bpfrt_btf_type_by_id(btf, mt->type);
                if (tag && btf_kind(tag) == BTF_KIND_TYPE_TAG && !btf_kflag(tag)) {
                    const char *v = bpfrt_btf_str(btf, tag->name_off);
                    if (v && bpfrt_strcmp(v, "rcu") == 0)
                        w->flag |= MEM_RCU;
                }
                uint32_t sid = bpfrt_btf_skip_mods(btf, mt->type);
                if (is_struct(bpfrt_btf_type_by_id(btf, sid))) {
                    w->next_id = sid;
                    w->field = mname;
                    return WALK_PTR;
                }
                return WALK_PTR_UNTRUSTED;
            }
            /* an integer, or an array of them used as scratch space */
            if ((uint32_t)off + (uint32_t)size > mtrue_end && !(w->flag & PTR_UNTRUSTED)) {
                verbose(env,
                        "access beyond the end of member %s (mend:%u) in struct %s with off %u size %u\n",
                        mname, mtrue_end, tname, (uint32_t)off, (uint32_t)size);
                return -BPFRT_EACCES;
            }
            return WALK_SCALAR;
        }
        if (descended)
            continue;
        verbose(env, "struct %s doesn't have field at offset %d\n", tname, off);
        return -BPFRT_EINVAL;
    }
    return -BPFRT_EINVAL;
}

/* ---- which walked pointers stay trusted (the BTF_TYPE_SAFE_* lists) ---- */

enum { SAFE_RCU, SAFE_RCU_OR_NULL, SAFE_TRUSTED, SAFE_TRUSTED_OR_NULL };
static const struct {
    const char *owner, *field;
    uint8_t kind;
} safe_fields[] = {
    { "task_struct", "cpus_ptr", SAFE_RCU },           { "task_struct", "cgroups", SAFE_RCU },
    { "task_struct", "real_parent", SAFE_RCU },        { "task_struct", "group_leader", SAFE_RCU },
    { "cgroup", "kn", SAFE_RCU },                      { "css_set", "dfl_cgrp", SAFE_RCU },
    { "cgroup_subsys_state", "cgroup", SAFE_RCU },     { "mm_struct", "exe_file", SAFE_RCU_OR_NULL },
    { "sk_buff", "sk", SAFE_RCU_OR_NULL },             { "request_sock", "sk", SAFE_RCU_OR_NULL },
    { "bpf_iter_meta", "seq", SAFE_TRUSTED },          { "bpf_iter__task", "meta", SAFE_TRUSTED },
    { "bpf_iter__task", "task", SAFE_TRUSTED },        { "linux_binprm", "file", SAFE_TRUSTED },
    { "file", "f_inode", SAFE_TRUSTED },               { "dentry", "d_inode", SAFE_TRUSTED_OR_NULL },
    { "socket", "sk", SAFE_TRUSTED_OR_NULL },
};

static int safe_kind(const struct walk *w)
{
    for (size_t i = 0; w->field && i < sizeof(safe_fields) / sizeof(safe_fields[0]); i++)
        if (bpfrt_strcmp(safe_fields[i].owner, w->owner) == 0 &&
            bpfrt_strcmp(safe_fields[i].field, w->field) == 0)
            return safe_fields[i].kind;
    return -1;
}

static bool sleepable(const struct venv *env)
{
    return env->args->prog_flags & BPF_F_SLEEPABLE;
}

/* The flags of a pointer loaded from a field of reg (check_ptr_to_btf_access):
 * untrusted stays untrusted; from a trusted or RCU pointer, the listed
 * fields keep trust, RCU-protected ones are MEM_RCU inside the RCU
 * section a non-sleepable program runs in (and may be NULL when tagged
 * __rcu), anything else becomes a plain ptr_. */
static uint8_t walked_ptr_flags(const struct venv *env, const struct vreg *reg, const struct walk *w)
{
    const uint8_t trust = PTR_TRUSTED | MEM_RCU;
    uint8_t flag = w->flag;
    if (reg->flags & PTR_UNTRUSTED)
        return PTR_UNTRUSTED;
    bool trusted = reg->ref_obj_id || reg->flags == PTR_TRUSTED;
    if (!trusted && !(reg->flags & MEM_RCU))
        return flag & (uint8_t)~trust; /* old compat: a plain ptr_ */
    int kind = safe_kind(w);
    if (kind == SAFE_TRUSTED)
        return flag | PTR_TRUSTED;
    if (kind == SAFE_TRUSTED_OR_NULL)
        return flag | PTR_TRUSTED | PTR_MAYBE_NULL;
    if (sleepable(env) || type_may_be_null(reg->flags))
        return PTR_UNTRUSTED;
    if (kind == SAFE_RCU)
        return flag | MEM_RCU;
    if ((flag & MEM_RCU) || kind == SAFE_RCU_OR_NULL) {
        flag |= MEM_RCU | PTR_MAYBE_NULL;
        return kind == SAFE_RCU_OR_NULL ? (uint8_t)(flag & ~PTR_UNTRUSTED) : flag;
    }
    /* any other field: the kernel here (6.18.44) marks it untrusted where
     * the 6.18 source's comment speaks of a plain ptr_ */
    return PTR_UNTRUSTED;
}

/* check_ptr_to_btf_access: a load through a PTR_TO_BTF_ID, checked against
 * the struct's members; what it yields goes to value_regno. */
int bpfrt_v_check_ptr_to_btf_access(struct venv *env, uint32_t regno, int32_t off, int size, bool write,
                                    int value_regno)
{
    struct vreg *regs = cur_regs(env);
    const struct vreg *reg = &regs[regno];
    const struct bpfrt_btf *btf = kbtf(env);
    const char *tname = bpfrt_v_btf_type_name(env, (uint32_t)reg->reg_btf_id);
    if (!btf || !reg->reg_btf_id) {
        verbose(env, "R%d invalid mem access '%s'\n", regno,
                bpfrt_v_reg_type_str(env, reg->type, reg->flags));
        return -BPFRT_EACCES;
    }
    if (!env->args->gpl) {
        verbose(env, "Cannot access kernel 'struct %s' from non-GPL compatible program\n", tname);
        return -BPFRT_EINVAL;
    }
    if (off < 0) {
        verbose(env, "R%d is ptr_%s invalid negative access: off=%d\n", regno, tname, off);
        return -BPFRT_EACCES;
    }
    if (!bpfrt_tnum_is_const(reg->s.var_off) || reg->s.var_off.value) {
        char tn[48];
        bpfrt_v_tnum_str(tn, sizeof(tn), reg->s.var_off);
        verbose(env, "R%d is ptr_%s invalid variable offset: off=%d, var_off=%s\n", regno, tname, off, tn);
        return -BPFRT_EACCES;
    }
    if (write) {
        verbose(env, "only read is supported\n");
        return -BPFRT_EACCES;
    }
    struct walk w = { .owner = tname };
    uint32_t id = (uint32_t)reg->reg_btf_id;
    int kind;
    for (;;) {
        kind = walk_once(env, btf, id, off, size, &w);
        if (kind != WALK_STRUCT)
            break;
        id = w.next_id; /* a nested struct at the offset: look inside it */
        off = 0;
    }
    if (kind < 0)
        return kind;
    if (value_regno < 0)
        return 0;
    struct vreg *dst = &regs[value_regno];
    if (kind == WALK_SCALAR) {
        bpfrt_v_mark_reg_unknown(dst);
        return 0;
    }
    bpfrt_v_mark_reg_known_zero(dst);
    if (kind == WALK_PTR_UNTRUSTED) {
        dst->type = PTR_TO_MEM;
        dst->flags = MEM_RDONLY | PTR_UNTRUSTED;
        dst->reg_mem_size = 0;
        return 0;
    }
    dst->type = PTR_TO_BTF_ID;
    dst->flags = walked_ptr_flags(env, reg, &w);
    dst->reg_btf_id = (int32_t)w.next_id;
    if (dst->flags & PTR_MAYBE_NULL)
        dst->id = bpfrt_v_new_id(env);
    return 0;
}

/* RET_PTR_TO_BTF_ID of bpf_get_current_task_btf: a trusted task_struct. */
int bpfrt_v_ret_task_btf(struct venv *env, struct vreg *r0)
{
    const struct bpfrt_btf *btf = need_kbtf(env);
    long id = btf ? bpfrt_btf_find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) : -BPFRT_ENOENT;
    if (id <= 0) {
        verbose(env, "bpf_get_current_task_btf needs the kernel BTF's struct task_struct "
                     "(bpfrt_runtime_set_kernel_btf)\n");
        return -BPFRT_EINVAL;
    }
    bpfrt_v_mark_reg_known_zero(r0);
    r0->type = PTR_TO_BTF_ID;
    r0->flags = PTR_TRUSTED;
    r0->reg_btf_id = (int32_t)id;
    return 0;
}

/* Whether the struct btf_id, or the struct found by following first
 * members from it (struct sock starts with struct sock_common), is named
 * want: btf_struct_ids_match without strict matching. */
static bool struct_starts_with(const struct bpfrt_btf *btf, uint32_t btf_id, const char *want)
{
    for (int depth = 0; btf_id && depth < WALK_MAX_DEPTH; depth++) {
        btf_id = bpfrt_btf_skip_mods(btf, btf_id);
        const struct btf_type *t = bpfrt_btf_type_by_id(btf, btf_id);
        if (!is_struct(t))
            return false;
        if (bpfrt_strcmp(bpfrt_btf_name(btf, btf_id), want) == 0)
            return true;
        if (!btf_vlen(t) || btf_member_bit_offset(t, 0) != 0)
            return false;
        btf_id = btf_members(t)[0].type;
    }
    return false;
}

/* check_reg_type after a match: a BTF pointer argument must be the struct
 * the helper wants (a socket: struct sock_common or one starting with it),
 * known not NULL when the argument is not nullable or is released. */
int bpfrt_v_check_btf_arg(struct venv *env, uint32_t regno, const struct vreg *reg, bool arg_maybe_null,
                          bool release, const char *want)
{
    if (reg->type != PTR_TO_BTF_ID)
        return 0;
    if (type_may_be_null(reg->flags) && (!arg_maybe_null || release)) {
        verbose(env, "Possibly NULL pointer passed to helper arg%d\n", regno);
        return -BPFRT_EACCES;
    }
    const struct bpfrt_btf *btf = kbtf(env);
    if (!want || !btf || !reg->reg_btf_id || !struct_starts_with(btf, (uint32_t)reg->reg_btf_id, want)) {
        verbose(env, "R%d is of type %s but %s is expected\n", regno,
                bpfrt_v_btf_type_name(env, (uint32_t)reg->reg_btf_id), want ? want : "?");
        return -BPFRT_EACCES;
    }
    return 0;
}

long bpfrt_v_kernel_struct_id(struct venv *env, const char *name)
{
    const struct bpfrt_btf *btf = need_kbtf(env);
    if (!btf || !name)
        return -BPFRT_ENOENT;
    /* a CO-RE flavour ends the name at its last "x___y" (bpf_core_essential_name_len) */
    size_t len = bpfrt_strlen(name);
    for (size_t i = len >= 5 ? len - 5 + 1 : 0; i-- > 0;)
        if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_') {
            len = i + 1;
            break;
        }
    long found = -BPFRT_ENOENT;
    for (uint32_t id = 1; id < bpfrt_btf_nr_types(btf); id++) {
        const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
        const char *n = t && btf_kind(t) == BTF_KIND_STRUCT ? bpfrt_btf_str(btf, t->name_off) : NULL;
        if (!n || bpfrt_strncmp(n, name, len) != 0 || n[len])
            continue;
        if (found > 0)
            return -BPFRT_EINVAL; /* ambiguous */
        found = (long)id;
    }
    return found;
}
