/* Global functions (Linux 6.18 verifier.c check_func_call's global branch,
 * do_check_subprogs, do_check_common for a subprogram; btf.c
 * btf_prepare_func_args, btf_check_func_arg_match). A function with global
 * linkage in the program's BTF is verified once, on its own, for any
 * arguments its prototype allows: integers are unknown scalars, a pointer
 * to the program's context struct (or one tagged __arg_ctx) is the
 * context, other pointers are memory of the pointee's size that may be
 * NULL (unless tagged __arg_nonnull), a pointer tagged __arg_trusted a
 * trusted kernel object of the kernel BTF's struct of that name (or NULL,
 * with __arg_nullable), one tagged __arg_untrusted an untrusted one (any
 * value may be passed: reads through it are fault-safe). Callers only check that
 * they pass such arguments; the call returns an unknown scalar. */
#include "bpfrt/btf.h"
#include "core/verifier/verifier.h"

bool bpfrt_v_subprog_is_global(const struct venv *env, uint32_t sub)
{
    return sub > 0 && env->subprog[sub].linkage == BTF_FUNC_GLOBAL;
}

const char *bpfrt_v_subprog_name(const struct venv *env, uint32_t sub)
{
    const struct bpfrt_verify_args *a = env->args;
    if (!a->btf || sub >= a->nr_func_info)
        return "";
    const struct btf_type *t = bpfrt_btf_type_by_id(a->btf, a->func_info[sub].type_id);
    const char *name = t ? bpfrt_btf_str(a->btf, t->name_off) : NULL;
    return name ? name : "";
}

/* Whether a pointer's target is the program type's context struct. */
static bool is_ctx_struct(const struct venv *env, const struct bpfrt_btf *btf, uint32_t ptr_id)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, ptr_id);
    if (!t || btf_kind(t) != BTF_KIND_PTR || !env->ctx_desc)
        return false;
    /* typedefs count by name too (bpf_user_pt_regs_t); skip qualifiers */
    uint32_t id = t->type;
    for (int guard = 0; guard < 16 && id; guard++) {
        const struct btf_type *r = bpfrt_btf_type_by_id(btf, id);
        if (!r)
            return false;
        const char *name = bpfrt_btf_str(btf, r->name_off);
        const char *want = env->ctx_desc->ctx_name;
        if (bpfrt_strncmp(want, "struct ", 7) == 0)
            want += 7;
        if (name && name[0] && bpfrt_strcmp(name, want) == 0)
            return true;
        uint32_t k = btf_kind(r);
        if (k != BTF_KIND_TYPEDEF && k != BTF_KIND_CONST && k != BTF_KIND_VOLATILE && k != BTF_KIND_RESTRICT &&
            k != BTF_KIND_TYPE_TAG)
            return false;
        id = r->type;
    }
    return false;
}

/* The "arg:" decl tags (libbpf's __arg_ctx, __arg_nonnull, ...) on
 * argument arg of the FUNC func_id, as ARG_TAG_* bits (arena, not modelled
 * yet, as ARG_TAG_OTHER, which leaves the argument plain memory); -1
 * (logged) for a tag Linux does not know. */
enum { ARG_TAG_CTX = 1, ARG_TAG_NONNULL = 2, ARG_TAG_OTHER = 4, ARG_TAG_TRUSTED = 8, ARG_TAG_UNTRUSTED = 16,
       ARG_TAG_NULLABLE = 32 };
static int arg_tags(struct venv *env, uint32_t func_id, uint32_t arg)
{
    static const struct { const char *name; int bit; } known[] = {
        { "ctx", ARG_TAG_CTX }, { "nonnull", ARG_TAG_NONNULL }, { "trusted", ARG_TAG_TRUSTED },
        { "untrusted", ARG_TAG_UNTRUSTED }, { "nullable", ARG_TAG_NULLABLE }, { "arena", ARG_TAG_OTHER },
    };
    const struct bpfrt_btf *btf = env->args->btf;
    int tags = 0;
    for (uint32_t id = 1; id < bpfrt_btf_nr_types(btf); id++) {
        const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
        if (btf_kind(t) != BTF_KIND_DECL_TAG || t->type != func_id ||
            ((const struct btf_decl_tag *)btf_type_extra(t))->component_idx != (int32_t)arg)
            continue;
        const char *tag = bpfrt_btf_str(btf, t->name_off);
        if (!tag || bpfrt_strncmp(tag, "arg:", 4) != 0)
            continue;
        int bit = 0;
        for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
            if (bpfrt_strcmp(tag + 4, known[k].name) == 0)
                bit = known[k].bit;
        if (!bit) {
            verbose(env, "arg#%d has unsupported set of tags\n", arg);
            return -1;
        }
        tags |= bit;
    }
    return tags;
}

