/* Packet helpers on hand-built packets: checksums (expected values from an
 * independent RFC 1071 implementation below and from Python one-liners,
 * noted at each constant), skb data access bounds, XDP head/tail/meta
 * limits, context pointer shadows, checked-run regions, and bpf_redirect.
 * Helpers are called directly through the runtime's table. */
#include "test_helpers_util.h"

static struct bpfrt_pkt pkt;

/* RFC 1071 checksum of bytes (big-endian 16-bit words), as a host value. */
static uint16_t rfc1071(const uint8_t *b, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)b[i] << 8 | b[i + 1];
    if (n & 1)
        s += (uint32_t)b[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static uint16_t be16_at(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint32_t mem32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint16_t mem16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* IPv4 header 192.168.0.1 -> 192.168.0.199, ICMP, checksum field zero. */
static const uint8_t ip_hdr[20] = {
    0x45, 0x00, 0x00, 0x54, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01, 0x00, 0x00,
    0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static uint8_t frame[128];

/* Makes pkt a linear skb of `len` bytes at frame + 14 (data at the IP
 * header when net_off is 0). */
static void set_pkt(uint32_t headroom, uint32_t len, uint32_t net_off)
{
    memset(&pkt, 0, sizeof(pkt));
    pkt.buf = frame;
    pkt.buf_size = sizeof(frame);
    pkt.data = frame + headroom;
    pkt.data_end = pkt.data + len;
    pkt.net_off = net_off;
    run.pkt = &pkt;
}

/* bpf_csum_diff (Linux 6.13+): the one's-complement sum seed - from + to,
 * folded to 16 bits but not complemented. */
static void test_csum_diff(void)
{
    /* python: sum of the header's five little-endian u32 words, folded to 32
     * bits = 0x1c415306; folded to 16: 0x1c41 + 0x5306 = 0x6f47 */
    CHECK_EQ(call(BPF_FUNC_csum_diff, 0, 0, P(ip_hdr), 20, 0), 0x6f47);
    /* complemented, in memory order, it is the header checksum: RFC 1071
     * over the header gives 0xb890 (python agrees) */
    uint16_t folded = (uint16_t)~0x6f47;
    CHECK_EQ(rfc1071(ip_hdr, 20), 0xb890);
    uint8_t le[2];
    memcpy(le, &folded, 2);
    CHECK_EQ(be16_at(le), 0xb890);
    /* the seed is added in (0xffffffff is a one's-complement zero) */
    CHECK_EQ(call(BPF_FUNC_csum_diff, 0, 0, P(ip_hdr), 20, 0xffffffff), 0x6f47);
    CHECK_EQ(call(BPF_FUNC_csum_diff, 0, 0, P(ip_hdr), 20, 1), 0x6f48);
    /* old dst 192.168.0.199 -> 10.0.0.1: python: ~old + new over u32 words
     * = 0x39ff5749, folded 0x39ff + 0x5749 = 0x9148 */
    const uint8_t newdst[4] = { 10, 0, 0, 1 };
    CHECK_EQ(call(BPF_FUNC_csum_diff, P(ip_hdr + 16), 4, P(newdst), 4, 0), 0x9148);
    /* pulling data: ~0x12345678 = 0xedcba987, folded 0xedcb + 0xa987 = 0x19752 -> 0x9753 */
    uint32_t w = 0x12345678;
    CHECK_EQ(call(BPF_FUNC_csum_diff, P(&w), 4, 0, 0, 0), 0x9753);
    CHECK_EQ(call(BPF_FUNC_csum_diff, 0, 0, 0, 0, 0), 0);
    /* sizes need not be multiples of 4: the tail is zero-padded little-endian
     * (01 02 03 -> 0x030201, folded 0x0003 + 0x0201) */
    CHECK_EQ(call(BPF_FUNC_csum_diff, 0, 0, P("\x01\x02\x03"), 3, 0), 0x0204);
    /* equal from and to cancel to a one's-complement zero: 0xffff */
    static uint8_t big[600];
    CHECK_EQ(call(BPF_FUNC_csum_diff, P(big), 256, P(big), 256, 0), 0xffff);
    CHECK_EQ(call(BPF_FUNC_csum_diff, P(big), 600, P(big), 600, 0), 0xffff);
    CHECK_EQ(call(BPF_FUNC_csum_diff, P(ip_hdr), 20, P(ip_hdr), 20, 0), 0xffff);
}

static void ip_packet(void)
{
    set_pkt(0, 20, 0);
    memcpy(frame, ip_hdr, 20);
    put_be16(frame + 10, 0xb890);
}

static void test_l3_csum_replace(void)
{
    const uint8_t newdst[4] = { 10, 0, 0, 1 };
    uint8_t expect[20];
    memcpy(expect, ip_hdr, 20);
    memcpy(expect + 16, newdst, 4);
    uint16_t want = rfc1071(expect, 20); /* python: 0x6fff */
    CHECK_EQ(want, 0x6fff);

    /* 4-byte field: from/to as they sit in memory */
    ip_packet();
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 10, mem32(frame + 16), mem32(newdst), 4), 0);
    memcpy(frame + 16, newdst, 4);
    CHECK_EQ(be16_at(frame + 10), want);
    CHECK_EQ(rfc1071(frame, 20), 0); /* a valid header sums to zero */

    /* diff form: from 0, to = bpf_csum_diff(old, new) */
    ip_packet();
    uint64_t diff = call(BPF_FUNC_csum_diff, P(frame + 16), 4, P(newdst), 4, 0);
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 10, 0, diff, 0), 0);
    CHECK_EQ(be16_at(frame + 10), want);
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 10, 1, diff, 0), ERR(-BPFRT_EINVAL));

    /* 2-byte field: TTL 64 -> 63 (word at offset 8: 0x4001 -> 0x3f01) */
    ip_packet();
    uint8_t ttl[2] = { 0x3f, 0x01 };
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 10, mem16(frame + 8), mem16(ttl), 2), 0);
    frame[8] = 0x3f;
    CHECK_EQ(rfc1071(frame, 20), 0);
    CHECK_EQ(be16_at(frame + 10), 0xb990); /* RFC 1624: 0xb890 + 0x0100 */

    /* errors */
    ip_packet();
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 11, 0, 0, 2), ERR(-BPFRT_EFAULT)); /* odd */
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 20, 0, 0, 2), ERR(-BPFRT_EFAULT)); /* past end */
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 18, 0, 0, 2), 0);                  /* last 2 bytes */
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 0x10000, 0, 0, 2), ERR(-BPFRT_EFAULT));
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 10, 0, 0, 3), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_l3_csum_replace, P(&run), 10, 0, 0, BPF_F_PSEUDO_HDR | 4), ERR(-BPFRT_EINVAL));
}

