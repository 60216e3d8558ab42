/* Pointers to kernel objects typed by BTF (Linux 6.18 verifier.c
 * PTR_TO_BTF_ID: check_reg_type's btf_struct_ids_match for helper
 * arguments, check_ptr_to_btf_access with kernel/bpf/btf.c's
 * btf_struct_access and btf_struct_walk for loads). The type ids are the
 * runtime's kernel BTF (bpfrt_runtime_set_kernel_btf). */
#include "bpfrt/btf.h"
#include "core/verifier/verifier.h"

static const struct bpfrt_btf *kernel_btf(const struct venv *env)
{
    return env->rt->kernel_btf;
}

const char *bpfrt_v_btf_type_name(const struct venv *env, uint32_t btf_id)
{
    const struct bpfrt_btf *btf = kernel_btf(env);
    return btf && btf_id ? bpfrt_btf_name(btf, btf_id) : "";
}

/* Whether the struct btf_id, or the struct found by following first
 * members from it (struct sock starts with struct sock_common), is named
 * want. Linux's btf_struct_ids_match without strict matching. */
static bool struct_starts_with(const struct bpfrt_btf *btf, uint32_t btf_id, const char *want)
{
    for (int depth = 0; btf_id && depth < 32; depth++) {
        btf_id = bpfrt_btf_skip_mods(btf, btf_id);
        const struct btf_type *t = bpfrt_btf_type_by_id(btf, btf_id);
        if (!t || btf_kind(t) != BTF_KIND_STRUCT)
            return false;
        if (bpfrt_strcmp(bpfrt_btf_name(btf, btf_id), want) == 0)
            return true;
        if (!btf_vlen(t) || btf_member_bit_offset(t, 0) != 0)
            return false;
        btf_id = btf_members(t)[0].type;
    }
    return false;
}

/* check_reg_type after a match: a BTF pointer passed where a socket is
 * wanted must be a struct sock_common (or start with one), known not NULL
 * when the argument is not nullable or is released. */
int bpfrt_v_check_btf_arg(struct venv *env, uint32_t regno, const struct vreg *reg, bool arg_maybe_null,
                          bool release)
{
    if (reg->type != PTR_TO_BTF_ID)
        return 0;
    if (type_may_be_null(reg->flags) && (!arg_maybe_null || release)) {
        verbose(env, "Possibly NULL pointer passed to helper arg%d\n", regno);
        return -BPFRT_EACCES;
    }
    const struct bpfrt_btf *btf = kernel_btf(env);
    if (!btf || !reg->reg_btf_id || !struct_starts_with(btf, (uint32_t)reg->reg_btf_id, "sock_common")) {
        verbose(env, "R%d is of type %s but %s is expected\n", regno,
                bpfrt_v_btf_type_name(env, (uint32_t)reg->reg_btf_id), "sock_common");
        return -BPFRT_EACCES;
    }
    return 0;
}
