/* Test-runs one real-world program in Linux and in bpfrt on the same inputs
 * and compares what comes out (test_loader_realworld's run half): each side
 * is an object loaded alone, the kernel's through bpf(2), bpfrt's through
 * bpfrt_bpf() - the same BPF_PROG_TEST_RUN attrs go to both (Linux 6.18's
 * bpf_prog_test_run_{xdp,skb,raw_tp,syscall}, net/bpf/test_run.c).
 *
 * Packet programs get four frames one after the other (TCP SYN, UDP, ICMP
 * echo, ARP), then BPFRT_REAL_PACKETS more (default 0): each of them one of
 * the four with random bytes changed and its length cut at random, which
 * takes real programs' parsers down their error paths; raw tracepoints and
 * syscall programs one zeroed context. Each
 * run's errno, return value and output packet must agree; after the runs
 * the plain maps (hash, array, global data) must hold the same entries.
 * Per-CPU and LRU maps are left out (which CPU runs it, eviction order), as
 * are runs whose program reads the clock, random numbers, the task or the
 * host's routes (their results may differ by design): those are counted
 * apart, as are programs known to differ by design (known_difference). */
#ifndef BPFRT_TESTS_REALWORLD_RUN_H
#define BPFRT_TESTS_REALWORLD_RUN_H

#include "bpfrt/bpf.h"
#include "bpfrt/object.h"
#include "kernel_bpf.h"
#include "test_corpus_util.h"
#include "test_rng.h"

struct run_totals {
    unsigned progs, agree, differ, nondet, kernel_no_run;
};

/* bpf(2) on one side: Linux (kernel) or bpfrt's runtime. */
static long side_bpf(bool kernel, int cmd, union bpf_attr *a)
{
    return kernel ? kbpf(cmd, a) : bpfrt_bpf(crt, cmd, a, sizeof(*a));
}

enum run_kind { RUN_NONE, RUN_PACKET, RUN_CTX };

static enum run_kind run_kind_of(uint32_t t)
{
    switch (t) {
    case BPF_PROG_TYPE_XDP:
    case BPF_PROG_TYPE_SCHED_CLS:
    case BPF_PROG_TYPE_SCHED_ACT:
    case BPF_PROG_TYPE_SOCKET_FILTER:
    case BPF_PROG_TYPE_CGROUP_SKB:
        return RUN_PACKET;
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
    case BPF_PROG_TYPE_SYSCALL:
        return RUN_CTX;
    default:
        return RUN_NONE;
    }
}

struct one_run {
    long rc;
    uint32_t retval, size_out;
    uint8_t out[2048];
};

static void side_run(bool kernel, int prog, enum run_kind kind, const uint8_t *pkt, uint32_t n, struct one_run *r)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    static uint64_t args[12]; /* raw_tp/syscall context: zeroed arguments */
    memset(args, 0, sizeof(args));
    a.test.prog_fd = (uint32_t)prog;
    if (kind == RUN_PACKET) {
        a.test.data_in = kbpf_ptr(pkt);
        a.test.data_size_in = n;
        a.test.data_out = kbpf_ptr(r->out);
        a.test.data_size_out = sizeof(r->out);
        a.test.repeat = 1;
    } else {
        a.test.ctx_in = kbpf_ptr(args);
        a.test.ctx_size_in = sizeof(args);
    }
    r->rc = side_bpf(kernel, BPF_PROG_TEST_RUN, &a);
    r->retval = a.test.retval;
    r->size_out = kind == RUN_PACKET ? a.test.data_size_out : 0;
}

/* Whether the relocated program calls a helper whose result is not a
 * function of its inputs (time, random numbers, the CPU, the running task,
 * the host's routing table). */
static bool calls_nondeterministic(struct bpfrt_object_prog *p)
{
    static const int32_t ids[] = {
        BPF_FUNC_ktime_get_ns, BPF_FUNC_ktime_get_boot_ns, BPF_FUNC_ktime_get_coarse_ns,
        BPF_FUNC_ktime_get_tai_ns, BPF_FUNC_jiffies64, BPF_FUNC_get_prandom_u32,
        BPF_FUNC_get_smp_processor_id, BPF_FUNC_get_numa_node_id, BPF_FUNC_get_hash_recalc,
        BPF_FUNC_get_current_task, BPF_FUNC_get_current_task_btf, BPF_FUNC_get_current_pid_tgid,
        BPF_FUNC_get_current_cgroup_id, BPF_FUNC_get_socket_cookie,
        BPF_FUNC_fib_lookup, /* Linux looks up the host's routes; bpfrt the table the embedder installs */
    };
    uint32_t cnt;
    const struct bpf_insn *in = bpfrt_object_prog_insns(p, &cnt);
    for (uint32_t i = 0; in && i < cnt; i++)
        if (in[i].code == (BPF_JMP | BPF_CALL) && in[i].src_reg == 0)
            for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++)
                if (in[i].imm == ids[k])
                    return true;
    return false;
}

