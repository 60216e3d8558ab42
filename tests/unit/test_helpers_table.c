/* The helper table and registry: rows sorted by id and named as Linux
 * names them, prototypes matching Linux 6.18's bpf_func_proto for a sample
 * of helpers (values copied from the kernel sources by hand), program-type
 * restrictions, the traits column (checked by hand against Linux 6.18 for a
 * sample, and for consistency with the prototypes on every row), and
 * application registration/replacement. */
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

static bool has(uint32_t id, uint32_t flag)
{
    const struct bpfrt_helper_proto *p = find(id);
    return p && (p->flags & flag);
}

/* Linux 6.18 by hand: .pkt_access in the protos (kernel/bpf/helpers.c,
 * net/core/filter.c), bpf_helper_changes_pkt_data (filter.c),
 * is_acquire_function and the callback states (verifier.c), OBJ_RELEASE
 * (ringbuf.c), .might_sleep (helpers.c), MEM_FIXED_SIZE | MEM_ALIGNED
 * (bpf_strtol_proto). */
static void test_traits_hand_checked(void)
{
    static const uint32_t pkt_access[] = {
        BPF_FUNC_map_lookup_elem, BPF_FUNC_map_update_elem, BPF_FUNC_map_delete_elem,
        BPF_FUNC_map_push_elem, BPF_FUNC_csum_diff, BPF_FUNC_map_lookup_percpu_elem,
    };
    for (size_t i = 0; i < sizeof(pkt_access) / sizeof(pkt_access[0]); i++)
        CHECK(has(pkt_access[i], BPFRT_HELPER_PKT_ACCESS));
    /* no .pkt_access in Linux: packet pointers are refused */
    CHECK(!has(BPF_FUNC_map_pop_elem, BPFRT_HELPER_PKT_ACCESS));
    CHECK(!has(BPF_FUNC_skb_load_bytes, BPFRT_HELPER_PKT_ACCESS));
    CHECK(!has(BPF_FUNC_ringbuf_output, BPFRT_HELPER_PKT_ACCESS));
    CHECK(!has(BPF_FUNC_trace_printk, BPFRT_HELPER_PKT_ACCESS));

    static const uint32_t changes[] = {
        BPF_FUNC_skb_store_bytes, BPF_FUNC_l3_csum_replace, BPF_FUNC_l4_csum_replace,
        BPF_FUNC_tail_call, BPF_FUNC_skb_vlan_push, BPF_FUNC_skb_vlan_pop,
        BPF_FUNC_skb_change_proto, BPF_FUNC_skb_change_tail, BPF_FUNC_skb_pull_data,
        BPF_FUNC_skb_change_head, BPF_FUNC_xdp_adjust_head, BPF_FUNC_skb_adjust_room,
        BPF_FUNC_xdp_adjust_meta, BPF_FUNC_xdp_adjust_tail,
    };
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
        CHECK(has(changes[i], BPFRT_HELPER_CHANGES_PKT));
    CHECK(!has(BPF_FUNC_xdp_store_bytes, BPFRT_HELPER_CHANGES_PKT)); /* writes inside the packet */
    CHECK(!has(BPF_FUNC_csum_update, BPFRT_HELPER_CHANGES_PKT));
    CHECK(!has(BPF_FUNC_skb_change_type, BPFRT_HELPER_CHANGES_PKT));
    CHECK(!has(BPF_FUNC_redirect, BPFRT_HELPER_CHANGES_PKT));

    CHECK(has(BPF_FUNC_ringbuf_reserve, BPFRT_HELPER_ACQUIRE));
    CHECK(!has(BPF_FUNC_map_lookup_elem, BPFRT_HELPER_ACQUIRE)); /* only on sockmaps: map-dependent */
    const struct bpfrt_helper_proto *p = find(BPF_FUNC_ringbuf_submit);
    CHECK(p && p->arg_flags[0] == BPFRT_ARG_RELEASE && p->arg_flags[1] == 0);
    p = find(BPF_FUNC_ringbuf_discard);
    CHECK(p && p->arg_flags[0] == BPFRT_ARG_RELEASE);
    p = find(BPF_FUNC_ringbuf_output);
    CHECK(p && p->arg_flags[1] == 0);

    CHECK(has(BPF_FUNC_copy_from_user, BPFRT_HELPER_SLEEPABLE));
    CHECK(!has(BPF_FUNC_probe_read_user, BPFRT_HELPER_SLEEPABLE));
    CHECK(has(BPF_FUNC_tail_call, BPFRT_HELPER_NORETURN));
    CHECK(!has(BPF_FUNC_loop, BPFRT_HELPER_NORETURN));

    p = find(BPF_FUNC_strtol);
    CHECK(p && p->arg_size[3] == 8 && p->arg_flags[3] == BPFRT_ARG_ALIGNED && p->arg_size[0] == 0);
    p = find(BPF_FUNC_strtoul);
    CHECK(p && p->arg_size[3] == 8 && p->arg_flags[3] == BPFRT_ARG_ALIGNED);

    p = find(BPF_FUNC_loop);
    CHECK(p && p->cb == &bpfrt_helper_cb_loop);
    p = find(BPF_FUNC_for_each_map_elem);
    CHECK(p && p->cb == &bpfrt_helper_cb_for_each_map_elem);
    p = find(BPF_FUNC_map_lookup_elem);
    CHECK(p && p->cb == NULL && p->flags == BPFRT_HELPER_PKT_ACCESS);

    /* sockets: the lookups acquire (is_acquire_function) and take packet
     * pointers for the tuple (.pkt_access), bpf_sk_release releases */
    static const uint32_t sk_lookups[] = { BPF_FUNC_sk_lookup_tcp, BPF_FUNC_sk_lookup_udp, BPF_FUNC_skc_lookup_tcp };
    for (size_t i = 0; i < sizeof(sk_lookups) / sizeof(sk_lookups[0]); i++) {
        CHECK(has(sk_lookups[i], BPFRT_HELPER_ACQUIRE));
        CHECK(has(sk_lookups[i], BPFRT_HELPER_PKT_ACCESS));
    }
    p = find(BPF_FUNC_sk_release);
    CHECK(p && p->arg_flags[0] == BPFRT_ARG_RELEASE && p->arg_type[0] == ARG_PTR_TO_BTF_ID_SOCK_COMMON);
    p = find(BPF_FUNC_ringbuf_submit_dynptr);
    CHECK(p && p->arg_flags[0] == BPFRT_ARG_RELEASE && p->arg_type[0] == ARG_PTR_TO_DYNPTR);
    CHECK(has(BPF_FUNC_clone_redirect, BPFRT_HELPER_CHANGES_PKT)); /* bpf_helper_changes_pkt_data */
    CHECK(!has(BPF_FUNC_fib_lookup, BPFRT_HELPER_CHANGES_PKT));
    p = find(BPF_FUNC_user_ringbuf_drain);
    CHECK(p && p->cb == &bpfrt_helper_cb_user_ringbuf_drain);
    p = find(BPF_FUNC_get_current_task_btf);
    CHECK(p && p->ret_type == RET_PTR_TO_BTF_ID && p->gpl_only);
    p = find(BPF_FUNC_task_storage_get);
    CHECK(p && p->ret_type == RET_PTR_TO_MAP_VALUE_OR_NULL && p->arg_type[2] == ARG_PTR_TO_MAP_VALUE_OR_NULL);
}

