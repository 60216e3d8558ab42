/* BPF_MAP_TYPE_STACK_TRACE with bpf_get_stackid and bpf_get_stack, on
 * stacks a hook supplies (run->kernel_stack / user_stack) and on the
 * host's own: ids and their reuse (-EEXIST, BPF_F_REUSE_STACKID, the
 * max_entries budget's -ENOMEM), skip, depth cuts, the flags, what user
 * space reads back; the user-side commands of an empty map against the
 * kernel (Linux 6.18's stackmap.c); and tests/progs/stack_ids.bpf.c, run in
 * bpfrt and in the kernel, where the same call chain must give the same
 * id twice and a readable stack; bpf_get_task_stack on the current task
 * and another, and a raw program calling it in both. */
#include "test.h"
#include "test_map_util.h"
#include "test_corpus_util.h"

#include "bpfrt/bpf.h"
#include "bpfrt/helpers.h"

static struct bpfrt_run run;

#define P(x) ((uint64_t)(uintptr_t)(x))

static int64_t call(uint32_t id, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    const struct bpfrt_helper_proto *p = bpfrt_helper_find(rt, id);
    CHECK(p != NULL);
    return p ? (int64_t)p->fn(a, b, c, d, 0, &run) : 0;
}

static int64_t stackid(struct bpfrt_map *m, uint64_t flags)
{
    return call(BPF_FUNC_get_stackid, 0, P(m), flags, 0);
}

static void set_kernel_stack(const uint64_t *ips, uint32_t n)
{
    run.kernel_stack = ips;
    run.kernel_stack_len = n;
}

static void test_stackid_basics(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_STACK_TRACE, 4, 4 * 8, 64, 0);
    if (!m)
        return;
    static const uint64_t a[] = { 0x1000, 0x2000, 0x3000 }, b[] = { 0x1000, 0x2000, 0x4000 };
    set_kernel_stack(a, 3);
    int64_t ida = stackid(m, 0);
    CHECK(ida >= 0 && ida < 64);
    CHECK_EQ(stackid(m, 0), ida); /* the same chain, the same id */
    uint64_t got[4] = { 9, 9, 9, 9 };
    uint32_t key = (uint32_t)ida;
    CHECK_EQ(bpfrt_map_lookup(m, &key, got, 0), 0);
    CHECK(got[0] == 0x1000 && got[1] == 0x2000 && got[2] == 0x3000 && got[3] == 0); /* zero-padded */
    /* skipping the top frame is another chain */
    int64_t skip1 = stackid(m, 1);
    CHECK(skip1 >= 0);
    key = (uint32_t)skip1;
    CHECK_EQ(bpfrt_map_lookup(m, &key, got, 0), 0);
    CHECK(got[0] == 0x2000 && got[1] == 0x3000 && got[2] == 0);
    CHECK_EQ(stackid(m, 3), -BPFRT_EFAULT); /* nothing left */
    CHECK_EQ(stackid(m, 1u << 11), -BPFRT_EINVAL); /* BPF_F_USER_BUILD_ID is get_stack's */
    CHECK_EQ(call(BPF_FUNC_get_stackid, 0, P(m), 1ull << 20, 0), -BPFRT_EINVAL);
    /* no user stack in this run: -EFAULT; one the hook gives: an id */
    CHECK_EQ(stackid(m, BPF_F_USER_STACK), -BPFRT_EFAULT);
    run.user_stack = b;
    run.user_stack_len = 3;
    int64_t idb = stackid(m, BPF_F_USER_STACK);
    CHECK(idb >= 0 && idb != ida);
    run.user_stack = NULL;
    run.user_stack_len = 0;
    /* not a stack map */
    struct bpfrt_map *arr = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
    CHECK_EQ(stackid(arr, 0), -BPFRT_EINVAL);
    bpfrt_map_put(arr);
    set_kernel_stack(NULL, 0);
    bpfrt_map_put(m);
}

/* A map two entries deep keeps the top two frames. */
static void test_depth_cut(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_STACK_TRACE, 4, 2 * 8, 8, 0);
    if (!m)
        return;
    static const uint64_t a[] = { 0x10, 0x20, 0x30, 0x40 };
    set_kernel_stack(a, 4);
    int64_t id = stackid(m, 1);
    CHECK(id >= 0);
    uint64_t got[2];
    uint32_t key = (uint32_t)id;
    CHECK_EQ(bpfrt_map_lookup(m, &key, got, 0), 0);
    CHECK(got[0] == 0x20 && got[1] == 0x30);
    set_kernel_stack(NULL, 0);
    bpfrt_map_put(m);
}

