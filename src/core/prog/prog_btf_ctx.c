/* Contexts typed by BTF: the BTF-typed tracing family (fentry, fexit,
 * fmod_ret, tp_btf, iter: BPF_PROG_TYPE_TRACING; and LSM). Their context is
 * the target function's arguments as an array of u64 (fexit and fmod_ret:
 * then the return value), so its description is built per program from
 * the target's FUNC_PROTO, following Linux 6.18's btf_ctx_access
 * (kernel/bpf/btf.c) and the attach checks of bpf_check_attach_target
 * (kernel/bpf/verifier.c):
 *  - reads only, at 8-aligned offsets (one argument each);
 *  - an integer or enum argument reads as 1, 2, 4 or 8 bytes at its slot's
 *    start, a pointer only as 8;
 *  - the slot past the last argument is the return value for fexit,
 *    fmod_ret and LSM (a void function's reads as an integer).
 * tp_btf targets are the typedef btf_trace_<name> (a pointer to a
 * FUNC_PROTO whose first argument, the tracepoint's data, is not the
 * program's); LSM targets are FUNCs named bpf_lsm_<hook>, iter targets
 * bpf_iter_<name>. */
#include "bpfrt/btf.h"
#include "core/core.h"
#include "core/prog/prog_types.h"

#define MAX_SLOTS (BPFRT_MAX_BPF_FUNC_ARGS + 1) /* arguments, then the return value */
#define FIELDS_PER_SLOT 4

/* err, with why in msg: fmt has one %s, the target's name. */
static int fail(char *msg, size_t msg_size, int err, const char *fmt, const char *name)
{
    if (msg && msg_size)
        bpfrt_snprintf(msg, msg_size, fmt, name ? name : "");
    return err;
}

static bool starts_with(const char *s, const char *prefix)
{
    return bpfrt_strncmp(s, prefix, bpfrt_strlen(prefix)) == 0;
}

/* The FUNC_PROTO an attach target names, and how many of its leading
 * parameters are not the program's. 0 or a negative errno. */
static int target_proto(const struct bpfrt_btf *btf, uint32_t attach_type, uint32_t btf_id, uint32_t *proto,
                        uint32_t *skip, char *msg, size_t msg_size)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, btf_id);
    const char *name = bpfrt_btf_name(btf, btf_id);
    if (!t)
        return fail(msg, msg_size, -BPFRT_EINVAL, "attach_btf_id is not a type of the target BTF%s", NULL);
    *skip = 0;
    if (attach_type == BPF_TRACE_RAW_TP) {
        if (btf_kind(t) != BTF_KIND_TYPEDEF)
            return fail(msg, msg_size, -BPFRT_EINVAL, "attach_btf_id is not a typedef (%s)", name);
        if (!starts_with(name, "btf_trace_"))
            return fail(msg, msg_size, -BPFRT_EINVAL, "%s is not a btf_trace_ typedef", name);
        const struct btf_type *p = bpfrt_btf_type_by_id(btf, t->type);
        if (!p || btf_kind(p) != BTF_KIND_PTR)
            return fail(msg, msg_size, -BPFRT_EINVAL, "%s is not a pointer to a function prototype", name);
        *proto = p->type;
        *skip = 1; /* void *__data */
    } else {
        if (btf_kind(t) != BTF_KIND_FUNC)
            return fail(msg, msg_size, -BPFRT_EINVAL, "attach_btf_id is not a function (%s)", name);
        if ((attach_type == BPF_LSM_MAC || attach_type == BPF_LSM_CGROUP) && !starts_with(name, "bpf_lsm_"))
            return fail(msg, msg_size, -BPFRT_EINVAL, "%s is not an LSM hook (bpf_lsm_*)", name);
        if (attach_type == BPF_TRACE_ITER && !starts_with(name, "bpf_iter_"))
            return fail(msg, msg_size, -BPFRT_EINVAL, "%s is not an iterator (bpf_iter_*)", name);
        *proto = t->type;
    }
    const struct btf_type *fp = bpfrt_btf_type_by_id(btf, *proto);
    if (!fp || btf_kind(fp) != BTF_KIND_FUNC_PROTO)
        return fail(msg, msg_size, -BPFRT_EINVAL, "%s has no function prototype", name);
    if (btf_vlen(fp) < *skip || btf_vlen(fp) - *skip > BPFRT_MAX_BPF_FUNC_ARGS)
        return fail(msg, msg_size, -BPFRT_E2BIG, "%s has too many arguments", name);
    return 0;
}

