/* The helper table and registry: rows sorted by id and named as Linux
 * names them, prototypes matching Linux 6.18's bpf_func_proto for a sample
 * of helpers (values copied from the kernel sources by hand), program-type
 * restrictions, and application registration/replacement. */
#include "test.h"

#include "bpfrt/helpers.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"
#include "bpfrt/errno.h"

static struct bpfrt_runtime *rt;

static void test_builtin_sorted_and_named(void)
{
    size_t n;
    const struct bpfrt_helper_proto *t = bpfrt_helper_builtin_table(&n);
    CHECK(n >= 50);
    for (size_t i = 0; i < n; i++) {
        if (i)
            CHECK(t[i - 1].id < t[i].id);
        CHECK(t[i].fn != NULL);
        const char *lname = bpfrt_helper_id_name(t[i].id);
        CHECK(lname != NULL);
        char want[64];
        snprintf(want, sizeof(want), "bpf_%s", lname ? lname : "?");
        CHECK_STR(t[i].name, want);
    }
}

static void test_id_names(void)
{
    /* ids from include/uapi/linux/bpf.h */
    CHECK_STR(bpfrt_helper_id_name(0), "unspec");
    CHECK_STR(bpfrt_helper_id_name(1), "map_lookup_elem");
    CHECK_STR(bpfrt_helper_id_name(12), "tail_call");
    CHECK_STR(bpfrt_helper_id_name(44), "xdp_adjust_head");
    CHECK_STR(bpfrt_helper_id_name(130), "ringbuf_output");
    CHECK_STR(bpfrt_helper_id_name(181), "loop");
    CHECK_STR(bpfrt_helper_id_name(211), "cgrp_storage_delete");
    CHECK(bpfrt_helper_id_name(212) == NULL);
    CHECK_EQ(BPF_FUNC_map_lookup_percpu_elem, 195);
    CHECK_EQ(BPF_FUNC_trace_vprintk, 177);
    CHECK_EQ(__BPF_FUNC_MAX_ID, 212);
}

static const struct bpfrt_helper_proto *find(uint32_t id)
{
    const struct bpfrt_helper_proto *p = bpfrt_helper_find(rt, id);
    CHECK(p != NULL);
    return p;
}

static void test_protos(void)
{
    const struct bpfrt_helper_proto *p;
    p = find(BPF_FUNC_map_lookup_elem);
    if (p) {
        CHECK_EQ(p->ret_type, RET_PTR_TO_MAP_VALUE_OR_NULL);
        CHECK_EQ(p->arg_type[0], ARG_CONST_MAP_PTR);
        CHECK_EQ(p->arg_type[1], ARG_PTR_TO_MAP_KEY);
        CHECK_EQ(p->arg_type[2], ARG_DONTCARE);
        CHECK(!p->gpl_only);
        CHECK_STR(p->name, "bpf_map_lookup_elem");
    }
    p = find(BPF_FUNC_probe_read_kernel);
    if (p) {
        CHECK_EQ(p->arg_type[0], ARG_PTR_TO_UNINIT_MEM);
        CHECK_EQ(p->arg_type[1], ARG_CONST_SIZE_OR_ZERO);
        CHECK_EQ(p->arg_type[2], ARG_ANYTHING);
        CHECK(p->gpl_only);
    }
    p = find(BPF_FUNC_trace_printk);
    if (p) {
        CHECK_EQ(p->arg_type[0], ARG_PTR_TO_MEM);
        CHECK(p->arg_rdonly & 1);
        CHECK_EQ(p->arg_type[1], ARG_CONST_SIZE);
        CHECK(p->gpl_only);
    }
    p = find(BPF_FUNC_snprintf);
    if (p) {
        CHECK_EQ(p->arg_type[0], ARG_PTR_TO_MEM_OR_NULL);
        CHECK(!(p->arg_rdonly & 1)); /* the helper writes str */
        CHECK_EQ(p->arg_type[2], ARG_PTR_TO_CONST_STR);
        CHECK_EQ(p->arg_type[3], ARG_PTR_TO_MEM_OR_NULL);
        CHECK(p->arg_rdonly & (1 << 3));
        CHECK(p->gpl_only);
    }
    p = find(BPF_FUNC_ringbuf_reserve);
    if (p) {
        CHECK_EQ(p->ret_type, RET_PTR_TO_MEM_OR_NULL);
        CHECK_EQ(p->arg_type[1], ARG_CONST_ALLOC_SIZE_OR_ZERO);
    }
    p = find(BPF_FUNC_ringbuf_submit);
    if (p) {
        CHECK_EQ(p->ret_type, RET_VOID);
        CHECK_EQ(p->arg_type[0], ARG_PTR_TO_RINGBUF_MEM);
    }
    p = find(BPF_FUNC_tail_call);
    if (p) {
        CHECK_EQ(p->ret_type, RET_VOID);
        CHECK_EQ(p->arg_type[0], ARG_PTR_TO_CTX);
        CHECK_EQ(p->arg_type[1], ARG_CONST_MAP_PTR);
    }
    p = find(BPF_FUNC_loop);
    if (p) {
        CHECK_EQ(p->arg_type[1], ARG_PTR_TO_FUNC);
        CHECK_EQ(p->arg_type[2], ARG_PTR_TO_STACK_OR_NULL);
    }
    p = find(BPF_FUNC_map_pop_elem);
    if (p)
        CHECK_EQ(p->arg_type[1], ARG_PTR_TO_UNINIT_MAP_VALUE);
    p = find(BPF_FUNC_spin_lock);
    if (p)
        CHECK_EQ(p->arg_type[0], ARG_PTR_TO_SPIN_LOCK);
    p = find(BPF_FUNC_get_current_pid_tgid);
    if (p)
        CHECK(!p->gpl_only);
    p = find(BPF_FUNC_perf_event_output);
    if (p)
        CHECK(p->gpl_only);
}