static void test_l4_csum_replace(void)
{
    /* IPv4 + UDP 1234 -> 80, payload "hi!!". python (RFC 768 pseudo header):
     * checksum 0xef10; after src 192.168.0.1 -> 10.1.2.3 it is 0xa3b6. */
    static const uint8_t udp[12] = { 0x04, 0xd2, 0x00, 0x50, 0x00, 0x0c, 0xef, 0x10, 'h', 'i', '!', '!' };
    set_pkt(0, 32, 0);
    memcpy(frame, ip_hdr, 20);
    frame[9] = 17;
    memcpy(frame + 20, udp, 12);
    const uint8_t newsrc[4] = { 10, 1, 2, 3 };
    CHECK_EQ(call(BPF_FUNC_l4_csum_replace, P(&run), 26, mem32(frame + 12), mem32(newsrc),
                  BPF_F_PSEUDO_HDR | 4), 0);
    CHECK_EQ(be16_at(frame + 26), 0xa3b6);

    /* BPF_F_MARK_MANGLED_0: a zero checksum (UDP: none) stays untouched... */
    put_be16(frame + 26, 0);
    CHECK_EQ(call(BPF_FUNC_l4_csum_replace, P(&run), 26, 1, 2, BPF_F_MARK_MANGLED_0 | 2), 0);
    CHECK_EQ(be16_at(frame + 26), 0);
    /* ...unless BPF_F_MARK_ENFORCE */
    CHECK_EQ(call(BPF_FUNC_l4_csum_replace, P(&run), 26, 1, 2,
                  BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | 2), 0);
    CHECK(be16_at(frame + 26) != 0);
    /* a result of 0 is written as 0xffff: field 0xffff, from == to gives
     * ~(0 + ~a + a) = 0 */
    put_be16(frame + 26, 0xffff);
    CHECK_EQ(call(BPF_FUNC_l4_csum_replace, P(&run), 26, 0x1234, 0x1234, BPF_F_MARK_MANGLED_0 | 2), 0);
    CHECK_EQ(be16_at(frame + 26), 0xffff);
    put_be16(frame + 26, 0xffff);
    CHECK_EQ(call(BPF_FUNC_l4_csum_replace, P(&run), 26, 0x1234, 0x1234, 2), 0);
    CHECK_EQ(be16_at(frame + 26), 0);
    CHECK_EQ(call(BPF_FUNC_l4_csum_replace, P(&run), 26, 0, 0, 1ull << 8), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_l4_csum_replace, P(&run), 27, 0, 0, 2), ERR(-BPFRT_EFAULT));
    CHECK_EQ(call(BPF_FUNC_l4_csum_replace, P(&run), 26, 0, 0, BPF_F_IPV6 | 2), 0);
}

