/* Which maps go with which helpers (Linux 6.18 verifier.c
 * check_map_func_compatibility, may_update_sockmap): a map type only with
 * the helpers made for it, and those helpers only with their map types -
 * both directions, as Linux checks them, with its message. */
#include "core/verifier/verifier.h"

#define MAX_PAIRED 8

/* A map type and the only helpers it may be passed to (0 ends a list;
 * SOCKMAP and SOCKHASH also take map_update/delete_elem where
 * may_update_sockmap says so). */
static const struct {
    uint32_t map_type;
    int32_t helpers[MAX_PAIRED];
} map_helpers[] = {
    { BPF_MAP_TYPE_PROG_ARRAY, { BPF_FUNC_tail_call } },
    { BPF_MAP_TYPE_PERF_EVENT_ARRAY, { BPF_FUNC_perf_event_read, BPF_FUNC_perf_event_output, BPF_FUNC_skb_output,
                                       BPF_FUNC_perf_event_read_value, BPF_FUNC_xdp_output } },
    { BPF_MAP_TYPE_RINGBUF, { BPF_FUNC_ringbuf_output, BPF_FUNC_ringbuf_reserve, BPF_FUNC_ringbuf_query,
                              BPF_FUNC_ringbuf_reserve_dynptr, BPF_FUNC_ringbuf_submit_dynptr,
                              BPF_FUNC_ringbuf_discard_dynptr } },
    { BPF_MAP_TYPE_USER_RINGBUF, { BPF_FUNC_user_ringbuf_drain } },
    { BPF_MAP_TYPE_STACK_TRACE, { BPF_FUNC_get_stackid } },
    { BPF_MAP_TYPE_CGROUP_ARRAY, { BPF_FUNC_skb_under_cgroup, BPF_FUNC_current_task_under_cgroup } },
    { BPF_MAP_TYPE_CGROUP_STORAGE, { BPF_FUNC_get_local_storage } },
    { BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, { BPF_FUNC_get_local_storage } },
    { BPF_MAP_TYPE_DEVMAP, { BPF_FUNC_redirect_map, BPF_FUNC_map_lookup_elem } },
    { BPF_MAP_TYPE_DEVMAP_HASH, { BPF_FUNC_redirect_map, BPF_FUNC_map_lookup_elem } },
    { BPF_MAP_TYPE_CPUMAP, { BPF_FUNC_redirect_map } },
    { BPF_MAP_TYPE_XSKMAP, { BPF_FUNC_redirect_map, BPF_FUNC_map_lookup_elem } },
    { BPF_MAP_TYPE_ARRAY_OF_MAPS, { BPF_FUNC_map_lookup_elem } },
    { BPF_MAP_TYPE_HASH_OF_MAPS, { BPF_FUNC_map_lookup_elem } },
    { BPF_MAP_TYPE_SOCKMAP, { BPF_FUNC_sk_redirect_map, BPF_FUNC_sock_map_update, BPF_FUNC_msg_redirect_map,
                              BPF_FUNC_sk_select_reuseport, BPF_FUNC_map_lookup_elem } },
    { BPF_MAP_TYPE_SOCKHASH, { BPF_FUNC_sk_redirect_hash, BPF_FUNC_sock_hash_update, BPF_FUNC_msg_redirect_hash,
                               BPF_FUNC_sk_select_reuseport, BPF_FUNC_map_lookup_elem } },
    { BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, { BPF_FUNC_sk_select_reuseport } },
    { BPF_MAP_TYPE_QUEUE, { BPF_FUNC_map_peek_elem, BPF_FUNC_map_pop_elem, BPF_FUNC_map_push_elem } },
    { BPF_MAP_TYPE_STACK, { BPF_FUNC_map_peek_elem, BPF_FUNC_map_pop_elem, BPF_FUNC_map_push_elem } },
    { BPF_MAP_TYPE_SK_STORAGE, { BPF_FUNC_sk_storage_get, BPF_FUNC_sk_storage_delete, BPF_FUNC_kptr_xchg } },
    { BPF_MAP_TYPE_INODE_STORAGE,
      { BPF_FUNC_inode_storage_get, BPF_FUNC_inode_storage_delete, BPF_FUNC_kptr_xchg } },
    { BPF_MAP_TYPE_TASK_STORAGE, { BPF_FUNC_task_storage_get, BPF_FUNC_task_storage_delete, BPF_FUNC_kptr_xchg } },
    { BPF_MAP_TYPE_CGRP_STORAGE, { BPF_FUNC_cgrp_storage_get, BPF_FUNC_cgrp_storage_delete, BPF_FUNC_kptr_xchg } },
    { BPF_MAP_TYPE_BLOOM_FILTER, { BPF_FUNC_map_peek_elem, BPF_FUNC_map_push_elem } },
};

