/* Checked mode's promises that live in the program layer (src/core/prog):
 * regions never outlive their memory, packet accesses stay inside what the
 * program may see, and a ring-buffer reservation is a reference the program
 * must release. Each case is a finding of the sandbox review
 * (shared/review/sandbox/: foreach_stale_key*.bpf.c, ringbuf_leak.bpf.c, the
 * packet-bounds notes of issue 7) rewritten as instructions, loaded with
 * PROG_LOAD and BPFRT_PROG_F_NO_VERIFY (unverified, checked) and run with PROG_TEST_RUN. */
#include "test.h"
#include "bpf_test_util.h"

#include "bpfrt/hooks.h"

#define H_MAP_LOOKUP 1
#define H_XDP_ADJUST_HEAD 44
#define H_XDP_ADJUST_META 54
#define H_RINGBUF_OUTPUT 130
#define H_RINGBUF_RESERVE 131
#define H_RINGBUF_SUBMIT 132
#define H_RINGBUF_DISCARD 133
#define H_FOR_EACH 164
#define H_SNPRINTF 165
#define LD_FUNC(d, rel) LD_IMM64_SRC(d, BPF_PSEUDO_FUNC, rel, 0)

static struct bpfrt_runtime *rt;

struct result {
    int err;
    uint32_t retval;
    int run_error;
    char msg[160];
};

/* Loads (unverified: checked) and test-runs once on `data`. */
static struct result load_run(uint32_t type, const struct bpf_insn *p, uint32_t n, const void *data, uint32_t size)
{
    struct result r = { 0 };
    long fd = load_prog_unverified(rt, type, p, n);
    if (fd < 0) {
        fprintf(stderr, "load failed (%ld)\n", fd);
        r.err = (int)fd;
        return r;
    }
    uint8_t out[4096];
    struct bpfrt_test_run_opts o = { .data_in = data, .data_size_in = size, .data_out = out,
                                     .data_size_out = sizeof(out) };
    struct bpfrt_test_run_result res;
    memset(&res, 0, sizeof(res));
    r.err = bpfrt_prog_test_run(rt, bpfrt_prog_from_handle(rt, (int)fd), &o, &res);
    r.retval = res.retval;
    r.run_error = res.run_error;
    snprintf(r.msg, sizeof(r.msg), "%s", res.error_msg);
    bpfrt_close(rt, (int)fd);
    return r;
}

/* A 64-byte Ethernet/IPv4/TCP frame (as the review's ipv4.bin). */
static uint8_t frame[64] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0 };

/* ---- regions with a lifetime: for_each_map_elem's key ---- */

/* 80 lookups of distinct array slots fill the run's region table (so
 * recycling is active), then bpf_for_each_map_elem's callback leaks the key
 * pointer - which points at the map's native stack frame - to its caller.
 * After the helper returned, the program reads it (`write` false) or has
 * bpf_snprintf write there: both must stop the run. */
