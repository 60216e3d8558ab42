/* PROG_ARRAY: storing programs (a reference each), BPF_ANY only, -E2BIG
 * out of range, the first program fixing the array's type and engine,
 * lookups returning program ids, delete/-ENOENT, clearing on the last user
 * reference, and the raw command paths compared with the kernel. */
#include "test.h"
#include "test_map_util.h"

#include "bpfrt/prog.h"

static struct bpfrt_prog *mkprog(uint32_t type)
{
    struct bpf_insn insns[2];
    memset(insns, 0, sizeof(insns));
    insns[0].code = 0xb7; /* r0 = 0 */
    insns[1].code = 0x95; /* exit */
    char msg[128];
    struct bpfrt_prog *p = NULL;
    int err = bpfrt_prog_create(rt, insns, 2, type, msg, sizeof(msg), &p);
    if (err) {
        fprintf(stderr, "prog create: %d %s\n", err, msg);
        test_failed++;
    }
    return p;
}

static void test_commands_vs_kernel(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
    uint32_t k0 = 0, k3 = 3, k7 = 7, v = 0, next;
    dual_cmd(&d, BPF_MAP_LOOKUP_ELEM, &k0, &v, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, BPF_MAP_LOOKUP_ELEM, &k7, &v, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, BPF_MAP_DELETE_ELEM, &k0, NULL, 0, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, BPF_MAP_DELETE_ELEM, &k7, NULL, 0, 0, -BPFRT_E2BIG, 1);
    dual_cmd(&d, BPF_MAP_GET_NEXT_KEY, &k0, &next, 4, 0, 0, 1);
    dual_cmd(&d, BPF_MAP_GET_NEXT_KEY, &k3, &next, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, BPF_MAP_LOOKUP_AND_DELETE_ELEM, &k0, &v, 4, 0, -BPFRT_ENOTSUPP, 1);
    dual_free(&d);
}

static void test_store_and_fetch(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
    struct bpfrt_prog *a = mkprog(BPF_PROG_TYPE_XDP), *b = mkprog(BPF_PROG_TYPE_XDP);
    struct bpfrt_prog *tc = mkprog(BPF_PROG_TYPE_SCHED_CLS), *jit = mkprog(BPF_PROG_TYPE_XDP);
    struct bpfrt_map *h = mk(BPF_MAP_TYPE_HASH, 4, 4, 4, 0);
    if (!m || !a || !b || !tc || !jit || !h)
        return;
    jit->engine = BPFRT_ENGINE_JIT; /* stands for a program the JIT compiled */
    uint32_t k0 = 0, k1 = 1, k4 = 4, id = 0;
    CHECK_EQ(bpfrt_map_update_prog(m, &k0, a, BPF_NOEXIST), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update_prog(m, &k4, a, BPF_ANY), -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_map_update_prog(h, &k0, a, BPF_ANY), -BPFRT_EINVAL);
    CHECK(!m->prog_array_engine_set);
    CHECK_EQ(bpfrt_map_update_prog(m, &k0, a, BPF_ANY), 0);
    CHECK(m->prog_array_engine_set);
    CHECK_EQ(m->prog_array_engine, BPFRT_ENGINE_INTERP);
    CHECK_EQ(a->refcnt, 2);
    CHECK_EQ(bpfrt_map_update_prog(m, &k1, tc, BPF_ANY), -BPFRT_EINVAL);  /* other type */
    CHECK_EQ(bpfrt_map_update_prog(m, &k1, jit, BPF_ANY), -BPFRT_EINVAL); /* other engine */
    CHECK_EQ(bpfrt_map_prog_array_compatible(m, b), 0);
    CHECK_EQ(bpfrt_map_prog_array_compatible(m, tc), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_prog_array_compatible(h, b), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update_prog(m, &k1, b, BPF_ANY), 0);
    CHECK(bpfrt_map_prog_array_get(m, 0) == a);
    CHECK(bpfrt_map_prog_array_get(m, 1) == b);
    CHECK(bpfrt_map_prog_array_get(m, 2) == NULL);
    CHECK(bpfrt_map_prog_array_get(m, 4) == NULL);
    CHECK(bpfrt_map_prog_array_get(h, 0) == NULL);
    CHECK_EQ(bpfrt_map_lookup(m, &k1, &id, 0), 0);
    CHECK_EQ(id, b->id);
    CHECK_EQ(bpfrt_map_update(m, &k1, &id, 0), -BPFRT_EINVAL); /* raw values are not programs */
    /* Replacing drops the old reference (once readers are done). */
    CHECK_EQ(bpfrt_map_update_prog(m, &k0, b, BPF_ANY), 0);
    bpfrt_hosted_quiesce();
    CHECK_EQ(a->refcnt, 1);
    CHECK_EQ(b->refcnt, 3);
    CHECK_EQ(bpfrt_map_delete(m, &k0), 0);
    CHECK_EQ(bpfrt_map_delete(m, &k0), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_delete_elem(m, &k4), -BPFRT_E2BIG);
    bpfrt_hosted_quiesce();
    CHECK_EQ(b->refcnt, 2);
    /* The last user reference clears every slot (breaks prog <-> array cycles). */
    bpfrt_map_release_uref(m);
    bpfrt_hosted_quiesce();
    CHECK(bpfrt_map_prog_array_get(m, 1) == NULL);
    CHECK_EQ(b->refcnt, 1);
    /* Frozen or read-only arrays refuse user updates. */
    CHECK_EQ(bpfrt_map_freeze(m), 0);
    CHECK_EQ(bpfrt_map_update_prog(m, &k0, a, BPF_ANY), -BPFRT_EPERM);
    bpfrt_map_put(m);
    m = mk(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1, BPF_F_RDONLY);
    if (m) {
        CHECK_EQ(bpfrt_map_update_prog(m, &k0, a, BPF_ANY), -BPFRT_EPERM);
        bpfrt_map_put(m);
    }
    /* Putting the array with programs inside releases them. */
    m = mk(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0);
    if (m) {
        CHECK_EQ(bpfrt_map_update_prog(m, &k0, tc, BPF_ANY), 0);
        CHECK_EQ(tc->refcnt, 2);
        bpfrt_map_put(m);
        bpfrt_hosted_quiesce();
        CHECK_EQ(tc->refcnt, 1);
    }
    bpfrt_prog_put(a);
    bpfrt_prog_put(b);
    bpfrt_prog_put(tc);
    bpfrt_prog_put(jit);
    bpfrt_map_put(h);
}

int main(void)
{
    rt_setup();
    RUN(test_commands_vs_kernel);
    RUN(test_store_and_fetch);
    rt_teardown();
    return test_summary();
}