/* A helper and the only map types it takes (0, BPF_MAP_TYPE_UNSPEC, ends a list). */
static const struct {
    int32_t helper;
    uint32_t map_types[MAX_PAIRED];
} helper_maps[] = {
    { BPF_FUNC_tail_call, { BPF_MAP_TYPE_PROG_ARRAY } },
    { BPF_FUNC_perf_event_read, { BPF_MAP_TYPE_PERF_EVENT_ARRAY } },
    { BPF_FUNC_perf_event_output, { BPF_MAP_TYPE_PERF_EVENT_ARRAY } },
    { BPF_FUNC_perf_event_read_value, { BPF_MAP_TYPE_PERF_EVENT_ARRAY } },
    { BPF_FUNC_skb_output, { BPF_MAP_TYPE_PERF_EVENT_ARRAY } },
    { BPF_FUNC_xdp_output, { BPF_MAP_TYPE_PERF_EVENT_ARRAY } },
    { BPF_FUNC_ringbuf_output, { BPF_MAP_TYPE_RINGBUF } },
    { BPF_FUNC_ringbuf_reserve, { BPF_MAP_TYPE_RINGBUF } },
    { BPF_FUNC_ringbuf_query, { BPF_MAP_TYPE_RINGBUF } },
    { BPF_FUNC_ringbuf_reserve_dynptr, { BPF_MAP_TYPE_RINGBUF } },
    { BPF_FUNC_ringbuf_submit_dynptr, { BPF_MAP_TYPE_RINGBUF } },
    { BPF_FUNC_ringbuf_discard_dynptr, { BPF_MAP_TYPE_RINGBUF } },
    { BPF_FUNC_user_ringbuf_drain, { BPF_MAP_TYPE_USER_RINGBUF } },
    { BPF_FUNC_get_stackid, { BPF_MAP_TYPE_STACK_TRACE } },
    { BPF_FUNC_current_task_under_cgroup, { BPF_MAP_TYPE_CGROUP_ARRAY } },
    { BPF_FUNC_skb_under_cgroup, { BPF_MAP_TYPE_CGROUP_ARRAY } },
    { BPF_FUNC_redirect_map,
      { BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_XSKMAP } },
    { BPF_FUNC_sk_redirect_map, { BPF_MAP_TYPE_SOCKMAP } },
    { BPF_FUNC_msg_redirect_map, { BPF_MAP_TYPE_SOCKMAP } },
    { BPF_FUNC_sock_map_update, { BPF_MAP_TYPE_SOCKMAP } },
    { BPF_FUNC_sk_redirect_hash, { BPF_MAP_TYPE_SOCKHASH } },
    { BPF_FUNC_msg_redirect_hash, { BPF_MAP_TYPE_SOCKHASH } },
    { BPF_FUNC_sock_hash_update, { BPF_MAP_TYPE_SOCKHASH } },
    { BPF_FUNC_get_local_storage, { BPF_MAP_TYPE_CGROUP_STORAGE, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE } },
    { BPF_FUNC_sk_select_reuseport,
      { BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_SOCKHASH } },
    { BPF_FUNC_map_pop_elem, { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK } },
    { BPF_FUNC_map_peek_elem, { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_BLOOM_FILTER } },
    { BPF_FUNC_map_push_elem, { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_BLOOM_FILTER } },
    { BPF_FUNC_map_lookup_percpu_elem,
      { BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH } },
    { BPF_FUNC_sk_storage_get, { BPF_MAP_TYPE_SK_STORAGE } },
    { BPF_FUNC_sk_storage_delete, { BPF_MAP_TYPE_SK_STORAGE } },
    { BPF_FUNC_inode_storage_get, { BPF_MAP_TYPE_INODE_STORAGE } },
    { BPF_FUNC_inode_storage_delete, { BPF_MAP_TYPE_INODE_STORAGE } },
    { BPF_FUNC_task_storage_get, { BPF_MAP_TYPE_TASK_STORAGE } },
    { BPF_FUNC_task_storage_delete, { BPF_MAP_TYPE_TASK_STORAGE } },
    { BPF_FUNC_cgrp_storage_get, { BPF_MAP_TYPE_CGRP_STORAGE } },
    { BPF_FUNC_cgrp_storage_delete, { BPF_MAP_TYPE_CGRP_STORAGE } },
};