static void stale_key(bool write)
{
    long fill = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 80);
    long small = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 2);
    union bpf_attr ma = kbpf_map_attr(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_RDONLY_PROG);
    long fmt = bpfrt_bpf(rt, BPF_MAP_CREATE, &ma, sizeof(ma));
    CHECK(fill >= 0 && small >= 0 && fmt >= 0);
    uint32_t k0 = 0;
    char pct_x[8] = "%x";
    CHECK_EQ(map_update(rt, fmt, &k0, pct_x, 0), 0);
    union bpf_attr fa;
    memset(&fa, 0, sizeof(fa));
    fa.map_fd = (uint32_t)fmt;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_FREEZE, &fa, sizeof(fa)), 0);
    struct bpf_insn p[40] = {
        MOV64_IMM(6, 0),
        /* 1: loop */
        STX(BPF_W, 10, 6, -4),
        LD_MAP_FD(1, (int32_t)fill),
        MOV64_REG(2, 10),
        ALU64_IMM(BPF_ADD, 2, -4),
        CALL(H_MAP_LOOKUP),
        JMP_IMM(BPF_JEQ, 0, 0, 1),
        STX(BPF_DW, 0, 6, 0),
        ALU64_IMM(BPF_ADD, 6, 1),
        JMP_IMM(BPF_JLT, 6, 80, -10),
        /* 11 */
        ST(BPF_DW, 10, -16, 0),
        LD_MAP_FD(1, (int32_t)small),
        LD_FUNC(2, 0), /* 14: the callback, patched below */
        MOV64_REG(3, 10),
        ALU64_IMM(BPF_ADD, 3, -16),
        MOV64_IMM(4, 0),
        CALL(H_FOR_EACH),
        LDX(BPF_DW, 6, 10, -16), /* 20: the leaked key pointer */
    };
    uint32_t n = 21;
    if (!write) {
        p[n++] = LDX(BPF_W, 0, 6, 0);
    } else {
        /* bpf_snprintf(keyptr, 4, "%x", &arg, 8) */
        p[n++] = ST(BPF_DW, 10, -24, 0x41414141);
        p[n++] = MOV64_REG(1, 6);
        p[n++] = MOV64_IMM(2, 4);
        const struct bpf_insn ld_fmt[] = { LD_IMM64_SRC(3, BPF_PSEUDO_MAP_VALUE, (int32_t)fmt, 0) };
        p[n++] = ld_fmt[0];
        p[n++] = ld_fmt[1];
        p[n++] = MOV64_REG(4, 10);
        p[n++] = ALU64_IMM(BPF_ADD, 4, -24);
        p[n++] = MOV64_IMM(5, 8);
        p[n++] = CALL(H_SNPRINTF);
    }
    uint32_t access = n - 1;
    p[n++] = MOV64_IMM(0, 0);
    p[n++] = EXIT();
    p[14].imm = (int32_t)(n - 15);
    /* grab(map, key, value, ctx): ctx->keyptr = key; return 1 */
    p[n++] = STX(BPF_DW, 4, 2, 0);
    p[n++] = MOV64_IMM(0, 1);
    p[n++] = EXIT();
    struct result r = load_run(BPF_PROG_TYPE_SOCKET_FILTER, p, n, frame, sizeof(frame));
    char want[96];
    if (write) {
        CHECK_EQ(r.err, -BPFRT_EINVAL);
        CHECK_EQ(r.run_error, BPFRT_RUN_BAD_HELPER_ARG);
        snprintf(want, sizeof(want), "invalid helper argument at insn %u: bpf_snprintf#165 R1", access);
    } else {
        CHECK_EQ(r.err, -BPFRT_EFAULT);
        CHECK_EQ(r.run_error, BPFRT_RUN_BAD_ACCESS);
        snprintf(want, sizeof(want), "invalid memory access at insn %u: read of 4 bytes", access);
    }
    CHECK_CONTAINS(r.msg, want);
    bpfrt_close(rt, (int)fill);
    bpfrt_close(rt, (int)small);
    bpfrt_close(rt, (int)fmt);
}

static void test_foreach_stale_key(void)
{
    stale_key(false);
}

static void test_foreach_stale_key_write(void)
{
    stale_key(true);
}

/* The callback itself may use the key and value it was given. */
static void test_foreach_key_usable_inside(void)
{
    long small = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 2);
    uint32_t k = 1;
    uint64_t v = 40;
    CHECK_EQ(map_update(rt, small, &k, &v, 0), 0);
    const struct bpf_insn p[] = {
        ST(BPF_DW, 10, -8, 0),
        LD_MAP_FD(1, (int32_t)small),
        LD_FUNC(2, 7), /* 3: callback at 11 */
        MOV64_REG(3, 10),
        ALU64_IMM(BPF_ADD, 3, -8),
        MOV64_IMM(4, 0),
        CALL(H_FOR_EACH),
        LDX(BPF_DW, 0, 10, -8),
        EXIT(),
        /* 11: sum += *key + *value; *value += 1; return 0 */
        LDX(BPF_W, 5, 2, 0),
        LDX(BPF_DW, 6, 3, 0),
        ALU64_REG(BPF_ADD, 5, 6),
        LDX(BPF_DW, 6, 4, 0),
        ALU64_REG(BPF_ADD, 6, 5),
        STX(BPF_DW, 4, 6, 0),
        MOV64_IMM(0, 1),
        ATOMIC_ADD(BPF_DW, 3, 0, 0),
        MOV64_IMM(0, 0),
        EXIT(),
    };
    struct result r = load_run(BPF_PROG_TYPE_SOCKET_FILTER, p, NR(p), frame, sizeof(frame));
    CHECK_EQ(r.err, 0);
    CHECK_EQ(r.retval, (0 + 0) + (1 + 40)); /* keys 0 and 1, values 0 and 40 */
    CHECK_EQ(map_lookup(rt, small, &k, &v), 0);
    CHECK_EQ(v, 41);
    bpfrt_close(rt, (int)small);
}

/* ---- packet bounds ---- */

