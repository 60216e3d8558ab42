/* The built-in helper table, built from the rows in table.def (one per
 * helper, Linux 6.18's bpf_func_proto plus the verifier's per-helper
 * traits), the callback shapes those rows name (Linux's
 * set_*_callback_state in kernel/bpf/verifier.c) and Linux's names of
 * argument and return kinds. */
#include "core/helpers/helpers_internal.h"

/* ---- callback shapes: r1..r5 of the callback and the range of its r0 ---- */
#define CB_ARGS(...) { __VA_ARGS__ }
#define CB(x) BPFRT_CB_##x

/* bpf_loop: cb(u64 index, void *ctx) */
const struct bpfrt_helper_cb bpfrt_helper_cb_loop = { CB_ARGS(CB(SCALAR), CB(CTX)), 0, 1, false };
/* bpf_for_each_map_elem: cb(map, key, value, ctx) */
const struct bpfrt_helper_cb bpfrt_helper_cb_for_each_map_elem = {
    CB_ARGS(CB(MAP), CB(MAP_KEY), CB(MAP_VALUE), CB(CTX)), 0, 1, false
};
/* bpf_find_vma: cb(task, vma, ctx) */
const struct bpfrt_helper_cb bpfrt_helper_cb_find_vma = { CB_ARGS(CB(TASK), CB(VMA), CB(CTX)), 0, 1, false };
/* bpf_user_ringbuf_drain: cb(dynptr, ctx) */
const struct bpfrt_helper_cb bpfrt_helper_cb_user_ringbuf_drain = { CB_ARGS(CB(DYNPTR), CB(CTX)), 0, 1, false };
/* bpf_timer_set_callback: cb(map, key, value), later, returning 0 */
const struct bpfrt_helper_cb bpfrt_helper_cb_timer = { CB_ARGS(CB(MAP), CB(MAP_KEY), CB(MAP_VALUE)), 0, 0, true };

/* ---- the rows ---- */
#define A(x) ARG_##x
#define R(x) RET_##x
#define F(x) BPFRT_HELPER_##x
#define RO(i) (uint16_t)(1u << (i))
#define ALL BPFRT_ALL_PROG_TYPES
#define ARGS(...) { __VA_ARGS__ }
#define GPL .gpl_only = true
#define RDONLY(mask) .arg_rdonly = (mask)
#define FLAGS(mask) .flags = (mask)
#define RELEASE(i) .arg_flags[i] = BPFRT_ARG_RELEASE
#define FIXED(i, bytes) .arg_flags[i] = BPFRT_ARG_ALIGNED, .arg_size[i] = (bytes)
#define CALLBACK(shape) .cb = &bpfrt_helper_cb_##shape
#define BTF(type) .arg_btf_struct = #type

#define HELPER(ID, TYPES, RET, ARG_TYPES, ...) \
    { .id = BPF_FUNC_##ID, .name = "bpf_" #ID, .fn = bpfrt_helper_##ID, .ret_type = RET, \
      .arg_type = ARG_TYPES, .prog_types = TYPES, __VA_ARGS__ },

static const struct bpfrt_helper_proto builtin_helpers[] = {
#include "core/helpers/table.def"
};

const struct bpfrt_helper_proto *bpfrt_helper_builtin_table(size_t *count)
{
    *count = sizeof(builtin_helpers) / sizeof(builtin_helpers[0]);
    return builtin_helpers;
}

const char *bpfrt_helper_id_name(uint32_t id)
{
    const char *name = bpfrt_helper_name(id);
    return name ? name + 4 : NULL; /* without "bpf_" */
}

