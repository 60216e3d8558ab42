/* Checked mode's sandbox, packets: every helper that moves packet data or
 * headroom keeps the packet inside its buffer (buf <= data_meta <= data <=
 * data_end <= buf + buf_size, the network header inside the packet), and
 * test-run copies out only what lies inside it. The review's programs
 * (tests/progs/sandbox_pkt.bpf.c) walked data to the end of the buffer
 * with bpf_skb_vlan_pop and then made bpf_skb_adjust_room move bytes past
 * it, and took all the headroom with bpf_skb_change_head so that test-run
 * wrote the MAC header in front of the buffer. Expected values are derived
 * by hand; bpf_skb_change_head's output is compared with the kernel. */
#include "kernel_bpf.h"
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

int main(void)
{
    sb_require_progs("sandbox_pkt");
    SB_CASE(vlan_pop_then_adjust_room, 20);
    SB_CASE(lwt_change_head_all_headroom, 20);
    SB_CASE(lwt_change_head_vs_kernel, 20);
    return test_summary();
}
