/* The local storage helpers (kernel/bpf/bpf_task_storage.c,
 * bpf_inode_storage.c, bpf_cgrp_storage.c, net/core/bpf_sk_storage.c):
 * bpf_*_storage_get(map, owner, init, flags) gives the owner's value,
 * creating it from init (zeroes for NULL) with
 * BPF_LOCAL_STORAGE_GET_F_CREATE; NULL for a NULL owner, other flags, or
 * no value; bpf_*_storage_delete(map, owner) is 0, -ENOENT, or -EINVAL for
 * a NULL owner. The owner is whatever object the program has: the task
 * from bpf_get_current_task_btf, a socket from a lookup, an inode or a
 * cgroup a hook passed. The map layer keeps the values (local_storage.c). */
#include "core/helpers/helpers_internal.h"
#include "core/maps/map_family.h"

static bool storage_of(const struct bpfrt_map *map, uint32_t type)
{
    return map && map->map_type == type;
}

static uint64_t storage_get(struct bpfrt_map *map, uint32_t type, const void *owner, const void *init, uint64_t flags)
{
    if (!storage_of(map, type))
        return 0;
    return (uint64_t)(uintptr_t)bpfrt_local_storage_get(map, owner, init, flags);
}

static uint64_t storage_delete(struct bpfrt_map *map, uint32_t type, const void *owner)
{
    if (!storage_of(map, type))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    return bpfrt_helper_err((int)bpfrt_local_storage_delete(map, owner));
}

BPFRT_HELPER_DEF(task_storage_get)
{
    return storage_get(bpfrt_u2p(r1), BPF_MAP_TYPE_TASK_STORAGE, bpfrt_u2p(r2), bpfrt_u2p(r3), r4);
}

BPFRT_HELPER_DEF(task_storage_delete)
{
    return storage_delete(bpfrt_u2p(r1), BPF_MAP_TYPE_TASK_STORAGE, bpfrt_u2p(r2));
}

BPFRT_HELPER_DEF(inode_storage_get)
{
    return storage_get(bpfrt_u2p(r1), BPF_MAP_TYPE_INODE_STORAGE, bpfrt_u2p(r2), bpfrt_u2p(r3), r4);
}

BPFRT_HELPER_DEF(inode_storage_delete)
{
    return storage_delete(bpfrt_u2p(r1), BPF_MAP_TYPE_INODE_STORAGE, bpfrt_u2p(r2));
}

BPFRT_HELPER_DEF(cgrp_storage_get)
{
    return storage_get(bpfrt_u2p(r1), BPF_MAP_TYPE_CGRP_STORAGE, bpfrt_u2p(r2), bpfrt_u2p(r3), r4);
}

BPFRT_HELPER_DEF(cgrp_storage_delete)
{
    return storage_delete(bpfrt_u2p(r1), BPF_MAP_TYPE_CGRP_STORAGE, bpfrt_u2p(r2));
}

/* Sockets must be full sockets Linux knows (NULL / -EINVAL otherwise); in
 * a checked run, one the program holds or the embedder registered. */
BPFRT_HELPER_DEF(sk_storage_get)
{
    const struct bpfrt_sock *sk = bpfrt_helper_sock(run, r2);
    if (!sk)
        return 0;
    return storage_get(bpfrt_u2p(r1), BPF_MAP_TYPE_SK_STORAGE, sk, bpfrt_u2p(r3), r4);
}

BPFRT_HELPER_DEF(sk_storage_delete)
{
    const struct bpfrt_sock *sk = bpfrt_helper_sock(run, r2);
    if (!sk)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    return storage_delete(bpfrt_u2p(r1), BPF_MAP_TYPE_SK_STORAGE, sk);
}