/* r0 = *(u8 *)(data + off) for an XDP or tc program on a 46-byte packet. */
static struct result pkt_read(uint32_t type, int16_t off)
{
    int16_t data_off = type == BPF_PROG_TYPE_XDP ? 0 : (int16_t)offsetof(struct __sk_buff, data);
    const struct bpf_insn p[] = {
        LDX(BPF_W, 2, 1, data_off),
        LDX(BPF_B, 0, 2, off),
        EXIT(),
    };
    return load_run(type, p, NR(p), frame, 46);
}

static struct result pkt_write(uint32_t type, int16_t off)
{
    int16_t data_off = type == BPF_PROG_TYPE_XDP ? 0 : (int16_t)offsetof(struct __sk_buff, data);
    const struct bpf_insn p[] = {
        LDX(BPF_W, 2, 1, data_off),
        ST(BPF_B, 2, off, 0x5a),
        MOV64_IMM(0, 2),
        EXIT(),
    };
    return load_run(type, p, NR(p), frame, 46);
}

static void test_packet_bounds(void)
{
    static const uint32_t types[] = { BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS };
    for (size_t t = 0; t < NR(types); t++) {
        struct result r = pkt_read(types[t], 45);
        CHECK_EQ(r.err, 0);
        r = pkt_read(types[t], 0);
        CHECK_EQ(r.err, 0);
        CHECK_EQ(r.retval, frame[0]);
        r = pkt_write(types[t], 45);
        CHECK_EQ(r.err, 0);
        /* Outside [data, data_end) but inside the test-run buffer: its
         * tailroom and headroom (XDP: 256 bytes before data in a 4 KB
         * page; tc: 64 before the MAC header, 320 after the frame). */
        static const int16_t outside[2][7] = { { 46, 47, 200, 3000, -1, -14, -256 },
                                               { 46, 47, 200, 300, -1, -14, -64 } };
        for (size_t i = 0; i < NR(outside[t]); i++) {
            r = pkt_read(types[t], outside[t][i]);
            CHECK_EQ(r.err, -BPFRT_EFAULT);
            CHECK_EQ(r.run_error, BPFRT_RUN_BAD_ACCESS);
            r = pkt_write(types[t], outside[t][i]);
            CHECK_EQ(r.err, -BPFRT_EFAULT);
            CHECK_EQ(r.run_error, BPFRT_RUN_BAD_ACCESS);
        }
    }
}

/* Direct packet access as the program type allows it (Linux's
 * may_access_direct_pkt_data): cgroup_skb and lwt_in read only, lwt_xmit
 * and tc read and write. */
static void test_packet_access_by_type(void)
{
    static const struct { uint32_t type; bool writable; } cases[] = {
        { BPF_PROG_TYPE_CGROUP_SKB, false }, { BPF_PROG_TYPE_LWT_IN, false },
        { BPF_PROG_TYPE_LWT_OUT, false },    { BPF_PROG_TYPE_LWT_XMIT, true },
        { BPF_PROG_TYPE_SCHED_ACT, true },
    };
    for (size_t i = 0; i < NR(cases); i++) {
        struct result r = pkt_read(cases[i].type, 0);
        CHECK_EQ(r.err, 0);
        r = pkt_write(cases[i].type, 0);
        if (cases[i].writable) {
            CHECK_EQ(r.err, 0);
        } else {
            CHECK_EQ(r.err, -BPFRT_EFAULT);
            CHECK_CONTAINS(r.msg, "write of 1 bytes");
            CHECK_CONTAINS(r.msg, "(read-only memory)");
        }
    }
}