static bool allowed(uint32_t id, uint32_t type)
{
    const struct bpfrt_helper_proto *p = bpfrt_helper_find(rt, id);
    return p && (p->prog_types & BPFRT_PROG_TYPE_BIT(type));
}

static void test_prog_types(void)
{
    CHECK(allowed(BPF_FUNC_map_lookup_elem, BPF_PROG_TYPE_XDP));
    CHECK(allowed(BPF_FUNC_map_lookup_elem, BPF_PROG_TYPE_KPROBE));
    CHECK(allowed(BPF_FUNC_xdp_adjust_head, BPF_PROG_TYPE_XDP));
    CHECK(!allowed(BPF_FUNC_xdp_adjust_head, BPF_PROG_TYPE_SCHED_CLS));
    CHECK(allowed(BPF_FUNC_skb_load_bytes, BPF_PROG_TYPE_SOCKET_FILTER));
    CHECK(allowed(BPF_FUNC_skb_load_bytes, BPF_PROG_TYPE_SCHED_CLS));
    CHECK(!allowed(BPF_FUNC_skb_load_bytes, BPF_PROG_TYPE_XDP));
    CHECK(!allowed(BPF_FUNC_skb_store_bytes, BPF_PROG_TYPE_SOCKET_FILTER));
    CHECK(allowed(BPF_FUNC_probe_read, BPF_PROG_TYPE_KPROBE));
    CHECK(!allowed(BPF_FUNC_probe_read, BPF_PROG_TYPE_XDP));
    /* 6.18 offers get_current_comm to every type (bpf_base_func_proto) */
    CHECK(allowed(BPF_FUNC_get_current_comm, BPF_PROG_TYPE_TRACEPOINT));
    CHECK(allowed(BPF_FUNC_get_current_comm, BPF_PROG_TYPE_XDP));
    CHECK(!allowed(BPF_FUNC_probe_read_str, BPF_PROG_TYPE_SCHED_CLS));
    CHECK(!allowed(BPF_FUNC_perf_event_output, BPF_PROG_TYPE_FLOW_DISSECTOR));
    CHECK(allowed(BPF_FUNC_redirect, BPF_PROG_TYPE_XDP));
    CHECK(allowed(BPF_FUNC_redirect, BPF_PROG_TYPE_SCHED_ACT));
    CHECK(!allowed(BPF_FUNC_redirect, BPF_PROG_TYPE_KPROBE));
    CHECK(allowed(BPF_FUNC_ktime_get_coarse_ns, BPF_PROG_TYPE_SCHED_CLS));
    CHECK(!allowed(BPF_FUNC_ktime_get_coarse_ns, BPF_PROG_TYPE_KPROBE));
}

