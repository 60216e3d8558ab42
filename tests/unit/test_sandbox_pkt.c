/* Checked mode's sandbox, packets: every helper that moves packet data or
 * headroom keeps the packet inside its buffer (buf <= data_meta <= data <=
 * data_end <= buf + buf_size, the network header inside the packet), and
 * test-run copies out only what lies inside it. The review's programs
 * (tests/progs/sandbox_pkt.bpf.c) walked data to the end of the buffer
 * with bpf_skb_vlan_pop and then made bpf_skb_adjust_room move bytes past
 * it, and took all the headroom with bpf_skb_change_head so that test-run
 * wrote the MAC header in front of the buffer. Expected values are derived
 * by hand; bpf_skb_change_head's output is compared with the kernel; and
 * random sequences of every packet-moving helper (sandbox_pktops.bpf.c)
 * must leave a packet test-run can copy out - under the ASan build, without
 * a byte read or written outside the buffer. */
#include "kernel_bpf.h"
#include "test_rng.h"
#include "test_sandbox_util.h"

/* 12 MAC bytes, 924 802.1Q tags (tci 0), then EtherType IPv6 and two
 * bytes: 3,712 bytes, which end exactly at the end of test-run's buffer. */
static uint32_t vlan_frame(uint8_t *f)
{
    static const uint8_t mac[12] = { 0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02 };
    memcpy(f, mac, 12);
    uint32_t n = 12;
    for (int i = 0; i < 924; i++) {
        f[n++] = 0x81;
        f[n++] = 0x00;
        f[n++] = 0;
        f[n++] = 0;
    }
    f[n++] = 0x86;
    f[n++] = 0xdd;
    f[n++] = 0;
    f[n++] = 0;
    return n;
}

/* Every tag popped leaves 16 bytes: the MAC addresses, 86dd, 0000 (the
 * last tag went out of band). The IPv6 header bpf_skb_adjust_room(NET)
 * would insert room after is not in the packet: the helper refuses and
 * the packet is unchanged. */
static void vlan_pop_then_adjust_room(void)
{
    static uint8_t frame[4096];
    uint32_t n = vlan_frame(frame);
    CHECK_EQ(n, 3712);
    struct bpfrt_object *obj = sb_load("sandbox_pkt", NULL);
    CHECK(obj != NULL);
    struct sb_run r = sb_test_run(obj, "vlan_walk", frame, n, NULL, 0);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.retval, 16);
    CHECK((int64_t)global_u64(obj, "room_rc") < 0);
    static const uint8_t want[16] = { 0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x86, 0xdd, 0, 0 };
    CHECK_EQ(r.out_len, 16);
    CHECK(memcmp(r.out, want, sizeof(want)) == 0);
    bpfrt_object_close(obj);
}

/* lwt_xmit sees the packet from the network header with 78 bytes of
 * headroom; bpf_skb_change_head(78) takes them all and the run's output is
 * what Linux gives: a zeroed MAC header, 78 zeroed bytes, the IP packet
 * (142 bytes). Beyond the headroom the helper says -ENOMEM (Linux would
 * reallocate the skb). */
static void lwt_change_head_all_headroom(void)
{
    uint8_t frame[64];
    uint32_t n = sb_ipv4_frame(frame);
    struct bpfrt_object *obj = sb_load("sandbox_pkt", NULL);
    CHECK(obj != NULL);
    struct sb_run r = sb_test_run(obj, "push_all_headroom", frame, n, NULL, 0);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ((int64_t)global_u64(obj, "head_rc"), 0);
    CHECK_EQ(r.out_len, 14 + 78 + 50);
    uint8_t want[142];
    memset(want, 0, sizeof(want));
    memcpy(want + 92, frame + 14, 50);
    CHECK(memcmp(r.out, want, sizeof(want)) == 0);
    bpfrt_object_close(obj);

    obj = sb_load("sandbox_pkt", "head_room", 79, NULL);
    CHECK(obj != NULL);
    r = sb_test_run(obj, "push_all_headroom", frame, n, NULL, 0);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ((int64_t)global_u64(obj, "head_rc"), -BPFRT_ENOMEM);
    CHECK_EQ(r.out_len, 64);
    bpfrt_object_close(obj);
}

/* bpf_skb_change_head(N) in lwt_xmit, N = 0..78, against the kernel: same
 * return value, same output bytes. */
