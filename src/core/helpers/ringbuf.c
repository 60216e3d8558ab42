/* Ring buffer helpers (BPF_MAP_TYPE_RINGBUF), over the map layer's
 * producer API. A reserved record is returned as RET_PTR_TO_MEM_OR_NULL of
 * `size` bytes: the checked interpreter adds it as a region. */
#include "core/helpers/helpers_internal.h"

static bool is_ringbuf(const struct bpfrt_map *map)
{
    return map && map->map_type == BPF_MAP_TYPE_RINGBUF;
}

BPFRT_HELPER_DEF(ringbuf_output)
{
    struct bpfrt_map *map = bpfrt_u2p(r1);
    if (!is_ringbuf(map))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    return (uint64_t)bpfrt_ringbuf_output(map, bpfrt_u2p(r2), r3, r4);
}

BPFRT_HELPER_DEF(ringbuf_reserve)
{
    struct bpfrt_map *map = bpfrt_u2p(r1);
    if (!is_ringbuf(map))
        return 0;
    return (uint64_t)(uintptr_t)bpfrt_ringbuf_reserve(map, r2, r3);
}

BPFRT_HELPER_DEF(ringbuf_submit)
{
    bpfrt_ringbuf_submit(bpfrt_u2p(r1), r2);
    return 0;
}

BPFRT_HELPER_DEF(ringbuf_discard)
{
    bpfrt_ringbuf_discard(bpfrt_u2p(r1), r2);
    return 0;
}

BPFRT_HELPER_DEF(ringbuf_query)
{
    struct bpfrt_map *map = bpfrt_u2p(r1);
    if (!is_ringbuf(map))
        return 0;
    return bpfrt_ringbuf_query(map, r2);
}
