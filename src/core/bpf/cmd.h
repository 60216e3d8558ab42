/* Command handlers behind bpfrt_bpf(): each gets the attr copied into a
 * zero-padded union (what Linux calls kattr) and writes results back
 * through the helpers below, which never write past the caller's size. */
#ifndef BPFRT_CORE_BPF_CMD_H
#define BPFRT_CORE_BPF_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "bpfrt/bpf.h"
#include "core/bpf/objtab.h"
#include "core/core.h"

struct bpfrt_cmd {
    struct bpfrt_runtime *rt;
    union bpf_attr *attr;  /* kernel-side copy */
    union bpf_attr *uattr; /* the caller's */
    unsigned int usize;    /* bytes of uattr the caller passed */
};

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* Writes a field back into the caller's attr when its size covers it. */
static inline void bpfrt_cmd_put(const struct bpfrt_cmd *c, size_t off, const void *val, size_t len)
{
    if (off + len <= c->usize)
        bpfrt_memcpy((char *)c->uattr + off, val, len);
}
#define BPFRT_CMD_PUT_U32(c, member, v)                                                    \
    do {                                                                                   \
        uint32_t _v = (v);                                                                 \
        bpfrt_cmd_put((c), offsetof(union bpf_attr, member), &_v, sizeof(_v));            \
    } while (0)

static inline void *u64_to_ptr(uint64_t v)
{
    return (void *)(uintptr_t)v;
}

long bpfrt_cmd_map_create(struct bpfrt_cmd *c);
long bpfrt_cmd_map_lookup_elem(struct bpfrt_cmd *c);
long bpfrt_cmd_map_update_elem(struct bpfrt_cmd *c);
long bpfrt_cmd_map_delete_elem(struct bpfrt_cmd *c);
long bpfrt_cmd_map_get_next_key(struct bpfrt_cmd *c);
long bpfrt_cmd_map_lookup_and_delete_elem(struct bpfrt_cmd *c);
long bpfrt_cmd_map_freeze(struct bpfrt_cmd *c);
long bpfrt_cmd_map_lookup_batch(struct bpfrt_cmd *c);
long bpfrt_cmd_map_lookup_and_delete_batch(struct bpfrt_cmd *c);
long bpfrt_cmd_map_update_batch(struct bpfrt_cmd *c);
long bpfrt_cmd_map_delete_batch(struct bpfrt_cmd *c);
long bpfrt_cmd_prog_load(struct bpfrt_cmd *c);
long bpfrt_cmd_prog_test_run(struct bpfrt_cmd *c);
long bpfrt_cmd_btf_load(struct bpfrt_cmd *c);
long bpfrt_cmd_obj_get_info_by_fd(struct bpfrt_cmd *c);
long bpfrt_cmd_prog_get_next_id(struct bpfrt_cmd *c);
long bpfrt_cmd_map_get_next_id(struct bpfrt_cmd *c);
long bpfrt_cmd_btf_get_next_id(struct bpfrt_cmd *c);
long bpfrt_cmd_prog_get_fd_by_id(struct bpfrt_cmd *c);
long bpfrt_cmd_map_get_fd_by_id(struct bpfrt_cmd *c);
long bpfrt_cmd_btf_get_fd_by_id(struct bpfrt_cmd *c);
long bpfrt_cmd_obj_pin(struct bpfrt_cmd *c);
long bpfrt_cmd_obj_get(struct bpfrt_cmd *c);
long bpfrt_cmd_enable_stats(struct bpfrt_cmd *c);

/* Object name check as Linux's bpf_obj_name_cpy: [A-Za-z0-9_.]*, NUL
 * within BPF_OBJ_NAME_LEN. Copies into dst. Returns 0 or -EINVAL. */
int bpfrt_obj_name_cpy(char dst[BPF_OBJ_NAME_LEN], const char *src);

#endif