static void test_skb_bytes(void)
{
    set_pkt(14, 60, 0);
    for (int i = 0; i < 60; i++)
        pkt.data[i] = (uint8_t)i;
    uint8_t to[8];
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes, P(&run), 10, P(to), 4, 0), 0);
    CHECK(to[0] == 10 && to[3] == 13);
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes, P(&run), 56, P(to), 4, 0), 0); /* up to the end */
    CHECK_EQ(to[3], 59);
    memset(to, 0xaa, sizeof(to));
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes, P(&run), 57, P(to), 4, 0), ERR(-BPFRT_EFAULT));
    CHECK(to[0] == 0 && to[3] == 0); /* zeroed on failure */
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes, P(&run), 0x80000000u, P(to), 1, 0), ERR(-BPFRT_EFAULT));
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes, P(&run), 0xffffffffu, P(to), 2, 0), ERR(-BPFRT_EFAULT));

    const uint8_t from[3] = { 0xa1, 0xa2, 0xa3 };
    CHECK_EQ(call(BPF_FUNC_skb_store_bytes, P(&run), 57, P(from), 3, 0), 0);
    CHECK(pkt.data[57] == 0xa1 && pkt.data[59] == 0xa3);
    CHECK_EQ(call(BPF_FUNC_skb_store_bytes, P(&run), 58, P(from), 3, 0), ERR(-BPFRT_EFAULT));
    CHECK_EQ(call(BPF_FUNC_skb_store_bytes, P(&run), 0, P(from), 3,
                  BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH), 0);
    CHECK_EQ(call(BPF_FUNC_skb_store_bytes, P(&run), 0, P(from), 3, 4), ERR(-BPFRT_EINVAL));
    CHECK_EQ(pkt.data[0], 0xa1);

    /* skb_pull_data: a linear packet has everything, up to its length */
    CHECK_EQ(call(BPF_FUNC_skb_pull_data, P(&run), 0, 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_skb_pull_data, P(&run), 60, 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_skb_pull_data, P(&run), 61, 0, 0, 0), ERR(-BPFRT_ENOMEM));

    /* skb_change_tail: down to the network header, up to the buffer */
    set_pkt(14, 60, 14);
    memset(frame + 74, 0xee, sizeof(frame) - 74);
    CHECK_EQ(call(BPF_FUNC_skb_change_tail, P(&run), 13, 0, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_skb_change_tail, P(&run), 60, 1, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_skb_change_tail, P(&run), 115, 0, 0, 0), ERR(-BPFRT_ENOMEM));
    CHECK_EQ(call(BPF_FUNC_skb_change_tail, P(&run), 114, 0, 0, 0), 0);
    CHECK_EQ(pkt.data_end - pkt.data, 114);
    CHECK(pkt.data[60] == 0 && pkt.data[113] == 0); /* grown bytes zeroed */
    CHECK_EQ(call(BPF_FUNC_skb_change_tail, P(&run), 14, 0, 0, 0), 0);
    CHECK_EQ(pkt.data_end - pkt.data, 14);
    /* skb_change_head: into the headroom, zeroed; the network header stays */
    set_pkt(14, 60, 14);
    uint8_t *net = pkt.data + 14;
    CHECK_EQ(call(BPF_FUNC_skb_change_head, P(&run), 15, 0, 0, 0), ERR(-BPFRT_ENOMEM));
    CHECK_EQ(call(BPF_FUNC_skb_change_head, P(&run), 4, 1, 0, 0), ERR(-BPFRT_EINVAL));
    memset(frame, 0x77, 14);
    CHECK_EQ(call(BPF_FUNC_skb_change_head, P(&run), 14, 0, 0, 0), 0);
    CHECK(pkt.data == frame);
    CHECK_EQ(pkt.data_end - pkt.data, 74);
    CHECK(pkt.data + pkt.net_off == net);
    CHECK(frame[0] == 0 && frame[13] == 0);

    /* skb_adjust_room on an IPv4 frame (the ethertype tells the protocol
     * when there is no __sk_buff): NET mode inserts after the 20-byte base
     * IP header, MAC mode after the Ethernet header */
    set_pkt(16, 60, 14);
    for (int i = 0; i < 60; i++)
        pkt.data[i] = (uint8_t)(i + 1);
    pkt.data[12] = 0x08;
    pkt.data[13] = 0x00;
    CHECK_EQ(call(BPF_FUNC_skb_adjust_room, P(&run), 8, 0, 0, 0), 0);
    CHECK_EQ(pkt.data_end - pkt.data, 68);
    CHECK(pkt.data == frame + 8);
    CHECK(pkt.data[0] == 1 && pkt.data[33] == 34);          /* headers moved to the front */
    CHECK(pkt.data[34] == 0 && pkt.data[41] == 0);          /* 8 zeroed bytes */
    CHECK_EQ(pkt.data[42], 35);                             /* then the rest */
    CHECK_EQ(call(BPF_FUNC_skb_adjust_room, P(&run), -8, 0, 0, 0), 0); /* and back */
    CHECK(pkt.data == frame + 16 && pkt.data[34] == 35);
    CHECK_EQ(call(BPF_FUNC_skb_adjust_room, P(&run), 4, 1, 0, 0), 0);
    CHECK(pkt.data[13] == 0x00 && pkt.data[14] == 0 && pkt.data[18] == 15);
    CHECK_EQ(call(BPF_FUNC_skb_adjust_room, P(&run), 13, 1, 0, 0), ERR(-BPFRT_ENOMEM)); /* 12 left */
    CHECK_EQ(call(BPF_FUNC_skb_adjust_room, P(&run), 1, 2, 0, 0), ERR(-BPFRT_ENOTSUPP)); /* mode */
    CHECK_EQ(call(BPF_FUNC_skb_adjust_room, P(&run), 0x1000, 0, 0, 0), ERR(-BPFRT_EFAULT));
    CHECK_EQ(call(BPF_FUNC_skb_adjust_room, P(&run), 1, 0, 1ull << 9, 0), ERR(-BPFRT_EINVAL));
    pkt.data[12] = 0x08;
    pkt.data[13] = 0x06; /* ARP */
    CHECK_EQ(call(BPF_FUNC_skb_adjust_room, P(&run), 1, 0, 0, 0), ERR(-BPFRT_ENOTSUPP));
    CHECK_EQ(call(BPF_FUNC_skb_change_proto, P(&run), 0xdd86, 0, 0, 0), ERR(-BPFRT_ENOTSUPP));

    /* no packet attached: the helpers fail like an empty skb */
    run.pkt = NULL;
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes, P(&run), 0, P(to), 1, 0), ERR(-BPFRT_EFAULT));
    run.pkt = &pkt;
}

