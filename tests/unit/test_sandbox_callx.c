/* Checked mode's sandbox, the helper policy: "may program P call helper H"
 * (the helper exists, P's type may call it, GPL-only helpers need a
 * GPL-compatible P) holds for callx as for call. The review's non-GPL socket
 * filter (tests/progs/sandbox_callx.bpf.c) reached the GPL-only
 * bpf_probe_read_kernel and the tc-only bpf_skb_change_head through callx,
 * which PROG_LOAD refuses as direct calls. */
#include "test_sandbox_util.h"

/* Control: the direct call is refused at load, with Linux's message. */
static void direct_call_refused(void)
{
    struct bpfrt_object_opts o;
    sb_opts(&o);
    struct bpfrt_object *obj = open_obj_opts("v3", "sandbox_callx_direct", &o);
    CHECK(obj != NULL);
    char err[512] = "";
    CHECK(bpfrt_object_load(obj, err, sizeof(err)) < 0);
    const char *log = bpfrt_object_prog_log(bpfrt_object_find_prog(obj, "direct"));
    CHECK_CONTAINS(log, "cannot call GPL-restricted function from non-GPL compatible program");
    bpfrt_object_close(obj);
}

/* callx 113 from a non-GPL program: the run stops at the callx with the
 * same reason, before the helper reads anything. */
static void callx_gpl_only(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_callx", NULL);
    CHECK(obj != NULL);
    uint8_t frame[64];
    struct sb_run r = sb_test_run(obj, "gpl_helper", frame, sb_ipv4_frame(frame), NULL, 0);
    CHECK_EQ(r.rc, -BPFRT_EINVAL);
    CHECK_EQ(r.res.run_error, BPFRT_RUN_UNKNOWN_HELPER);
    CHECK_CONTAINS(r.res.error_msg, "GPL");
    CHECK_EQ(r.retval, 0);
    bpfrt_object_close(obj);
}

/* callx 43 (bpf_skb_change_head) from a socket filter: not for its type. */
static void callx_wrong_type(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_callx", NULL);
    CHECK(obj != NULL);
    uint8_t frame[64];
    struct sb_run r = sb_test_run(obj, "tc_helper", frame, sb_ipv4_frame(frame), NULL, 0);
    CHECK_EQ(r.rc, -BPFRT_EINVAL);
    CHECK_EQ(r.res.run_error, BPFRT_RUN_UNKNOWN_HELPER);
    CHECK_CONTAINS(r.res.error_msg, "bpf_skb_change_head");
    bpfrt_object_close(obj);
}

/* A helper the policy allows still works through callx. */
static void callx_allowed(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_callx", NULL);
    CHECK(obj != NULL);
    uint8_t frame[64];
    struct sb_run r = sb_test_run(obj, "allowed", frame, sb_ipv4_frame(frame), NULL, 0);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.retval, 1);
    bpfrt_object_close(obj);
}

/* The policy function itself, as PROG_LOAD and callx use it. */
static void policy_function(void)
{
    const struct bpfrt_helper_proto *h = (const void *)1;
    char why[128];
    CHECK_EQ(bpfrt_helper_allowed(crt, BPF_FUNC_map_lookup_elem, BPF_PROG_TYPE_SOCKET_FILTER, false, &h, why,
                                  sizeof(why)), 0);
    CHECK(h && h->id == BPF_FUNC_map_lookup_elem);
    CHECK_EQ(bpfrt_helper_allowed(crt, BPF_FUNC_probe_read_kernel, BPF_PROG_TYPE_SOCKET_FILTER, false, &h, why,
                                  sizeof(why)), -BPFRT_EINVAL);
    CHECK(h == NULL);
    CHECK_STR(why, "cannot call GPL-restricted function from non-GPL compatible program");
    CHECK_EQ(bpfrt_helper_allowed(crt, BPF_FUNC_probe_read_kernel, BPF_PROG_TYPE_SOCKET_FILTER, true, &h, why,
                                  sizeof(why)), 0);
    CHECK_EQ(bpfrt_helper_allowed(crt, BPF_FUNC_skb_change_head, BPF_PROG_TYPE_SOCKET_FILTER, true, &h, why,
                                  sizeof(why)), -BPFRT_EINVAL);
    CHECK_STR(why, "program of this type cannot use helper bpf_skb_change_head#43");
    CHECK_EQ(bpfrt_helper_allowed(crt, BPF_FUNC_skb_change_head, BPF_PROG_TYPE_LWT_XMIT, true, &h, why,
                                  sizeof(why)), 0);
    CHECK_EQ(bpfrt_helper_allowed(crt, 77777, BPF_PROG_TYPE_SOCKET_FILTER, true, &h, why, sizeof(why)),
             -BPFRT_EINVAL);
    CHECK_STR(why, "invalid func unknown#77777");
}

int main(void)
{
    sb_require_progs("sandbox_callx");
    SB_CASE(direct_call_refused, 20);
    SB_CASE(callx_gpl_only, 20);
    SB_CASE(callx_wrong_type, 20);
    SB_CASE(callx_allowed, 20);
    SB_CASE(policy_function, 20);
    return test_summary();
}