/* btf_validate_prog_ctx_type, for an __arg_ctx argument: `void *`, the
 * program type's context struct, or the alternatives Linux allows
 * (pt_regs and bpf_user_pt_regs_t for kprobes and perf events, u64 * for
 * raw and BTF tracepoints, fentry/fexit, LSM and struct_ops, bpf_iter__*
 * for iterators, anything for tracepoints and syscall programs). */
static bool ctx_tag_type_ok(struct venv *env, const struct bpfrt_btf *btf, uint32_t ptr_id)
{
    uint32_t pt = env->prog_type, at = env->args->expected_attach_type;
    if (pt == BPF_PROG_TYPE_TRACEPOINT || pt == BPF_PROG_TYPE_SYSCALL || pt == BPF_PROG_TYPE_EXT ||
        is_ctx_struct(env, btf, ptr_id))
        return true;
    const struct btf_type *ptr = bpfrt_btf_type_by_id(btf, ptr_id);
    uint32_t id = ptr->type;
    for (const struct btf_type *t; (t = bpfrt_btf_type_by_id(btf, id)) && id;) {
        uint32_t k = btf_kind(t);
        const char *name = bpfrt_btf_str(btf, t->name_off);
        if (k == BTF_KIND_TYPEDEF && (pt == BPF_PROG_TYPE_KPROBE || pt == BPF_PROG_TYPE_PERF_EVENT) && name &&
            bpfrt_strcmp(name, "bpf_user_pt_regs_t") == 0)
            return true;
        if (k != BTF_KIND_TYPEDEF && k != BTF_KIND_CONST && k != BTF_KIND_VOLATILE && k != BTF_KIND_RESTRICT &&
            k != BTF_KIND_TYPE_TAG)
            break;
        id = t->type;
    }
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
    if (!t)
        return true; /* void * */
    const char *name = bpfrt_btf_str(btf, t->name_off);
    bool is_struct = btf_kind(t) == BTF_KIND_STRUCT, u64 = btf_kind(t) == BTF_KIND_INT && t->size == 8;
    bool tracing_args = pt == BPF_PROG_TYPE_TRACING && (at == BPF_TRACE_RAW_TP || at == BPF_TRACE_FENTRY ||
                                                        at == BPF_TRACE_FEXIT || at == BPF_MODIFY_RETURN);
    if (u64 && (tracing_args || pt == BPF_PROG_TYPE_RAW_TRACEPOINT || pt == BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE ||
                pt == BPF_PROG_TYPE_LSM || pt == BPF_PROG_TYPE_STRUCT_OPS))
        return true;
    if (!is_struct || !name)
        return false;
    if ((pt == BPF_PROG_TYPE_KPROBE || pt == BPF_PROG_TYPE_PERF_EVENT) && bpfrt_strcmp(name, "pt_regs") == 0)
        return true;
    if (pt == BPF_PROG_TYPE_TRACING && at == BPF_TRACE_RAW_TP && bpfrt_strcmp(name, "bpf_raw_tracepoint_args") == 0)
        return true;
    return pt == BPF_PROG_TYPE_TRACING && at == BPF_TRACE_ITER && bpfrt_strncmp(name, "bpf_iter__", 10) == 0;
}

/* btf_prepare_func_args for __arg_trusted / __arg_untrusted: the kernel
 * struct the pointer's target names (btf_get_ptr_to_btf_id), or for an
 * untrusted pointer to void or a primitive type read-only memory of no
 * known size, read through fault-safe loads. */