/* Programs whose results differ from Linux's by design, and why. */
static const char *known_difference(const char *label)
{
    static const struct {
        const char *label, *why;
    } known[] = {
        {"build/exposeptr.o:", "it stores its context pointer in a map: the addresses differ"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strncmp(label, known[i].label, strlen(known[i].label)) == 0)
            return known[i].why;
    return NULL;
}

static bool map_compared(uint32_t type)
{
    return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_ARRAY;
}

/* Every entry of the kernel's map is in bpfrt's with the same value, and
 * both hold as many; false with why in msg. */
static bool maps_agree(int kfd, int bfd, uint32_t key_size, uint32_t value_size, char *msg, size_t msg_size)
{
    static uint8_t key[512], next[512], kval[65536], bval[65536];
    if (key_size > sizeof(key) || value_size > sizeof(kval))
        return true; /* too large to compare here */
    unsigned counts[2] = {0, 0};
    for (int s = 0; s < 2; s++) {
        bool kernel = s == 0;
        int fd = kernel ? kfd : bfd;
        union bpf_attr a = kbpf_elem_attr(fd, NULL, next, 0);
        while (side_bpf(kernel, BPF_MAP_GET_NEXT_KEY, &a) == 0 && counts[s] < 100000) {
            counts[s]++;
            memcpy(key, next, key_size);
            a = kbpf_elem_attr(fd, key, next, 0);
            if (!kernel)
                continue;
            union bpf_attr lk = kbpf_elem_attr(kfd, key, kval, 0), lb = kbpf_elem_attr(bfd, key, bval, 0);
            long rk = side_bpf(true, BPF_MAP_LOOKUP_ELEM, &lk), rb = side_bpf(false, BPF_MAP_LOOKUP_ELEM, &lb);
            if (rk != rb || (rk == 0 && memcmp(kval, bval, value_size) != 0)) {
                snprintf(msg, msg_size, "entry %u (key %02x%02x%02x%02x...): Linux %s, bpfrt %s", counts[s] - 1,
                         key[0], key_size > 1 ? key[1] : 0, key_size > 2 ? key[2] : 0, key_size > 3 ? key[3] : 0,
                         rk ? "has none" : "has it", rb ? "has none" : rk ? "has it" : "another value");
                return false;
            }
        }
    }
    if (counts[0] != counts[1]) {
        snprintf(msg, msg_size, "Linux holds %u entries, bpfrt %u", counts[0], counts[1]);
        return false;
    }
    return true;
}

/* The extra, corrupted frames (BPFRT_REAL_PACKETS), from a fixed seed. */
static uint64_t corrupt_rng = 0x2545f4914f6cdd1dull;
static unsigned extra_packets(void)
{
    const char *e = getenv("BPFRT_REAL_PACKETS");
    return e ? (unsigned)strtoul(e, NULL, 10) : 0;
}

/* Runs program idx of the two objects (the kernel's, bpfrt's) on the same
 * inputs; true when everything agrees, else false with the first
 * difference in msg. */
static bool compare_runs(struct bpfrt_object *kobj, struct bpfrt_object *bobj, uint32_t idx, char *msg,
                         size_t msg_size)
{
    struct bpfrt_object_prog *kp = bpfrt_object_prog_at(kobj, idx), *bp = bpfrt_object_prog_at(bobj, idx);
    enum run_kind kind = run_kind_of(bpfrt_object_prog_type(bp));
    uint8_t pkts[4][128];
    uint32_t lens[4] = {
        build_ipv4(pkts[0], 6, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 40000, 80, 20, 0),
        build_ipv4(pkts[1], 17, ip4(192, 168, 1, 1), ip4(192, 168, 1, 2), 5353, 53, 32, 0),
        build_ipv4(pkts[2], 1, ip4(172, 16, 0, 1), ip4(172, 16, 0, 9), 7, 1, 16, 0),
        build_arp(pkts[3]),
    };
    unsigned runs = kind == RUN_PACKET ? 4 + extra_packets() : 1;
    static struct one_run kr, br;
    for (unsigned i = 0; i < runs; i++) {
        uint8_t frame[128];
        uint32_t len = lens[i % 4];
        memcpy(frame, pkts[i % 4], len);
        for (unsigned k = 0; i >= 4 && k < 1 + test_xorshift64(&corrupt_rng) % 4; k++)
            frame[test_xorshift64(&corrupt_rng) % len] = (uint8_t)test_xorshift64(&corrupt_rng);
        if (i >= 4 && test_xorshift64(&corrupt_rng) % 2)
            len = 14 + (uint32_t)(test_xorshift64(&corrupt_rng) % (len - 13)); /* an Ethernet header at least */
        side_run(true, bpfrt_object_prog_handle(kp), kind, frame, len, &kr);
        side_run(false, bpfrt_object_prog_handle(bp), kind, frame, len, &br);
        if (kr.rc != br.rc || (kr.rc == 0 && kr.retval != br.retval)) {
            snprintf(msg, msg_size, "input %u: Linux rc %ld retval %u, bpfrt rc %ld retval %u", i, kr.rc, kr.retval,
                     br.rc, br.retval);
            return false;
        }
        if (kr.rc == 0 && (kr.size_out != br.size_out || memcmp(kr.out, br.out, kr.size_out) != 0)) {
            uint32_t at = 0;
            while (at < kr.size_out && at < br.size_out && kr.out[at] == br.out[at])
                at++;
            snprintf(msg, msg_size, "input %u: output packets differ (Linux %u bytes, bpfrt %u; first at byte %u: %02x vs %02x)",
                     i, kr.size_out, br.size_out, at, kr.out[at], br.out[at]);
            return false;
        }
    }
    for (uint32_t m = 0; m < bpfrt_object_map_count(bobj); m++) {
        struct bpfrt_object_map *km = bpfrt_object_map_at(kobj, m), *bm = bpfrt_object_map_at(bobj, m);
        int kfd = bpfrt_object_map_handle(km), bfd = bpfrt_object_map_handle(bm);
        if (kfd < 0 || bfd < 0 || !map_compared(bpfrt_object_map_type(bm)))
            continue;
        char why[200];
        if (!maps_agree(kfd, bfd, bpfrt_object_map_key_size(bm), bpfrt_object_map_value_size(bm), why,
                        sizeof(why))) {
            snprintf(msg, msg_size, "map %s: %s", bpfrt_object_map_name(bm), why);
            return false;
        }
    }
    return true;
}

#endif