/* ECN: ECT(0)/ECT(1) become CE with the IPv4 checksum still valid (checked
 * with the independent RFC 1071 sum); not-ECT stays; CE reports 1. */
static void test_ecn_set_ce(void)
{
    for (int ecn = 0; ecn < 4; ecn++) {
        set_pkt(0, 34, 14);
        memset(frame, 0, 14);
        frame[12] = 0x08;
        memcpy(frame + 14, ip_hdr, 20);
        frame[15] = (uint8_t)(0xb8 | ecn);
        uint16_t sum = rfc1071(frame + 14, 20);
        put_be16(frame + 24, sum);
        CHECK_EQ(rfc1071(frame + 14, 20), 0);
        uint64_t r = call(BPF_FUNC_skb_ecn_set_ce, P(&run), 0, 0, 0, 0);
        CHECK_EQ(r, ecn != 0);
        CHECK_EQ(frame[15] & 3, ecn == 0 ? 0 : 3);
        CHECK_EQ(rfc1071(frame + 14, 20), 0); /* still a valid header */
    }
    /* IPv6: traffic class ECN bits are bits 4-5 of byte 1 */
    set_pkt(0, 54, 14);
    memset(frame, 0, 54);
    frame[12] = 0x86;
    frame[13] = 0xdd;
    frame[14] = 0x60;
    frame[15] = 0x10; /* ECT(1) */
    CHECK_EQ(call(BPF_FUNC_skb_ecn_set_ce, P(&run), 0, 0, 0, 0), 1);
    CHECK_EQ(frame[15], 0x30);
    frame[15] = 0x00;
    CHECK_EQ(call(BPF_FUNC_skb_ecn_set_ce, P(&run), 0, 0, 0, 0), 0);
    /* too short for the header */
    set_pkt(0, 30, 14);
    frame[12] = 0x08;
    frame[13] = 0x00;
    CHECK_EQ(call(BPF_FUNC_skb_ecn_set_ce, P(&run), 0, 0, 0, 0), 0);
}