static uint64_t app_add(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                        struct bpfrt_run *run)
{
    return a + b;
}

static uint64_t app_seven(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                          struct bpfrt_run *run)
{
    return 7;
}

static void test_register(void)
{
    size_t before = bpfrt_helper_count(rt);
    struct bpfrt_helper_proto p = {
        .id = 0x10000, .name = "app_add", .fn = app_add, .ret_type = RET_INTEGER,
        .arg_type = { ARG_ANYTHING, ARG_ANYTHING }, .prog_types = BPFRT_ALL_PROG_TYPES,
    };
    CHECK_EQ(bpfrt_helper_register(rt, &p), 0);
    CHECK_EQ(bpfrt_helper_count(rt), before + 1);
    p.name = "changed-after-register";
    const struct bpfrt_helper_proto *f = bpfrt_helper_find(rt, 0x10000);
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->name, "app_add"); /* the proto was copied */
        CHECK_EQ(f->fn(2, 3, 0, 0, 0, NULL), 5);
    }
    /* replacing a built-in keeps the count and takes effect for lookups */
    const struct bpfrt_helper_proto *old = bpfrt_helper_find(rt, BPF_FUNC_get_prandom_u32);
    struct bpfrt_helper_proto r = {
        .id = BPF_FUNC_get_prandom_u32, .name = "bpf_get_prandom_u32", .fn = app_seven,
        .ret_type = RET_INTEGER, .prog_types = BPFRT_ALL_PROG_TYPES,
    };
    CHECK_EQ(bpfrt_helper_register(rt, &r), 0);
    CHECK_EQ(bpfrt_helper_count(rt), before + 1);
    f = bpfrt_helper_find(rt, BPF_FUNC_get_prandom_u32);
    CHECK(f && f != old && f->fn(0, 0, 0, 0, 0, NULL) == 7);
    /* the old proto stays valid for programs prepared earlier */
    CHECK(old && old->fn != app_seven);
    /* iteration is in id order */
    for (size_t i = 1; i < bpfrt_helper_count(rt); i++)
        CHECK(bpfrt_helper_at(rt, i - 1)->id < bpfrt_helper_at(rt, i)->id);
    CHECK(bpfrt_helper_at(rt, bpfrt_helper_count(rt)) == NULL);
    /* bad protos */
    struct bpfrt_helper_proto bad = p;
    bad.fn = NULL;
    CHECK_EQ(bpfrt_helper_register(rt, &bad), -BPFRT_EINVAL);
    bad = p;
    bad.arg_type[2] = 200;
    CHECK_EQ(bpfrt_helper_register(rt, &bad), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_helper_register(rt, NULL), -BPFRT_EINVAL);
    CHECK(bpfrt_helper_find(rt, 9999) == NULL);
    CHECK(bpfrt_helper_find(rt, BPF_FUNC_unspec) == NULL);
}

static void test_type_names(void)
{
    CHECK_STR(bpfrt_helper_arg_type_name(ARG_PTR_TO_MAP_KEY), "ARG_PTR_TO_MAP_KEY");
    CHECK_STR(bpfrt_helper_ret_type_name(RET_PTR_TO_MAP_VALUE_OR_NULL), "RET_PTR_TO_MAP_VALUE_OR_NULL");
    CHECK_STR(bpfrt_helper_arg_type_name(250), "?");
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt) != 0) {
        fprintf(stderr, "runtime_create failed\n");
        return 1;
    }
    RUN(test_builtin_sorted_and_named);
    RUN(test_id_names);
    RUN(test_protos);
    RUN(test_prog_types);
    RUN(test_register);
    RUN(test_type_names);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
