/* Section names the program-type rows do not cover (the rows, with libbpf's
 * section prefixes and bpftool's program type names, are in
 * src/core/prog/prog_type_rows.c: bpfrt_prog_sec_find): iproute2's "ID/KEY"
 * tail-call slots, bpftool's spellings of map types, and Linux's list of
 * GPL-compatible licences. */
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

/* iproute2 reads the slot with sscanf("%i/%i"): decimal, 0x hex or 0 octal
 * ("1/0x1010" in cilium's objects). */
bool bpfrt_sec_parse_tail_slot(const char *name, uint32_t *map_id, uint32_t *key)
{
    char *end;
    if (name[0] < '0' || name[0] > '9')
        return false;
    unsigned long id = strtoul(name, &end, 0);
    if (*end != '/' || end[1] < '0' || end[1] > '9')
        return false;
    unsigned long k = strtoul(end + 1, &end, 0);
    if (*end || id > UINT32_MAX || k > UINT32_MAX)
        return false;
    *map_id = (uint32_t)id;
    *key = (uint32_t)k;
    return true;
}

static const char *const map_type_names[] = {
    [BPF_MAP_TYPE_UNSPEC] = "unspec", [BPF_MAP_TYPE_HASH] = "hash",
    [BPF_MAP_TYPE_ARRAY] = "array", [BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
    [BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
    [BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash", [BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
    [BPF_MAP_TYPE_STACK_TRACE] = "stack_trace", [BPF_MAP_TYPE_CGROUP_ARRAY] = "cgroup_array",
    [BPF_MAP_TYPE_LRU_HASH] = "lru_hash", [BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
    [BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie", [BPF_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
    [BPF_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps", [BPF_MAP_TYPE_DEVMAP] = "devmap",
    [BPF_MAP_TYPE_SOCKMAP] = "sockmap", [BPF_MAP_TYPE_CPUMAP] = "cpumap",
    [BPF_MAP_TYPE_XSKMAP] = "xskmap", [BPF_MAP_TYPE_SOCKHASH] = "sockhash",
    [BPF_MAP_TYPE_CGROUP_STORAGE] = "cgroup_storage",
    [BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = "reuseport_sockarray",
    [BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = "percpu_cgroup_storage",
    [BPF_MAP_TYPE_QUEUE] = "queue", [BPF_MAP_TYPE_STACK] = "stack",
    [BPF_MAP_TYPE_SK_STORAGE] = "sk_storage", [BPF_MAP_TYPE_DEVMAP_HASH] = "devmap_hash",
    [BPF_MAP_TYPE_STRUCT_OPS] = "struct_ops", [BPF_MAP_TYPE_RINGBUF] = "ringbuf",
    [BPF_MAP_TYPE_INODE_STORAGE] = "inode_storage", [BPF_MAP_TYPE_TASK_STORAGE] = "task_storage",
    [BPF_MAP_TYPE_BLOOM_FILTER] = "bloom_filter", [BPF_MAP_TYPE_USER_RINGBUF] = "user_ringbuf",
    [BPF_MAP_TYPE_CGRP_STORAGE] = "cgrp_storage", [BPF_MAP_TYPE_ARENA] = "arena",
    [BPF_MAP_TYPE_INSN_ARRAY] = "insn_array",
};

const char *bpfrt_map_type_str(uint32_t t)
{
    return t < sizeof(map_type_names) / sizeof(map_type_names[0]) ? map_type_names[t] : NULL;
}

/* Linux's license_is_gpl_compatible() list. */
bool bpfrt_license_is_gpl_compatible(const char *license)
{
    static const char *const ok[] = {
        "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
        "Dual MPL/GPL",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(license, ok[i]) == 0)
            return true;
    return false;
}