static void lwt_change_head_vs_kernel(void)
{
    if (!kbpf_available()) {
        TEST_SKIP_CASE("lwt_change_head_vs_kernel", "bpf(2) not available");
        return;
    }
    uint8_t frame[64];
    uint32_t n = sb_ipv4_frame(frame);
    for (int32_t room = 0; room <= 78; room += 13) {
        struct bpf_insn p[] = {
            { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 2, .imm = room },
            { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 3, .imm = 0 },
            { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_skb_change_head },
            { .code = BPF_JMP | BPF_EXIT },
        };
        long kfd = kbpf_prog_load(BPF_PROG_TYPE_LWT_XMIT, p, 4, 0, NULL, 0);
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.prog_type = BPF_PROG_TYPE_LWT_XMIT;
        a.insns = (uint64_t)(uintptr_t)p;
        a.insn_cnt = 4;
        a.license = (uint64_t)(uintptr_t)"GPL";
        a.prog_flags = BPFRT_PROG_F_NO_VERIFY; /* checked mode is what is tested */
        long bfd = bpfrt_bpf(crt, BPF_PROG_LOAD, &a, sizeof(a));
        CHECK(kfd >= 0);
        CHECK(bfd >= 0);
        if (kfd < 0 || bfd < 0)
            return;
        uint8_t kout[512], bout[512];
        uint32_t klen = sizeof(kout), kret = 0;
        long krc = kbpf_test_run(kfd, frame, n, kout, &klen, &kret);
        memset(&a, 0, sizeof(a));
        a.test.prog_fd = (uint32_t)bfd;
        a.test.data_in = (uint64_t)(uintptr_t)frame;
        a.test.data_size_in = n;
        a.test.data_out = (uint64_t)(uintptr_t)bout;
        a.test.data_size_out = sizeof(bout);
        a.test.repeat = 1;
        long brc = bpfrt_bpf(crt, BPF_PROG_TEST_RUN, &a, sizeof(a));
        CHECK_EQ(brc, krc);
        CHECK_EQ(a.test.retval, kret);
        CHECK_EQ(a.test.data_size_out, klen);
        CHECK(klen <= sizeof(kout) && memcmp(bout, kout, klen) == 0);
        close((int)kfd);
        bpfrt_close(crt, (int)bfd);
    }
}

/* A random frame: Ethernet with IPv4, IPv6, a stack of 802.1Q tags or an
 * unknown EtherType, random bytes after, 14..3000 bytes. */
static uint32_t random_frame(uint64_t *st, uint8_t *f)
{
    uint32_t kind = (uint32_t)(test_xorshift64star(st) % 4), n = 14;
    uint32_t len = 14 + (uint32_t)(test_xorshift64star(st) % 2987);
    for (uint32_t i = 0; i < len; i++)
        f[i] = (uint8_t)test_xorshift64star(st);
    f[0] &= 0xfe; /* unicast */
    if (kind == 2) { /* tags */
        uint32_t tags = (uint32_t)(test_xorshift64star(st) % 8);
        for (uint32_t t = 0; t < tags && n + 4 <= len; t++, n += 4) {
            f[n - 2] = 0x81;
            f[n - 1] = 0x00;
        }
        kind = (uint32_t)(test_xorshift64star(st) % 2);
    }
    static const uint16_t types[4] = { 0x0800, 0x86dd, 0x8100, 0x88b5 };
    if (kind < 2 && len < n + 40)
        len = n + 40; /* test-run wants the whole IP header */
    f[n - 2] = (uint8_t)(types[kind] >> 8);
    f[n - 1] = (uint8_t)types[kind];
    if (kind == 0)
        f[n] = 0x45;
    return len;
}

/* A random op word for sandbox_pktops: op 0..8, a 17-bit argument biased
 * towards the sizes that matter (small, around the headroom, negative). */
static uint32_t random_op(uint64_t *st)
{
    uint32_t op = (uint32_t)(test_xorshift64star(st) % 9);
    uint32_t arg;
    switch (test_xorshift64star(st) % 4) {
    case 0: arg = (uint32_t)(test_xorshift64star(st) % 32); break;
    case 1: arg = 60 + (uint32_t)(test_xorshift64star(st) % 200); break;
    case 2: arg = (uint32_t)-(int32_t)(test_xorshift64star(st) % 200) & 0xffff; break;
    default: arg = (uint32_t)test_xorshift64star(st) & 0x1ffff; break;
    }
    return op | arg << 8;
}

/* Random frames, random helper sequences, in tc, lwt_xmit and XDP: every
 * run completes and copies out the packet the program last saw. */
static void random_helper_sequences(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_pktops", NULL);
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint64_t st = 0x5eed5a17b0c5ull;
    test_seed_from_env(&st);
    static uint8_t frame[4096];
    long iters = test_fuzz_iters();
    static const char *const progs[3] = { "tc_ops", "lwt_ops", "xdp_ops" };
    int bad = 0;
    for (long it = 0; it < iters && bad < 5; it++) {
        uint32_t len = random_frame(&st, frame);
        for (uint32_t i = 0; i < 8; i++) {
            uint32_t w = random_op(&st);
            map_update(obj, "ops", &i, &w, 0);
        }
        int which = (int)(it % 3);
        struct sb_run r = sb_test_run(obj, progs[which], frame, len, NULL, 0);
        /* tc: the frame from data; lwt: a MAC header in front; XDP: the
         * metadata (4-byte steps, at most 255 bytes) and the data */
        uint32_t meta = which == 2 && r.out_len >= r.retval ? r.out_len - r.retval : 0;
        uint32_t want = which == 1 ? r.retval + 14 : r.retval + meta;
        if (r.rc != 0 || r.out_len != want || r.out_len > 4096 || meta % 4 || meta > 255) {
            bad++;
            fprintf(stderr, "iteration %ld (%s, %u bytes): rc %ld, out %u, program saw %u: %s\n", it,
                    progs[which], len, r.rc, r.out_len, r.retval, r.res.error_msg);
        }
    }
    CHECK_EQ(bad, 0);
    bpfrt_object_close(obj);
}

int main(void)
{
    sb_require_progs("sandbox_pkt");
    SB_CASE(vlan_pop_then_adjust_room, 20);
    SB_CASE(lwt_change_head_all_headroom, 20);
    SB_CASE(lwt_change_head_vs_kernel, 20);
    SB_CASE(random_helper_sequences, 120);
    return test_summary();
}
