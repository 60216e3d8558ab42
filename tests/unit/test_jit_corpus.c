/* The program corpus, interpreter against JIT: each object is loaded twice
 * into one runtime, every program of the second copy moved to the JIT -
 * once as the verifier accepted it (verified mode, compiled with the
 * verifier's facts) and once loaded unverified (checked mode); both copies
 * get the same map entries and the same packets - a few well-formed ones,
 * then random corruptions of them (BPFRT_FUZZ_ITERS / 10 per program) -
 * through BPF_PROG_TEST_RUN, and return values, output packets, the
 * __sk_buff that comes back and the maps afterwards must agree. Raw
 * tracepoint programs get argument arrays instead of packets. */
#include "bpfrt/jit.h"
#include "test_corpus_util.h"
#include "test_rng.h"

static uint64_t rng_state = 0x6a09e667f3bcc909ull;
static uint64_t rnd(void)
{
    return test_xorshift64(&rng_state);
}

static const char *const objects[] = {
    "xdp_rules_hash", "xdp_percpu_count", "xdp_lpm_blocklist", "socket_dns_filter", "tc_dscp_classifier",
    "global_knobs", "subprog_calls", "bounded_loop", "loop_callbacks", "tail_calls", "ringbuf_events",
    "lru_conntrack", "queue_stack", "atomics", "raw_tp_args", "legacy_maps", "iproute2_tail", "map_in_map",
    "xdp_icmp_echo", "spin_lock", "kconfig_externs", "multi_prog", "cgroup_skb_policy", "xdp_ipv6",
    "perf_output", "trace_strings", "core_reloc", "tc_nat", "xdp_trim", "weak_ksyms", "xdp_l4_lb",
    "tc_vlan_ipv6_ext", "socket_ldabs", "printk_formats", "alu32_mix", "tc_tail_chain", "xdp_maps_mix",
    "loop_ctx_hash", "subprog_stack", "tc_events_out", "raw_tp_core_read", "ctx_fields", "tc_mangle",
    "sections_consts", "tc_encap_csum", "xdp_meta_redirect", "tail_from_subprog", "map_errno_corners",
    "tcp_opts_can_loop", "lwt_route_hooks", "kprobe_core_sock",
};

struct pkt {
    uint8_t b[256];
    uint32_t n;
};

static int standard_packets(struct pkt *p)
{
    int n = 0;
    p[n].n = build_ipv4(p[n].b, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 53, 18, 0), n++;
    p[n].n = build_ipv4(p[n].b, 6, ip4(192, 168, 1, 77), ip4(10, 0, 0, 2), 4000, 22, 0, 0), n++;
    p[n].n = build_ipv4(p[n].b, 1, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 0x1234, 1, 16, 0), n++;
    p[n].n = build_arp(p[n].b), n++;
    p[n].n = build_ipv4(p[n].b, 17, ip4(10, 1, 2, 3), ip4(1, 1, 1, 1), 5, 6, 58, 0xb8), n++;
    p[n].n = build_ipv4(p[n].b, 6, ip4(9, 9, 9, 9), ip4(8, 8, 8, 8), 7, 80, 0, 0x20), n++;
    /* IPv6 UDP */
    memset(p[n].b, 0, sizeof(p[n].b));
    uint8_t v6[] = { 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 17, 64 };
    memcpy(p[n].b, v6, sizeof(v6));
    for (int i = 0; i < 32; i++)
        p[n].b[22 + i] = (uint8_t)(0x20 + i);
    p[n].n = 14 + 40 + 8, n++;
    memset(p[n].b, 0xab, 20);
    p[n].n = 20, n++; /* too short for IPv4 */
    return n;
}

static bool packet_type(uint32_t t)
{
    return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SOCKET_FILTER ||
           t == BPF_PROG_TYPE_CGROUP_SKB || t == BPF_PROG_TYPE_SCHED_ACT || t == BPF_PROG_TYPE_LWT_IN ||
           t == BPF_PROG_TYPE_LWT_OUT || t == BPF_PROG_TYPE_LWT_XMIT;
}

struct outcome {
    long rc;
    uint32_t retval, out_len;
    uint8_t out[512];
    struct __sk_buff ctx_out;
};

static struct outcome test_run(int prog, const void *data, uint32_t len, const void *ctx, uint32_t ctx_len)
{
    struct outcome o;
    memset(&o, 0, sizeof(o));
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)prog;
    a.test.data_in = (uint64_t)(uintptr_t)data;
    a.test.data_size_in = data ? len : 0;
    a.test.data_out = data ? (uint64_t)(uintptr_t)o.out : 0;
    a.test.data_size_out = data ? sizeof(o.out) : 0;
    a.test.ctx_in = (uint64_t)(uintptr_t)ctx;
    a.test.ctx_size_in = ctx ? ctx_len : 0;
    if (data && ctx) {
        a.test.ctx_out = (uint64_t)(uintptr_t)&o.ctx_out;
        a.test.ctx_size_out = sizeof(o.ctx_out);
    }
    a.test.repeat = data ? 1 : 0;
    o.rc = (long)bpfrt_bpf(crt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    o.retval = a.test.retval;
    o.out_len = a.test.data_size_out;
    return o;
}

