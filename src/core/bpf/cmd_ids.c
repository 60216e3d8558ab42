/* Ids and pins: *_GET_NEXT_ID, *_GET_FD_BY_ID, OBJ_PIN, OBJ_GET. */
#include "core/bpf/cmd.h"

#define INT_MAX_ID 0x7fffffffu

static long next_id(struct bpfrt_cmd *c, enum bpfrt_obj_kind kind)
{
    if (c->attr->start_id >= INT_MAX_ID)
        return -BPFRT_EINVAL;
    uint32_t next = 0;
    int err = bpfrt_objtab_next_id(c->rt, kind, c->attr->start_id, &next);
    if (err)
        return err;
    BPFRT_CMD_PUT_U32(c, next_id, next);
    return 0;
}

long bpfrt_cmd_prog_get_next_id(struct bpfrt_cmd *c) { return next_id(c, BPFRT_OBJ_PROG); }
long bpfrt_cmd_map_get_next_id(struct bpfrt_cmd *c) { return next_id(c, BPFRT_OBJ_MAP); }
long bpfrt_cmd_btf_get_next_id(struct bpfrt_cmd *c) { return next_id(c, BPFRT_OBJ_BTF); }

/* Linux's bpf_get_file_flag: RDONLY or WRONLY, not both, nothing else. */
static int check_open_flags(uint32_t flags)
{
    if (flags & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY))
        return -BPFRT_EINVAL;
    return bpfrt_handle_mode_from_flags(flags);
}

static long fd_by_id(struct bpfrt_cmd *c, enum bpfrt_obj_kind kind)
{
    int mode = check_open_flags(c->attr->open_flags);
    if (mode < 0)
        return mode;
    void *obj;
    int err = bpfrt_objtab_get_by_id(c->rt, kind, c->attr->start_id, &obj);
    if (err)
        return err;
    int h = bpfrt_objtab_install_mode(c->rt, kind, obj, (unsigned)mode);
    if (h < 0)
        bpfrt_obj_put(kind, obj);
    return h;
}

long bpfrt_cmd_prog_get_fd_by_id(struct bpfrt_cmd *c) { return fd_by_id(c, BPFRT_OBJ_PROG); }
long bpfrt_cmd_map_get_fd_by_id(struct bpfrt_cmd *c) { return fd_by_id(c, BPFRT_OBJ_MAP); }
long bpfrt_cmd_btf_get_fd_by_id(struct bpfrt_cmd *c) { return fd_by_id(c, BPFRT_OBJ_BTF); }

long bpfrt_cmd_obj_pin(struct bpfrt_cmd *c)
{
    const union bpf_attr *a = c->attr;
    if (a->file_flags || a->path_fd)
        return -BPFRT_EINVAL; /* BPF_F_PATH_FD: no directory fds here */
    if (!a->pathname)
        return -BPFRT_EFAULT;
    void *obj;
    enum bpfrt_obj_kind kind = bpfrt_objtab_get_any(c->rt, (int)a->bpf_fd, &obj);
    if (kind == BPFRT_OBJ_NONE)
        return -BPFRT_EBADF;
    int err = bpfrt_objtab_pin(c->rt, u64_to_ptr(a->pathname), kind, obj);
    bpfrt_obj_put(kind, obj);
    return err;
}

long bpfrt_cmd_obj_get(struct bpfrt_cmd *c)
{
    const union bpf_attr *a = c->attr;
    if (a->bpf_fd || a->path_fd)
        return -BPFRT_EINVAL;
    int mode = check_open_flags(a->file_flags);
    if (mode < 0)
        return mode;
    if (!a->pathname)
        return -BPFRT_EFAULT;
    void *obj;
    int err;
    enum bpfrt_obj_kind kind = bpfrt_objtab_get_pinned(c->rt, u64_to_ptr(a->pathname), &obj, &err);
    if (kind == BPFRT_OBJ_NONE)
        return err;
    int h = bpfrt_objtab_install_mode(c->rt, kind, obj, (unsigned)mode);
    if (h < 0)
        bpfrt_obj_put(kind, obj);
    return h;
}