/* VLAN: the first push only sets the out-of-band tag; the second moves it
 * into the packet after the MAC addresses; pops undo both. */
static void test_vlan(void)
{
    static struct __sk_buff skb;
    static const struct bpfrt_ctx_desc tcdesc = { .prog_type = BPF_PROG_TYPE_SCHED_CLS,
                                                  .ctx_size = sizeof(struct __sk_buff) };
    memset(&skb, 0, sizeof(skb));
    skb.protocol = 0x0008; /* ETH_P_IP, network order */
    set_pkt(8, 60, 14);
    for (int i = 0; i < 60; i++)
        pkt.data[i] = (uint8_t)i;
    pkt.data[12] = 0x08;
    pkt.data[13] = 0x00;
    run.ctx = &skb;
    run.ctx_desc = &tcdesc;
    CHECK_EQ(call(BPF_FUNC_skb_vlan_push, 0, 0x0081, 5, 0, 0), 0);
    CHECK(skb.vlan_present == 1 && skb.vlan_tci == 5 && skb.vlan_proto == 0x0081);
    CHECK_EQ(pkt.data_end - pkt.data, 60); /* out of band only */
    CHECK_EQ(call(BPF_FUNC_skb_vlan_push, 0, 0xa888, 9, 0, 0), 0);
    CHECK_EQ(pkt.data_end - pkt.data, 64);
    const uint8_t tag[4] = { 0x81, 0x00, 0x00, 0x05 };
    CHECK(memcmp(pkt.data + 12, tag, 4) == 0);
    CHECK(pkt.data[11] == 11 && pkt.data[16] == 0x08);
    CHECK_EQ(skb.protocol, 0x0081);
    CHECK_EQ(skb.len, 64);
    CHECK(skb.vlan_tci == 9 && skb.vlan_proto == 0xa888);
    CHECK_EQ(call(BPF_FUNC_skb_vlan_pop, 0, 0, 0, 0, 0), 0); /* drops 9, lifts 5 */
    CHECK(skb.vlan_present == 1 && skb.vlan_tci == 5 && skb.vlan_proto == 0x0081);
    CHECK_EQ(pkt.data_end - pkt.data, 60);
    CHECK_EQ(skb.protocol, 0x0008);
    CHECK_EQ(call(BPF_FUNC_skb_vlan_pop, 0, 0, 0, 0, 0), 0);
    CHECK_EQ(skb.vlan_present, 0);
    CHECK_EQ(call(BPF_FUNC_skb_vlan_pop, 0, 0, 0, 0, 0), 0); /* nothing left */
    /* no room in front for the in-band tag */
    set_pkt(2, 60, 14);
    skb.vlan_present = 1;
    CHECK_EQ(call(BPF_FUNC_skb_vlan_push, 0, 0x0081, 1, 0, 0), ERR(-BPFRT_ENOMEM));
    run.ctx = NULL;
    run.ctx_desc = NULL;
    CHECK_EQ(call(BPF_FUNC_skb_vlan_push, 0, 0x0081, 1, 0, 0), ERR(-BPFRT_EINVAL)); /* no __sk_buff */
}

