/* QUEUE and STACK: push/pop/peek order, BPF_EXIST overwriting the oldest
 * when full, the key-less command rules, and the same commands on the
 * kernel when allowed. */
#include "test.h"
#include "test_map_util.h"

static void commands(uint32_t type)
{
    struct dual d = dual_new(type, 0, 8, 2, 0);
    uint64_t v1 = 1, v2 = 2, v3 = 3, out = 0, next;
    uint32_t key = 0;
    dual_cmd(&d, L, NULL, &out, 8, 0, -BPFRT_ENOENT, 1);   /* peek on empty */
    dual_cmd(&d, LD, NULL, &out, 8, 0, -BPFRT_ENOENT, 1);  /* pop on empty */
    dual_cmd(&d, U, NULL, &v1, 8, 0, 0, 1);
    dual_cmd(&d, U, NULL, &v2, 8, 0, 0, 1);
    dual_cmd(&d, U, NULL, &v3, 8, 0, -BPFRT_E2BIG, 1);     /* full */
    dual_cmd(&d, U, NULL, &v3, 8, BPF_NOEXIST, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, NULL, &v3, 8, 3, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, NULL, &v3, 8, BPF_EXIST, 0, 1);        /* overwrites the oldest */
    dual_cmd(&d, L, NULL, &out, 8, 0, 0, 1);
    dual_cmd(&d, L, NULL, &out, 8, BPF_F_LOCK, -BPFRT_EINVAL, 1);
    dual_cmd(&d, L, &key, &out, 8, 0, -BPFRT_EINVAL, 1);   /* key-less map, key given */
    dual_cmd(&d, U, &key, &v1, 8, 0, -BPFRT_EINVAL, 1);
    dual_cmd(&d, D, NULL, NULL, 0, 0, -BPFRT_EINVAL, 1);
    dual_cmd(&d, N, NULL, &next, 8, 0, -BPFRT_EINVAL, 1);
    dual_cmd(&d, LD, NULL, &out, 8, BPF_F_LOCK, -BPFRT_EINVAL, 1);
    dual_cmd(&d, LD, NULL, &out, 8, 1, -BPFRT_EINVAL, 1);  /* flags refused for queue/stack */
    dual_cmd(&d, LD, NULL, &out, 8, 0, 0, 1);
    dual_cmd(&d, LD, NULL, &out, 8, 0, 0, 1);
    dual_cmd(&d, LD, NULL, &out, 8, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, NULL, &v1, 8, 0, 0, 1);
    dual_cmd(&d, F, NULL, NULL, 0, 0, 0, 1);
    dual_cmd(&d, U, NULL, &v1, 8, 0, -BPFRT_EPERM, 1);
    dual_cmd(&d, LD, NULL, &out, 8, 0, -BPFRT_EPERM, 1);
    dual_cmd(&d, L, NULL, &out, 8, 0, 0, 1);
    dual_free(&d);
}

static void test_queue_commands(void) { commands(BPF_MAP_TYPE_QUEUE); }
static void test_stack_commands(void) { commands(BPF_MAP_TYPE_STACK); }

static void test_order(void)
{
    struct bpfrt_map *q = mk(BPF_MAP_TYPE_QUEUE, 0, 4, 3, 0);
    struct bpfrt_map *s = mk(BPF_MAP_TYPE_STACK, 0, 4, 3, 0);
    if (!q || !s)
        return;
    for (uint32_t i = 1; i <= 3; i++) {
        CHECK_EQ(bpfrt_map_push_elem(q, &i, 0), 0);
        CHECK_EQ(bpfrt_map_push_elem(s, &i, 0), 0);
    }
    uint32_t four = 4, out = 0;
    CHECK_EQ(bpfrt_map_push_elem(q, &four, 0), -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_map_push_elem(q, &four, BPF_EXIST), 0); /* queue now 2 3 4 */
    CHECK_EQ(bpfrt_map_push_elem(s, &four, BPF_EXIST), 0); /* stack now 2 3 4 (1 dropped) */
    CHECK_EQ(bpfrt_map_peek_elem(q, &out), 0);
    CHECK_EQ(out, 2);
    CHECK_EQ(bpfrt_map_peek_elem(s, &out), 0);
    CHECK_EQ(out, 4);
    uint32_t qwant[] = { 2, 3, 4 }, swant[] = { 4, 3, 2 };
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(bpfrt_map_pop_elem(q, &out), 0);
        CHECK_EQ(out, qwant[i]);
        CHECK_EQ(bpfrt_map_pop_elem(s, &out), 0);
        CHECK_EQ(out, swant[i]);
    }
    CHECK_EQ(bpfrt_map_pop_elem(q, &out), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_peek_elem(s, &out), -BPFRT_ENOENT);
    /* Program-side element calls that make no sense here. */
    CHECK(bpfrt_map_lookup_elem(q, NULL, 0) == NULL);
    CHECK_EQ(bpfrt_map_update_elem(q, NULL, &out, 0, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_delete_elem(q, NULL), -BPFRT_EINVAL);
    /* Wrap around many times. */
    int bad = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        bad += bpfrt_map_push_elem(q, &i, 0) != 0;
        bad += bpfrt_map_pop_elem(q, &out) != 0 || out != i;
    }
    CHECK_EQ(bad, 0);
    bpfrt_map_put(q);
    bpfrt_map_put(s);
}

int main(void)
{
    rt_setup();
    RUN(test_queue_commands);
    RUN(test_stack_commands);
    RUN(test_order);
    rt_teardown();
    return test_summary();
}
