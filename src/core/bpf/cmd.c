/* bpfrt_bpf(): the dispatch table and Linux's attr checks.
 *
 * Like Linux: size > 4096 is -E2BIG; bytes past sizeof(union bpf_attr)
 * must be zero (-E2BIG); the attr is copied into a zeroed union; bytes past
 * the last field the command uses must be zero (CHECK_ATTR, -EINVAL); an
 * unknown command is -EINVAL. */
#include "core/bpf/cmd.h"

#define PAGE_SIZE_LIMIT 4096

typedef long (*cmd_fn)(struct bpfrt_cmd *c);

struct cmd_row {
    cmd_fn fn;
    uint16_t last; /* offsetofend of the last attr field the command reads */
};

#define ROW(cmd, fn, type, member) [cmd] = { fn, (uint16_t)offsetofend(type, member) }
#define A union bpf_attr

static const struct cmd_row cmd_table[__MAX_BPF_CMD] = {
    ROW(BPF_MAP_CREATE, bpfrt_cmd_map_create, A, excl_prog_hash_size),
    ROW(BPF_MAP_LOOKUP_ELEM, bpfrt_cmd_map_lookup_elem, A, flags),
    ROW(BPF_MAP_UPDATE_ELEM, bpfrt_cmd_map_update_elem, A, flags),
    ROW(BPF_MAP_DELETE_ELEM, bpfrt_cmd_map_delete_elem, A, flags),
    ROW(BPF_MAP_GET_NEXT_KEY, bpfrt_cmd_map_get_next_key, A, next_key),
    ROW(BPF_PROG_LOAD, bpfrt_cmd_prog_load, A, keyring_id),
    ROW(BPF_OBJ_PIN, bpfrt_cmd_obj_pin, A, path_fd),
    ROW(BPF_OBJ_GET, bpfrt_cmd_obj_get, A, path_fd),
    ROW(BPF_PROG_TEST_RUN, bpfrt_cmd_prog_test_run, A, test.batch_size),
    ROW(BPF_PROG_GET_NEXT_ID, bpfrt_cmd_prog_get_next_id, A, next_id),
    ROW(BPF_MAP_GET_NEXT_ID, bpfrt_cmd_map_get_next_id, A, next_id),
    ROW(BPF_BTF_GET_NEXT_ID, bpfrt_cmd_btf_get_next_id, A, next_id),
    ROW(BPF_PROG_GET_FD_BY_ID, bpfrt_cmd_prog_get_fd_by_id, A, prog_id),
    ROW(BPF_MAP_GET_FD_BY_ID, bpfrt_cmd_map_get_fd_by_id, A, open_flags),
    ROW(BPF_BTF_GET_FD_BY_ID, bpfrt_cmd_btf_get_fd_by_id, A, open_flags),
    ROW(BPF_OBJ_GET_INFO_BY_FD, bpfrt_cmd_obj_get_info_by_fd, A, info.info),
    ROW(BPF_BTF_LOAD, bpfrt_cmd_btf_load, A, btf_token_fd),
    ROW(BPF_MAP_LOOKUP_AND_DELETE_ELEM, bpfrt_cmd_map_lookup_and_delete_elem, A, flags),
    ROW(BPF_MAP_FREEZE, bpfrt_cmd_map_freeze, A, map_fd),
    ROW(BPF_MAP_LOOKUP_BATCH, bpfrt_cmd_map_lookup_batch, A, batch.flags),
    ROW(BPF_MAP_LOOKUP_AND_DELETE_BATCH, bpfrt_cmd_map_lookup_and_delete_batch, A, batch.flags),
    ROW(BPF_MAP_UPDATE_BATCH, bpfrt_cmd_map_update_batch, A, batch.flags),
    ROW(BPF_MAP_DELETE_BATCH, bpfrt_cmd_map_delete_batch, A, batch.flags),
    ROW(BPF_ENABLE_STATS, bpfrt_cmd_enable_stats, A, enable_stats.type),
};

static bool all_zero(const void *p, size_t from, size_t to)
{
    const unsigned char *b = p;
    for (size_t i = from; i < to; i++)
        if (b[i])
            return false;
    return true;
}

long bpfrt_bpf(struct bpfrt_runtime *rt, int cmd, union bpf_attr *uattr, unsigned int size)
{
    if (!rt)
        return -BPFRT_EINVAL;
    if (size > PAGE_SIZE_LIMIT)
        return -BPFRT_E2BIG;
    if (!uattr)
        return -BPFRT_EFAULT;
    if (size > sizeof(union bpf_attr) && !all_zero(uattr, sizeof(union bpf_attr), size))
        return -BPFRT_E2BIG;
    if (cmd < 0 || cmd >= __MAX_BPF_CMD || !cmd_table[cmd].fn)
        return -BPFRT_EINVAL;

    union bpf_attr attr;
    bpfrt_memset(&attr, 0, sizeof(attr));
    unsigned int n = size < sizeof(attr) ? size : (unsigned int)sizeof(attr);
    bpfrt_memcpy(&attr, uattr, n);
    if (!all_zero(&attr, cmd_table[cmd].last, sizeof(attr)))
        return -BPFRT_EINVAL;

    struct bpfrt_cmd c = { rt, &attr, uattr, size };
    return cmd_table[cmd].fn(&c);
}

int bpfrt_obj_name_cpy(char dst[BPF_OBJ_NAME_LEN], const char *src)
{
    bpfrt_memset(dst, 0, BPF_OBJ_NAME_LEN);
    for (uint32_t i = 0; i < BPF_OBJ_NAME_LEN; i++) {
        char ch = src[i];
        if (ch == '\0')
            return 0;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '.';
        if (!ok)
            return -BPFRT_EINVAL;
        dst[i] = ch;
    }
    return -BPFRT_EINVAL; /* no NUL inside the array */
}
