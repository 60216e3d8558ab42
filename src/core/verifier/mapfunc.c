/* Which maps go with which helpers (Linux 6.18 verifier.c
 * check_map_func_compatibility): a map type only with the helpers made for
 * it, and those helpers only with that map type - both directions, as
 * Linux checks them, with its message. */
#include "core/verifier/verifier.h"

int bpfrt_v_check_map_func_compatibility(struct venv *env, const struct bpfrt_map *map, int32_t id)
{
    if (!map)
        return 0;
    uint32_t t = map->map_type;
    bool ok = true;
    switch (t) {
    case BPF_MAP_TYPE_PROG_ARRAY: ok = id == BPF_FUNC_tail_call; break;
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
        ok = id == BPF_FUNC_perf_event_read || id == BPF_FUNC_perf_event_output || id == BPF_FUNC_skb_output ||
             id == BPF_FUNC_perf_event_read_value || id == BPF_FUNC_xdp_output;
        break;
    case BPF_MAP_TYPE_RINGBUF:
        ok = id == BPF_FUNC_ringbuf_output || id == BPF_FUNC_ringbuf_reserve || id == BPF_FUNC_ringbuf_query ||
             id == BPF_FUNC_ringbuf_reserve_dynptr || id == BPF_FUNC_ringbuf_submit_dynptr ||
             id == BPF_FUNC_ringbuf_discard_dynptr;
        break;
    case BPF_MAP_TYPE_DEVMAP:
    case BPF_MAP_TYPE_DEVMAP_HASH:
    case BPF_MAP_TYPE_XSKMAP:
        ok = id == BPF_FUNC_redirect_map || id == BPF_FUNC_map_lookup_elem;
        break;
    case BPF_MAP_TYPE_CPUMAP: ok = id == BPF_FUNC_redirect_map; break;
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
    case BPF_MAP_TYPE_HASH_OF_MAPS: ok = id == BPF_FUNC_map_lookup_elem; break;
    case BPF_MAP_TYPE_QUEUE:
    case BPF_MAP_TYPE_STACK:
        ok = id == BPF_FUNC_map_peek_elem || id == BPF_FUNC_map_pop_elem || id == BPF_FUNC_map_push_elem;
        break;
    case BPF_MAP_TYPE_BLOOM_FILTER: ok = id == BPF_FUNC_map_peek_elem || id == BPF_FUNC_map_push_elem; break;
    case BPF_MAP_TYPE_USER_RINGBUF: ok = id == BPF_FUNC_user_ringbuf_drain; break;
    case BPF_MAP_TYPE_SK_STORAGE: ok = id == BPF_FUNC_sk_storage_get || id == BPF_FUNC_sk_storage_delete; break;
    case BPF_MAP_TYPE_INODE_STORAGE:
        ok = id == BPF_FUNC_inode_storage_get || id == BPF_FUNC_inode_storage_delete;
        break;
    case BPF_MAP_TYPE_TASK_STORAGE:
        ok = id == BPF_FUNC_task_storage_get || id == BPF_FUNC_task_storage_delete;
        break;
    case BPF_MAP_TYPE_CGRP_STORAGE:
        ok = id == BPF_FUNC_cgrp_storage_get || id == BPF_FUNC_cgrp_storage_delete;
        break;
    default: break;
    }
    switch (id) {
    case BPF_FUNC_tail_call: ok &= t == BPF_MAP_TYPE_PROG_ARRAY; break;
    case BPF_FUNC_perf_event_read: case BPF_FUNC_perf_event_output: case BPF_FUNC_perf_event_read_value:
    case BPF_FUNC_skb_output: case BPF_FUNC_xdp_output:
        ok &= t == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
        break;
    case BPF_FUNC_ringbuf_output: case BPF_FUNC_ringbuf_reserve: case BPF_FUNC_ringbuf_query:
    case BPF_FUNC_ringbuf_reserve_dynptr: case BPF_FUNC_ringbuf_submit_dynptr:
    case BPF_FUNC_ringbuf_discard_dynptr:
        ok &= t == BPF_MAP_TYPE_RINGBUF;
        break;
    case BPF_FUNC_user_ringbuf_drain: ok &= t == BPF_MAP_TYPE_USER_RINGBUF; break;
    case BPF_FUNC_sk_storage_get: case BPF_FUNC_sk_storage_delete: ok &= t == BPF_MAP_TYPE_SK_STORAGE; break;
    case BPF_FUNC_inode_storage_get: case BPF_FUNC_inode_storage_delete:
        ok &= t == BPF_MAP_TYPE_INODE_STORAGE;
        break;
    case BPF_FUNC_task_storage_get: case BPF_FUNC_task_storage_delete:
        ok &= t == BPF_MAP_TYPE_TASK_STORAGE;
        break;
    case BPF_FUNC_cgrp_storage_get: case BPF_FUNC_cgrp_storage_delete:
        ok &= t == BPF_MAP_TYPE_CGRP_STORAGE;
        break;
    case BPF_FUNC_redirect_map:
        ok &= t == BPF_MAP_TYPE_DEVMAP || t == BPF_MAP_TYPE_DEVMAP_HASH || t == BPF_MAP_TYPE_CPUMAP ||
              t == BPF_MAP_TYPE_XSKMAP;
        break;
    case BPF_FUNC_map_pop_elem: ok &= t == BPF_MAP_TYPE_QUEUE || t == BPF_MAP_TYPE_STACK; break;
    case BPF_FUNC_map_peek_elem: case BPF_FUNC_map_push_elem:
        ok &= t == BPF_MAP_TYPE_QUEUE || t == BPF_MAP_TYPE_STACK || t == BPF_MAP_TYPE_BLOOM_FILTER;
        break;
    case BPF_FUNC_map_lookup_percpu_elem:
        ok &= t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
        break;
    default: break;
    }
    if (ok)
        return 0;
    const char *name = bpfrt_helper_id_name((uint32_t)id);
    verbose(env, "cannot pass map_type %d into func bpf_%s#%d\n", t, name ? name : "unknown", id);
    return -BPFRT_EINVAL;
}