/* The packet region follows the helpers that move data and data_meta. */
static void test_packet_bounds_follow_helpers(void)
{
    /* adjust_head(+14): [data+14, end) - the old first bytes are gone */
    const struct bpf_insn shrink[] = {
        MOV64_REG(6, 1),
        MOV64_IMM(2, 14),
        CALL(H_XDP_ADJUST_HEAD),
        JMP_IMM(BPF_JNE, 0, 0, 4),
        LDX(BPF_W, 2, 6, 0),
        LDX(BPF_B, 0, 2, 31),   /* the last byte: fine */
        LDX(BPF_B, 0, 2, -1),   /* before the new data */
        EXIT(),
        MOV64_IMM(0, 77),
        EXIT(),
    };
    struct result r = load_run(BPF_PROG_TYPE_XDP, shrink, NR(shrink), frame, 46);
    CHECK_EQ(r.err, -BPFRT_EFAULT);
    CHECK_CONTAINS(r.msg, "at insn 6: read of 1 bytes");

    /* adjust_head(-16): the 16 new bytes in front are the program's */
    const struct bpf_insn grow[] = {
        MOV64_REG(6, 1),
        MOV64_IMM(2, -16),
        CALL(H_XDP_ADJUST_HEAD),
        JMP_IMM(BPF_JNE, 0, 0, 5),
        LDX(BPF_W, 2, 6, 0),
        ST(BPF_B, 2, 0, 0x11),
        LDX(BPF_B, 0, 2, 16 + 12),  /* the old EtherType byte */
        LDX(BPF_B, 3, 2, 16 + 46),  /* past the end */
        EXIT(),
        MOV64_IMM(0, 77),
        EXIT(),
    };
    r = load_run(BPF_PROG_TYPE_XDP, grow, NR(grow), frame, 46);
    CHECK_EQ(r.err, -BPFRT_EFAULT);
    CHECK_CONTAINS(r.msg, "at insn 7: read of 1 bytes");

    /* adjust_meta(-8): [data_meta, data) becomes readable and writable,
     * the byte before it does not */
    const struct bpf_insn meta[] = {
        MOV64_REG(6, 1),
        MOV64_IMM(2, -8),
        CALL(H_XDP_ADJUST_META),
        JMP_IMM(BPF_JNE, 0, 0, 6),
        LDX(BPF_W, 2, 6, 8),  /* data_meta */
        ST(BPF_DW, 2, 0, 0x1234),
        LDX(BPF_DW, 0, 2, 0),
        JMP_IMM(BPF_JNE, 0, 0x1234, 2),
        LDX(BPF_B, 0, 2, -1),
        EXIT(),
        MOV64_IMM(0, 77),
        EXIT(),
    };
    r = load_run(BPF_PROG_TYPE_XDP, meta, NR(meta), frame, 46);
    CHECK_EQ(r.err, -BPFRT_EFAULT);
    CHECK_CONTAINS(r.msg, "at insn 8: read of 1 bytes");
}

/* ---- ring buffer reservations are references ---- */

static int count_record(void *arg, const void *data, size_t size)
{
    uint64_t v = 0;
    memcpy(&v, data, size < 8 ? size : 8);
    ((uint64_t *)arg)[((uint64_t *)arg)[0]++ + 1] = v;
    return 0;
}