static long runs, mismatches;
static long jit_modes[2]; /* programs compiled verified (with facts), checked */

static void compare_runs(const char *label, int k, const struct outcome *x, const struct outcome *y, bool ctx)
{
    runs++;
    bool same = x->rc == y->rc && x->retval == y->retval && x->out_len == y->out_len &&
                (x->rc != 0 || x->out_len > sizeof(x->out) || memcmp(x->out, y->out, x->out_len) == 0) &&
                (!ctx || memcmp(&x->ctx_out, &y->ctx_out, sizeof(x->ctx_out)) == 0);
    CHECK(same);
    if (!same && mismatches++ < 20)
        fprintf(stderr, "%s: input %d%s: interpreter %u (%ld, %u bytes), jit %u (%ld, %u bytes)\n", label, k,
                ctx ? " with a ctx" : "", x->retval, x->rc, x->out_len, y->retval, y->rc, y->out_len);
}

/* Every key and value of every hash/array/LRU/LPM map must agree. */
static void compare_maps(const char *label, struct bpfrt_object *a, struct bpfrt_object *b)
{
    for (uint32_t i = 0; i < bpfrt_object_map_count(a); i++) {
        struct bpfrt_object_map *ma = bpfrt_object_map_at(a, i), *mb = bpfrt_object_map_at(b, i);
        uint32_t type = bpfrt_object_map_type(ma);
        if (type != BPF_MAP_TYPE_HASH && type != BPF_MAP_TYPE_ARRAY && type != BPF_MAP_TYPE_LRU_HASH &&
            type != BPF_MAP_TYPE_LPM_TRIE)
            continue;
        uint32_t ks = bpfrt_object_map_key_size(ma), vs = bpfrt_object_map_value_size(ma);
        uint8_t key[64], next[64], va[4096], vb[4096];
        if (ks > sizeof(key) || vs > sizeof(va))
            continue;
        int n = 0;
        for (bool first = true; n < 100000; first = false, n++) {
            union bpf_attr at;
            memset(&at, 0, sizeof(at));
            at.map_fd = (uint32_t)bpfrt_object_map_handle(ma);
            at.key = first ? 0 : (uint64_t)(uintptr_t)key;
            at.next_key = (uint64_t)(uintptr_t)next;
            if (bpfrt_bpf(crt, BPF_MAP_GET_NEXT_KEY, &at, sizeof(at)) != 0)
                break;
            memcpy(key, next, ks);
            int ra = map_lookup(a, bpfrt_object_map_name(ma), key, va);
            int rb = map_lookup(b, bpfrt_object_map_name(mb), key, vb);
            bool same = ra == rb && (ra != 0 || memcmp(va, vb, vs) == 0);
            CHECK(same);
            if (!same && mismatches++ < 20)
                fprintf(stderr, "%s: map %s differs\n", label, bpfrt_object_map_name(ma));
        }
    }
}

/* Moves every program of obj to the JIT, in verified mode with the
 * verifier's facts (verified) or checked mode. */
static bool jit_object(struct bpfrt_object *obj, bool verified)
{
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        int h = bpfrt_object_prog_handle(bpfrt_object_prog_at(obj, i));
        struct bpfrt_prog *prog = h >= 0 ? bpfrt_prog_from_handle(crt, h) : NULL;
        if (!prog)
            continue;
        bool jitted = false;
        char msg[256] = "";
        int rc = bpfrt_prog_use_jit(prog, BPFRT_ENGINE_JIT, &jitted, msg, sizeof(msg)); /* (no reference taken) */
        CHECK_EQ(rc, 0);
        CHECK(jitted);
        if (rc || !jitted) {
            fprintf(stderr, "%s: not JIT-compiled: %s\n", bpfrt_object_prog_name(bpfrt_object_prog_at(obj, i)),
                    msg);
            return false;
        }
        struct bpfrt_jit_stats st;
        CHECK(bpfrt_jit_get_stats(prog, &st));
        bool ok = verified ? strcmp(st.mode, "verified") == 0 && st.facts : strcmp(st.mode, "checked") == 0;
        CHECK(ok);
        jit_modes[!verified]++;
    }
    return true;
}

/* The object loaded with every program unverified (PROG_LOAD's
 * BPFRT_PROG_F_NO_VERIFY). */
static struct bpfrt_object *load_unverified(const char *variant, const char *name, const struct bpfrt_object_opts *o)
{
    struct bpfrt_object *obj = open_obj_opts(variant, name, o);
    if (!obj)
        return NULL;
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        bpfrt_object_prog_set_flags(p, bpfrt_object_prog_flags(p) | BPFRT_PROG_F_NO_VERIFY);
    }
    char err[512] = "";
    if (bpfrt_object_load(obj, err, sizeof(err))) {
        fprintf(stderr, "%s/%s: unverified load failed: %s\n", variant, name, err);
        bpfrt_object_close(obj);
        return NULL;
    }
    return obj;
}