static int prepare_btf_arg(struct venv *env, uint32_t sub, uint32_t i, int tags, uint32_t ptr_id)
{
    const struct bpfrt_btf *btf = env->args->btf;
    if (((tags & ARG_TAG_TRUSTED) && (tags & ARG_TAG_NONNULL)) ||
        ((tags & ARG_TAG_UNTRUSTED) && (tags & ~ARG_TAG_UNTRUSTED))) {
        verbose(env, (tags & ARG_TAG_UNTRUSTED) ? "arg#%d untrusted cannot be combined with any other tags\n"
                                                : "arg#%d has invalid combination of tags\n", i);
        return -BPFRT_EINVAL;
    }
    const struct btf_type *ptr = bpfrt_btf_type_by_id(btf, ptr_id);
    uint32_t target = bpfrt_btf_skip_mods(btf, ptr->type);
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, target);
    const char *name = t && target ? bpfrt_btf_str(btf, t->name_off) : NULL;
    struct vsubprog *sp = &env->subprog[sub];
    uint32_t k = t && target ? btf_kind(t) : BTF_KIND_UNKN;
    if ((tags & ARG_TAG_UNTRUSTED) && (k == BTF_KIND_UNKN || k == BTF_KIND_INT || k == BTF_KIND_ENUM ||
                                       k == BTF_KIND_ENUM64 || k == BTF_KIND_FLOAT)) {
        sp->args[i].kind = GARG_UNTRUSTED_MEM;
        return 0;
    }
    if (!t || !target || btf_kind(t) != BTF_KIND_STRUCT || !name || !name[0]) {
        verbose(env, "arg#%d: %s arguments other than kernel structs are not supported by bpfrt\n", i,
                (tags & ARG_TAG_TRUSTED) ? "trusted" : "untrusted");
        return -BPFRT_EOPNOTSUPP;
    }
    long id = bpfrt_v_kernel_struct_id(env, name);
    if (id <= 0) {
        verbose(env, "arg#%d reference type('STRUCT %s') %s\n", i, name,
                id == -BPFRT_EINVAL ? "has more than one match" : "has no matches");
        return -BPFRT_EINVAL;
    }
    sp->args[i].kind = GARG_BTF;
    sp->args[i].mem_size = (uint32_t)id;
    sp->args[i].flags = (tags & ARG_TAG_TRUSTED) ? PTR_TRUSTED : PTR_UNTRUSTED;
    if (tags & ARG_TAG_NULLABLE)
        sp->args[i].flags |= PTR_MAYBE_NULL;
    return 0;
}