/* Entries for one u64 slot holding a value of BTF type `type`. */
static uint32_t slot_fields(const struct bpfrt_btf *btf, uint32_t type, uint16_t off, struct bpfrt_ctx_field *f)
{
    uint32_t id = bpfrt_btf_skip_mods(btf, type);
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
    uint32_t kind = t ? btf_kind(t) : BTF_KIND_INT; /* void: a return value of 0 */
    if (kind == BTF_KIND_PTR) {
        f[0] = (struct bpfrt_ctx_field){ off, 8, BPFRT_CTX_SCALAR, BPFRT_CTX_READ, false, 0 };
        return 1;
    }
    static const uint16_t sizes[FIELDS_PER_SLOT] = { 8, 4, 2, 1 };
    for (uint32_t i = 0; i < FIELDS_PER_SLOT; i++)
        f[i] = (struct bpfrt_ctx_field){ off, sizes[i], BPFRT_CTX_SCALAR, BPFRT_CTX_READ, false, 0 };
    return FIELDS_PER_SLOT;
}

int bpfrt_ctx_desc_btf(struct bpfrt_runtime *rt, const struct bpfrt_btf *btf, uint32_t prog_type,
                       uint32_t attach_type, uint32_t btf_id, char *msg, size_t msg_size,
                       struct bpfrt_ctx_desc **out)
{
    *out = NULL;
    bool with_ret;
    switch (attach_type) {
    case BPF_TRACE_FENTRY:
    case BPF_TRACE_RAW_TP:
    case BPF_TRACE_ITER:
        with_ret = false;
        break;
    case BPF_TRACE_FEXIT:
    case BPF_MODIFY_RETURN:
    case BPF_LSM_MAC:
    case BPF_LSM_CGROUP:
        with_ret = true;
        break;
    default:
        return fail(msg, msg_size, -BPFRT_EINVAL, "not a BTF-typed tracing attach type%s", NULL);
    }
    bool lsm_type = prog_type == BPF_PROG_TYPE_LSM;
    bool lsm_attach = attach_type == BPF_LSM_MAC || attach_type == BPF_LSM_CGROUP;
    if (lsm_type != lsm_attach)
        return fail(msg, msg_size, -BPFRT_EINVAL, "the attach type does not fit the program type%s", NULL);
    uint32_t proto, skip;
    int err = target_proto(btf, attach_type, btf_id, &proto, &skip, msg, msg_size);
    if (err)
        return err;
    const struct btf_type *fp = bpfrt_btf_type_by_id(btf, proto);
    const struct btf_param *params = (const struct btf_param *)(fp + 1);
    uint32_t nargs = btf_vlen(fp) - skip;
    /* a C variadic prototype ends with a parameter of type void */
    if (nargs && params[skip + nargs - 1].type == 0)
        return fail(msg, msg_size, -BPFRT_EINVAL, "%s is variadic", bpfrt_btf_name(btf, btf_id));
    uint32_t slots = nargs + (with_ret ? 1 : 0);
    size_t size = sizeof(struct bpfrt_ctx_desc) + (size_t)MAX_SLOTS * FIELDS_PER_SLOT * sizeof(struct bpfrt_ctx_field);
    struct bpfrt_ctx_desc *d = bpfrt_zalloc(rt, size);
    if (!d)
        return -BPFRT_ENOMEM;
    struct bpfrt_ctx_field *fields = (struct bpfrt_ctx_field *)(void *)(d + 1);
    uint32_t n = 0;
    for (uint32_t i = 0; i < nargs; i++)
        n += slot_fields(btf, params[skip + i].type, (uint16_t)(8 * i), fields + n);
    if (with_ret)
        n += slot_fields(btf, fp->type, (uint16_t)(8 * nargs), fields + n);
    d->prog_type = prog_type;
    d->ctx_name = "u64 args[] (BTF-typed)";
    d->ctx_size = 8 * slots;
    d->kern_size = 8 * MAX_SLOTS; /* hooks hand a full array: zeros past the arguments */
    d->fields = fields;
    d->nr_fields = n;
    d->whole_ctx_readable = false;
    *out = d;
    return 0;
}

void bpfrt_ctx_desc_btf_free(struct bpfrt_runtime *rt, const struct bpfrt_ctx_desc *desc)
{
    size_t size = sizeof(struct bpfrt_ctx_desc) + (size_t)MAX_SLOTS * FIELDS_PER_SLOT * sizeof(struct bpfrt_ctx_field);
    if (desc)
        bpfrt_free(rt, (void *)(uintptr_t)desc, size);
}
