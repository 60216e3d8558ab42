/* Maps under concurrency, as programs on several CPUs and user space use
 * them at once (run under ThreadSanitizer by `ctest -L tsan`):
 *  - hash: distinct keys from every thread all land, then all deletes land,
 *    while a reader walks and looks up; value pointers read inside a
 *    read-side section always show one whole published value;
 *  - bpf_spin_lock'ed counters and per-CPU counters add up exactly;
 *  - LRU under inserts from every thread stays within max_entries;
 *  - queue, ring buffer and perf buffer lose nothing and keep per-producer
 *    order; the LPM trie answers consistently during updates. */
#include <pthread.h>

#include "test.h"
#include "test_map_util.h"

enum { THREADS = 4 };
static long iters;

static const struct bpfrt_platform *plat(void) { return bpfrt_runtime_platform(rt); }
static void rlock(void) { plat()->read_lock(plat()->ctx); }
static void runlock(void) { plat()->read_unlock(plat()->ctx); }

static void run_threads(void *(*fn)(void *), void *args, size_t arg_size, int n)
{
    pthread_t t[8];
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, fn, (char *)args + (size_t)i * arg_size);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

struct targ {
    struct bpfrt_map *m;
    int id;
    long bad;
    volatile int *stop;
};

/* THREADS workers running fn on m at once; returns their summed `bad`. */
static long run_workers(void *(*fn)(void *), struct bpfrt_map *m)
{
    struct targ a[THREADS];
    for (int i = 0; i < THREADS; i++)
        a[i] = (struct targ){ m, i, 0, NULL };
    run_threads(fn, a, sizeof(a[0]), THREADS);
    long bad = 0;
    for (int i = 0; i < THREADS; i++)
        bad += a[i].bad;
    return bad;
}

/* THREADS - 1 producers on m while this thread consumes. */
struct producers {
    struct targ a[THREADS - 1];
    pthread_t t[THREADS - 1];
};

static void producers_start(struct producers *p, void *(*fn)(void *), struct bpfrt_map *m)
{
    for (int i = 0; i < THREADS - 1; i++) {
        p->a[i] = (struct targ){ m, i, 0, NULL };
        pthread_create(&p->t[i], NULL, fn, &p->a[i]);
    }
}

static void producers_join(struct producers *p)
{
    for (int i = 0; i < THREADS - 1; i++)
        pthread_join(p->t[i], NULL);
}

/* ---- hash: distinct keys ---- */

static void *hash_writer(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        uint64_t key = (uint64_t)a->id << 32 | (uint64_t)i;
        uint64_t val[2] = { key, ~key };
        rlock();
        a->bad += bpfrt_map_update_elem(a->m, &key, val, BPF_NOEXIST, (unsigned)a->id % rt_ncpus()) != 0;
        runlock();
    }
    return NULL;
}

static void *hash_deleter(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        uint64_t key = (uint64_t)a->id << 32 | (uint64_t)i;
        a->bad += bpfrt_map_delete(a->m, &key) != 0;
    }
    return NULL;
}

static void *hash_reader(void *p)
{
    struct targ *a = p;
    while (!__atomic_load_n(a->stop, __ATOMIC_ACQUIRE)) {
        uint64_t key, next, out[2];
        int rc = bpfrt_map_get_next_key(a->m, NULL, &next);
        for (int n = 0; rc == 0 && n < 50; n++) {
            key = next;
            if (bpfrt_map_lookup(a->m, &key, out, 0) == 0)
                a->bad += out[0] != key || out[1] != ~key;
            rc = bpfrt_map_get_next_key(a->m, &key, &next);
        }
    }
    return NULL;
}