/* btf_prepare_func_args: the argument kinds from the function's prototype. */
static int prepare_func_args(struct venv *env, uint32_t sub)
{
    struct vsubprog *sp = &env->subprog[sub];
    const struct bpfrt_verify_args *a = env->args;
    if (sp->args_cached)
        return 0;
    const char *name = bpfrt_v_subprog_name(env, sub);
    const struct btf_type *fn = bpfrt_btf_type_by_id(a->btf, a->func_info[sub].type_id);
    const struct btf_type *proto = fn ? bpfrt_btf_type_by_id(a->btf, fn->type) : NULL;
    if (!proto || btf_kind(proto) != BTF_KIND_FUNC_PROTO) {
        verbose(env, "Invalid type of function %s()\n", name);
        return -BPFRT_EFAULT;
    }
    uint32_t nargs = btf_vlen(proto);
    if (nargs > MAX_BPF_FUNC_REG_ARGS) {
        verbose(env, "Global function %s() with %d > %d args. Buggy compiler.\n", name, nargs,
                MAX_BPF_FUNC_REG_ARGS);
        return -BPFRT_EINVAL;
    }
    const struct btf_type *ret = bpfrt_btf_type_by_id(a->btf, bpfrt_btf_skip_mods(a->btf, proto->type));
    if (!ret || (btf_kind(ret) != BTF_KIND_INT && btf_kind(ret) != BTF_KIND_ENUM && btf_kind(ret) != BTF_KIND_ENUM64)) {
        verbose(env, "Global function %s() doesn't return scalar. Only those are supported.\n", name);
        return -BPFRT_EINVAL;
    }
    const struct btf_param *params = btf_type_extra(proto);
    for (uint32_t i = 0; i < nargs; i++) {
        uint32_t id = bpfrt_btf_skip_mods(a->btf, params[i].type);
        const struct btf_type *t = bpfrt_btf_type_by_id(a->btf, id);
        int tags = arg_tags(env, a->func_info[sub].type_id, i);
        if (tags < 0)
            return -BPFRT_EOPNOTSUPP;
        if (tags && (!t || btf_kind(t) != BTF_KIND_PTR)) {
            verbose(env, "arg#%d has pointer tag, but is not a pointer type\n", i);
            return -BPFRT_EINVAL;
        }
        if (t && btf_kind(t) == BTF_KIND_PTR && ((tags & ARG_TAG_CTX) || is_ctx_struct(env, a->btf, id))) {
            if (tags & ~ARG_TAG_CTX) {
                verbose(env, "arg#%d has invalid combination of tags\n", i);
                return -BPFRT_EINVAL;
            }
            if ((tags & ARG_TAG_CTX) && !ctx_tag_type_ok(env, a->btf, id)) {
                verbose(env, "arg#%d is not a pointer to the program's context\n", i);
                return -BPFRT_EINVAL;
            }
            sp->args[i].kind = GARG_CTX;
            continue;
        }
        /* an untrusted argument takes no other tag (a trusted one is
         * checked first, as its own kind) */
        if ((tags & ARG_TAG_UNTRUSTED) && !(tags & ARG_TAG_TRUSTED) && (tags & ~ARG_TAG_UNTRUSTED)) {
            verbose(env, "arg#%d untrusted cannot be combined with any other tags\n", i);
            return -BPFRT_EINVAL;
        }
        if (tags & (ARG_TAG_TRUSTED | ARG_TAG_UNTRUSTED)) {
            int err = prepare_btf_arg(env, sub, i, tags, id);
            if (err)
                return err;
            continue;
        }
        if (t && btf_kind(t) == BTF_KIND_PTR) {
            long size = bpfrt_btf_type_size(a->btf, t->type);
            if (size <= 0) {
                char tn[64];
                bpfrt_btf_type_str(a->btf, t->type, tn, sizeof(tn));
                verbose(env, "arg#%d reference type('%s') size cannot be determined: %ld\n", i, tn,
                        size < 0 ? size : -BPFRT_EINVAL);
                return -BPFRT_EINVAL;
            }
            sp->args[i].kind = tags & ARG_TAG_NONNULL ? GARG_MEM : GARG_MEM_OR_NULL;
            sp->args[i].mem_size = (uint32_t)size;
            continue;
        }
        if (t && (btf_kind(t) == BTF_KIND_INT || btf_kind(t) == BTF_KIND_ENUM || btf_kind(t) == BTF_KIND_ENUM64)) {
            sp->args[i].kind = GARG_SCALAR;
            continue;
        }
        verbose(env, "Arg#%d type %s in %s() is not supported yet.\n", i,
                t ? bpfrt_btf_kind_name(btf_kind(t)) : "void", name);
        return -BPFRT_EINVAL;
    }
    sp->arg_cnt = nargs;
    sp->args_cached = true;
    return 0;
}

/* btf_check_func_arg_match: what a caller passes fits the prototype. */
static int check_func_arg_match(struct venv *env, uint32_t sub)
{
    struct vsubprog *sp = &env->subprog[sub];
    struct vreg *regs = cur_regs(env);
    for (uint32_t i = 0; i < sp->arg_cnt; i++) {
        uint32_t regno = i + 1;
        struct vreg *reg = &regs[regno];
        switch (sp->args[i].kind) {
        case GARG_SCALAR:
            if (reg->type != SCALAR_VALUE) {
                verbose(env, "R%d is not a scalar\n", regno);
                return -BPFRT_EINVAL;
            }
            break;
        case GARG_CTX:
            if (reg->type == PTR_TO_CTX && reg->off) {
                verbose(env, "dereference of modified ctx ptr R%d off=%d disallowed\n", regno, reg->off);
                return -BPFRT_EACCES;
            }
            if (reg->type != PTR_TO_CTX) {
                verbose(env, "arg#%d expects pointer to ctx\n", i);
                return -BPFRT_EINVAL;
            }
            break;
        case GARG_MEM_OR_NULL:
        case GARG_MEM:
            if (bpfrt_v_check_global_mem_arg(env, regno, sp->args[i].mem_size))
                return -BPFRT_EINVAL;
            if (sp->args[i].kind == GARG_MEM && type_may_be_null(reg->flags)) {
                verbose(env, "arg#%d is expected to be non-NULL\n", i);
                return -BPFRT_EINVAL;
            }
            break;
        case GARG_BTF: { /* anything may be passed as untrusted: reads through it are fault-safe */
            int err = (sp->args[i].flags & PTR_TRUSTED)
                          ? bpfrt_v_check_trusted_arg(env, regno, sp->args[i].flags & PTR_MAYBE_NULL,
                                                      bpfrt_v_btf_type_name(env, sp->args[i].mem_size))
                          : 0;
            if (err)
                return err;
            break;
        }
        default:
            break;
        }
    }
    return 0;
}