/* With one entry (one bucket): a second chain finds the bucket taken
 * (-EEXIST); BPF_F_REUSE_STACKID would replace it but needs a free element
 * first, and the only one is in use (-ENOMEM, as Linux's freelist). */
static void test_collisions(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_STACK_TRACE, 4, 8, 1, 0);
    if (!m)
        return;
    static const uint64_t a[] = { 0xa }, b[] = { 0xb };
    set_kernel_stack(a, 1);
    CHECK_EQ(stackid(m, 0), 0);
    set_kernel_stack(b, 1);
    CHECK_EQ(stackid(m, 0), -BPFRT_EEXIST);
    CHECK_EQ(stackid(m, BPF_F_REUSE_STACKID), -BPFRT_ENOMEM);
    /* with the element freed, REUSE stores the new chain */
    uint32_t key = 0;
    CHECK_EQ(bpfrt_map_delete(m, &key), 0);
    CHECK_EQ(stackid(m, 0), 0);
    set_kernel_stack(a, 1);
    bpfrt_map_put(m);

    /* three elements over four buckets: a chain that lands in chain0's
     * bucket replaces it with REUSE (a spare element exists), and chain0
     * is then a stranger to its old id */
    m = mk(BPF_MAP_TYPE_STACK_TRACE, 4, 8, 3, 0);
    static const uint64_t c0[] = { 0x100 };
    set_kernel_stack(c0, 1);
    int64_t id0 = stackid(m, 0);
    CHECK(id0 >= 0 && id0 < 4);
    bool replaced = false;
    for (uint64_t i = 1; i < 200 && !replaced; i++) {
        uint64_t c[1] = { 0x100 + i };
        set_kernel_stack(c, 1);
        int64_t id = stackid(m, 0);
        if (id >= 0) { /* another bucket: give its element back */
            uint32_t k = (uint32_t)id;
            CHECK_EQ(bpfrt_map_delete(m, &k), 0);
            continue;
        }
        CHECK_EQ(id, -BPFRT_EEXIST);
        CHECK_EQ(stackid(m, BPF_F_REUSE_STACKID), id0);
        CHECK_EQ(stackid(m, 0), id0);
        replaced = true;
    }
    CHECK(replaced);
    set_kernel_stack(c0, 1);
    CHECK_EQ(stackid(m, 0), -BPFRT_EEXIST);
    set_kernel_stack(NULL, 0);
    bpfrt_map_put(m);
}

static void test_get_stack(void)
{
    static const uint64_t a[] = { 0x1, 0x2, 0x3 };
    set_kernel_stack(a, 3);
    uint64_t buf[4];
    memset(buf, 0xff, sizeof(buf));
    CHECK_EQ(call(BPF_FUNC_get_stack, 0, P(buf), sizeof(buf), 0), 24);
    CHECK(buf[0] == 1 && buf[1] == 2 && buf[2] == 3 && buf[3] == 0);
    CHECK_EQ(call(BPF_FUNC_get_stack, 0, P(buf), 16, 1), 16); /* skip 1, room for 2 */
    CHECK(buf[0] == 2 && buf[1] == 3);
    CHECK_EQ(call(BPF_FUNC_get_stack, 0, P(buf), sizeof(buf), 3), 0); /* nothing left: 0 bytes */
    CHECK_EQ(buf[0], 0);
    memset(buf, 0xff, sizeof(buf));
    CHECK_EQ(call(BPF_FUNC_get_stack, 0, P(buf), sizeof(buf), 4), -BPFRT_EFAULT);
    CHECK_EQ(buf[0], 0); /* errors zero the buffer */
    CHECK_EQ(call(BPF_FUNC_get_stack, 0, P(buf), 12, 0), -BPFRT_EINVAL); /* not a multiple of 8 */
    CHECK_EQ(call(BPF_FUNC_get_stack, 0, P(buf), sizeof(buf), BPF_F_USER_BUILD_ID), -BPFRT_EINVAL);
    CHECK_EQ(call(BPF_FUNC_get_stack, 0, P(buf), sizeof(buf), BPF_F_FAST_STACK_CMP), -BPFRT_EINVAL);
    /* user build ids: 32-byte records, the address with status IP (2) */
    run.user_stack = a;
    run.user_stack_len = 3;
    uint8_t rec[64];
    CHECK_EQ(call(BPF_FUNC_get_stack, 0, P(rec), sizeof(rec), BPF_F_USER_STACK | BPF_F_USER_BUILD_ID), 64);
    int32_t status;
    uint64_t ip;
    memcpy(&status, rec + 32, 4);
    memcpy(&ip, rec + 32 + 24, 8);
    CHECK(status == 2 && ip == 2);
    CHECK_EQ(call(BPF_FUNC_get_stack, 0, P(rec), 40, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID), -BPFRT_EINVAL);
    run.user_stack = NULL;
    run.user_stack_len = 0;
    set_kernel_stack(NULL, 0);
}

