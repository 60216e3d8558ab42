/* bpf_tail_call(ctx, prog_array, index): asks the engine to replace the
 * running program with prog_array[index], as Linux's interpreter and JITs
 * do. The helper only decides and records; the engine switches programs
 * when it returns 0 with run->tail_call_target set.
 *
 * When the call cannot happen the program simply continues after the call,
 * as in Linux (which has no return value for it: the verifier treats r0 as
 * clobbered); here r0 then holds a negative reason:
 *   -E2BIG   index >= max_entries
 *   -ENOENT  empty slot
 *   -ELOOP   BPFRT_MAX_TAIL_CALLS (33) tail calls already made in this run,
 *            so a run executes at most 34 programs
 *   -EINVAL  the map is not a BPF_MAP_TYPE_PROG_ARRAY (the verifier
 *            rejects this; an unchecked program may try)
 * No reference is taken on the target: the run sits in a read-side section
 * and a program removed from the array is freed only after it ends. */
#include "core/helpers/helpers_internal.h"

BPFRT_HELPER_DEF(tail_call)
{
    struct bpfrt_map *map = bpfrt_u2p(r2);
    uint32_t index = (uint32_t)r3; /* Linux truncates the index to u32 */
    if (!map || map->map_type != BPF_MAP_TYPE_PROG_ARRAY)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (index >= map->max_entries)
        return bpfrt_helper_err(-BPFRT_E2BIG);
    if (run->tail_call_cnt >= BPFRT_MAX_TAIL_CALLS)
        return bpfrt_helper_err(-BPFRT_ELOOP);
    struct bpfrt_prog *target = bpfrt_map_prog_array_get(map, index);
    if (!target)
        return bpfrt_helper_err(-BPFRT_ENOENT);
    run->tail_call_cnt++;
    run->tail_call_target = target;
    return 0;
}
