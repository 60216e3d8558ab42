/* MAP_CREATE rules for every map type: sizes, flags and per-type rules with
 * Linux's errnos. Each expected value was taken from Linux 6.18
 * (the alloc_check functions in kernel/bpf) and is checked against bpfrt and,
 * when this process may call bpf(2), against the running kernel too. */
#include "test.h"
#include "test_map_util.h"

struct create_case {
    const char *what;
    uint32_t type, ks, vs, max, flags;
    uint64_t extra;
    int want; /* 0 or -errno */
};

#define T(t) BPF_MAP_TYPE_##t
static const struct create_case cases[] = {
    /* generic */
    { "unknown type", 9999, 4, 8, 1, 0, 0, -BPFRT_EINVAL },
    { "UNSPEC", T(UNSPEC), 4, 8, 1, 0, 0, -BPFRT_EINVAL },
    { "map_extra on hash", T(HASH), 4, 8, 1, 0, 1, -BPFRT_EINVAL },
    { "unknown flag", T(HASH), 4, 8, 1, 1u << 20, 0, -BPFRT_EINVAL },
    { "RDONLY|WRONLY", T(ARRAY), 4, 8, 1, BPF_F_RDONLY | BPF_F_WRONLY, 0, -BPFRT_EINVAL },
    /* array */
    { "array ok", T(ARRAY), 4, 8, 1, 0, 0, 0 },
    { "array max 0", T(ARRAY), 4, 8, 0, 0, 0, -BPFRT_EINVAL },
    { "array key 8", T(ARRAY), 8, 8, 1, 0, 0, -BPFRT_EINVAL },
    { "array value 0", T(ARRAY), 4, 0, 1, 0, 0, -BPFRT_EINVAL },
    { "array NO_PREALLOC", T(ARRAY), 4, 8, 1, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "array RDONLY_PROG|WRONLY_PROG", T(ARRAY), 4, 8, 1, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, 0, -BPFRT_EINVAL },
    { "array ZERO_SEED", T(ARRAY), 4, 8, 1, BPF_F_ZERO_SEED, 0, -BPFRT_EINVAL },
    { "array PRESERVE_ELEMS", T(ARRAY), 4, 8, 1, BPF_F_PRESERVE_ELEMS, 0, -BPFRT_EINVAL },
    { "array value > INT_MAX", T(ARRAY), 4, 0x80000000u, 1, 0, 0, -BPFRT_E2BIG },
    { "array MMAPABLE", T(ARRAY), 4, 8, 1, BPF_F_MMAPABLE, 0, 0 },
    { "array INNER_MAP", T(ARRAY), 4, 8, 1, BPF_F_INNER_MAP, 0, 0 },
    { "array RDONLY_PROG", T(ARRAY), 4, 8, 1, BPF_F_RDONLY_PROG, 0, 0 },
    { "array RDONLY", T(ARRAY), 4, 8, 1, BPF_F_RDONLY, 0, 0 },
    { "array WRONLY", T(ARRAY), 4, 8, 1, BPF_F_WRONLY, 0, 0 },
    { "percpu array MMAPABLE", T(PERCPU_ARRAY), 4, 8, 1, BPF_F_MMAPABLE, 0, -BPFRT_EINVAL },
    { "percpu array INNER_MAP", T(PERCPU_ARRAY), 4, 8, 1, BPF_F_INNER_MAP, 0, -BPFRT_EINVAL },
    { "percpu array 32K", T(PERCPU_ARRAY), 4, 32768, 1, 0, 0, 0 },
    { "percpu array 32K+1", T(PERCPU_ARRAY), 4, 32769, 1, 0, 0, -BPFRT_E2BIG },
    /* hash */
    { "hash ok", T(HASH), 4, 8, 1, 0, 0, 0 },
    { "hash key 0", T(HASH), 0, 8, 1, 0, 0, -BPFRT_EINVAL },
    { "hash value 0", T(HASH), 4, 0, 1, 0, 0, -BPFRT_EINVAL },
    { "hash max 0", T(HASH), 4, 8, 0, 0, 0, -BPFRT_EINVAL },
    { "hash MMAPABLE", T(HASH), 4, 8, 1, BPF_F_MMAPABLE, 0, -BPFRT_EINVAL },
    { "hash NO_COMMON_LRU", T(HASH), 4, 8, 1, BPF_F_NO_COMMON_LRU, 0, -BPFRT_EINVAL },
    { "hash INNER_MAP", T(HASH), 4, 8, 1, BPF_F_INNER_MAP, 0, -BPFRT_EINVAL },
    { "hash ZERO_SEED|NO_PREALLOC", T(HASH), 4, 8, 1, BPF_F_ZERO_SEED | BPF_F_NO_PREALLOC, 0, 0 },
    { "hash key 513", T(HASH), 513, 8, 1, 0, 0, 0 },
    { "hash k+v = 4M-52", T(HASH), 4, 4 * 1024 * 1024 - 56, 1, 0, 0, 0 },
    { "hash k+v = 4M-48", T(HASH), 4, 4 * 1024 * 1024 - 52, 1, 0, 0, -BPFRT_E2BIG },
    { "percpu hash 32K+1", T(PERCPU_HASH), 4, 32769, 1, 0, 0, -BPFRT_E2BIG },
    { "lru NO_PREALLOC", T(LRU_HASH), 4, 8, 1, BPF_F_NO_PREALLOC, 0, -BPFRT_ENOTSUPP },
    { "lru NO_PREALLOC max 0", T(LRU_HASH), 4, 8, 0, BPF_F_NO_PREALLOC, 0, -BPFRT_ENOTSUPP },
    { "lru NO_COMMON_LRU", T(LRU_HASH), 4, 8, 1, BPF_F_NO_COMMON_LRU, 0, 0 },
    { "lru percpu NO_COMMON_LRU", T(LRU_PERCPU_HASH), 4, 8, 1, BPF_F_NO_COMMON_LRU, 0, 0 },
    /* queue / stack */
    { "queue ok", T(QUEUE), 0, 8, 1, 0, 0, 0 },
    { "queue key 4", T(QUEUE), 4, 8, 1, 0, 0, -BPFRT_EINVAL },
    { "queue value 0", T(QUEUE), 0, 0, 1, 0, 0, -BPFRT_EINVAL },
    { "queue max 0", T(QUEUE), 0, 8, 0, 0, 0, -BPFRT_EINVAL },
    { "queue NO_PREALLOC", T(QUEUE), 0, 8, 1, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "stack ZERO_SEED", T(STACK), 0, 8, 1, BPF_F_ZERO_SEED, 0, -BPFRT_EINVAL },
    { "queue value 5M", T(QUEUE), 0, 5 * 1024 * 1024, 1, 0, 0, -BPFRT_E2BIG },
    /* ring buffer */
    { "ringbuf 4096", T(RINGBUF), 0, 0, 4096, 0, 0, 0 },
    { "ringbuf 3 pages", T(RINGBUF), 0, 0, 3 * 4096, 0, 0, -BPFRT_EINVAL },
    { "ringbuf 2048", T(RINGBUF), 0, 0, 2048, 0, 0, -BPFRT_EINVAL },
    { "ringbuf key 4", T(RINGBUF), 4, 0, 4096, 0, 0, -BPFRT_EINVAL },
    { "ringbuf value 4", T(RINGBUF), 0, 4, 4096, 0, 0, -BPFRT_EINVAL },
    { "ringbuf max 0", T(RINGBUF), 0, 0, 0, 0, 0, -BPFRT_EINVAL },
    { "ringbuf RDONLY", T(RINGBUF), 0, 0, 4096, BPF_F_RDONLY, 0, -BPFRT_EINVAL },
    { "ringbuf MMAPABLE", T(RINGBUF), 0, 0, 4096, BPF_F_MMAPABLE, 0, -BPFRT_EINVAL },
    /* perf event array */
    { "perf ok", T(PERF_EVENT_ARRAY), 4, 4, 4, 0, 0, 0 },
    { "perf value 8", T(PERF_EVENT_ARRAY), 4, 8, 4, 0, 0, -BPFRT_EINVAL },
    { "perf max 0", T(PERF_EVENT_ARRAY), 4, 4, 0, 0, 0, -BPFRT_EINVAL },
    { "perf PRESERVE_ELEMS", T(PERF_EVENT_ARRAY), 4, 4, 4, BPF_F_PRESERVE_ELEMS, 0, 0 },
    { "perf RDONLY_PROG", T(PERF_EVENT_ARRAY), 4, 4, 4, BPF_F_RDONLY_PROG, 0, -BPFRT_EINVAL },
    /* prog array */
    { "prog array value 8", T(PROG_ARRAY), 4, 8, 4, 0, 0, -BPFRT_EINVAL },
    { "prog array WRONLY_PROG", T(PROG_ARRAY), 4, 4, 4, BPF_F_WRONLY_PROG, 0, -BPFRT_EINVAL },
    { "prog array RDONLY", T(PROG_ARRAY), 4, 4, 4, BPF_F_RDONLY, 0, 0 },
    { "prog array MMAPABLE", T(PROG_ARRAY), 4, 4, 4, BPF_F_MMAPABLE, 0, -BPFRT_EINVAL },
    /* lpm trie */
    { "lpm without NO_PREALLOC", T(LPM_TRIE), 8, 8, 4, 0, 0, -BPFRT_EINVAL },
    { "lpm ok", T(LPM_TRIE), 8, 8, 4, BPF_F_NO_PREALLOC, 0, 0 },
    { "lpm key 4", T(LPM_TRIE), 4, 8, 4, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "lpm key 5", T(LPM_TRIE), 5, 8, 4, BPF_F_NO_PREALLOC, 0, 0 },
    { "lpm key 260", T(LPM_TRIE), 260, 8, 4, BPF_F_NO_PREALLOC, 0, 0 },
    { "lpm key 261", T(LPM_TRIE), 261, 8, 4, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "lpm value 0", T(LPM_TRIE), 8, 0, 4, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "lpm max 0", T(LPM_TRIE), 8, 8, 0, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "lpm ZERO_SEED", T(LPM_TRIE), 8, 8, 4, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED, 0, -BPFRT_EINVAL },
    /* bloom filter */
    { "bloom ok", T(BLOOM_FILTER), 0, 8, 4, 0, 0, 0 },
    { "bloom key 4", T(BLOOM_FILTER), 4, 8, 4, 0, 0, -BPFRT_EINVAL },
    { "bloom value 0", T(BLOOM_FILTER), 0, 0, 4, 0, 0, -BPFRT_EINVAL },
    { "bloom max 0", T(BLOOM_FILTER), 0, 8, 0, 0, 0, -BPFRT_EINVAL },
    { "bloom extra 16", T(BLOOM_FILTER), 0, 8, 4, 0, 16, -BPFRT_EINVAL },
    { "bloom extra 15", T(BLOOM_FILTER), 0, 8, 4, 0, 15, 0 },
    { "bloom ZERO_SEED", T(BLOOM_FILTER), 0, 8, 4, BPF_F_ZERO_SEED, 0, 0 },
    { "bloom NO_PREALLOC", T(BLOOM_FILTER), 0, 8, 4, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    /* redirect maps */
    { "devmap 4", T(DEVMAP), 4, 4, 4, 0, 0, 0 },
    { "devmap 8", T(DEVMAP), 4, 8, 4, 0, 0, 0 },
    { "devmap 12", T(DEVMAP), 4, 12, 4, 0, 0, -BPFRT_EINVAL },
    { "devmap RDONLY_PROG", T(DEVMAP), 4, 4, 4, BPF_F_RDONLY_PROG, 0, -BPFRT_EINVAL },
    { "devmap RDONLY", T(DEVMAP), 4, 4, 4, BPF_F_RDONLY, 0, 0 },
    { "devmap_hash ok", T(DEVMAP_HASH), 4, 4, 4, 0, 0, 0 },
    { "devmap_hash key 8", T(DEVMAP_HASH), 8, 4, 4, 0, 0, -BPFRT_EINVAL },
    { "xskmap ok", T(XSKMAP), 4, 4, 4, 0, 0, 0 },
    { "xskmap value 8", T(XSKMAP), 4, 8, 4, 0, 0, -BPFRT_EINVAL },
    { "cpumap 4", T(CPUMAP), 4, 4, 4, 0, 0, 0 },
    { "cpumap 8", T(CPUMAP), 4, 8, 4, 0, 0, 0 },
    { "cpumap 12", T(CPUMAP), 4, 12, 4, 0, 0, -BPFRT_EINVAL },
    { "cpumap 100000 entries", T(CPUMAP), 4, 4, 100000, 0, 0, -BPFRT_E2BIG },
    { "cpumap RDONLY", T(CPUMAP), 4, 4, 4, BPF_F_RDONLY, 0, -BPFRT_EINVAL },
    /* stack trace: value a multiple of 8 (or of 32 with build ids) up to
     * kernel.perf_event_max_stack (127) entries */
    { "stack ok", T(STACK_TRACE), 4, 64, 16, 0, 0, 0 },
    { "stack value 0", T(STACK_TRACE), 4, 0, 16, 0, 0, -BPFRT_EINVAL },
    { "stack value 12", T(STACK_TRACE), 4, 12, 16, 0, 0, -BPFRT_EINVAL },
    { "stack key 8", T(STACK_TRACE), 8, 64, 16, 0, 0, -BPFRT_EINVAL },
    { "stack max 0", T(STACK_TRACE), 4, 64, 0, 0, 0, -BPFRT_EINVAL },
    { "stack 127 deep", T(STACK_TRACE), 4, 127 * 8, 16, 0, 0, 0 },
    { "stack 128 deep", T(STACK_TRACE), 4, 128 * 8, 16, 0, 0, -BPFRT_EINVAL },
    { "stack build id", T(STACK_TRACE), 4, 32, 16, BPF_F_STACK_BUILD_ID, 0, 0 },
    { "stack build id value 40", T(STACK_TRACE), 4, 40, 16, BPF_F_STACK_BUILD_ID, 0, -BPFRT_EINVAL },
    { "stack build id 127 deep", T(STACK_TRACE), 4, 127 * 32, 16, BPF_F_STACK_BUILD_ID, 0, 0 },
    { "stack build id 128 deep", T(STACK_TRACE), 4, 128 * 32, 16, BPF_F_STACK_BUILD_ID, 0, -BPFRT_EINVAL },
    { "stack RDONLY", T(STACK_TRACE), 4, 64, 16, BPF_F_RDONLY, 0, 0 },
    { "stack NUMA", T(STACK_TRACE), 4, 8, 16, BPF_F_NUMA_NODE, 0, 0 },
    { "stack NO_PREALLOC", T(STACK_TRACE), 4, 64, 16, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "stack ZERO_SEED", T(STACK_TRACE), 4, 64, 16, BPF_F_ZERO_SEED, 0, -BPFRT_EINVAL },
    { "stack RDONLY_PROG", T(STACK_TRACE), 4, 64, 16, BPF_F_RDONLY_PROG, 0, -BPFRT_EINVAL },
    { "stack 2^31+1 entries", T(STACK_TRACE), 4, 64, 0x80000001u, 0, 0, -BPFRT_E2BIG },
    /* cgroup array: the fd arrays' rules */
    { "cgroup array ok", T(CGROUP_ARRAY), 4, 4, 4, 0, 0, 0 },
    { "cgroup array value 8", T(CGROUP_ARRAY), 4, 8, 4, 0, 0, -BPFRT_EINVAL },
    { "cgroup array key 8", T(CGROUP_ARRAY), 8, 4, 4, 0, 0, -BPFRT_EINVAL },
    { "cgroup array max 0", T(CGROUP_ARRAY), 4, 4, 0, 0, 0, -BPFRT_EINVAL },
    { "cgroup array RDONLY_PROG", T(CGROUP_ARRAY), 4, 4, 4, BPF_F_RDONLY_PROG, 0, -BPFRT_EINVAL },
    { "cgroup array RDONLY", T(CGROUP_ARRAY), 4, 4, 4, BPF_F_RDONLY, 0, 0 },
    { "cgroup array MMAPABLE", T(CGROUP_ARRAY), 4, 4, 4, BPF_F_MMAPABLE, 0, -BPFRT_EINVAL },
    /* sockmap / sockhash: value 4 or 8 (an fd), NUMA and access flags only */
    { "sockmap 4", T(SOCKMAP), 4, 4, 4, 0, 0, 0 },
    { "sockmap 8", T(SOCKMAP), 4, 8, 4, 0, 0, 0 },
    { "sockmap value 12", T(SOCKMAP), 4, 12, 4, 0, 0, -BPFRT_EINVAL },
    { "sockmap key 8", T(SOCKMAP), 8, 4, 4, 0, 0, -BPFRT_EINVAL },
    { "sockmap max 0", T(SOCKMAP), 4, 4, 0, 0, 0, -BPFRT_EINVAL },
    { "sockmap NO_PREALLOC", T(SOCKMAP), 4, 4, 4, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "sockmap RDONLY", T(SOCKMAP), 4, 4, 4, BPF_F_RDONLY, 0, 0 },
    { "sockmap RDONLY_PROG", T(SOCKMAP), 4, 4, 4, BPF_F_RDONLY_PROG, 0, -BPFRT_EINVAL },
    { "sockmap MMAPABLE", T(SOCKMAP), 4, 4, 4, BPF_F_MMAPABLE, 0, -BPFRT_EINVAL },
    { "sockhash ok", T(SOCKHASH), 4, 4, 4, 0, 0, 0 },
    { "sockhash key 0", T(SOCKHASH), 0, 4, 4, 0, 0, -BPFRT_EINVAL },
    { "sockhash key 512", T(SOCKHASH), 512, 8, 4, 0, 0, 0 },
    { "sockhash key 513", T(SOCKHASH), 513, 8, 4, 0, 0, -BPFRT_E2BIG },
    { "sockhash value 16", T(SOCKHASH), 4, 16, 4, 0, 0, -BPFRT_EINVAL },
    { "sockhash max 0", T(SOCKHASH), 4, 4, 0, 0, 0, -BPFRT_EINVAL },
    { "sockhash NO_PREALLOC", T(SOCKHASH), 4, 4, 4, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "sockhash 2^28 entries", T(SOCKHASH), 4, 4, 0x10000000u, 0, 0, -BPFRT_EINVAL },
    /* user ring buffer: the ring buffer's rules */
    { "user ringbuf 4096", T(USER_RINGBUF), 0, 0, 4096, 0, 0, 0 },
    { "user ringbuf 8192", T(USER_RINGBUF), 0, 0, 8192, 0, 0, 0 },
    { "user ringbuf 3 pages", T(USER_RINGBUF), 0, 0, 3 * 4096, 0, 0, -BPFRT_EINVAL },
    { "user ringbuf 3", T(USER_RINGBUF), 0, 0, 3, 0, 0, -BPFRT_EINVAL },
    { "user ringbuf key 4", T(USER_RINGBUF), 4, 0, 4096, 0, 0, -BPFRT_EINVAL },
    { "user ringbuf value 4", T(USER_RINGBUF), 0, 4, 4096, 0, 0, -BPFRT_EINVAL },
    { "user ringbuf NUMA", T(USER_RINGBUF), 0, 0, 4096, BPF_F_NUMA_NODE, 0, 0 },
    { "user ringbuf RDONLY", T(USER_RINGBUF), 0, 0, 4096, BPF_F_RDONLY, 0, -BPFRT_EINVAL },
    /* local storage without BTF (test_map_storage.c has the BTF cases) */
    { "task storage without BTF", T(TASK_STORAGE), 4, 8, 0, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "sk storage without BTF", T(SK_STORAGE), 4, 8, 0, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    { "cgrp storage without BTF", T(CGRP_STORAGE), 4, 8, 0, BPF_F_NO_PREALLOC, 0, -BPFRT_EINVAL },
    /* map-in-map without an inner map: value size first */
    { "array of maps value 8", T(ARRAY_OF_MAPS), 4, 8, 4, 0, 0, -BPFRT_EINVAL },
    { "hash of maps value 8", T(HASH_OF_MAPS), 4, 8, 4, 0, 0, -BPFRT_EINVAL },
};

static void test_create_table(void)
{
    int kernel = kbpf_available();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct create_case *c = &cases[i];
        union bpf_attr a = kbpf_map_attr(c->type, c->ks, c->vs, c->max, c->flags);
        a.map_extra = c->extra;
        struct bpfrt_map *m = NULL;
        int err = bpfrt_map_create(rt, &a, NULL, NULL, &m);
        test_current = c->what;
        CHECK_EQ(err, c->want);
        CHECK_EQ(m != NULL, c->want == 0);
        if (m) {
            CHECK_EQ(m->map_type, c->type);
            CHECK_EQ(m->refcnt, 1);
            bpfrt_map_put(m);
        }
        if (kernel) {
            union bpf_attr ka = kbpf_map_attr(c->type, c->ks, c->vs, c->max, c->flags);
            ka.map_extra = c->extra;
            long fd = kbpf(BPF_MAP_CREATE, &ka);
            CHECK_EQ(fd >= 0 ? 0 : fd, c->want);
            if (fd >= 0)
                close((int)fd);
        }
    }
    test_current = "test_create_table";
    if (!kernel)
        printf("note: kernel comparison skipped (bpf(2) not permitted)\n");
}

static void test_ids_and_refs(void)
{
    struct bpfrt_map *a = mk(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
    struct bpfrt_map *b = mk(BPF_MAP_TYPE_HASH, 4, 4, 1, 0);
    if (!a || !b)
        return;
    CHECK(a->id >= 1);
    CHECK_EQ(b->id, a->id + 1);
    bpfrt_map_get(a);
    CHECK_EQ(a->refcnt, 2);
    bpfrt_map_put(a);
    CHECK_EQ(a->refcnt, 1);
    CHECK_EQ(a->spin_lock_off, -1);
    CHECK(a->inner_meta == NULL);
    bpfrt_map_put(a);
    bpfrt_map_put(b);
    bpfrt_map_put(NULL); /* harmless */
}

static void test_name_and_attrs(void)
{
    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
    struct bpfrt_map *m = NULL;
    memcpy(a.map_name, "my_map.data", 12);
    CHECK_EQ(bpfrt_map_create(rt, &a, NULL, NULL, &m), 0);
    if (m) {
        CHECK_STR(m->name, "my_map.data");
        bpfrt_map_put(m);
    }
    /* Linux allows only [A-Za-z0-9_.] and a NUL within 16 bytes. */
    memcpy(a.map_name, "bad-name", 9);
    CHECK_EQ(bpfrt_map_create(rt, &a, NULL, NULL, &m), -BPFRT_EINVAL);
    memset(a.map_name, 'a', sizeof(a.map_name));
    CHECK_EQ(bpfrt_map_create(rt, &a, NULL, NULL, &m), -BPFRT_EINVAL);
    memset(a.map_name, 0, sizeof(a.map_name));
    /* A key type id without a value type id is refused. */
    a.btf_key_type_id = 1;
    CHECK_EQ(bpfrt_map_create(rt, &a, NULL, NULL, &m), -BPFRT_EINVAL);
    a.btf_key_type_id = 0;
    /* One NUMA node here: only node 0. */
    a.map_flags = BPF_F_NUMA_NODE;
    a.numa_node = 1;
    CHECK_EQ(bpfrt_map_create(rt, &a, NULL, NULL, &m), -BPFRT_EINVAL);
    a.numa_node = 0;
    CHECK_EQ(bpfrt_map_create(rt, &a, NULL, NULL, &m), 0);
    bpfrt_map_put(m);
}

/* NO_COMMON_LRU rounds max_entries up to a multiple of the CPU count. */
static void test_lru_rounding(void)
{
    unsigned n = rt_ncpus();
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_LRU_HASH, 4, 8, 3, BPF_F_NO_COMMON_LRU);
    if (!m)
        return;
    uint32_t want = (3 + n - 1) / n * n;
    CHECK_EQ(m->max_entries, want);
    bpfrt_map_put(m);
    if (kbpf_available()) {
        union bpf_attr ka = kbpf_map_attr(BPF_MAP_TYPE_LRU_HASH, 4, 8, 3, BPF_F_NO_COMMON_LRU);
        long fd = kbpf(BPF_MAP_CREATE, &ka);
        if (fd >= 0) {
            struct bpf_map_info info;
            memset(&info, 0, sizeof(info));
            union bpf_attr ia;
            memset(&ia, 0, sizeof(ia));
            ia.info.bpf_fd = (uint32_t)fd;
            ia.info.info_len = sizeof(info);
            ia.info.info = (uint64_t)(uintptr_t)&info;
            if (kbpf(BPF_OBJ_GET_INFO_BY_FD, &ia) == 0 && (unsigned)sysconf(_SC_NPROCESSORS_CONF) == n)
                CHECK_EQ(info.max_entries, want);
            close((int)fd);
        }
    }
}

/* Map-in-map creation takes the inner template. */
static void test_map_in_map_create(void)
{
    struct bpfrt_map *inner = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
    struct bpfrt_map *pa = mk(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
    struct bpfrt_map *rb = mk(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
    if (!inner || !pa || !rb)
        return;
    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0);
    struct bpfrt_map *aom = NULL, *m = NULL;
    CHECK_EQ(bpfrt_map_create(rt, &a, NULL, NULL, &m), -BPFRT_EBADF);       /* kernel: bad fd */
    CHECK_EQ(bpfrt_map_create(rt, &a, pa, NULL, &m), -BPFRT_ENOTSUPP);      /* prog array can't be inner */
    CHECK_EQ(bpfrt_map_create(rt, &a, inner, NULL, &aom), 0);
    CHECK_EQ(bpfrt_map_create(rt, &a, aom, NULL, &m), -BPFRT_EINVAL);       /* no nesting */
    CHECK_EQ(bpfrt_map_create(rt, &a, rb, NULL, &m), 0);                    /* ringbufs may be inner */
    bpfrt_map_put(m);
    if (aom) {
        CHECK(aom->inner_meta != NULL);
        CHECK_EQ(aom->inner_meta->map_type, BPF_MAP_TYPE_HASH);
        CHECK_EQ(aom->inner_meta->value_size, 8);
    }
    a.map_type = BPF_MAP_TYPE_HASH_OF_MAPS;
    CHECK_EQ(bpfrt_map_create(rt, &a, inner, NULL, &m), 0);
    bpfrt_map_put(m);
    if (kbpf_available()) {
        union bpf_attr ka = kbpf_map_attr(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
        long ifd = kbpf(BPF_MAP_CREATE, &ka);
        union bpf_attr pka = kbpf_map_attr(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
        long pfd = kbpf(BPF_MAP_CREATE, &pka);
        union bpf_attr oa = kbpf_map_attr(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0);
        oa.inner_map_fd = (uint32_t)-1;
        CHECK_EQ(kbpf(BPF_MAP_CREATE, &oa), -EBADF);
        oa.inner_map_fd = (uint32_t)pfd;
        CHECK_EQ(kbpf(BPF_MAP_CREATE, &oa), -BPFRT_ENOTSUPP);
        oa.inner_map_fd = (uint32_t)ifd;
        long ofd = kbpf(BPF_MAP_CREATE, &oa);
        CHECK(ofd >= 0);
        oa.inner_map_fd = (uint32_t)ofd;
        CHECK_EQ(kbpf(BPF_MAP_CREATE, &oa), -EINVAL);
        close((int)ifd);
        close((int)pfd);
        close((int)ofd);
    }
    bpfrt_map_put(aom);
    bpfrt_map_put(inner);
    bpfrt_map_put(pa);
    bpfrt_map_put(rb);
}

static void test_user_value_size(void)
{
    unsigned n = rt_ncpus();
    struct bpfrt_map *a = mk(BPF_MAP_TYPE_ARRAY, 4, 12, 1, 0);
    struct bpfrt_map *p = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 1, 0);
    struct bpfrt_map *h = mk(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 3, 1, 0);
    struct bpfrt_map *pa = mk(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1, 0);
    if (!a || !p || !h || !pa)
        return;
    CHECK_EQ(bpfrt_map_user_value_size(a), 12);
    CHECK_EQ(bpfrt_map_user_value_size(p), 16 * n);
    CHECK_EQ(bpfrt_map_user_value_size(h), 8 * n);
    CHECK_EQ(bpfrt_map_user_value_size(pa), 4);
    bpfrt_map_put(a);
    bpfrt_map_put(p);
    bpfrt_map_put(h);
    bpfrt_map_put(pa);
}

int main(void)
{
    rt_setup();
    RUN(test_create_table);
    RUN(test_ids_and_refs);
    RUN(test_name_and_attrs);
    RUN(test_lru_rounding);
    RUN(test_map_in_map_create);
    RUN(test_user_value_size);
    rt_teardown();
    return test_summary();
}