static void test_skb_load_bytes_relative(void)
{
    /* L2 view: data at the Ethernet header, network header 14 bytes in */
    set_pkt(0, 64, 14);
    for (int i = 0; i < 64; i++)
        pkt.data[i] = (uint8_t)i;
    uint8_t to[4];
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes_relative, P(&run), 0, P(to), 4, BPF_HDR_START_MAC), 0);
    CHECK_EQ(to[0], 0);
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes_relative, P(&run), 0, P(to), 4, BPF_HDR_START_NET), 0);
    CHECK_EQ(to[0], 14);
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes_relative, P(&run), 46, P(to), 4, BPF_HDR_START_NET), 0);
    CHECK_EQ(to[3], 63);
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes_relative, P(&run), 47, P(to), 4, BPF_HDR_START_NET),
             ERR(-BPFRT_EFAULT));
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes_relative, P(&run), 0, P(to), 4, 2), ERR(-BPFRT_EFAULT));
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes_relative, P(&run), 0x10000, P(to), 1, BPF_HDR_START_MAC),
             ERR(-BPFRT_EFAULT));
    /* L3 view (socket filters): data at the network header, the Ethernet
     * header in the headroom before it */
    set_pkt(14, 50, 0);
    for (int i = 0; i < 64; i++)
        frame[i] = (uint8_t)(100 + i);
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes_relative, P(&run), 0, P(to), 2, BPF_HDR_START_MAC), 0);
    CHECK_EQ(to[0], 100);
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes_relative, P(&run), 0, P(to), 2, BPF_HDR_START_NET), 0);
    CHECK_EQ(to[0], 114);
    /* no room for a MAC header before the network header */
    set_pkt(4, 50, 0);
    CHECK_EQ(call(BPF_FUNC_skb_load_bytes_relative, P(&run), 0, P(to), 2, BPF_HDR_START_MAC),
             ERR(-BPFRT_EFAULT));
}

/* ---- XDP ---- */

static uint8_t xbuf[512];

/* A context description with xdp_md-style pointer shadows at 24/32/40. */
static const struct bpfrt_ctx_field xfields[] = {
    { .off = 0, .size = 4, .kind = BPFRT_CTX_PTR_TO_PACKET, .access = BPFRT_CTX_READ, .kern_off = 24 },
    { .off = 4, .size = 4, .kind = BPFRT_CTX_PTR_TO_PACKET_END, .access = BPFRT_CTX_READ, .kern_off = 32 },
    { .off = 8, .size = 4, .kind = BPFRT_CTX_PTR_TO_PACKET_META, .access = BPFRT_CTX_READ, .kern_off = 40 },
};
static const struct bpfrt_ctx_desc xdesc = {
    .prog_type = BPF_PROG_TYPE_XDP, .ctx_name = "struct xdp_md", .ctx_size = 24, .kern_size = 48,
    .fields = xfields, .nr_fields = 3,
};
static uint64_t xctx[6];

static void set_xdp(uint32_t headroom, uint32_t len, bool meta)
{
    memset(&pkt, 0, sizeof(pkt));
    memset(xbuf, 0xee, sizeof(xbuf));
    pkt.buf = xbuf;
    pkt.buf_size = headroom + len + 64; /* 64 bytes of tailroom */
    pkt.data = xbuf + headroom;
    pkt.data_end = pkt.data + len;
    pkt.data_meta = meta ? pkt.data : NULL;
    for (uint32_t i = 0; i < len; i++)
        pkt.data[i] = (uint8_t)i;
    run.pkt = &pkt;
    run.ctx = xctx;
    run.ctx_desc = &xdesc;
    memset(xctx, 0, sizeof(xctx));
}

