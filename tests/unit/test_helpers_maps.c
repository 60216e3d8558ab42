/* Helpers over real maps, called directly through the runtime's table:
 * element helpers on hash/array/per-CPU maps, queue/stack push/pop/peek,
 * spin locks, ring buffer and perf event output (records read back through
 * the consumers), bpf_tail_call accounting on a PROG_ARRAY and
 * bpf_redirect_map on a DEVMAP. Expected results are Linux's documented
 * ones. */
#include "test_helpers_util.h"

#include "bpfrt/map.h"
#include "kernel_bpf.h"

static struct bpfrt_map *mkmap(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
    union bpf_attr attr = kbpf_map_attr(type, ks, vs, max, flags);
    struct bpfrt_map *m = NULL;
    int err = bpfrt_map_create(rt, &attr, NULL, NULL, &m);
    if (err) {
        fprintf(stderr, "map type %u: create failed %d\n", type, err);
        test_failed++;
    }
    return m;
}

static void test_hash_elem(void)
{
    struct bpfrt_map *m = mkmap(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
    if (!m)
        return;
    uint32_t k = 7;
    uint64_t v = 0x1122334455667788ull;
    CHECK_EQ(call(BPF_FUNC_map_lookup_elem, P(m), P(&k), 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_map_update_elem, P(m), P(&k), P(&v), BPF_ANY, 0), 0);
    uint64_t *pv = (uint64_t *)(uintptr_t)call(BPF_FUNC_map_lookup_elem, P(m), P(&k), 0, 0, 0);
    CHECK(pv != NULL);
    if (pv) {
        CHECK_EQ(*pv, v);
        *pv = 5; /* the pointer is into the map */
    }
    uint64_t out = 0;
    CHECK_EQ(bpfrt_map_lookup(m, &k, &out, 0), 0);
    CHECK_EQ(out, 5);
    CHECK_EQ(call(BPF_FUNC_map_update_elem, P(m), P(&k), P(&v), BPF_NOEXIST, 0), ERR(-BPFRT_EEXIST));
    uint32_t k2 = 8;
    CHECK_EQ(call(BPF_FUNC_map_update_elem, P(m), P(&k2), P(&v), BPF_EXIST, 0), ERR(-BPFRT_ENOENT));
    CHECK_EQ(call(BPF_FUNC_map_delete_elem, P(m), P(&k), 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_map_delete_elem, P(m), P(&k), 0, 0, 0), ERR(-BPFRT_ENOENT));
    CHECK_EQ(call(BPF_FUNC_map_lookup_elem, P(m), P(&k), 0, 0, 0), 0);
    /* full: 4 entries */
    for (uint32_t i = 0; i < 4; i++)
        CHECK_EQ(call(BPF_FUNC_map_update_elem, P(m), P(&i), P(&v), BPF_ANY, 0), 0);
    uint32_t k5 = 100;
    CHECK_EQ(call(BPF_FUNC_map_update_elem, P(m), P(&k5), P(&v), BPF_ANY, 0), ERR(-BPFRT_E2BIG));
    bpfrt_map_put(m);
}

static void test_array_and_percpu(void)
{
    struct bpfrt_map *a = mkmap(BPF_MAP_TYPE_ARRAY, 4, 4, 3, 0);
    if (!a)
        return;
    uint32_t k = 2, bad = 3, val = 42;
    CHECK(call(BPF_FUNC_map_lookup_elem, P(a), P(&k), 0, 0, 0) != 0);
    CHECK_EQ(call(BPF_FUNC_map_lookup_elem, P(a), P(&bad), 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_map_update_elem, P(a), P(&k), P(&val), 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_map_delete_elem, P(a), P(&k), 0, 0, 0), ERR(-BPFRT_EINVAL));
    bpfrt_map_put(a);

    struct bpfrt_map *pc = mkmap(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, 0);
    if (!pc)
        return;
    uint32_t key = 1;
    unsigned ncpus = bpfrt_runtime_platform(rt)->ncpus(bpfrt_runtime_platform(rt)->ctx);
    run.cpu = ncpus > 1 ? 1 : 0;
    uint32_t *mine = (uint32_t *)(uintptr_t)call(BPF_FUNC_map_lookup_elem, P(pc), P(&key), 0, 0, 0);
    CHECK(mine != NULL);
    if (mine)
        *mine = 0xabcd;
    /* bpf_map_lookup_percpu_elem reaches any CPU's copy, NULL past the last */
    uint32_t *same = (uint32_t *)(uintptr_t)call(BPF_FUNC_map_lookup_percpu_elem, P(pc), P(&key), run.cpu, 0, 0);
    CHECK(same == mine);
    CHECK_EQ(call(BPF_FUNC_map_lookup_percpu_elem, P(pc), P(&key), ncpus, 0, 0), 0);
    if (ncpus > 1) {
        uint32_t *other = (uint32_t *)(uintptr_t)call(BPF_FUNC_map_lookup_percpu_elem, P(pc), P(&key), 0, 0, 0);
        CHECK(other != NULL && other != mine && *other == 0);
    }
    run.cpu = 0;
    bpfrt_map_put(pc);
}

static void test_queue_stack(void)
{
    struct bpfrt_map *q = mkmap(BPF_MAP_TYPE_QUEUE, 0, 4, 2, 0);
    struct bpfrt_map *s = mkmap(BPF_MAP_TYPE_STACK, 0, 4, 2, 0);
    if (!q || !s)
        return;
    uint32_t a = 1, b = 2, c = 3, out = 0;
    CHECK_EQ(call(BPF_FUNC_map_peek_elem, P(q), P(&out), 0, 0, 0), ERR(-BPFRT_ENOENT));
    CHECK_EQ(call(BPF_FUNC_map_push_elem, P(q), P(&a), 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_map_push_elem, P(q), P(&b), 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_map_push_elem, P(q), P(&c), 0, 0, 0), ERR(-BPFRT_E2BIG));
    /* BPF_EXIST: a full queue drops its oldest element */
    CHECK_EQ(call(BPF_FUNC_map_push_elem, P(q), P(&c), BPF_EXIST, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_map_peek_elem, P(q), P(&out), 0, 0, 0), 0);
    CHECK_EQ(out, 2);
    CHECK_EQ(call(BPF_FUNC_map_pop_elem, P(q), P(&out), 0, 0, 0), 0);
    CHECK_EQ(out, 2);
    CHECK_EQ(call(BPF_FUNC_map_pop_elem, P(q), P(&out), 0, 0, 0), 0);
    CHECK_EQ(out, 3);
    CHECK_EQ(call(BPF_FUNC_map_pop_elem, P(q), P(&out), 0, 0, 0), ERR(-BPFRT_ENOENT));
    CHECK_EQ(call(BPF_FUNC_map_push_elem, P(s), P(&a), 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_map_push_elem, P(s), P(&b), 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_map_pop_elem, P(s), P(&out), 0, 0, 0), 0);
    CHECK_EQ(out, 2); /* LIFO */
    bpfrt_map_put(q);
    bpfrt_map_put(s);
}

static void test_spin_lock(void)
{
    struct bpf_spin_lock l = { 0 };
    CHECK_EQ(call(BPF_FUNC_spin_lock, P(&l), 0, 0, 0, 0), 0);
    CHECK(l.val != 0);
    CHECK_EQ(call(BPF_FUNC_spin_unlock, P(&l), 0, 0, 0, 0), 0);
    CHECK_EQ(l.val, 0);
}

struct rec_log {
    int n;
    size_t size[8];
    unsigned char data[8][64];
};

static int collect(void *arg, const void *data, size_t size)
{
    struct rec_log *lg = arg;
    if (lg->n < 8) {
        lg->size[lg->n] = size;
        memcpy(lg->data[lg->n], data, size < 64 ? size : 64);
    }
    lg->n++;
    return 0;
}

static void test_ringbuf(void)
{
    struct bpfrt_map *rb = mkmap(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
    if (!rb)
        return;
    CHECK_EQ(call(BPF_FUNC_ringbuf_query, P(rb), BPF_RB_RING_SIZE, 0, 0, 0), 4096);
    CHECK_EQ(call(BPF_FUNC_ringbuf_query, P(rb), BPF_RB_AVAIL_DATA, 0, 0, 0), 0);
    char *r = (char *)(uintptr_t)call(BPF_FUNC_ringbuf_reserve, P(rb), 5, 0, 0, 0);
    CHECK(r != NULL);
    if (r) {
        memcpy(r, "hello", 5);
        CHECK_EQ(call(BPF_FUNC_ringbuf_submit, P(r), 0, 0, 0, 0), 0);
    }
    char *d = (char *)(uintptr_t)call(BPF_FUNC_ringbuf_reserve, P(rb), 8, 0, 0, 0);
    CHECK(d != NULL);
    if (d)
        call(BPF_FUNC_ringbuf_discard, P(d), 0, 0, 0, 0);
    CHECK_EQ(call(BPF_FUNC_ringbuf_output, P(rb), P("abc"), 3, 0, 0), 0);
    /* flags must be 0 for reserve; 8-byte header + 8-aligned records */
    CHECK_EQ(call(BPF_FUNC_ringbuf_reserve, P(rb), 5, 1, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_ringbuf_query, P(rb), BPF_RB_AVAIL_DATA, 0, 0, 0), 16 + 16 + 16);
    struct rec_log lg = { 0 };
    CHECK_EQ(bpfrt_ringbuf_consume(rb, collect, &lg), 2);
    CHECK_EQ(lg.n, 2);
    CHECK_EQ(lg.size[0], 5);
    CHECK(memcmp(lg.data[0], "hello", 5) == 0);
    CHECK_EQ(lg.size[1], 3);
    CHECK(memcmp(lg.data[1], "abc", 3) == 0);
    /* a record larger than the ring fails */
    CHECK_EQ(call(BPF_FUNC_ringbuf_reserve, P(rb), 8192, 0, 0, 0), 0);
    /* not a ring buffer: NULL / -EINVAL rather than misuse */
    struct bpfrt_map *arr = mkmap(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
    if (arr) {
        CHECK_EQ(call(BPF_FUNC_ringbuf_reserve, P(arr), 4, 0, 0, 0), 0);
        CHECK_EQ(call(BPF_FUNC_ringbuf_output, P(arr), P("x"), 1, 0, 0), ERR(-BPFRT_EINVAL));
        bpfrt_map_put(arr);
    }
    bpfrt_map_put(rb);
}

static int collect_perf(void *arg, const void *data, size_t size)
{
    return collect(arg, data, size);
}

static void test_perf_event_output(void)
{
    struct bpfrt_map *pa = mkmap(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0);
    if (!pa)
        return;
    run.cpu = 1;
    /* no buffer opened at slot 1 yet */
    CHECK_EQ(call(BPF_FUNC_perf_event_output, 0, P(pa), BPF_F_CURRENT_CPU, P("x"), 1), ERR(-BPFRT_ENOENT));
    CHECK_EQ(bpfrt_perf_event_open_buffer(pa, 1, 4096), 0);
    CHECK_EQ(call(BPF_FUNC_perf_event_output, 0, P(pa), BPF_F_CURRENT_CPU, P("data"), 4), 0);
    CHECK_EQ(call(BPF_FUNC_perf_event_output, 0, P(pa), 1, P("more"), 4), 0);
    CHECK_EQ(call(BPF_FUNC_perf_event_output, 0, P(pa), 2, P("x"), 1), ERR(-BPFRT_E2BIG));
    /* tracing programs: no bits outside BPF_F_INDEX_MASK */
    CHECK_EQ(call(BPF_FUNC_perf_event_output, 0, P(pa), (1ull << 32) | 1, P("x"), 1), ERR(-BPFRT_EINVAL));

    /* packet programs: BPF_F_CTXLEN_MASK appends that many packet bytes */
    static const struct bpfrt_ctx_desc xdpdesc = { .prog_type = BPF_PROG_TYPE_XDP };
    uint8_t frame[64];
    for (int i = 0; i < 64; i++)
        frame[i] = (uint8_t)(0x40 + i);
    struct bpfrt_pkt pkt = { .buf = frame, .buf_size = 64, .data = frame, .data_end = frame + 20 };
    run.ctx_desc = &xdpdesc;
    run.pkt = &pkt;
    CHECK_EQ(call(BPF_FUNC_perf_event_output, 0, P(pa), (3ull << 32) | 1, P("M"), 1), 0);
    CHECK_EQ(call(BPF_FUNC_perf_event_output, 0, P(pa), (21ull << 32) | 1, P("M"), 1), ERR(-BPFRT_EFAULT));
    run.ctx_desc = NULL;
    run.pkt = NULL;
    run.cpu = 0;

    struct rec_log lg = { 0 };
    CHECK_EQ(bpfrt_perf_event_consume(pa, collect_perf, NULL, &lg), 3);
    CHECK_EQ(lg.n, 3);
    CHECK_EQ(lg.size[0], 4);
    CHECK(memcmp(lg.data[0], "data", 4) == 0);
    CHECK(memcmp(lg.data[1], "more", 4) == 0);
    CHECK_EQ(lg.size[2], 4);
    CHECK(memcmp(lg.data[2], "M\x40\x41\x42", 4) == 0);
    bpfrt_map_put(pa);
}

static struct bpfrt_prog *tiny_prog(uint32_t type)
{
    /* r0 = 0; exit */
    struct bpf_insn insns[2] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
        { .code = BPF_JMP | BPF_EXIT },
    };
    char msg[128];
    struct bpfrt_prog *p = NULL;
    int err = bpfrt_prog_create(rt, insns, 2, type, msg, sizeof(msg), &p);
    if (err) {
        fprintf(stderr, "prog_create: %d %s\n", err, msg);
        test_failed++;
    }
    return p;
}

static void test_tail_call(void)
{
    struct bpfrt_map *pa = mkmap(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
    struct bpfrt_prog *target = tiny_prog(BPF_PROG_TYPE_SOCKET_FILTER);
    if (!pa || !target)
        return;
    uint32_t k = 2;
    CHECK_EQ(bpfrt_map_update_prog(pa, &k, target, BPF_ANY), 0);
    run.tail_call_cnt = 0;
    run.tail_call_target = NULL;
    CHECK_EQ(call(BPF_FUNC_tail_call, 0, P(pa), 4, 0, 0), ERR(-BPFRT_E2BIG));   /* index >= max */
    CHECK_EQ(call(BPF_FUNC_tail_call, 0, P(pa), 1, 0, 0), ERR(-BPFRT_ENOENT));  /* empty slot */
    CHECK(run.tail_call_target == NULL);
    CHECK_EQ(run.tail_call_cnt, 0); /* failures do not count */
    /* the index is a u32: 2 + 2^32 is slot 2 */
    CHECK_EQ(call(BPF_FUNC_tail_call, 0, P(pa), 2 + (1ull << 32), 0, 0), 0);
    CHECK(run.tail_call_target == target);
    CHECK_EQ(run.tail_call_cnt, 1);
    /* after 33 tail calls the next one falls through */
    run.tail_call_target = NULL;
    run.tail_call_cnt = BPFRT_MAX_TAIL_CALLS - 1;
    CHECK_EQ(call(BPF_FUNC_tail_call, 0, P(pa), 2, 0, 0), 0);
    CHECK_EQ(run.tail_call_cnt, 33);
    run.tail_call_target = NULL;
    CHECK_EQ(call(BPF_FUNC_tail_call, 0, P(pa), 2, 0, 0), ERR(-BPFRT_ELOOP));
    CHECK(run.tail_call_target == NULL);
    CHECK_EQ(run.tail_call_cnt, 33);
    /* not a prog array */
    struct bpfrt_map *arr = mkmap(BPF_MAP_TYPE_ARRAY, 4, 4, 4, 0);
    if (arr) {
        run.tail_call_cnt = 0;
        CHECK_EQ(call(BPF_FUNC_tail_call, 0, P(arr), 0, 0, 0), ERR(-BPFRT_EINVAL));
        bpfrt_map_put(arr);
    }
    run.tail_call_cnt = 0;
    run.tail_call_target = NULL;
    bpfrt_map_put(pa);
    bpfrt_prog_put(target);
}

static void test_redirect_map(void)
{
    struct bpfrt_map *dm = mkmap(BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0);
    if (!dm)
        return;
    uint32_t k = 1, ifindex = 9;
    CHECK_EQ(bpfrt_map_update(dm, &k, &ifindex, BPF_ANY), 0);
    uint8_t frame[64];
    struct bpfrt_pkt pkt = { .buf = frame, .buf_size = 64, .data = frame, .data_end = frame + 64 };
    static const struct bpfrt_ctx_desc xdpdesc = { .prog_type = BPF_PROG_TYPE_XDP };
    run.ctx_desc = &xdpdesc;
    run.pkt = &pkt;
    CHECK_EQ(call(BPF_FUNC_redirect_map, P(dm), 1, 0, 0, 0), XDP_REDIRECT);
    CHECK(pkt.redirect_map == dm);
    CHECK_EQ(pkt.redirect_key, 1);
    CHECK_EQ(pkt.redirect_ifindex, 9);
    /* absent key: the low bits of flags are the verdict, the target is cleared */
    CHECK_EQ(call(BPF_FUNC_redirect_map, P(dm), 2, XDP_PASS, 0, 0), XDP_PASS);
    CHECK(pkt.redirect_map == NULL);
    CHECK_EQ(call(BPF_FUNC_redirect_map, P(dm), 2, 0, 0, 0), XDP_ABORTED);
    /* broadcast needs no entry */
    CHECK_EQ(call(BPF_FUNC_redirect_map, P(dm), 2, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS, 0, 0),
             XDP_REDIRECT);
    CHECK_EQ(pkt.redirect_flags, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
    /* unknown flag bits abort */
    CHECK_EQ(call(BPF_FUNC_redirect_map, P(dm), 1, 1ull << 5, 0, 0), XDP_ABORTED);
    run.ctx_desc = NULL;
    run.pkt = NULL;
    bpfrt_map_put(dm);
}

int main(void)
{
    helpers_setup();
    RUN(test_hash_elem);
    RUN(test_array_and_percpu);
    RUN(test_queue_stack);
    RUN(test_spin_lock);
    RUN(test_ringbuf);
    RUN(test_perf_event_output);
    RUN(test_tail_call);
    RUN(test_redirect_map);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