static void test_hash_distinct_keys(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, 8, 16, (uint32_t)(THREADS * iters), 0);
    if (!m)
        return;
    volatile int stop = 0;
    struct targ w[THREADS], r = { m, 99, 0, &stop };
    for (int i = 0; i < THREADS; i++)
        w[i] = (struct targ){ m, i, 0, &stop };
    pthread_t rt_reader;
    pthread_create(&rt_reader, NULL, hash_reader, &r);
    run_threads(hash_writer, w, sizeof(w[0]), THREADS);
    long bad = 0;
    for (int i = 0; i < THREADS; i++)
        bad += w[i].bad;
    CHECK_EQ(bad, 0);
    /* every key is there with its value */
    long missing = 0;
    for (int t = 0; t < THREADS; t++)
        for (long i = 0; i < iters; i++) {
            uint64_t key = (uint64_t)t << 32 | (uint64_t)i, out[2];
            missing += bpfrt_map_lookup(m, &key, out, 0) != 0 || out[0] != key;
        }
    CHECK_EQ(missing, 0);
    uint64_t extra = ~0ull, val[2] = { 0, 0 };
    CHECK_EQ(bpfrt_map_update(m, &extra, val, 0), -BPFRT_E2BIG); /* exactly full */
    for (int i = 0; i < THREADS; i++)
        w[i].bad = 0;
    run_threads(hash_deleter, w, sizeof(w[0]), THREADS);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(rt_reader, NULL);
    bad = r.bad;
    for (int i = 0; i < THREADS; i++)
        bad += w[i].bad;
    CHECK_EQ(bad, 0);
    uint64_t next;
    CHECK_EQ(bpfrt_map_get_next_key(m, NULL, &next), -BPFRT_ENOENT);
    bpfrt_map_put(m);
}

/* ---- hash: the same keys, readers holding value pointers ---- */

static void *same_key_writer(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        uint64_t key = (uint64_t)(i % 8), x = (uint64_t)a->id << 40 | (uint64_t)i;
        uint64_t val[2] = { x, ~x };
        if (i % 5 == 4)
            bpfrt_map_delete(a->m, &key);
        else
            a->bad += bpfrt_map_update(a->m, &key, val, BPF_ANY) != 0;
    }
    return NULL;
}

static void *pointer_reader(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        uint64_t key = (uint64_t)(i % 8);
        rlock();
        uint64_t *v = bpfrt_map_lookup_elem(a->m, &key, 0);
        if (v) {
            uint64_t x = __atomic_load_n(&v[0], __ATOMIC_RELAXED);
            uint64_t y = __atomic_load_n(&v[1], __ATOMIC_RELAXED);
            a->bad += y != ~x; /* published elements never change */
        }
        runlock();
    }
    return NULL;
}

static void *mixed(void *p)
{
    struct targ *a = p;
    return a->id % 2 ? pointer_reader(p) : same_key_writer(p);
}

static void test_hash_same_keys(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, 8, 16, 8, 0);
    if (!m)
        return;
    CHECK_EQ(run_workers(mixed, m), 0);
    bpfrt_map_put(m);
}

/* ---- spin-locked and per-CPU counters ---- */

struct counter {
    struct bpf_spin_lock lock;
    uint32_t pad;
    uint64_t n;
};

static void *lock_incr(void *p)
{
    struct targ *a = p;
    uint32_t k = 0;
    for (long i = 0; i < iters; i++) {
        rlock();
        struct counter *c = bpfrt_map_lookup_elem(a->m, &k, 0);
        bpfrt_spin_lock(&c->lock);
        c->n++;
        bpfrt_spin_unlock(&c->lock);
        runlock();
    }
    return NULL;
}

static void *percpu_incr(void *p)
{
    struct targ *a = p;
    uint32_t k = 0;
    for (long i = 0; i < iters; i++) {
        unsigned cpu = plat()->cpu_claim(plat()->ctx);
        rlock();
        uint64_t *c = bpfrt_map_lookup_elem(a->m, &k, cpu);
        __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
        runlock();
        plat()->cpu_release(plat()->ctx, cpu);
    }
    return NULL;
}

static void test_counters(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct counter), 1, 0);
    struct bpfrt_map *pc = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
    if (!m || !pc)
        return;
    CHECK_EQ(bpfrt_map_set_spin_lock_off(m, 0), 0);
    run_workers(lock_incr, m);
    run_workers(percpu_incr, pc);
    uint32_t k = 0;
    struct counter out;
    CHECK_EQ(bpfrt_map_lookup(m, &k, &out, BPF_F_LOCK), 0);
    CHECK_EQ(out.n, THREADS * iters);
    unsigned n = rt_ncpus();
    uint64_t *vals = calloc(n, 8), sum = 0;
    CHECK_EQ(bpfrt_map_lookup(pc, &k, vals, 0), 0);
    for (unsigned c = 0; c < n; c++)
        sum += vals[c];
    CHECK_EQ(sum, THREADS * iters);
    free(vals);
    bpfrt_map_put(m);
    bpfrt_map_put(pc);
}

/* ---- LRU ---- */

