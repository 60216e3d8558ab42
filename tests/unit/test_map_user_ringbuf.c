/* BPF_MAP_TYPE_USER_RINGBUF and dynptrs: the producer API (reserve,
 * submit, discard, -E2BIG, -ENOSPC), bpf_user_ringbuf_drain driving a
 * callback that reads each sample through its dynptr
 * (tests/progs/user_ringbuf.bpf.c: discarded samples skipped, the callback
 * stopping early, samples left for the next drain, flags), and the dynptr
 * helpers over program memory and ring buffer records - compared with the
 * kernel's run of the same program where the kernel can run it. */
#include <unistd.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/map.h"
#include "kernel_bpf.h"
#include "test_corpus_util.h"

struct sample {
    uint32_t tag, value;
};

static struct bpfrt_map *map_of(struct bpfrt_object *obj, const char *name)
{
    struct bpfrt_object_map *m = bpfrt_object_find_map(obj, name);
    return m ? bpfrt_map_from_handle(crt, bpfrt_object_map_handle(m)) : NULL;
}

/* user_ringbuf.bpf.c, verified (the kernel's verifier too, with its
 * bpf_fn: both take the dynptrs and the drain callback). */
static struct bpfrt_object *load_verified(const struct bpfrt_object_opts *o)
{
    struct bpfrt_object *obj = open_obj_opts("v3", "user_ringbuf", o);
    if (!obj)
        return NULL;
    char err[512] = "";
    if (bpfrt_object_load(obj, err, sizeof(err))) {
        fprintf(stderr, "user_ringbuf: %s\n", err);
        bpfrt_object_close(obj);
        return NULL;
    }
    return obj;
}

static void test_producer(void)
{
    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_USER_RINGBUF, 0, 0, 4096, 0);
    long h = bpfrt_bpf(crt, BPF_MAP_CREATE, &a, sizeof(a));
    struct bpfrt_map *m = bpfrt_map_from_handle(crt, (int)h);
    CHECK(m != NULL);
    if (!m)
        return;
    void *s = NULL;
    CHECK_EQ(bpfrt_user_ringbuf_reserve(m, 4096, &s), -BPFRT_E2BIG); /* with its header it cannot fit */
    CHECK(s == NULL);
    CHECK_EQ(bpfrt_user_ringbuf_reserve(m, 4088, &s), 0);           /* the whole ring */
    void *t = NULL;
    CHECK_EQ(bpfrt_user_ringbuf_reserve(m, 0, &t), -BPFRT_ENOSPC);
    bpfrt_user_ringbuf_discard(m, s);
    /* a ring buffer is not a user ring buffer */
    union bpf_attr r = kbpf_map_attr(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
    long rh = bpfrt_bpf(crt, BPF_MAP_CREATE, &r, sizeof(r));
    CHECK_EQ(bpfrt_user_ringbuf_reserve(bpfrt_map_from_handle(crt, (int)rh), 8, &s), -BPFRT_EINVAL);
    /* no element commands */
    uint32_t key = 0, val = 0;
    union bpf_attr e = kbpf_elem_attr((int)h, NULL, &val, 0);
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &e, sizeof(e)), -BPFRT_ENOTSUPP);
    e = kbpf_elem_attr((int)h, &key, &val, 0);
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &e, sizeof(e)), -BPFRT_EINVAL); /* a key for a key-less map */
    bpfrt_close(crt, (int)h);
    bpfrt_close(crt, (int)rh);
}

static void produce(struct bpfrt_map *m, uint32_t value, bool discard)
{
    void *s = NULL;
    CHECK_EQ(bpfrt_user_ringbuf_reserve(m, sizeof(struct sample), &s), 0);
    if (!s)
        return;
    struct sample smp = { 1, value };
    memcpy(s, &smp, sizeof(smp));
    if (discard)
        bpfrt_user_ringbuf_discard(m, s);
    else
        bpfrt_user_ringbuf_submit(m, s);
}

static void run_drain(struct bpfrt_object *obj)
{
    uint64_t args[1] = { 0 };
    CHECK_EQ(run_prog_ctx(obj, "drain_samples", NULL, 0, args, sizeof(args), 0).rc, 0);
}

static void test_drain(void)
{
    struct bpfrt_object *obj = load_verified(NULL);
    CHECK(obj != NULL);
    if (!obj)
        return;
    struct bpfrt_map *m = map_of(obj, "urb");
    produce(m, 10, false);
    produce(m, 99, true); /* discarded: skipped, not counted */
    produce(m, 20, false);
    produce(m, 30, false);
    run_drain(obj);
    CHECK_EQ((int64_t)global_u64(obj, "drained"), 3);
    CHECK_EQ(global_u64(obj, "total"), 60);
    CHECK_EQ(global_u64(obj, "calls"), 3);
    CHECK_EQ(global_u64(obj, "data_ok"), 3);
    CHECK_EQ(global_u64(obj, "read_errors"), 0);
    CHECK_EQ((int64_t)global_u64(obj, "bad_flags"), -BPFRT_EINVAL);
    run_drain(obj); /* nothing left */
    CHECK_EQ((int64_t)global_u64(obj, "drained"), 0);
    CHECK_EQ(global_u64(obj, "calls"), 3);

    /* the callback stops after its 4th call: one sample stays behind */
    uint32_t four = 4;
    struct bpfrt_object_map *gm;
    uint32_t off, size;
    CHECK_EQ(bpfrt_object_find_global(obj, "stop_after", &gm, &off, &size), 0);
    uint8_t data[4096];
    uint32_t key = 0;
    union bpf_attr e = kbpf_elem_attr(bpfrt_object_map_handle(gm), &key, data, 0);
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &e, sizeof(e)), 0);
    memcpy(data + off, &four, 4);
    CHECK_EQ(bpfrt_bpf(crt, BPF_MAP_UPDATE_ELEM, &e, sizeof(e)), 0);
    produce(m, 1, false);
    produce(m, 2, false);
    run_drain(obj);
    CHECK_EQ((int64_t)global_u64(obj, "drained"), 1);
    CHECK_EQ(global_u64(obj, "total"), 61);
    run_drain(obj);
    CHECK_EQ((int64_t)global_u64(obj, "drained"), 1);
    CHECK_EQ(global_u64(obj, "total"), 63);
    /* a sample still being written blocks the ones after it */
    void *busy = NULL;
    CHECK_EQ(bpfrt_user_ringbuf_reserve(m, 8, &busy), 0);
    produce(m, 5, false);
    run_drain(obj);
    CHECK_EQ((int64_t)global_u64(obj, "drained"), 0);
    bpfrt_user_ringbuf_submit(m, busy);
    bpfrt_object_close(obj);
}