/* bpf_get_task_stack: the current task's object gives the run's chain (as
 * bpf_get_stack); another task has no kernel chain bpfrt knows (0 bytes,
 * or -EFAULT when skipping past it) and its user stack is -EOPNOTSUPP, as
 * Linux's __bpf_get_stack says for a cross-task user stack. */
static void test_get_task_stack(void)
{
    static const uint64_t a[] = { 0x10, 0x20, 0x30 };
    set_kernel_stack(a, 3);
    uint64_t current = (uint64_t)call(BPF_FUNC_get_current_task_btf, 0, 0, 0, 0);
    CHECK(current != 0);
    uint64_t buf[4], other_task[64] = { 0 };
    memset(buf, 0xff, sizeof(buf));
    CHECK_EQ(call(BPF_FUNC_get_task_stack, current, P(buf), sizeof(buf), 0), 24);
    CHECK(buf[0] == 0x10 && buf[1] == 0x20 && buf[2] == 0x30 && buf[3] == 0);
    CHECK_EQ(call(BPF_FUNC_get_task_stack, current, P(buf), 16, 2), 8);
    CHECK(buf[0] == 0x30 && buf[1] == 0);
    CHECK_EQ(call(BPF_FUNC_get_task_stack, current, P(buf), 12, 0), -BPFRT_EINVAL);
    CHECK_EQ(call(BPF_FUNC_get_task_stack, current, P(buf), sizeof(buf), BPF_F_USER_BUILD_ID), -BPFRT_EINVAL);
    memset(buf, 0xff, sizeof(buf));
    CHECK_EQ(call(BPF_FUNC_get_task_stack, P(other_task), P(buf), sizeof(buf), 0), 0);
    CHECK(buf[0] == 0 && buf[3] == 0);
    CHECK_EQ(call(BPF_FUNC_get_task_stack, P(other_task), P(buf), sizeof(buf), 1), -BPFRT_EFAULT);
    memset(buf, 0xff, sizeof(buf));
    CHECK_EQ(call(BPF_FUNC_get_task_stack, P(other_task), P(buf), sizeof(buf), BPF_F_USER_STACK),
             -BPFRT_EOPNOTSUPP);
    CHECK_EQ(buf[0], 0); /* errors zero the buffer */
    set_kernel_stack(NULL, 0);
}

/* `r0 = bpf_get_task_stack(bpf_get_current_task_btf(), fp-64, size, flags)`
 * as a raw tracepoint, test-run in Linux and in bpfrt (unverified: bpfrt's
 * verifier does not model task pointers yet): a whole number of entries
 * from the current task's kernel stack, and the same errors. */
static int64_t task_stack_prog(bool kernel, int32_t size, int32_t flags)
{
#define I(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }
    const struct bpf_insn insns[] = {
        I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_task_btf),
        I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 0, 0, 0),
        I(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
        I(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -64),
        I(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, size),
        I(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, flags),
        I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_task_stack),
        I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
    };