static void *lru_worker(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        uint32_t key = (uint32_t)(a->id * 100000 + i % 500);
        uint64_t v = key;
        a->bad += bpfrt_map_update(a->m, &key, &v, BPF_ANY) != 0;
        rlock();
        uint64_t *pv = bpfrt_map_lookup_elem(a->m, &key, 0);
        if (pv)
            a->bad += __atomic_load_n(pv, __ATOMIC_RELAXED) != key;
        runlock();
    }
    return NULL;
}

static void test_lru(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_LRU_HASH, 4, 8, 256, 0);
    if (!m)
        return;
    long bad = run_workers(lru_worker, m);
    CHECK_EQ(bad, 0);
    long count = 0;
    uint32_t key, next;
    int rc = bpfrt_map_get_next_key(m, NULL, &next);
    while (rc == 0) {
        uint64_t v;
        count++;
        key = next;
        bad += bpfrt_map_lookup(m, &key, &v, 0) != 0 || v != key;
        rc = bpfrt_map_get_next_key(m, &key, &next);
    }
    CHECK(count > 0 && count <= 256);
    CHECK_EQ(bad, 0);
    bpfrt_map_put(m);
}

/* ---- queue ---- */

static void *queue_producer(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        uint64_t v = (uint64_t)a->id << 32 | (uint64_t)i;
        while (bpfrt_map_push_elem(a->m, &v, 0) == -BPFRT_E2BIG)
            sched_yield();
    }
    return NULL;
}

static void test_queue(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_QUEUE, 0, 8, 64, 0);
    if (!m)
        return;
    struct producers prod;
    producers_start(&prod, queue_producer, m);
    long got = 0, bad = 0, last[THREADS];
    for (int i = 0; i < THREADS; i++)
        last[i] = -1;
    while (got < (THREADS - 1) * iters) {
        uint64_t v;
        if (bpfrt_map_pop_elem(m, &v) != 0) {
            sched_yield();
            continue;
        }
        int id = (int)(v >> 32);
        long seq = (long)(uint32_t)v;
        bad += id >= THREADS - 1 || seq != last[id] + 1; /* FIFO per producer */
        last[id] = seq;
        got++;
    }
    producers_join(&prod);
    CHECK_EQ(bad, 0);
    bpfrt_map_put(m);
}

/* ---- ring buffer and perf buffer ---- */

struct order_state {
    long last[THREADS];
    long got, bad;
};

static void order_state_init(struct order_state *s)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < THREADS; i++)
        s->last[i] = -1;
}

static int order_cb(void *arg, const void *data, size_t size)
{
    struct order_state *s = arg;
    uint64_t v[2];
    if (size != sizeof(v)) {
        s->bad++;
        return 0;
    }
    memcpy(v, data, sizeof(v));
    int id = (int)v[0];
    if (id < 0 || id >= THREADS || (long)v[1] != s->last[id] + 1)
        s->bad++;
    else
        s->last[id] = (long)v[1];
    s->got++;
    return 0;
}

static void *rb_producer(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        uint64_t v[2] = { (uint64_t)a->id, (uint64_t)i };
        rlock();
        if (i % 2) {
            while (bpfrt_ringbuf_output(a->m, v, sizeof(v), 0) == -BPFRT_EAGAIN) {
                runlock();
                sched_yield();
                rlock();
            }
        } else {
            uint64_t *r;
            while (!(r = bpfrt_ringbuf_reserve(a->m, sizeof(v), 0))) {
                runlock();
                sched_yield();
                rlock();
            }
            memcpy(r, v, sizeof(v));
            bpfrt_ringbuf_submit(r, 0);
        }
        runlock();
    }
    return NULL;
}

static void test_ringbuf(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
    if (!m)
        return;
    struct producers prod;
    producers_start(&prod, rb_producer, m);
    struct order_state s;
    order_state_init(&s);
    while (s.got < (THREADS - 1) * iters) {
        if (bpfrt_ringbuf_consume(m, order_cb, &s) == 0)
            sched_yield();
    }
    producers_join(&prod);
    CHECK_EQ(s.bad, 0);
    CHECK_EQ(s.got, (THREADS - 1) * iters);
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_AVAIL_DATA), 0);
    bpfrt_map_put(m);
}

static void *perf_producer(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        uint64_t v[2] = { (uint64_t)a->id, (uint64_t)i };
        unsigned slot = (unsigned)a->id % 2;
        rlock();
        while (bpfrt_perf_event_output(a->m, slot, v, sizeof(v), slot) == -BPFRT_ENOSPC) {
            runlock();
            sched_yield();
            rlock();
        }
        runlock();
    }
    return NULL;
}

