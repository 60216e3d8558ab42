/* Map operations per second, program side (what helpers call inside a
 * run): lookup, update (BPF_ANY of an existing key) and delete for ARRAY,
 * HASH and LRU_HASH with 1k and 1M entries, on 1 and 2 threads (each thread
 * on its own keys). Keys are visited in a scattered order. Prints a table;
 * `make bench` runs it. BPFRT_BENCH_MS sets the time per cell (default 150),
 * BPFRT_BENCH_ONLY=HASH (or ARRAY, LRU_HASH) limits it to one map type. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfrt/errno.h"
#include "bpfrt/map.h"
#include "bpfrt/runtime.h"
#include "platform/hosted.h"

static struct bpfrt_runtime *rt;
static double cell_seconds = 0.15;

enum op { OP_LOOKUP, OP_UPDATE, OP_DELETE };
static const char *op_names[] = { "lookup", "update", "delete" };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* i-th key of a scattered walk over [0, n): multiplying by an odd number
 * that is not a multiple of 5 permutes 10^k. */
static inline uint32_t key_at(uint64_t i, uint32_t n)
{
    return (uint32_t)((i * 2654435761ull) % n);
}

struct worker {
    struct bpfrt_map *map;
    enum op op;
    uint32_t n, first, count; /* keys [first, first+count) of the walk */
    unsigned cpu;
    double deadline;
    uint64_t ops;
    volatile uint64_t sink;
};

static void *work(void *p)
{
    struct worker *w = p;
    const struct bpfrt_platform *plat = bpfrt_runtime_platform(rt);
    uint64_t value = 42, ops = 0, sink = 0;
    uint64_t i = 0;
    if (w->op == OP_DELETE) {
        /* one pass: each key of the share deleted once, 1024 per "run" */
        for (uint32_t j = 0; j < w->count; j++) {
            if (j % 1024 == 0)
                plat->read_lock(plat->ctx);
            uint32_t k = key_at(w->first + j, w->n);
            sink += (uint64_t)bpfrt_map_delete_elem(w->map, &k);
            if (j % 1024 == 1023 || j + 1 == w->count)
                plat->read_unlock(plat->ctx);
        }
        w->ops = w->count;
        w->sink = sink;
        return NULL;
    }
    do {
        plat->read_lock(plat->ctx); /* one "run" per 1024 operations */
        for (int j = 0; j < 1024; j++, i++) {
            uint32_t k = key_at(w->first + i % w->count, w->n);
            if (w->op == OP_LOOKUP) {
                void *v = bpfrt_map_lookup_elem(w->map, &k, w->cpu);
                sink += (uintptr_t)v;
            } else {
                sink += (uint64_t)bpfrt_map_update_elem(w->map, &k, &value, BPF_ANY, w->cpu);
            }
        }
        plat->read_unlock(plat->ctx);
        ops += 1024;
    } while (now() < w->deadline);
    w->ops = ops;
    w->sink = sink;
    return NULL;
}

static void fill(struct bpfrt_map *m, uint32_t n)
{
    uint64_t v = 1;
    for (uint32_t k = 0; k < n; k++)
        bpfrt_map_update(m, &k, &v, BPF_ANY);
}

/* Mops/s of `op` on `threads` threads. */
static double measure(struct bpfrt_map *m, uint32_t n, enum op op, int threads)
{
    struct worker w[2];
    pthread_t t[2];
    uint64_t total = 0;
    double elapsed = 0;
    do {
        if (op == OP_DELETE)
            fill(m, n);
        double start = now();
        for (int i = 0; i < threads; i++) {
            memset(&w[i], 0, sizeof(w[i]));
            w[i].map = m;
            w[i].op = op;
            w[i].n = n;
            w[i].count = n / (uint32_t)threads;
            w[i].first = w[i].count * (uint32_t)i;
            w[i].cpu = (unsigned)i;
            w[i].deadline = start + cell_seconds;
            pthread_create(&t[i], NULL, work, &w[i]);
        }
        for (int i = 0; i < threads; i++) {
            pthread_join(t[i], NULL);
            total += w[i].ops;
        }
        elapsed += now() - start;
    } while (op == OP_DELETE && elapsed < cell_seconds);
    if (op == OP_DELETE)
        fill(m, n);
    return (double)total / elapsed / 1e6;
}

static struct bpfrt_map *create(uint32_t type, uint32_t n)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = type;
    a.key_size = 4;
    a.value_size = 8;
    a.max_entries = n;
    struct bpfrt_map *m = NULL;
    int err = bpfrt_map_create(rt, &a, NULL, NULL, &m);
    if (err) {
        fprintf(stderr, "map create failed: %s\n", bpfrt_strerror(err));
        exit(1);
    }
    return m;
}

int main(void)
{
    const char *ms = getenv("BPFRT_BENCH_MS");
    if (ms && atoi(ms) > 0)
        cell_seconds = atoi(ms) / 1000.0;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt) != 0)
        return 1;
    static const struct { const char *name; uint32_t type; } types[] = {
        { "ARRAY", BPF_MAP_TYPE_ARRAY },
        { "HASH", BPF_MAP_TYPE_HASH },
        { "LRU_HASH", BPF_MAP_TYPE_LRU_HASH },
    };
    static const uint32_t sizes[] = { 1000, 1000000 };
    printf("map operations, program side (Mops/s; %.0f ms per cell)\n", cell_seconds * 1000);
    printf("%-9s %8s  %-7s %10s %10s\n", "map", "entries", "op", "1 thread", "2 threads");
    const char *only = getenv("BPFRT_BENCH_ONLY"); /* e.g. HASH: one map type */
    for (size_t t = 0; t < 3; t++) {
        if (only && strcmp(only, types[t].name) != 0)
            continue;
        for (size_t s = 0; s < 2; s++) {
            struct bpfrt_map *m = create(types[t].type, sizes[s]);
            fill(m, sizes[s]);
            for (int op = 0; op < 3; op++) {
                printf("%-9s %8s  %-7s ", types[t].name, sizes[s] == 1000 ? "1k" : "1M", op_names[op]);
                if (op == OP_DELETE && types[t].type == BPF_MAP_TYPE_ARRAY) {
                    printf("%10s %10s\n", "n/a", "n/a"); /* array slots cannot be deleted */
                    continue;
                }
                double one = measure(m, sizes[s], (enum op)op, 1);
                double two = measure(m, sizes[s], (enum op)op, 2);
                printf("%10.2f %10.2f\n", one, two);
                fflush(stdout);
            }
            bpfrt_map_put(m);
            bpfrt_hosted_quiesce();
        }
    }
    bpfrt_runtime_destroy(rt);
    return 0;
}