static void check_cb(const struct bpfrt_helper_cb *cb, const uint8_t want[5], int32_t lo, int32_t hi,
                     bool async)
{
    for (int i = 0; i < 5; i++)
        CHECK_EQ(cb->args[i], want[i]);
    CHECK_EQ(cb->ret_min, lo);
    CHECK_EQ(cb->ret_max, hi);
    CHECK_EQ(cb->async, async);
}

/* set_loop_callback_state, set_map_elem_callback_state (with
 * map_set_for_each_callback_args), set_find_vma_callback_state,
 * set_user_ringbuf_callback_state, set_timer_callback_state. */
static void test_callback_shapes(void)
{
    check_cb(&bpfrt_helper_cb_loop, (const uint8_t[5]){ BPFRT_CB_SCALAR, BPFRT_CB_CTX }, 0, 1, false);
    check_cb(&bpfrt_helper_cb_for_each_map_elem,
             (const uint8_t[5]){ BPFRT_CB_MAP, BPFRT_CB_MAP_KEY, BPFRT_CB_MAP_VALUE, BPFRT_CB_CTX }, 0, 1, false);
    check_cb(&bpfrt_helper_cb_find_vma, (const uint8_t[5]){ BPFRT_CB_TASK, BPFRT_CB_VMA, BPFRT_CB_CTX }, 0, 1,
             false);
    check_cb(&bpfrt_helper_cb_user_ringbuf_drain, (const uint8_t[5]){ BPFRT_CB_DYNPTR, BPFRT_CB_CTX }, 0, 1,
             false);
    check_cb(&bpfrt_helper_cb_timer,
             (const uint8_t[5]){ BPFRT_CB_MAP, BPFRT_CB_MAP_KEY, BPFRT_CB_MAP_VALUE }, 0, 0, true);
}

static bool is_mem_ptr(uint8_t t)
{
    return t == ARG_PTR_TO_MAP_KEY || t == ARG_PTR_TO_MAP_VALUE || t == ARG_PTR_TO_UNINIT_MAP_VALUE ||
           t == ARG_PTR_TO_MEM || t == ARG_PTR_TO_MEM_OR_NULL || t == ARG_PTR_TO_UNINIT_MEM ||
           t == ARG_PTR_TO_LONG || t == ARG_PTR_TO_INT;
}