static void test_perf(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0);
    if (!m)
        return;
    CHECK_EQ(bpfrt_perf_event_open_buffer(m, 0, 1024), 0);
    CHECK_EQ(bpfrt_perf_event_open_buffer(m, 1, 1024), 0);
    struct producers prod;
    producers_start(&prod, perf_producer, m);
    struct order_state s;
    order_state_init(&s);
    while (s.got < (THREADS - 1) * iters) {
        if (bpfrt_perf_event_consume(m, order_cb, NULL, &s) == 0)
            sched_yield();
    }
    producers_join(&prod);
    CHECK_EQ(s.bad, 0);
    bpfrt_map_put(m);
}

/* ---- LPM: a stable /8 always answers while /16s come and go ---- */

struct lk {
    uint32_t plen;
    uint8_t d[4];
};

static void *lpm_writer(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        struct lk k = { 16, { 10, (uint8_t)(a->id * 50 + i % 50), 0, 0 } };
        uint32_t v = 16;
        if (i % 3 == 2)
            bpfrt_map_delete(a->m, &k);
        else
            a->bad += bpfrt_map_update(a->m, &k, &v, BPF_ANY) != 0;
    }
    return NULL;
}

static void *lpm_reader(void *p)
{
    struct targ *a = p;
    for (long i = 0; i < iters; i++) {
        struct lk q = { 32, { 10, (uint8_t)i, 1, 1 } };
        rlock();
        uint32_t *v = bpfrt_map_lookup_elem(a->m, &q, 0);
        a->bad += !v || (*v != 8 && *v != 16);
        runlock();
    }
    return NULL;
}

static void *lpm_mixed(void *p)
{
    struct targ *a = p;
    return a->id % 2 ? lpm_reader(p) : lpm_writer(p);
}

static void test_lpm(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 1024, BPF_F_NO_PREALLOC);
    if (!m)
        return;
    struct lk k8 = { 8, { 10, 0, 0, 0 } };
    uint32_t v8 = 8;
    CHECK_EQ(bpfrt_map_update(m, &k8, &v8, 0), 0);
    CHECK_EQ(run_workers(lpm_mixed, m), 0);
    bpfrt_map_put(m);
}

/* ---- lifetime: a pointer taken inside a run outlives delete and the map's
 * last reference until the run ends (ASan/TSan would flag an early free) ---- */

struct holder {
    struct bpfrt_map *m;
    int phase; /* 0 start, 1 pointer taken, 2 map released, 3 done */
    uint64_t seen;
};

static void *hold_pointer(void *p)
{
    struct holder *h = p;
    uint32_t k = 1;
    rlock();
    uint64_t *v = bpfrt_map_lookup_elem(h->m, &k, 0);
    __atomic_store_n(&h->phase, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&h->phase, __ATOMIC_ACQUIRE) != 2)
        sched_yield();
    h->seen = v ? __atomic_load_n(v, __ATOMIC_RELAXED) : 0;
    runlock();
    return NULL;
}

static void test_deferred_lifetime(void)
{
    uint32_t types[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_ARRAY };
    for (int t = 0; t < 3; t++) {
        struct bpfrt_map *m = mk(types[t], 4, 8, 4, 0);
        if (!m)
            return;
        uint32_t k = 1;
        uint64_t v = 0x5eed + (uint64_t)t;
        CHECK_EQ(bpfrt_map_update(m, &k, &v, 0), 0);
        struct holder h = { m, 0, 0 };
        pthread_t th;
        pthread_create(&th, NULL, hold_pointer, &h);
        while (__atomic_load_n(&h.phase, __ATOMIC_ACQUIRE) != 1)
            sched_yield();
        if (types[t] != BPF_MAP_TYPE_ARRAY)
            CHECK_EQ(bpfrt_map_delete(m, &k), 0);
        bpfrt_map_put(m); /* the last reference */
        __atomic_store_n(&h.phase, 2, __ATOMIC_RELEASE);
        pthread_join(th, NULL);
        CHECK_EQ(h.seen, 0x5eed + (uint64_t)t);
    }
}

int main(void)
{
    iters = map_thread_iters();
    rt_setup();
    RUN(test_hash_distinct_keys);
    RUN(test_hash_same_keys);
    RUN(test_counters);
    RUN(test_lru);
    RUN(test_queue);
    RUN(test_ringbuf);
    RUN(test_perf);
    RUN(test_lpm);
    RUN(test_deferred_lifetime);
    rt_teardown();
    return test_summary();
}
