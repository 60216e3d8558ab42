/* RINGBUF and PERF_EVENT_ARRAY: record layout (8-byte header, BUSY/DISCARD
 * bits, 8-byte alignment), reserve failing when full, positions and query,
 * the consumer stopping at an uncommitted record and skipping discarded
 * ones, wrap-around; perf buffers per slot with lost-record accounting and
 * Linux's -E2BIG/-ENOENT. User-side commands are compared with the kernel. */
#include "test.h"
#include "test_map_util.h"

struct rec_log {
    int n;
    size_t sizes[64];
    unsigned char first[64];
    int stop_at;
};

static int log_cb(void *arg, const void *data, size_t size)
{
    struct rec_log *l = arg;
    if (l->n < 64) {
        l->sizes[l->n] = size;
        l->first[l->n] = size ? *(const unsigned char *)data : 0;
    }
    l->n++;
    return l->n == l->stop_at ? 42 : 0;
}

static void test_ringbuf_commands(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
    uint64_t v = 0, next;
    dual_cmd(&d, BPF_MAP_LOOKUP_ELEM, NULL, &v, 8, 0, -BPFRT_ENOTSUPP, 1);
    dual_cmd(&d, BPF_MAP_UPDATE_ELEM, NULL, &v, 8, 0, -BPFRT_ENOTSUPP, 1);
    dual_cmd(&d, BPF_MAP_DELETE_ELEM, NULL, NULL, 0, 0, -BPFRT_ENOTSUPP, 1);
    dual_cmd(&d, BPF_MAP_GET_NEXT_KEY, NULL, &next, 8, 0, -BPFRT_ENOTSUPP, 1);
    dual_cmd(&d, BPF_MAP_LOOKUP_AND_DELETE_ELEM, NULL, &v, 8, 0, -BPFRT_ENOTSUPP, 1);
    dual_cmd(&d, BPF_MAP_LOOKUP_ELEM, &v, &v, 8, 0, -BPFRT_EINVAL, 1); /* key on a key-less map */
    dual_cmd(&d, BPF_MAP_FREEZE, NULL, NULL, 0, 0, 0, 1);
    dual_free(&d);
}

static void test_ringbuf_layout(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
    if (!m)
        return;
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_RING_SIZE), 4096);
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_AVAIL_DATA), 0);
    CHECK_EQ(bpfrt_ringbuf_query(m, 99), 0);
    unsigned char *a = bpfrt_ringbuf_reserve(m, 10, 0);
    CHECK(a != NULL && ((uintptr_t)a & 7) == 0);
    if (!a)
        return;
    const uint32_t *ha = (const uint32_t *)(a - 8);
    CHECK_EQ(ha[0], 10 | BPF_RINGBUF_BUSY_BIT);
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_PROD_POS), 24); /* round_up(10 + 8, 8) */
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_AVAIL_DATA), 24);
    unsigned char *b = bpfrt_ringbuf_reserve(m, 3, 0);
    CHECK(b == a + 24);
    if (!b)
        return;
    const uint32_t *hb = (const uint32_t *)(b - 8);
    /* pg_off locates the ring's start from any record (Linux's layout). */
    CHECK_EQ(((uintptr_t)ha & ~(uintptr_t)4095) - (uintptr_t)ha[1] * 4096,
             ((uintptr_t)hb & ~(uintptr_t)4095) - (uintptr_t)hb[1] * 4096);
    memset(a, 'a', 10);
    b[0] = 'b';
    struct rec_log log = { 0 };
    bpfrt_ringbuf_submit(b, 0);
    CHECK_EQ(hb[0], 3);
    CHECK_EQ(bpfrt_ringbuf_consume(m, log_cb, &log), 0); /* a is still busy: nothing yet */
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_CONS_POS), 0);
    bpfrt_ringbuf_submit(a, BPF_RB_NO_WAKEUP);
    CHECK_EQ(bpfrt_ringbuf_consume(m, log_cb, &log), 2);
    CHECK_EQ(log.n, 2);
    CHECK_EQ(log.sizes[0], 10);
    CHECK_EQ(log.first[0], 'a');
    CHECK_EQ(log.sizes[1], 3);
    CHECK_EQ(log.first[1], 'b');
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_CONS_POS), 40);
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_AVAIL_DATA), 0);

    /* Discarded records are skipped but consumed. */
    unsigned char *c = bpfrt_ringbuf_reserve(m, 16, 0);
    if (!c)
        return;
    bpfrt_ringbuf_discard(c, 0);
    CHECK_EQ(((const uint32_t *)(c - 8))[0], 16 | BPF_RINGBUF_DISCARD_BIT);
    CHECK_EQ(bpfrt_ringbuf_output(m, "xyz", 3, 0), 0);
    log.n = 0;
    CHECK_EQ(bpfrt_ringbuf_consume(m, log_cb, &log), 1);
    CHECK_EQ(log.first[0], 'x');
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_CONS_POS), 40 + 24 + 16);

    /* Reserve rules. */
    CHECK(bpfrt_ringbuf_reserve(m, 8, 1) == NULL);           /* flags must be 0 */
    CHECK(bpfrt_ringbuf_reserve(m, 4096, 0) == NULL);        /* larger than the ring */
    CHECK(bpfrt_ringbuf_reserve(m, 1ull << 31, 0) == NULL);
    CHECK_EQ(bpfrt_ringbuf_output(m, "x", 1, 4), -BPFRT_EINVAL);
    bpfrt_map_put(m);
}