/* dynptr_mem in bpfrt and, when it can, in the kernel: the same answers. */
static const char *const dyn_vars[] = { "from_mem_rc", "write_rc", "read_ok", "read_oob", "write_oob",
                                        "reserve_rc", "from_mem_flags" };

static bool run_dynptr_mem(struct bpfrt_object *obj, bool kernel, int64_t *vals, uint32_t *word)
{
    struct bpfrt_object_prog *p = bpfrt_object_find_prog(obj, "dynptr_mem");
    uint64_t args[1] = { 0 };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)bpfrt_object_prog_handle(p);
    a.test.ctx_in = (uint64_t)(uintptr_t)args;
    a.test.ctx_size_in = sizeof(args);
    long rc = kernel ? kbpf(BPF_PROG_TEST_RUN, &a) : bpfrt_bpf(crt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    CHECK_EQ(rc, 0);
    struct bpfrt_object_map *bss = NULL;
    uint8_t data[4096];
    for (size_t i = 0; i < sizeof(dyn_vars) / sizeof(dyn_vars[0]) + 1; i++) {
        const char *name = i < sizeof(dyn_vars) / sizeof(dyn_vars[0]) ? dyn_vars[i] : "mem_word";
        uint32_t off = 0, size = 0, key = 0;
        if (bpfrt_object_find_global(obj, name, &bss, &off, &size) != 0)
            return false;
        union bpf_attr e = kbpf_elem_attr(bpfrt_object_map_handle(bss), &key, data, 0);
        rc = kernel ? kbpf(BPF_MAP_LOOKUP_ELEM, &e) : bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &e, sizeof(e));
        if (rc)
            return false;
        if (i < sizeof(dyn_vars) / sizeof(dyn_vars[0]))
            memcpy(&vals[i], data + off, 8);
        else
            memcpy(word, data + off, 4);
    }
    return true;
}

static int on_record(void *arg, const void *data, size_t size)
{
    uint32_t *got = arg;
    if (size == 4)
        memcpy(got, data, 4);
    return 0;
}

static void test_dynptr_mem(void)
{
    struct bpfrt_object *obj = load_verified(NULL);
    CHECK(obj != NULL);
    if (!obj)
        return;
    int64_t b[8] = { 0 };
    uint32_t bword = 0;
    CHECK(run_dynptr_mem(obj, false, b, &bword));
    CHECK_EQ(b[0], 0);
    CHECK_EQ(b[1], 0);
    CHECK_EQ(b[2], 0);
    CHECK_EQ(bword, 0x11223344);
    CHECK_EQ(b[3], -BPFRT_E2BIG);
    CHECK_EQ(b[4], -BPFRT_E2BIG);
    CHECK_EQ(b[5], 0);
    CHECK_EQ(b[6], -BPFRT_EINVAL);
    uint32_t rec = 0;
    CHECK_EQ(bpfrt_ringbuf_consume(map_of(obj, "out"), on_record, &rec), 1);
    CHECK_EQ(rec, 0x11223344);
    bpfrt_object_close(obj);
    if (!kbpf_available())
        return;
    /* the kernel: its verifier takes both programs, dynptr_mem agrees */
    struct bpfrt_object_opts o = { .bpf_fn = kbpf_loader_bpf, .close_fn = kbpf_loader_close };
    struct bpfrt_object *kobj = load_verified(&o);
    CHECK(kobj != NULL);
    if (!kobj)
        return;
    int64_t k[8] = { 0 };
    uint32_t kword = 0;
    CHECK(run_dynptr_mem(kobj, true, k, &kword));
    for (size_t i = 0; i < sizeof(dyn_vars) / sizeof(dyn_vars[0]); i++) {
        test_current = dyn_vars[i];
        CHECK_EQ(b[i], k[i]);
    }
    CHECK_EQ(bword, kword);
    test_current = "test_dynptr_mem";
    bpfrt_object_close(kobj);
}

static void quiet_trace(void *arg, const char *line, size_t len)
{
    (void)arg, (void)line, (void)len;
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    bpfrt_runtime_set_trace_sink(crt, quiet_trace, NULL);
    RUN(test_producer);
    RUN(test_drain);
    RUN(test_dynptr_mem);
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