static void test_xdp_adjust_head(void)
{
    set_xdp(256, 64, true);
    /* down to buf + 40 (Linux's struct xdp_frame reserve), not one further */
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_head, P(&run), (uint64_t)-217, 0, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_head, P(&run), (uint64_t)-216, 0, 0, 0), 0);
    CHECK(pkt.data == xbuf + 40);
    CHECK(pkt.data_meta == pkt.data);
    /* the context shadows follow */
    CHECK_EQ(xctx[3], P(pkt.data));
    CHECK_EQ(xctx[4], P(pkt.data_end));
    CHECK_EQ(xctx[5], P(pkt.data_meta));
    /* shrinking must leave ETH_HLEN bytes */
    set_xdp(256, 64, true);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_head, P(&run), 51, 0, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_head, P(&run), 50, 0, 0, 0), 0);
    CHECK_EQ(pkt.data_end - pkt.data, 14);
    CHECK_EQ(pkt.data[0], 50);
    /* the delta is an int: r2 = 0xffffffff is -1 */
    set_xdp(256, 64, true);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_head, P(&run), 0xffffffffu, 0, 0, 0), 0);
    CHECK(pkt.data == xbuf + 255);

    /* metadata moves with the head and limits it */
    set_xdp(256, 64, true);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_meta, P(&run), (uint64_t)-8, 0, 0, 0), 0);
    memcpy(pkt.data_meta, "METADATA", 8);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_head, P(&run), (uint64_t)-209, 0, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_head, P(&run), (uint64_t)-208, 0, 0, 0), 0);
    CHECK(pkt.data == xbuf + 48);
    CHECK(pkt.data_meta == xbuf + 40);
    CHECK(memcmp(pkt.data_meta, "METADATA", 8) == 0);
    CHECK_EQ(xctx[5], P(xbuf + 40));

    /* without metadata support the head may use all the headroom but 40 */
    set_xdp(256, 64, false);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_head, P(&run), (uint64_t)-216, 0, 0, 0), 0);
    CHECK(pkt.data_meta == NULL);
    CHECK_EQ(xctx[5], P(pkt.data)); /* data_meta reads as data */
}

static void test_xdp_adjust_tail(void)
{
    set_xdp(256, 64, true);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_tail, P(&run), 65, 0, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_tail, P(&run), 64, 0, 0, 0), 0);
    CHECK(pkt.data_end == xbuf + pkt.buf_size);
    bool zero = true;
    for (int i = 64; i < 128; i++)
        zero &= pkt.data[i] == 0; /* grown bytes are cleared */
    CHECK(zero);
    CHECK_EQ(xctx[4], P(pkt.data_end));
    set_xdp(256, 64, true);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_tail, P(&run), (uint64_t)-51, 0, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_tail, P(&run), (uint64_t)-50, 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_xdp_get_buff_len, P(&run), 0, 0, 0, 0), 14);
}

static void test_xdp_adjust_meta(void)
{
    set_xdp(300, 64, true);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_meta, P(&run), (uint64_t)-2, 0, 0, 0), ERR(-BPFRT_EACCES));
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_meta, P(&run), (uint64_t)-256, 0, 0, 0), ERR(-BPFRT_EACCES));
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_meta, P(&run), (uint64_t)-252, 0, 0, 0), 0);
    CHECK_EQ(pkt.data - pkt.data_meta, 252);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_meta, P(&run), 256, 0, 0, 0), ERR(-BPFRT_EINVAL)); /* past data */
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_meta, P(&run), 252, 0, 0, 0), 0);
    CHECK(pkt.data_meta == pkt.data);
    set_xdp(100, 64, true);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_meta, P(&run), (uint64_t)-64, 0, 0, 0), ERR(-BPFRT_EINVAL)); /* below buf+40 */
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_meta, P(&run), (uint64_t)-60, 0, 0, 0), 0);
    set_xdp(100, 64, false);
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_meta, P(&run), (uint64_t)-4, 0, 0, 0), ERR(-BPFRT_ENOTSUPP));
}