/* Every row: the traits agree with the prototype they sit beside. */
static void test_traits_consistent(void)
{
    size_t n;
    const struct bpfrt_helper_proto *t = bpfrt_helper_builtin_table(&n);
    int callbacks = 0;
    for (size_t i = 0; i < n; i++) {
        const struct bpfrt_helper_proto *p = &t[i];
        test_current = p->name;
        CHECK_EQ(p->flags & ~BPFRT_HELPER_FLAGS_ALL, 0);
        int funcs = 0, stack_ctx = 0, mem = 0;
        for (int a = 0; a < 5; a++) {
            uint8_t k = p->arg_type[a];
            funcs += k == ARG_PTR_TO_FUNC;
            stack_ctx += k == ARG_PTR_TO_STACK_OR_NULL;
            mem += is_mem_ptr(k);
            CHECK_EQ(p->arg_flags[a] & ~BPFRT_ARG_FLAGS_ALL, 0);
            /* Linux: ringbuf memory is only ever passed to be released;
             * what a call releases is a reference - a record, a dynptr
             * holding one, a socket */
            if (k == ARG_PTR_TO_RINGBUF_MEM)
                CHECK(p->arg_flags[a] & BPFRT_ARG_RELEASE);
            if (p->arg_flags[a] & BPFRT_ARG_RELEASE)
                CHECK(k == ARG_PTR_TO_RINGBUF_MEM || k == ARG_PTR_TO_DYNPTR || k == ARG_PTR_TO_BTF_ID_SOCK_COMMON);
            if (k == ARG_PTR_TO_LONG || k == ARG_PTR_TO_INT) {
                CHECK_EQ(p->arg_size[a], k == ARG_PTR_TO_LONG ? 8 : 4);
                CHECK(p->arg_flags[a] & BPFRT_ARG_ALIGNED);
            }
            if (p->arg_size[a])
                CHECK(is_mem_ptr(k));
            if (p->arg_flags[a] & BPFRT_ARG_ALIGNED) {
                uint8_t s = p->arg_size[a];
                CHECK(s == 1 || s == 2 || s == 4 || s == 8);
            }
        }
        /* a callback exactly where an ARG_PTR_TO_FUNC names one */
        CHECK_EQ(funcs <= 1, 1);
        CHECK_EQ(p->cb != NULL, funcs == 1);
        if (p->cb) {
            callbacks++;
            int ctx_args = 0;
            bool ended = false;
            for (int a = 0; a < 5; a++) {
                uint8_t k = p->cb->args[a];
                CHECK(k < __BPFRT_CB_ARG_MAX);
                ctx_args += k == BPFRT_CB_CTX;
                if (ended)
                    CHECK_EQ(k, BPFRT_CB_NOT_INIT);
                ended |= k == BPFRT_CB_NOT_INIT;
            }
            /* the callback's ctx is the helper's stack-or-NULL argument */
            CHECK_EQ(ctx_args, stack_ctx);
            CHECK(p->cb->ret_min <= p->cb->ret_max);
        }
        /* Linux's verifier insists (check_helper_call: "r1 != ctx") */
        if (p->flags & BPFRT_HELPER_CHANGES_PKT)
            CHECK_EQ(p->arg_type[0], ARG_PTR_TO_CTX);
        if (p->flags & BPFRT_HELPER_PKT_ACCESS)
            CHECK(mem > 0);
        if (p->flags & BPFRT_HELPER_ACQUIRE)
            CHECK(p->ret_type != RET_INTEGER && p->ret_type != RET_VOID);
        /* memory a helper allocates is a reference (ringbuf_reserve) */
        if (p->ret_type == RET_PTR_TO_MEM_OR_NULL)
            CHECK(p->flags & BPFRT_HELPER_ACQUIRE);
        if (p->flags & BPFRT_HELPER_NORETURN)
            CHECK_EQ(p->ret_type, RET_VOID);
    }
    test_current = "test_traits_consistent";
    CHECK_EQ(callbacks, 3); /* bpf_loop, bpf_for_each_map_elem, bpf_user_ringbuf_drain */
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
    bad = p;
    bad.flags = 1u << 31;
    CHECK_EQ(bpfrt_helper_register(rt, &bad), -BPFRT_EINVAL);
    bad = p;
    bad.arg_flags[1] = 0x80;
    CHECK_EQ(bpfrt_helper_register(rt, &bad), -BPFRT_EINVAL);
    static const struct bpfrt_helper_cb backwards = { { BPFRT_CB_SCALAR }, 1, 0, false };
    static const struct bpfrt_helper_cb unknown_arg = { { 99 }, 0, 1, false };
    bad = p;
    bad.cb = &backwards;
    CHECK_EQ(bpfrt_helper_register(rt, &bad), -BPFRT_EINVAL);
    bad.cb = &unknown_arg;
    CHECK_EQ(bpfrt_helper_register(rt, &bad), -BPFRT_EINVAL);
    /* an application helper with a callback names its shape */
    struct bpfrt_helper_proto withcb = p;
    withcb.id = 0x10001;
    withcb.arg_type[0] = ARG_PTR_TO_FUNC;
    withcb.arg_type[1] = ARG_PTR_TO_STACK_OR_NULL;
    withcb.cb = &bpfrt_helper_cb_loop;
    CHECK_EQ(bpfrt_helper_register(rt, &withcb), 0);
    f = bpfrt_helper_find(rt, 0x10001);
    CHECK(f && f->cb == &bpfrt_helper_cb_loop);
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
    RUN(test_traits_hand_checked);
    RUN(test_callback_shapes);
    RUN(test_traits_consistent);
    RUN(test_register);
    RUN(test_type_names);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