#undef I
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
    a.insns = P(insns);
    a.insn_cnt = sizeof(insns) / sizeof(insns[0]);
    a.license = P("GPL");
    a.prog_flags = kernel ? 0 : BPFRT_PROG_F_NO_VERIFY;
    long fd = kernel ? kbpf(BPF_PROG_LOAD, &a) : bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(fd >= 0);
    if (fd < 0)
        return INT64_MIN;
    uint64_t args[1] = { 0 };
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.ctx_in = P(args);
    a.test.ctx_size_in = sizeof(args);
    long rc = kernel ? kbpf(BPF_PROG_TEST_RUN, &a) : bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    CHECK_EQ(rc, 0);
    if (kernel)
        close((int)fd);
    else
        bpfrt_close(rt, (int)fd);
    return (int32_t)a.test.retval;
}

static void test_task_stack_prog(void)
{
    for (int k = 0; k < 2; k++) {
        bool kernel = k == 1;
        if (kernel && !kbpf_available())
            return;
        test_current = kernel ? "get_task_stack in the kernel" : "get_task_stack in bpfrt";
        int64_t n = task_stack_prog(kernel, 64, 0);
        CHECK(n > 0 && n <= 64 && n % 8 == 0);
        CHECK_EQ(task_stack_prog(kernel, 12, 0), -BPFRT_EINVAL);
        CHECK_EQ(task_stack_prog(kernel, 64, BPF_F_USER_BUILD_ID), -BPFRT_EINVAL);
        CHECK_EQ(task_stack_prog(kernel, 64, 1 << 20), -BPFRT_EINVAL);
    }
}

/* Without a hook's stack the host's own chain is reported: deep enough to
 * skip a frame, and the same from the same call site. */
static __attribute__((noinline)) int64_t stackid_here(struct bpfrt_map *m) { return stackid(m, 0); }

static void test_host_stack(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_STACK_TRACE, 4, 127 * 8, 64, 0);
    if (!m)
        return;
    int64_t ids[2];
    /* one call site, twice (a volatile count keeps the loop from unrolling) */
    for (volatile int i = 0; i < 2; i++)
        ids[i] = stackid_here(m);
    CHECK(ids[0] >= 0);
    CHECK_EQ(ids[1], ids[0]);
    uint64_t buf[127];
    int64_t n = call(BPF_FUNC_get_stack, 0, P(buf), sizeof(buf), 0);
    CHECK(n >= 3 * 8);
    CHECK(buf[0] != 0);
    bpfrt_map_put(m);
}

/* User-side commands as Linux: update -EINVAL, lookup of an empty or
 * out-of-range id -ENOENT, delete out of range -E2BIG, empty -ENOENT,
 * get_next_key walks stored ids. */
static void test_user_side_vs_kernel(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_STACK_TRACE, 4, 8 * 8, 16, 0);
    uint32_t k0 = 0, k99 = 99;
    uint64_t v[8] = { 1 };
    dual_cmd(&d, L, &k0, NULL, 64, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, L, &k99, NULL, 64, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, &k0, v, 64, 0, -BPFRT_EINVAL, 0);
    dual_cmd(&d, D, &k0, NULL, 0, 0, -BPFRT_ENOENT, 0);
    dual_cmd(&d, D, &k99, NULL, 0, 0, -BPFRT_E2BIG, 0);
    dual_cmd(&d, N, NULL, NULL, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, N, &k0, NULL, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, LD, &k0, NULL, 64, 0, -BPFRT_ENOENT, 0);
    dual_cmd(&d, LD, &k0, NULL, 64, BPF_F_LOCK, -BPFRT_EINVAL, 0);
    dual_free(&d);
    /* bpfrt alone, with chains stored: the walk visits each id once */
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_STACK_TRACE, 4, 8, 16, 0);
    uint64_t chains[5][1];
    int seen = 0;
    for (int i = 0; i < 5; i++) {
        chains[i][0] = 0x500 + (uint64_t)i;
        set_kernel_stack(chains[i], 1);
        stackid(m, BPF_F_REUSE_STACKID);
    }
    uint32_t next, prev = 0;
    int rc = bpfrt_map_get_next_key(m, NULL, &next);
    while (rc == 0) {
        CHECK(seen == 0 || next > prev);
        seen++;
        prev = next;
        rc = bpfrt_map_get_next_key(m, &prev, &next);
    }
    CHECK_EQ(rc, -BPFRT_ENOENT);
    CHECK(seen >= 1 && seen <= 5);
    set_kernel_stack(NULL, 0);
    bpfrt_map_put(m);
}

/* ---- stack_ids.bpf.c in bpfrt and in the kernel ---- */