static void test_xdp_bytes(void)
{
    set_xdp(256, 64, true);
    uint8_t b[8];
    CHECK_EQ(call(BPF_FUNC_xdp_load_bytes, P(&run), 60, P(b), 4, 0), 0);
    CHECK_EQ(b[3], 63);
    CHECK_EQ(call(BPF_FUNC_xdp_load_bytes, P(&run), 61, P(b), 4, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_xdp_load_bytes, P(&run), 0x10000, P(b), 4, 0), ERR(-BPFRT_EFAULT));
    const uint8_t w[2] = { 0xde, 0xad };
    CHECK_EQ(call(BPF_FUNC_xdp_store_bytes, P(&run), 62, P(w), 2, 0), 0);
    CHECK(pkt.data[62] == 0xde && pkt.data[63] == 0xad);
    CHECK_EQ(call(BPF_FUNC_xdp_store_bytes, P(&run), 63, P(w), 2, 0), ERR(-BPFRT_EINVAL));
}

static void test_checked_region_moves(void)
{
    set_xdp(256, 64, false);
    run.checked = true;
    run.rgn.nr = run.rgn.nr_fixed = run.rgn.nr_scoped = 0;
    run.rgn.packet = UINT32_MAX;
    /* the packet region follows the helpers that move the packet */
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_head, P(&run), (uint64_t)-10, 0, 0, 0), 0);
    CHECK(bpfrt_run_check_access(&run, P(pkt.data), (uint64_t)(pkt.data_end - pkt.data), true));
    CHECK(!bpfrt_run_check_access(&run, P(pkt.data) - 1, 1, false));
    CHECK(!bpfrt_run_check_access(&run, P(pkt.data_end), 1, false));
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_tail, P(&run), 20, 0, 0, 0), 0);
    CHECK(bpfrt_run_check_access(&run, P(pkt.data_end) - 1, 1, true));
    CHECK(!bpfrt_run_check_access(&run, P(pkt.data_end), 1, false));
    CHECK_EQ(call(BPF_FUNC_xdp_adjust_tail, P(&run), (uint64_t)-30, 0, 0, 0), 0);
    CHECK(!bpfrt_run_check_access(&run, P(pkt.data_end), 1, false));
    run.checked = false;
    run.rgn.nr = run.rgn.nr_fixed = 0;
}

static void test_redirect(void)
{
    set_xdp(256, 64, true);
    CHECK_EQ(call(BPF_FUNC_redirect, 5, 0, 0, 0, 0), XDP_REDIRECT);
    CHECK_EQ(pkt.redirect_ifindex, 5);
    CHECK(pkt.redirect_map == NULL);
    CHECK_EQ(call(BPF_FUNC_redirect, 5, BPF_F_INGRESS, 0, 0, 0), XDP_ABORTED);

    static const struct bpfrt_ctx_desc tcdesc = { .prog_type = BPF_PROG_TYPE_SCHED_CLS };
    run.ctx_desc = &tcdesc;
    CHECK_EQ(call(BPF_FUNC_redirect, 7, BPF_F_INGRESS, 0, 0, 0), TC_ACT_REDIRECT);
    CHECK_EQ(pkt.redirect_ifindex, 7);
    CHECK_EQ(pkt.redirect_flags, BPF_F_INGRESS);
    CHECK_EQ(call(BPF_FUNC_redirect, 7, 2, 0, 0, 0), TC_ACT_SHOT);
    run.ctx_desc = NULL;
}

int main(void)
{
    helpers_setup();
    RUN(test_csum_diff);
    RUN(test_l3_csum_replace);
    RUN(test_l4_csum_replace);
    RUN(test_skb_bytes);
    RUN(test_skb_load_bytes_relative);
    RUN(test_ecn_set_ce);
    RUN(test_vlan);
    RUN(test_xdp_adjust_head);
    RUN(test_xdp_adjust_tail);
    RUN(test_xdp_adjust_meta);
    RUN(test_xdp_bytes);
    RUN(test_checked_region_moves);
    RUN(test_redirect);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