static void test_ringbuf_leak(void)
{
    long rb = create_map(rt, BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
    CHECK(rb >= 0);
    for (int leak = 0; leak < 2; leak++) {
        /* reserve 8; *r = 0x1111; submit unless leaking; output 0x2222 */
        const struct bpf_insn p[] = {
            LD_MAP_FD(1, (int32_t)rb),
            MOV64_IMM(2, 8),
            MOV64_IMM(3, 0),
            CALL(H_RINGBUF_RESERVE),
            JMP_IMM(BPF_JEQ, 0, 0, 14),
            ST(BPF_DW, 0, 0, 0x1111),
            MOV64_REG(1, 0),
            MOV64_IMM(2, 0),
            leak ? MOV64_IMM(0, 0) : CALL(H_RINGBUF_SUBMIT),
            ST(BPF_DW, 10, -8, 0x2222),
            LD_MAP_FD(1, (int32_t)rb),
            MOV64_REG(2, 10),
            ALU64_IMM(BPF_ADD, 2, -8),
            MOV64_IMM(3, 8),
            MOV64_IMM(4, 0),
            CALL(H_RINGBUF_OUTPUT),
            MOV64_IMM(0, 1),
            EXIT(),
            MOV64_IMM(0, 0), /* 20: reserve failed */
            EXIT(),
        };
        struct result r = load_run(BPF_PROG_TYPE_SOCKET_FILTER, p, NR(p), frame, sizeof(frame));
        CHECK_EQ(r.retval, leak ? 0 : 1);
        uint64_t got[8] = { 0 };
        long n = bpfrt_ringbuf_consume(bpfrt_map_from_handle(rt, (int)rb), count_record, got);
        if (!leak) {
            CHECK_EQ(r.err, 0);
            CHECK_EQ(n, 2);
            CHECK_EQ(got[1], 0x1111);
            CHECK_EQ(got[2], 0x2222);
        } else {
            /* an unreleased reservation is a run error; the record is
             * discarded, so the ring delivers what came after it */
            CHECK_EQ(r.err, -BPFRT_EINVAL);
            CHECK_EQ(r.run_error, BPFRT_RUN_UNRELEASED_REF);
            CHECK_CONTAINS(r.msg, "ring buffer record");
            CHECK_EQ(n, 1);
            CHECK_EQ(got[1], 0x2222);
        }
    }
    /* later producers are not wedged */
    uint64_t v = 0x3333, got[8] = { 0 };
    CHECK_EQ(bpfrt_ringbuf_output(bpfrt_map_from_handle(rt, (int)rb), &v, 8, 0), 0);
    CHECK_EQ(bpfrt_ringbuf_consume(bpfrt_map_from_handle(rt, (int)rb), count_record, got), 1);
    CHECK_EQ(got[1], 0x3333);
    bpfrt_close(rt, (int)rb);
}

/* A run holds at most BPFRT_RUN_MAX_REFS records: the next reserve gets
 * NULL (the record it took goes back); at exit all of them go back. */
static void test_ringbuf_ref_limit(void)
{
    long rb = create_map(rt, BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
    long cnt = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    const struct bpf_insn p[] = {
        MOV64_IMM(6, 0),
        LD_MAP_FD(1, (int32_t)rb), /* 1: loop */
        MOV64_IMM(2, 8),
        MOV64_IMM(3, 0),
        CALL(H_RINGBUF_RESERVE),
        JMP_IMM(BPF_JEQ, 0, 0, 11),
        ST(BPF_W, 10, -4, 0),
        LD_MAP_FD(1, (int32_t)cnt),
        MOV64_REG(2, 10),
        ALU64_IMM(BPF_ADD, 2, -4),
        CALL(H_MAP_LOOKUP),
        JMP_IMM(BPF_JEQ, 0, 0, 4),
        MOV64_IMM(1, 1),
        ATOMIC_ADD(BPF_DW, 0, 1, 0),
        ALU64_IMM(BPF_ADD, 6, 1),
        JMP_IMM(BPF_JLT, 6, 20, -17),
        MOV64_IMM(0, 0), /* 18 */
        EXIT(),
    };
    struct result r = load_run(BPF_PROG_TYPE_SOCKET_FILTER, p, NR(p), frame, sizeof(frame));
    CHECK_EQ(r.err, -BPFRT_EINVAL);
    CHECK_EQ(r.run_error, BPFRT_RUN_UNRELEASED_REF);
    CHECK_CONTAINS(r.msg, "holding 16 references");
    uint32_t k = 0;
    uint64_t n = 0;
    CHECK_EQ(map_lookup(rt, cnt, &k, &n), 0);
    CHECK_EQ(n, BPFRT_RUN_MAX_REFS);
    uint64_t got[8] = { 0 }, v = 0x4444;
    CHECK_EQ(bpfrt_ringbuf_output(bpfrt_map_from_handle(rt, (int)rb), &v, 8, 0), 0);
    CHECK_EQ(bpfrt_ringbuf_consume(bpfrt_map_from_handle(rt, (int)rb), count_record, got), 1);
    CHECK_EQ(got[1], 0x4444);
    bpfrt_close(rt, (int)rb);
    bpfrt_close(rt, (int)cnt);
}

/* A submitted record is no longer the program's: writing it afterwards is
 * a bad access, and submitting it twice a bad helper argument. */
static void test_ringbuf_after_submit(void)
{
    long rb = create_map(rt, BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
    for (int twice = 0; twice < 2; twice++) {
        const struct bpf_insn p[] = {
            LD_MAP_FD(1, (int32_t)rb),
            MOV64_IMM(2, 16),
            MOV64_IMM(3, 0),
            CALL(H_RINGBUF_RESERVE),
            JMP_IMM(BPF_JEQ, 0, 0, 7),
            MOV64_REG(6, 0),
            MOV64_REG(1, 0),
            MOV64_IMM(2, 0),
            CALL(H_RINGBUF_DISCARD),
            MOV64_REG(1, 6),
            twice ? CALL(H_RINGBUF_SUBMIT) : ST(BPF_DW, 6, 8, 0x41),
            MOV64_IMM(0, 0),
            EXIT(),
        };
        struct result r = load_run(BPF_PROG_TYPE_SOCKET_FILTER, p, NR(p), frame, sizeof(frame));
        CHECK_EQ(r.err, twice ? -BPFRT_EINVAL : -BPFRT_EFAULT);
        CHECK_EQ(r.run_error, twice ? BPFRT_RUN_BAD_HELPER_ARG : BPFRT_RUN_BAD_ACCESS);
        CHECK_CONTAINS(r.msg, "insn 11");
    }
    bpfrt_close(rt, (int)rb);
}

int main(void)
{
    rt = new_rt();
    RUN(test_foreach_stale_key);
    RUN(test_foreach_stale_key_write);
    RUN(test_foreach_key_usable_inside);
    RUN(test_packet_bounds);
    RUN(test_packet_access_by_type);
    RUN(test_packet_bounds_follow_helpers);
    RUN(test_ringbuf_leak);
    RUN(test_ringbuf_ref_limit);
    RUN(test_ringbuf_after_submit);
    CHECK_EQ(bpfrt_handle_count(rt), 0);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