struct stack_result {
    int64_t ids[2], n_stack, skip_all, bad_flags, bad_size;
    int lookup_rc;
    uint64_t first_ip;
};

static bool run_stack_ids(bool kernel, struct stack_result *out)
{
    struct bpfrt_object_opts o = { 0 };
    if (kernel) {
        o.bpf_fn = kbpf_loader_bpf;
        o.close_fn = kbpf_loader_close;
    }
    struct bpfrt_object *obj = load_obj_opts("v3", "stack_ids", &o);
    if (!obj)
        return false;
    struct bpfrt_object_prog *p = bpfrt_object_find_prog(obj, "stack_ids");
    uint64_t args[1] = { 0 };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)bpfrt_object_prog_handle(p);
    a.test.ctx_in = (uint64_t)(uintptr_t)args;
    a.test.ctx_size_in = sizeof(args);
    long rc = kernel ? kbpf(BPF_PROG_TEST_RUN, &a) : bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    CHECK_EQ(rc, 0);
    struct bpfrt_object_map *bss = NULL;
    for (uint32_t i = 0; i < bpfrt_object_map_count(obj); i++)
        if (bpfrt_object_map_kind(bpfrt_object_map_at(obj, i)) == BPFRT_OBJ_MAP_BSS)
            bss = bpfrt_object_map_at(obj, i);
    uint8_t v[512] = { 0 };
    uint32_t key = 0;
    union bpf_attr e = kbpf_elem_attr(bss ? bpfrt_object_map_handle(bss) : -1, &key, v, 0);
    rc = kernel ? kbpf(BPF_MAP_LOOKUP_ELEM, &e) : bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &e, sizeof(e));
    CHECK_EQ(rc, 0);
    static const char *const names[] = { "ids", "n_stack", "skip_all", "bad_flags", "bad_size" };
    int64_t *dst[] = { out->ids, &out->n_stack, &out->skip_all, &out->bad_flags, &out->bad_size };
    for (int i = 0; i < 5; i++) {
        struct bpfrt_object_map *m;
        uint32_t off = 0, size = 0;
        CHECK_EQ(bpfrt_object_find_global(obj, names[i], &m, &off, &size), 0);
        if (off + size <= sizeof(v))
            memcpy(dst[i], v + off, size);
    }
    /* the id's chain, as a profiler's user space reads it */
    uint64_t chain[127] = { 0 };
    key = (uint32_t)out->ids[0];
    e = kbpf_elem_attr(bpfrt_object_map_handle(bpfrt_object_find_map(obj, "stacks")), &key, chain, 0);
    out->lookup_rc = (int)(kernel ? kbpf(BPF_MAP_LOOKUP_ELEM, &e) : bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &e, sizeof(e)));
    out->first_ip = chain[0];
    bpfrt_object_close(obj);
    return true;
}

static void check_stack_result(const struct stack_result *r)
{
    CHECK(r->ids[0] >= 0 && r->ids[0] < 64);
    CHECK_EQ(r->ids[1], r->ids[0]);
    CHECK(r->n_stack > 0 && r->n_stack % 8 == 0);
    CHECK_EQ(r->skip_all, -BPFRT_EFAULT);
    CHECK_EQ(r->bad_flags, -BPFRT_EINVAL);
    CHECK_EQ(r->bad_size, -BPFRT_EINVAL);
    CHECK_EQ(r->lookup_rc, 0);
    CHECK(r->first_ip != 0);
}

static void test_stack_ids_prog(void)
{
    crt = rt;
    struct stack_result b, k;
    if (!run_stack_ids(false, &b)) {
        test_failed++;
        return;
    }
    check_stack_result(&b);
    if (!kbpf_available())
        return;
    test_current = "stack_ids in the kernel";
    if (!run_stack_ids(true, &k)) {
        test_failed++;
        return;
    }
    check_stack_result(&k);
}

int main(void)
{
    rt_setup();
    run.rt = rt;
    RUN(test_stack_ids_prog);
    RUN(test_stackid_basics);
    RUN(test_depth_cut);
    RUN(test_collisions);
    RUN(test_get_stack);
    RUN(test_get_task_stack);
    RUN(test_task_stack_prog);
    RUN(test_host_stack);
    RUN(test_user_side_vs_kernel);
    rt_teardown();
    return test_summary();
}