/* The global branch of check_func_call. */
int bpfrt_v_call_global(struct venv *env, uint32_t sub)
{
    const char *name = bpfrt_v_subprog_name(env, sub);
    if (env->cur_state->active_locks) {
        verbose(env, "global function calls are not allowed while holding a lock,\n"
                     "use static function instead\n");
        return -BPFRT_EINVAL;
    }
    int err = prepare_func_args(env, sub);
    if (!err)
        err = check_func_arg_match(env, sub);
    if (err) {
        verbose(env, "Caller passes invalid args into func#%d ('%s')\n", sub, name);
        return err;
    }
    if (log_level(env, BPF_LOG_LEVEL))
        verbose(env, "Func#%d ('%s') is global and assumed valid.\n", sub, name);
    if (env->subprog[sub].changes_pkt_data) /* it, or what it calls, may move the packet */
        bpfrt_v_clear_all_pkt_pointers(env);
    env->subprog[sub].called = true;
    struct vreg *regs = cur_regs(env);
    for (uint32_t i = 0; i < CALLER_SAVED_REGS; i++) {
        bpfrt_v_mark_reg_not_init(&regs[i]);
        bpfrt_v_mark_reg_scratched(env, i);
    }
    bpfrt_v_mark_reg_unknown(&regs[BPF_REG_0]);
    return 0;
}

/* The argument registers of a global function verified alone. */
int bpfrt_v_init_global_args(struct venv *env, uint32_t sub, struct vreg *regs)
{
    if (log_level(env, BPF_LOG_LEVEL))
        verbose(env, "Validating %s() func#%d...\n", bpfrt_v_subprog_name(env, sub), sub);
    int err = prepare_func_args(env, sub);
    if (err)
        return err;
    const struct vsubprog *sp = &env->subprog[sub];
    for (uint32_t i = 0; i < sp->arg_cnt; i++) {
        struct vreg *reg = &regs[BPF_REG_1 + i];
        switch (sp->args[i].kind) {
        case GARG_CTX:
            bpfrt_v_mark_reg_known_zero(reg);
            reg->type = PTR_TO_CTX;
            break;
        case GARG_MEM_OR_NULL:
        case GARG_MEM:
            bpfrt_v_mark_reg_known_zero(reg);
            reg->type = PTR_TO_MEM;
            reg->reg_mem_size = (int32_t)sp->args[i].mem_size;
            if (sp->args[i].kind == GARG_MEM_OR_NULL) {
                reg->flags = PTR_MAYBE_NULL;
                reg->id = bpfrt_v_new_id(env);
            }
            break;
        case GARG_UNTRUSTED_MEM:
            bpfrt_v_mark_reg_known_zero(reg);
            reg->type = PTR_TO_MEM;
            reg->flags = MEM_RDONLY | PTR_UNTRUSTED;
            reg->reg_mem_size = 0;
            break;
        case GARG_BTF:
            bpfrt_v_mark_reg_known_zero(reg);
            reg->type = PTR_TO_BTF_ID;
            reg->flags = sp->args[i].flags;
            reg->reg_btf_id = (int32_t)sp->args[i].mem_size;
            reg->id = bpfrt_v_new_id(env);
            break;
        default:
            bpfrt_v_mark_reg_unknown(reg);
            break;
        }
    }
    return 0;
}

/* do_check_subprogs: every global function a verified function called,
 * until no new one is found. */
int bpfrt_v_do_check_subprogs(struct venv *env)
{
    if (!env->args->nr_func_info)
        return 0;
    for (uint32_t found = 1; found;) {
        found = 0;
        for (uint32_t i = 1; i < env->subprog_cnt; i++) {
            struct vsubprog *sp = &env->subprog[i];
            if (!bpfrt_v_subprog_is_global(env, i) || !sp->called || sp->verified)
                continue;
            int err = bpfrt_v_do_check_common(env, i);
            if (err)
                return err;
            if (log_level(env, BPF_LOG_LEVEL))
                verbose(env, "Func#%d ('%s') is safe for any args that match its prototype\n", i,
                        bpfrt_v_subprog_name(env, i));
            sp->verified = true;
            found++;
        }
    }
    return 0;
}
