/* Internal to the core: the map families added for real-world programs
 * (stack traces, cgroup arrays, local storage, sockmaps, user ring
 * buffers) - their ops tables and the entry points their helpers call in
 * src/core/helpers. */
#ifndef BPFRT_MAP_FAMILY_H
#define BPFRT_MAP_FAMILY_H

#include "bpfrt/helpers.h"
#include "core/maps/host_objs.h"

extern const struct bpfrt_map_ops bpfrt_stack_trace_ops, bpfrt_cgroup_array_ops;
extern const struct bpfrt_map_ops bpfrt_task_storage_ops, bpfrt_inode_storage_ops;
extern const struct bpfrt_map_ops bpfrt_sk_storage_ops, bpfrt_cgrp_storage_ops;
extern const struct bpfrt_map_ops bpfrt_sockmap_ops, bpfrt_sockhash_ops, bpfrt_reuseport_array_ops;
extern const struct bpfrt_map_ops bpfrt_user_ringbuf_ops;

/* ---- STACK_TRACE (stackmap.c) ----
 * The id of the chain ips[0..nr) (nr >= 1, already skipped and cut to the
 * map's depth), storing it when new: bpf_get_stackid's answer or -EEXIST,
 * -ENOMEM, -EINVAL (not a stack map). */
long bpfrt_stackmap_get_id(struct bpfrt_map *map, const uint64_t *ips, uint32_t nr, uint64_t flags);

/* ---- CGROUP_ARRAY (cgroup_array.c) ----
 * The cgroup id at index: 0, -E2BIG (out of range), -EAGAIN (empty), as
 * bpf_current_task_under_cgroup reports them; -EINVAL for another map. */
int bpfrt_cgroup_array_get(struct bpfrt_map *map, uint32_t index, uint64_t *id);

/* ---- local storage (local_storage.c) ----
 * bpf_*_storage_get: the owner's value, created from init (zeroes when
 * NULL) with BPF_LOCAL_STORAGE_GET_F_CREATE; NULL when absent, for other
 * flags or when out of memory. delete: 0 or -ENOENT. */
void *bpfrt_local_storage_get(struct bpfrt_map *map, const void *owner, const void *init, uint64_t flags);
long bpfrt_local_storage_delete(struct bpfrt_map *map, const void *owner);
/* The map type whose owners are `kind` of object (BPF_MAP_TYPE_*_STORAGE). */
bool bpfrt_is_local_storage(const struct bpfrt_map *map);

/* ---- SOCKMAP / SOCKHASH (sockmap.c) ----
 * The socket at key (no reference taken; valid for the run), or NULL. */
struct bpfrt_sock *bpfrt_sockmap_lookup(struct bpfrt_map *map, const void *key);
/* bpf_sock_map_update / bpf_sock_hash_update from a program: 0 or -errno. */
long bpfrt_sockmap_update_sock(struct bpfrt_map *map, const void *key, struct bpfrt_sock *sk, uint64_t flags);
bool bpfrt_is_sockmap(const struct bpfrt_map *map);

/* ---- USER_RINGBUF (user_ringbuf.c) ----
 * One drain: calls cb(arg, sample, size) for each submitted sample (up to
 * Linux's 128 Ki) until it returns non-zero; returns samples passed to cb
 * or -EBUSY (another drain in progress) / -EINVAL / -E2BIG (a corrupt
 * header), as bpf_user_ringbuf_drain. */
long bpfrt_user_ringbuf_drain(struct bpfrt_map *map, int (*cb)(void *arg, void *sample, uint32_t size),
                              void *arg);

#endif