/* may_update_sockmap: program types that cannot hold a locked socket may
 * update and delete sockmap/sockhash entries with the generic helpers. */
static bool may_update_sockmap(struct venv *env, int32_t id)
{
    if (id != BPF_FUNC_map_update_elem && id != BPF_FUNC_map_delete_elem)
        return false;
    switch (env->prog_type) {
    case BPF_PROG_TYPE_TRACING:
        if (env->args->expected_attach_type == BPF_TRACE_ITER)
            return true;
        break;
    case BPF_PROG_TYPE_SOCK_OPS: /* updates only through the dedicated helpers */
        if (id == BPF_FUNC_map_delete_elem)
            return true;
        break;
    case BPF_PROG_TYPE_SOCKET_FILTER: case BPF_PROG_TYPE_SCHED_CLS: case BPF_PROG_TYPE_SCHED_ACT:
    case BPF_PROG_TYPE_XDP: case BPF_PROG_TYPE_SK_REUSEPORT: case BPF_PROG_TYPE_FLOW_DISSECTOR:
    case BPF_PROG_TYPE_SK_LOOKUP:
        return true;
    default:
        break;
    }
    verbose(env, "cannot update sockmap in this context\n");
    return false;
}

static bool map_side_ok(struct venv *env, uint32_t t, int32_t id)
{
    for (size_t i = 0; i < sizeof(map_helpers) / sizeof(map_helpers[0]); i++) {
        if (map_helpers[i].map_type != t)
            continue;
        for (int k = 0; k < MAX_PAIRED && map_helpers[i].helpers[k]; k++)
            if (map_helpers[i].helpers[k] == id)
                return true;
        return (t == BPF_MAP_TYPE_SOCKMAP || t == BPF_MAP_TYPE_SOCKHASH) && may_update_sockmap(env, id);
    }
    return true; /* a map type any helper may take */
}

static bool helper_side_ok(uint32_t t, int32_t id)
{
    for (size_t i = 0; i < sizeof(helper_maps) / sizeof(helper_maps[0]); i++) {
        if (helper_maps[i].helper != id)
            continue;
        for (int k = 0; k < MAX_PAIRED && helper_maps[i].map_types[k]; k++)
            if (helper_maps[i].map_types[k] == t)
                return true;
        return false;
    }
    return true; /* a helper that takes any map */
}

int bpfrt_v_check_map_func_compatibility(struct venv *env, const struct bpfrt_map *map, int32_t id)
{
    if (!map)
        return 0;
    uint32_t t = map->map_type;
    if (map_side_ok(env, t, id) && helper_side_ok(t, id))
        return 0;
    const char *name = bpfrt_helper_id_name((uint32_t)id);
    verbose(env, "cannot pass map_type %d into func bpf_%s#%d\n", t, name ? name : "unknown", id);
    return -BPFRT_EINVAL;
}