static void test_ringbuf_full(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
    if (!m)
        return;
    /* The producer may run at most size - 1 bytes ahead: a record that
     * would fill the ring exactly does not fit. */
    CHECK(bpfrt_ringbuf_reserve(m, 4088, 0) == NULL);
    void *big = bpfrt_ringbuf_reserve(m, 4080, 0);
    CHECK(big != NULL);
    CHECK(bpfrt_ringbuf_reserve(m, 0, 0) == NULL);
    CHECK_EQ(bpfrt_ringbuf_output(m, "x", 1, 0), -BPFRT_EAGAIN);
    bpfrt_ringbuf_submit(big, 0);
    struct rec_log log = { 0 };
    CHECK_EQ(bpfrt_ringbuf_consume(m, log_cb, &log), 1);
    CHECK_EQ(log.sizes[0], 4080);
    /* Wrap-around: records of varying size, many times round the ring,
     * including ones that straddle its end. */
    int bad = 0, total = 0;
    unsigned char buf[700];
    for (int round = 0; round < 200; round++) {
        size_t sz = (size_t)(round * 37) % 700;
        memset(buf, round & 0xff, sz);
        int rc = bpfrt_ringbuf_output(m, buf, sz, 0);
        if (rc == -BPFRT_EAGAIN) {
            struct rec_log l2 = { 0 };
            total += (int)bpfrt_ringbuf_consume(m, log_cb, &l2);
            rc = bpfrt_ringbuf_output(m, buf, sz, 0);
        }
        bad += rc != 0;
    }
    struct rec_log l3 = { 0 };
    total += (int)bpfrt_ringbuf_consume(m, log_cb, &l3);
    CHECK_EQ(bad, 0);
    CHECK_EQ(total, 200);
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_AVAIL_DATA), 0);
    bpfrt_map_put(m);
}

static int check_content_cb(void *arg, const void *data, size_t size)
{
    int *bad = arg;
    const unsigned char *p = data;
    for (size_t i = 0; i < size; i++)
        if (p[i] != (unsigned char)(size + i))
            (*bad)++;
    return 0;
}