static void compare_object(const char *variant, const char *name, bool verified)
{
    struct bpfrt_object_opts o = { .default_prog_type = BPF_PROG_TYPE_SCHED_CLS, .kconfig = "CONFIG_HZ=250" };
    struct bpfrt_object *a = verified ? load_obj_opts(variant, name, &o) : load_unverified(variant, name, &o);
    struct bpfrt_object *b = verified ? load_obj_opts(variant, name, &o) : load_unverified(variant, name, &o);
    if (!a || !b || !jit_object(b, verified))
        goto out;
    struct pkt pk[16];
    int np = standard_packets(pk);
    int randoms = (int)(test_fuzz_iters() / 10);
    if (strcmp(name, "lru_conntrack") == 0)
        randoms = 0; /* eviction order follows the CPU slot, which differs between the copies */
    for (uint32_t i = 0; i < bpfrt_object_prog_count(a); i++) {
        struct bpfrt_object_prog *pa = bpfrt_object_prog_at(a, i), *pb = bpfrt_object_prog_at(b, i);
        uint32_t type = bpfrt_object_prog_type(pa);
        static char label[200];
        snprintf(label, sizeof(label), "%s/%s:%s (%s)", variant, name, bpfrt_object_prog_name(pa),
                 verified ? "verified" : "checked");
        test_current = label;
        int ha = bpfrt_object_prog_handle(pa), hb = bpfrt_object_prog_handle(pb);
        if (packet_type(type)) {
            for (int k = 0; k < np + randoms; k++) {
                struct pkt in = pk[k % np];
                if (k >= np) {
                    int flips = 1 + (int)(rnd() % 4);
                    for (int f = 0; f < flips; f++)
                        in.b[rnd() % in.n] ^= (uint8_t)(1u << (rnd() % 8));
                    if (rnd() % 4 == 0 && in.n > 15)
                        in.n = 14 + (uint32_t)(rnd() % (in.n - 14));
                }
                struct outcome x = test_run(ha, in.b, in.n, NULL, 0), y = test_run(hb, in.b, in.n, NULL, 0);
                compare_runs(label, k, &x, &y, false);
            }
            struct __sk_buff sin;
            memset(&sin, 0, sizeof(sin));
            sin.mark = 0x42;
            sin.priority = 3;
            for (int c = 0; c < 5; c++)
                sin.cb[c] = 0x1000u * (uint32_t)(c + 1);
            for (int k = 0; k < np && type != BPF_PROG_TYPE_XDP; k++) {
                struct outcome x = test_run(ha, pk[k].b, pk[k].n, &sin, sizeof(sin));
                struct outcome y = test_run(hb, pk[k].b, pk[k].n, &sin, sizeof(sin));
                compare_runs(label, k, &x, &y, true);
            }
        } else if (type == BPF_PROG_TYPE_RAW_TRACEPOINT) {
            for (int k = 0; k < 8; k++) {
                uint64_t args[4] = { rnd(), rnd() % 16, rnd(), (uint64_t)k };
                struct outcome x = test_run(ha, NULL, 0, args, sizeof(args));
                struct outcome y = test_run(hb, NULL, 0, args, sizeof(args));
                compare_runs(label, k, &x, &y, false);
            }
        }
    }
    static char mlabel[200];
    snprintf(mlabel, sizeof(mlabel), "%s/%s", variant, name);
    test_current = mlabel;
    if (strcmp(name, "spin_lock") != 0)
        compare_maps(mlabel, a, b);
out:
    if (a)
        bpfrt_object_close(a);
    if (b)
        bpfrt_object_close(b);
}

static void quiet(void *arg, const char *line, size_t len)
{
    (void)arg, (void)line, (void)len;
}

int main(int argc, char **argv)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/progs/v3", build_dir());
    if (!dir_exists(path))
        TEST_SKIP("corpus not built");
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    bpfrt_runtime_set_trace_sink(crt, quiet, NULL);
    test_seed_from_env(&rng_state);
    static const char *const variants[] = { "v1", "v2", "v3", "v4", "nog" };
    for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
        snprintf(path, sizeof(path), "%s/progs/%s", build_dir(), variants[v]);
        if (!dir_exists(path))
            continue;
        for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
            if (argc >= 2 && strcmp(argv[1], objects[i]) != 0)
                continue;
            if (strcmp(variants[v], "nog") == 0) { /* without BTF only objects without .maps load */
                struct bpfrt_object *probe = NULL;
                char e[256];
                struct bpfrt_object_opts o = { .default_prog_type = BPF_PROG_TYPE_SCHED_CLS };
                if (bpfrt_object_open_file(crt, prog_path(variants[v], objects[i]), &o, &probe, e, sizeof(e)))
                    continue;
                bpfrt_object_close(probe);
            }
            compare_object(variants[v], objects[i], true);
            compare_object(variants[v], objects[i], false);
        }
    }
    printf("corpus: %ld runs compared, %ld mismatches; programs JIT-compiled verified (with the verifier's facts) %ld, "
           "checked %ld\n", runs, mismatches, jit_modes[0], jit_modes[1]);
    CHECK(runs > 0);
    CHECK(jit_modes[0] > 0 && jit_modes[1] > 0);
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