static const char *const arg_type_names[__ARG_TYPE_MAX] = {
    [ARG_DONTCARE] = "ARG_DONTCARE",
    [ARG_ANYTHING] = "ARG_ANYTHING",
    [ARG_CONST_MAP_PTR] = "ARG_CONST_MAP_PTR",
    [ARG_PTR_TO_MAP_KEY] = "ARG_PTR_TO_MAP_KEY",
    [ARG_PTR_TO_MAP_VALUE] = "ARG_PTR_TO_MAP_VALUE",
    [ARG_PTR_TO_UNINIT_MAP_VALUE] = "ARG_PTR_TO_UNINIT_MAP_VALUE",
    [ARG_PTR_TO_MEM] = "ARG_PTR_TO_MEM",
    [ARG_PTR_TO_MEM_OR_NULL] = "ARG_PTR_TO_MEM_OR_NULL",
    [ARG_PTR_TO_UNINIT_MEM] = "ARG_PTR_TO_UNINIT_MEM",
    [ARG_CONST_SIZE] = "ARG_CONST_SIZE",
    [ARG_CONST_SIZE_OR_ZERO] = "ARG_CONST_SIZE_OR_ZERO",
    [ARG_PTR_TO_CTX] = "ARG_PTR_TO_CTX",
    [ARG_PTR_TO_CONST_STR] = "ARG_PTR_TO_CONST_STR",
    [ARG_PTR_TO_SPIN_LOCK] = "ARG_PTR_TO_SPIN_LOCK",
    [ARG_PTR_TO_RINGBUF_MEM] = "ARG_PTR_TO_RINGBUF_MEM",
    [ARG_CONST_ALLOC_SIZE_OR_ZERO] = "ARG_CONST_ALLOC_SIZE_OR_ZERO",
    [ARG_PTR_TO_FUNC] = "ARG_PTR_TO_FUNC",
    [ARG_PTR_TO_STACK_OR_NULL] = "ARG_PTR_TO_STACK_OR_NULL",
    [ARG_PTR_TO_LONG] = "ARG_PTR_TO_LONG",
    [ARG_PTR_TO_INT] = "ARG_PTR_TO_INT",
    [ARG_CONST_STR_SIZE_UNUSED] = "ARG_CONST_STR_SIZE_UNUSED",
    [ARG_PTR_TO_MAP_VALUE_OR_NULL] = "ARG_PTR_TO_MAP_VALUE_OR_NULL",
    [ARG_PTR_TO_BTF_ID] = "ARG_PTR_TO_BTF_ID",
    [ARG_PTR_TO_BTF_ID_OR_NULL] = "ARG_PTR_TO_BTF_ID_OR_NULL",
    [ARG_PTR_TO_BTF_ID_SOCK_COMMON] = "ARG_PTR_TO_BTF_ID_SOCK_COMMON",
    [ARG_PTR_TO_SOCKET] = "ARG_PTR_TO_SOCKET",
    [ARG_PTR_TO_SOCK_COMMON] = "ARG_PTR_TO_SOCK_COMMON",
    [ARG_PTR_TO_DYNPTR] = "ARG_PTR_TO_DYNPTR",
    [ARG_PTR_TO_UNINIT_DYNPTR] = "ARG_PTR_TO_DYNPTR|MEM_UNINIT",
};

static const char *const ret_type_names[__RET_TYPE_MAX] = {
    [RET_INTEGER] = "RET_INTEGER",
    [RET_VOID] = "RET_VOID",
    [RET_PTR_TO_MAP_VALUE_OR_NULL] = "RET_PTR_TO_MAP_VALUE_OR_NULL",
    [RET_PTR_TO_MEM_OR_NULL] = "RET_PTR_TO_MEM_OR_NULL",
    [RET_PTR_TO_MAP_VALUE] = "RET_PTR_TO_MAP_VALUE",
    [RET_PTR_TO_SOCKET_OR_NULL] = "RET_PTR_TO_SOCKET_OR_NULL",
    [RET_PTR_TO_SOCK_COMMON_OR_NULL] = "RET_PTR_TO_SOCK_COMMON_OR_NULL",
    [RET_PTR_TO_TCP_SOCK_OR_NULL] = "RET_PTR_TO_TCP_SOCK_OR_NULL",
    [RET_PTR_TO_BTF_ID] = "RET_PTR_TO_BTF_ID",
    [RET_PTR_TO_BTF_ID_OR_NULL] = "RET_PTR_TO_BTF_ID_OR_NULL",
    [RET_PTR_TO_DYNPTR_MEM_OR_NULL] = "RET_PTR_TO_DYNPTR_MEM_OR_NULL",
};

const char *bpfrt_helper_arg_type_name(uint8_t arg_type)
{
    return arg_type < __ARG_TYPE_MAX && arg_type_names[arg_type] ? arg_type_names[arg_type] : "?";
}

const char *bpfrt_helper_ret_type_name(uint8_t ret_type)
{
    return ret_type < __RET_TYPE_MAX && ret_type_names[ret_type] ? ret_type_names[ret_type] : "?";
}