static void test_ringbuf_content_across_wrap(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
    if (!m)
        return;
    int bad = 0;
    unsigned char buf[1000];
    for (int i = 0; i < 300; i++) {
        size_t sz = 100 + (size_t)(i * 53) % 900;
        for (size_t j = 0; j < sz; j++)
            buf[j] = (unsigned char)(sz + j);
        if (bpfrt_ringbuf_output(m, buf, sz, 0) != 0) {
            bpfrt_ringbuf_consume(m, check_content_cb, &bad);
            bad += bpfrt_ringbuf_output(m, buf, sz, 0) != 0;
        }
    }
    bpfrt_ringbuf_consume(m, check_content_cb, &bad);
    CHECK_EQ(bad, 0);
    /* A non-zero callback result stops early and is returned. */
    for (int i = 0; i < 3; i++)
        CHECK_EQ(bpfrt_ringbuf_output(m, "abc", 3, 0), 0);
    struct rec_log log = { .stop_at = 2 };
    CHECK_EQ(bpfrt_ringbuf_consume(m, log_cb, &log), 42);
    CHECK_EQ(bpfrt_ringbuf_query(m, BPF_RB_AVAIL_DATA), 16); /* one record left */
    CHECK_EQ(bpfrt_ringbuf_consume(m, NULL, NULL), -BPFRT_EINVAL);
    bpfrt_map_put(m);
}

/* ---- perf event array ---- */

struct lost_log {
    struct rec_log recs;
    uint64_t lost[8];
};

static int perf_rec_cb(void *arg, const void *data, size_t size)
{
    return log_cb(&((struct lost_log *)arg)->recs, data, size);
}

static void perf_lost_cb(void *arg, unsigned cpu, uint64_t lost)
{
    struct lost_log *l = arg;
    if (cpu < 8)
        l->lost[cpu] += lost;
}

static void test_perf_commands(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0);
    uint32_t k0 = 0, k3 = 3, k7 = 7, v = 0, next;
    dual_cmd(&d, BPF_MAP_LOOKUP_ELEM, &k0, &v, 4, 0, -BPFRT_ENOTSUPP, 1);
    dual_cmd(&d, BPF_MAP_DELETE_ELEM, &k0, NULL, 0, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, BPF_MAP_DELETE_ELEM, &k7, NULL, 0, 0, -BPFRT_E2BIG, 1);
    dual_cmd(&d, BPF_MAP_GET_NEXT_KEY, &k0, &next, 4, 0, 0, 1);
    dual_cmd(&d, BPF_MAP_GET_NEXT_KEY, &k3, &next, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, BPF_MAP_GET_NEXT_KEY, NULL, &next, 4, 0, 0, 1);
    dual_cmd(&d, BPF_MAP_LOOKUP_AND_DELETE_ELEM, &k0, &v, 4, 0, -BPFRT_ENOTSUPP, 1);
    dual_free(&d);
}

static void test_perf_output(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0);
    struct bpfrt_map *h = mk(BPF_MAP_TYPE_HASH, 4, 4, 2, 0);
    if (!m || !h)
        return;
    CHECK_EQ(bpfrt_perf_event_output(m, BPF_F_CURRENT_CPU, "a", 1, 0), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_perf_event_output(m, 2, "a", 1, 0), -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_perf_event_output(m, BPF_F_CURRENT_CPU, "a", 1, 5), -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_perf_event_output(m, 1ull << 40, "a", 1, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_perf_event_output(h, 0, "a", 1, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_perf_event_open_buffer(m, 2, 256), -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_perf_event_open_buffer(m, 0, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_perf_event_open_buffer(h, 0, 256), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_perf_event_open_buffer(m, 0, 256), 0);
    CHECK_EQ(bpfrt_perf_event_open_buffer(m, 0, 256), -BPFRT_EEXIST);
    CHECK_EQ(bpfrt_perf_event_open_buffer(m, 1, 100), 0);
    CHECK_EQ(bpfrt_perf_event_output(m, BPF_F_CURRENT_CPU, "cpu1", 4, 1), 0);
    CHECK_EQ(bpfrt_perf_event_output(m, 0, "x0", 2, 1), 0);
    CHECK_EQ(bpfrt_perf_event_output(m, 0, "y00", 3, 0), 0);
    struct lost_log ll;
    memset(&ll, 0, sizeof(ll));
    CHECK_EQ(bpfrt_perf_event_consume(m, perf_rec_cb, perf_lost_cb, &ll), 3);
    /* slot 0's records first, in order, then slot 1's */
    CHECK_EQ(ll.recs.sizes[0], 2);
    CHECK_EQ(ll.recs.first[0], 'x');
    CHECK_EQ(ll.recs.sizes[1], 3);
    CHECK_EQ(ll.recs.sizes[2], 4);
    CHECK_EQ(ll.recs.first[2], 'c');
    /* Slot 1 holds 128 bytes (100 rounded up to a power of two): records of
     * 8 + 24 bytes fit four times, then are lost. */
    char data[24] = "0123456789abcdef01234567";
    int ok = 0, nospc = 0;
    for (int i = 0; i < 6; i++) {
        long rc = bpfrt_perf_event_output(m, 1, data, 24, 0);
        ok += rc == 0;
        nospc += rc == -BPFRT_ENOSPC;
    }
    CHECK_EQ(ok, 4);
    CHECK_EQ(nospc, 2);
    CHECK_EQ(bpfrt_perf_event_lost(m, 1), 2);
    memset(&ll, 0, sizeof(ll));
    CHECK_EQ(bpfrt_perf_event_consume(m, perf_rec_cb, perf_lost_cb, &ll), 4);
    CHECK_EQ(ll.lost[1], 2);
    CHECK_EQ(ll.lost[0], 0);
    memset(&ll, 0, sizeof(ll));
    CHECK_EQ(bpfrt_perf_event_consume(m, perf_rec_cb, NULL, &ll), 0);
    /* Wrap: many records through slot 1. */
    int bad = 0;
    for (int i = 0; i < 100; i++) {
        bad += bpfrt_perf_event_output(m, 1, data, (uint64_t)(i % 24), 0) != 0;
        memset(&ll, 0, sizeof(ll));
        bad += bpfrt_perf_event_consume(m, perf_rec_cb, NULL, &ll) != 1 || ll.recs.sizes[0] != (size_t)(i % 24);
    }
    CHECK_EQ(bad, 0);
    /* Deleting the key closes the buffer. */
    uint32_t k1 = 1;
    CHECK_EQ(bpfrt_map_delete(m, &k1), 0);
    CHECK_EQ(bpfrt_map_delete(m, &k1), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_perf_event_output(m, 1, data, 4, 0), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_update(m, &k1, &k1, 0), -BPFRT_EINVAL); /* no perf fds here */
    bpfrt_map_put(m);
    bpfrt_map_put(h);
}

static void test_perf_uref(void)
{
    struct bpfrt_map *plain = mk(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, 0);
    struct bpfrt_map *keep = mk(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, BPF_F_PRESERVE_ELEMS);
    if (!plain || !keep)
        return;
    CHECK_EQ(bpfrt_perf_event_open_buffer(plain, 0, 64), 0);
    CHECK_EQ(bpfrt_perf_event_open_buffer(keep, 0, 64), 0);
    bpfrt_map_release_uref(plain);
    bpfrt_map_release_uref(keep);
    CHECK_EQ(bpfrt_perf_event_output(plain, 0, "a", 1, 0), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_perf_event_output(keep, 0, "a", 1, 0), 0);
    bpfrt_map_put(plain);
    bpfrt_map_put(keep);
}

int main(void)
{
    rt_setup();
    RUN(test_ringbuf_commands);
    RUN(test_ringbuf_layout);
    RUN(test_ringbuf_full);
    RUN(test_ringbuf_content_across_wrap);
    RUN(test_perf_commands);
    RUN(test_perf_output);
    RUN(test_perf_uref);
    rt_teardown();
    return test_summary();
}
