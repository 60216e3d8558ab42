/* PROG_LOAD and the verifier log: attribute checks, ld_imm64 map
 * resolution with Linux's messages and errnos, fd_array, licences and
 * GPL-only helpers, func_info, the rotating/fixed log, -ENOSPC,
 * log_true_size, BPF_LOG_STATS lines, the program tag, tail calls through
 * a PROG_ARRAY. Where bpf(2) works, the same loads go to the kernel and
 * the results are compared. */
#include "test.h"
#include "bpf_test_util.h"

#include "bpfrt/btf.h"
#include "core/bpf/cmd.h"
#include "core/lib/vlog.h"

static struct bpfrt_runtime *rt;
static bool kern;
static bool exact_log = true; /* false: the kernel's verifier adds lines bpfrt cannot yet */

static const struct bpf_insn ret0[] = { MOV64_IMM(0, 0), EXIT() };
#define PROCESSED2 "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n"

/* Loads on bpfrt and, when available, on the kernel; compares the result
 * and the log, and returns bpfrt's result with its log in `log`. */
static long load_both(uint32_t type, const struct bpf_insn *p, uint32_t n, const char *lic, uint32_t level,
                      char *log, uint32_t log_size, uint32_t *true_size)
{
    long r = load_prog_ex(rt, false, type, p, n, lic, level, log, log_size, true_size);
    if (kern) {
        char klog[4096];
        uint32_t kts = 0;
        memset(klog, 0, sizeof(klog));
        uint32_t ksize = log_size < sizeof(klog) ? log_size : sizeof(klog);
        long k = load_prog_ex(NULL, true, type, p, n, lic, level, log ? klog : NULL, log ? ksize : 0, &kts);
        CHECK_EQ(r >= 0, k >= 0);
        if (r < 0 || k < 0)
            CHECK_EQ(r, k);
        if (log && !(level & BPF_LOG_STATS) && exact_log)
            CHECK_STR(log, klog);
        if (true_size && !(level & BPF_LOG_STATS))
            CHECK_EQ(*true_size, kts);
        if (k >= 0)
            close((int)k);
    }
    return r;
}

/* ---- the log object ---- */

static void test_vlog_unit(void)
{
    struct bpfrt_vlog log;
    char buf[8];
    CHECK_EQ(bpfrt_vlog_init(&log, 1, buf, 0), -BPFRT_EINVAL);   /* buf without size */
    CHECK_EQ(bpfrt_vlog_init(&log, 1, NULL, 8), -BPFRT_EINVAL);  /* size without buf */
    CHECK_EQ(bpfrt_vlog_init(&log, 0, buf, 8), -BPFRT_EINVAL);   /* buf without level */
    CHECK_EQ(bpfrt_vlog_init(&log, 16, buf, 8), -BPFRT_EINVAL);  /* unknown level bit */
    CHECK_EQ(bpfrt_vlog_init(&log, 1, buf, 0x40000000u), -BPFRT_EINVAL); /* > UINT_MAX/4 */
    CHECK_EQ(bpfrt_vlog_init(&log, 1, NULL, 0), 0);              /* size only */

    /* rotating over several messages keeps the newest 7 bytes */
    uint32_t ts = 0;
    memset(buf, 'X', sizeof(buf));
    CHECK_EQ(bpfrt_vlog_init(&log, 1, buf, sizeof(buf)), 0);
    bpfrt_vlog_printf(&log, "abc");
    bpfrt_vlog_printf(&log, "defg");
    CHECK_STR(buf, "abcdefg");
    bpfrt_vlog_printf(&log, "%d", 12345);
    CHECK_EQ(bpfrt_vlog_finalize(&log, &ts), -BPFRT_ENOSPC);
    CHECK_STR(buf, "fg12345");
    CHECK_EQ(ts, 13);

    /* fixed keeps the oldest */
    CHECK_EQ(bpfrt_vlog_init(&log, 1 | BPF_LOG_FIXED, buf, sizeof(buf)), 0);
    bpfrt_vlog_printf(&log, "abc");
    bpfrt_vlog_printf(&log, "defg");
    bpfrt_vlog_printf(&log, "hij");
    CHECK_EQ(bpfrt_vlog_finalize(&log, &ts), -BPFRT_ENOSPC);
    CHECK_STR(buf, "abcdefg");
    CHECK_EQ(ts, 11);

    /* exactly full (7 chars + NUL) is not truncated */
    CHECK_EQ(bpfrt_vlog_init(&log, 1, buf, sizeof(buf)), 0);
    bpfrt_vlog_printf(&log, "1234567");
    CHECK_EQ(bpfrt_vlog_finalize(&log, &ts), 0);
    CHECK_STR(buf, "1234567");
    CHECK_EQ(ts, 8);

    /* reset drops what came after a position */
    char big[64];
    CHECK_EQ(bpfrt_vlog_init(&log, 2, big, sizeof(big)), 0);
    bpfrt_vlog_printf(&log, "keep;");
    uint64_t pos = bpfrt_vlog_pos(&log);
    bpfrt_vlog_printf(&log, "drop me");
    bpfrt_vlog_reset(&log, pos);
    bpfrt_vlog_printf(&log, "then");
    CHECK_EQ(bpfrt_vlog_finalize(&log, &ts), 0);
    CHECK_STR(big, "keep;then");

    /* level 0: nothing, no size */
    CHECK_EQ(bpfrt_vlog_init(&log, 0, NULL, 0), 0);
    bpfrt_vlog_printf(&log, "ignored");
    CHECK_EQ(bpfrt_vlog_finalize(&log, &ts), 0);
    CHECK_EQ(ts, 0);

    /* a long rotation with many wraps: compare with the tail of the text */
    char text[4096], small[37];
    size_t tl = 0;
    CHECK_EQ(bpfrt_vlog_init(&log, 1, small, sizeof(small)), 0);
    for (int i = 0; i < 200; i++) {
        int n = snprintf(text + tl, sizeof(text) - tl, "line %d: %.*s\n", i, i % 11, "abcdefghijk");
        bpfrt_vlog_write(&log, text + tl, (uint32_t)n);
        tl += (size_t)n;
    }
    CHECK_EQ(bpfrt_vlog_finalize(&log, &ts), -BPFRT_ENOSPC);
    CHECK_EQ(ts, tl + 1);
    CHECK_STR(small, text + tl - (sizeof(small) - 1));

    /* rewinds after the ring wrapped: no stale text before the kept lines */
    CHECK_EQ(bpfrt_vlog_init(&log, 1, small, sizeof(small)), 0);
    bpfrt_vlog_printf(&log, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH;"); /* wraps */
    pos = bpfrt_vlog_pos(&log);
    bpfrt_vlog_printf(&log, "a path that is rewound away");
    bpfrt_vlog_reset(&log, pos);
    bpfrt_vlog_printf(&log, "end\n");
    CHECK_EQ(bpfrt_vlog_finalize(&log, &ts), -BPFRT_ENOSPC);
    /* Linux keeps the window [start_pos, end_pos): the bytes the rewound
     * text overwrote are gone, the rest is intact and in order. */
    CHECK_STR(small, "ABCDEFGH;end\n");
}

/* Linux's log window, modelled on the logical text instead of a ring: the
 * visible log is text[start, end), where start only moves forward when the
 * text outgrows the buffer (kernel/bpf/log.c, bpf_verifier_vlog and
 * bpf_vlog_reset). Random writes and rewinds must give exactly that. */
static void test_log_rewind_model(void)
{
    enum { CAP = 8192 };
    static char text[CAP];
    uint64_t seed = 0x1234567;
    for (int round = 0; round < 300; round++) {
        uint32_t size = 2 + (uint32_t)(round % 61);
        char buf[64];
        struct bpfrt_vlog log;
        uint64_t start = 0, end = 0, max = 0;
        CHECK_EQ(bpfrt_vlog_init(&log, 1, buf, size), 0);
        for (int step = 0; step < 40; step++) {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
            if (seed % 4 == 0 && end) { /* rewind to a random earlier position */
                uint64_t to = (seed >> 8) % (end + 1);
                bpfrt_vlog_reset(&log, to);
                end = to;
                if (start > end)
                    start = end;
                continue;
            }
            uint32_t n = 1 + (uint32_t)((seed >> 16) % 23);
            if (end + n >= CAP)
                break;
            char piece[32];
            for (uint32_t i = 0; i < n; i++)
                piece[i] = (char)('a' + (end + i) % 26);
            bpfrt_vlog_write(&log, piece, n);
            memcpy(text + end, piece, n);
            end += n;
            if (end + 1 > max)
                max = end + 1;
            if (end - start >= size)
                start = end + 1 - size;
        }
        uint32_t ts = 0;
        int rc = bpfrt_vlog_finalize(&log, &ts);
        CHECK_EQ(rc, max > size ? -BPFRT_ENOSPC : 0);
        CHECK_EQ(ts, max);
        CHECK_EQ(strlen(buf), end - start);
        CHECK(memcmp(buf, text + start, end - start) == 0);
    }
}

/* ---- the log through PROG_LOAD, against the kernel ---- */

static void test_log_load(void)
{
    char log[4096];
    uint32_t ts = 0;
    memset(log, 0, sizeof(log));
    long fd = load_both(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 1, log, sizeof(log), &ts);
    CHECK(fd >= 0);
    CHECK_STR(log, PROCESSED2);
    CHECK_EQ(ts, strlen(PROCESSED2) + 1);
    bpfrt_close(rt, (int)fd);

    /* level 4: time, stack depth, processed */
    memset(log, 0, sizeof(log));
    fd = load_both(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 4, log, sizeof(log), &ts);
    CHECK(fd >= 0);
    CHECK(strncmp(log, "verification time ", 18) == 0);
    CHECK_CONTAINS(log, " usec\nstack depth 0\n" PROCESSED2);
    CHECK_EQ(ts, strlen(log) + 1);
    bpfrt_close(rt, (int)fd);

    /* a structural error: Linux's wording, processed 0 */
    struct bpf_insn bad[] = { INSN(0x8f, 0, 0, 0, 0), EXIT() };
    memset(log, 0, sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, bad, 2, "GPL", 1, log, sizeof(log), &ts), -BPFRT_EINVAL);
    CHECK_STR(log, "unknown opcode 8f\nprocessed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 "
                   "peak_states 0 mark_read 0\n");
    memset(log, 0, sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, bad, 2, "GPL", 4, log, sizeof(log), &ts), -BPFRT_EINVAL);
    CHECK(strncmp(log, "unknown opcode 8f\nverification time ", 36) == 0);

    /* rotation keeps the tail, fixed the head, both -ENOSPC with the true size */
    memset(log, 'X', sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 1, log, 40, &ts), -BPFRT_ENOSPC);
    CHECK_STR(log, &PROCESSED2[strlen(PROCESSED2) - 39]);
    CHECK_EQ(ts, strlen(PROCESSED2) + 1);
    memset(log, 'X', sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 1 | BPF_LOG_FIXED, log, 40, &ts),
             -BPFRT_ENOSPC);
    CHECK(strncmp(log, PROCESSED2, 39) == 0 && log[39] == '\0');
    memset(log, 'X', sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 1, log, 1, &ts), -BPFRT_ENOSPC);
    CHECK_EQ(log[0], '\0');
    /* the truncation overrides the program's own error */
    memset(log, 'X', sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, bad, 2, "GPL", 1, log, 10, &ts), -BPFRT_ENOSPC);
    CHECK_STR(log, "k_read 0\n");
    /* exactly the size needed fits */
    memset(log, 'X', sizeof(log));
    fd = load_both(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 1, log, (uint32_t)strlen(PROCESSED2) + 1, &ts);
    CHECK(fd >= 0);
    CHECK_STR(log, PROCESSED2);
    bpfrt_close(rt, (int)fd);
    /* level without a buffer: loads, reports the size */
    ts = 0;
    fd = load_both(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 1, NULL, 0, &ts);
    CHECK(fd >= 0);
    CHECK_EQ(ts, strlen(PROCESSED2) + 1);
    bpfrt_close(rt, (int)fd);
    /* inconsistent log attributes */
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 0, log, 100, NULL), -BPFRT_EINVAL);
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 1, log, 0, NULL), -BPFRT_EINVAL);
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 1, NULL, 100, NULL), -BPFRT_EINVAL);
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "GPL", 16, log, 100, NULL), -BPFRT_EINVAL);

    /* log_true_size is written back only when the caller's size covers it */
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = 2;
    a.insns = ptr(ret0);
    a.license = ptr("GPL");
    a.log_level = 1;
    a.log_buf = ptr(log);
    a.log_size = sizeof(log);
    fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, offsetof(union bpf_attr, log_true_size));
    CHECK(fd >= 0);
    CHECK_EQ(a.log_true_size, 0);
    bpfrt_close(rt, (int)fd);
}

/* ---- PROG_LOAD checks ---- */

static void test_load_errors(void)
{
    char log[1024];
    long m = create_map_ex(rt, false, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    long km = kern ? create_map_ex(NULL, true, BPF_MAP_TYPE_ARRAY, 4, 8, 1) : -1;
    long p = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2);
    struct bpf_insn ld[] = { LD_MAP_FD(1, 999), MOV64_IMM(0, 0), EXIT() };

    memset(log, 0, sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, ld, NR(ld), "GPL", 1, log, sizeof(log), NULL), -BPFRT_EBADF);
    CHECK_CONTAINS(log, "fd 999 is not pointing to valid bpf_map\n");
    ld[0].imm = (int32_t)p; /* a program, not a map */
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ld, NR(ld), "GPL", 1, log, sizeof(log), NULL),
             -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "is not pointing to valid bpf_map\n");
    ld[0].imm = (int32_t)m;
    ld[1].imm = 5;
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ld, NR(ld), "GPL", 1, log, sizeof(log), NULL),
             -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "unrecognized bpf_ld_imm64 insn\n");
    /* map value with an offset past the value */
    ld[0].src_reg = BPF_PSEUDO_MAP_VALUE;
    ld[1].imm = 100;
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ld, NR(ld), "GPL", 1, log, sizeof(log), NULL),
             -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "invalid access to map value pointer, value_size=8 off=100\n");
    if (kern) {
        char klog[1024] = { 0 };
        ld[0].imm = (int32_t)km;
        CHECK_EQ(load_prog_ex(NULL, true, BPF_PROG_TYPE_SOCKET_FILTER, ld, NR(ld), "GPL", 1, klog, sizeof(klog), NULL),
                 -BPFRT_EINVAL);
        CHECK_STR(log, klog);
        ld[0].imm = (int32_t)m;
    }
    /* a value load in range: the instruction now holds the value address */
    ld[1].imm = 4;
    long vp = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, ld, NR(ld));
    CHECK(vp >= 0);
    if (vp >= 0) {
        struct bpfrt_prog *prog = bpfrt_prog_from_handle(rt, (int)vp);
        uint64_t addr = 0;
        bpfrt_map_direct_value_addr(bpfrt_map_from_handle(rt, (int)m), 0, &addr);
        addr += 4; /* value base + the offset from the second imm */
        CHECK_EQ((uint32_t)prog->insns[0].imm, (uint32_t)addr);
        CHECK_EQ((uint32_t)prog->insns[1].imm, (uint32_t)(addr >> 32));
        CHECK_EQ(prog->insns[0].src_reg, BPF_PSEUDO_MAP_VALUE);
        CHECK_EQ(prog->nr_maps, 1);
        CHECK(prog->maps[0] == bpfrt_map_from_handle(rt, (int)m));
        CHECK_EQ(prog->orig_insns[0].imm, (int32_t)m); /* as loaded */
        bpfrt_close(rt, (int)vp);
    }
    /* map value on a hash map: no direct value access */
    long hm = create_map(rt, BPF_MAP_TYPE_HASH, 4, 8, 4);
    ld[0].imm = (int32_t)hm;
    ld[1].imm = 0;
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ld, NR(ld), "GPL", 1, log, sizeof(log), NULL),
             -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "no direct value access support for this map type\n");
    bpfrt_close(rt, (int)hm);

    /* BPF_PSEUDO_MAP_IDX: needs fd_array */
    ld[0].src_reg = BPF_PSEUDO_MAP_IDX;
    ld[0].imm = 1;
    ld[1].imm = 0;
    memset(log, 0, sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, ld, NR(ld), "GPL", 1, log, sizeof(log), NULL), -BPFRT_EPROTO);
    CHECK_CONTAINS(log, "fd_idx without fd_array is invalid\n");
    int32_t fds[2] = { 999, (int32_t)m };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = NR(ld);
    a.insns = ptr(ld);
    a.license = ptr("GPL");
    a.fd_array = ptr(fds);
    long ip = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(ip >= 0);
    if (ip >= 0)
        CHECK(bpfrt_prog_from_handle(rt, (int)ip)->maps[0] == bpfrt_map_from_handle(rt, (int)m));
    bpfrt_close(rt, (int)ip);
    /* with fd_array_cnt every entry must be a map or BTF */
    a.fd_array_cnt = 2;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EBADF);
    fds[0] = (int32_t)m;
    ld[0].imm = 2; /* out of the declared array */
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    /* unknown pseudo source */
    ld[0].src_reg = 7;
    ld[0].imm = 0;
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ld, NR(ld), "GPL", 1, log, sizeof(log), NULL),
             -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "unrecognized bpf_ld_imm64 insn\n");

    /* licences: a GPL-only helper from a non-GPL program */
    struct bpf_insn call[] = { CALL(HELPER_trace_printk), MOV64_IMM(0, 0), EXIT() };
    memset(log, 0, sizeof(log));
    exact_log = false;
    CHECK_EQ(load_both(BPF_PROG_TYPE_KPROBE, call, NR(call), "MIT", 1, log, sizeof(log), NULL), -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "cannot call GPL-restricted function from non-GPL compatible program\n");
    call[0].imm = HELPER_ktime_get_ns; /* not GPL-only */
    long kt = load_both(BPF_PROG_TYPE_SOCKET_FILTER, call, NR(call), "MIT", 0, NULL, 0, NULL);
    CHECK(kt >= 0);
    CHECK(!bpfrt_prog_from_handle(rt, (int)kt)->gpl_compatible);
    bpfrt_close(rt, (int)kt);
    static const char *const gpl[] = { "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
                                       "Dual MIT/GPL", "Dual MPL/GPL" };
    for (int i = 0; i < 6; i++) {
        long g = load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, gpl[i], 0, NULL, 0, NULL);
        CHECK(g >= 0 && bpfrt_prog_from_handle(rt, (int)g)->gpl_compatible);
        bpfrt_close(rt, (int)g);
    }
    long ng = load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, "gpl", 0, NULL, 0, NULL);
    CHECK(ng >= 0 && !bpfrt_prog_from_handle(rt, (int)ng)->gpl_compatible);
    bpfrt_close(rt, (int)ng);
    call[0].imm = 99999;
    memset(log, 0, sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, call, NR(call), "GPL", 1, log, sizeof(log), NULL), -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "invalid func unknown#99999\n");
    exact_log = true;

    /* attribute errors */
    CHECK_EQ(load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 0), -BPFRT_E2BIG);
    CHECK_EQ(load_prog(rt, 9999, ret0, 2), -BPFRT_EINVAL);
    CHECK_EQ(load_prog(rt, BPF_PROG_TYPE_UNSPEC, ret0, 2), -BPFRT_EINVAL);
    CHECK_EQ(load_prog_ex(rt, false, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, NULL, 0, NULL, 0, NULL), -BPFRT_EFAULT);
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = 2;
    a.insns = ptr(ret0);
    a.license = ptr("GPL");
    a.prog_flags = 1u << 20;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    a.prog_flags = 0;
    strcpy(a.prog_name, "bad-name");
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    memset(a.prog_name, 0, sizeof(a.prog_name));
    a.insns = 0;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EFAULT);
    /* syscall programs must be sleepable, and only they may be */
    memset(log, 0, sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SYSCALL, ret0, 2, "GPL", 1, log, sizeof(log), NULL), -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "Syscall programs can only be sleepable\n");
    a.insns = ptr(ret0);
    a.prog_flags = BPF_F_SLEEPABLE;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    a.prog_type = BPF_PROG_TYPE_SYSCALL;
    long sp = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(sp >= 0);
    bpfrt_close(rt, (int)sp);
    /* expected_attach_type: only cgroup_skb checks it at load (ingress/egress) */
    for (uint32_t eat = 0; eat < 4; eat++) {
        long r[2];
        for (int k = 0; k < (kern ? 2 : 1); k++) {
            memset(&a, 0, sizeof(a));
            a.prog_type = BPF_PROG_TYPE_CGROUP_SKB;
            a.insn_cnt = 2;
            a.insns = ptr(ret0);
            a.license = ptr("GPL");
            a.expected_attach_type = eat;
            r[k] = do_bpf(rt, k, BPF_PROG_LOAD, &a);
            do_close(rt, k, r[k]);
        }
        CHECK_EQ(r[0] >= 0, eat <= BPF_CGROUP_INET_EGRESS);
        if (kern)
            CHECK_EQ(r[0] >= 0, r[1] >= 0);
        memset(&a, 0, sizeof(a));
        a.prog_type = BPF_PROG_TYPE_XDP;
        a.insn_cnt = 2;
        a.insns = ptr(ret0);
        a.license = ptr("GPL");
        a.expected_attach_type = eat + 35;
        long x = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
        CHECK(x >= 0);
        bpfrt_close(rt, (int)x);
    }
    /* jumps out of range: Linux's wording */
    struct bpf_insn jmp[] = { JMP_IMM(BPF_JA, 0, 0, 5), EXIT() };
    memset(log, 0, sizeof(log));
    CHECK_EQ(load_both(BPF_PROG_TYPE_SOCKET_FILTER, jmp, NR(jmp), "GPL", 1, log, sizeof(log), NULL), -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "jump out of range from insn 0 to 6\n");

    bpfrt_close(rt, (int)p);
    bpfrt_close(rt, (int)m);
    if (km >= 0)
        close((int)km);
}

/* ---- the tag, as Linux computes it ---- */

static void test_tag(void)
{
    long fd = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2);
    struct bpfrt_prog *prog = bpfrt_prog_from_handle(rt, (int)fd);
    /* Linux 6.18 reports 59f4a931744dcdc6 for r0 = 0; exit */
    static const uint8_t want[8] = { 0x59, 0xf4, 0xa9, 0x31, 0x74, 0x4d, 0xcd, 0xc6 };
    CHECK(memcmp(prog->tag, want, 8) == 0);
    /* map fds do not change the tag */
    long m1 = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 4, 1), m2 = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 4, 1);
    struct bpf_insn a1[] = { LD_MAP_FD(1, (int32_t)m1), MOV64_IMM(0, 0), EXIT() };
    struct bpf_insn a2[] = { LD_MAP_FD(1, (int32_t)m2), MOV64_IMM(0, 0), EXIT() };
    long p1 = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, a1, NR(a1));
    long p2 = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, a2, NR(a2));
    CHECK(memcmp(bpfrt_prog_from_handle(rt, (int)p1)->tag, bpfrt_prog_from_handle(rt, (int)p2)->tag, 8) == 0);
    CHECK(memcmp(bpfrt_prog_from_handle(rt, (int)p1)->tag, want, 8) != 0);
    if (kern) {
        long kmap = create_map_ex(NULL, true, BPF_MAP_TYPE_ARRAY, 4, 4, 1);
        a1[0].imm = (int32_t)kmap;
        long kp = load_prog_ex(NULL, true, BPF_PROG_TYPE_SOCKET_FILTER, a1, NR(a1), "GPL", 0, NULL, 0, NULL);
        struct bpf_prog_info info;
        CHECK_EQ(prog_info_ex(NULL, true, kp, &info), 0);
        CHECK(memcmp(info.tag, bpfrt_prog_from_handle(rt, (int)p2)->tag, 8) == 0);
        close((int)kp);
        close((int)kmap);
    }
    bpfrt_close(rt, (int)p1);
    bpfrt_close(rt, (int)p2);
    bpfrt_close(rt, (int)m1);
    bpfrt_close(rt, (int)m2);
    bpfrt_close(rt, (int)fd);
}

/* ---- OBJ_GET_INFO_BY_FD against the kernel ---- */

static void get_info(bool kernel, long fd, void *info, uint32_t len, uint32_t *len_out)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (uint32_t)fd;
    a.info.info_len = len;
    a.info.info = ptr(info);
    CHECK_EQ(do_bpf(rt, kernel, BPF_OBJ_GET_INFO_BY_FD, &a), 0);
    *len_out = a.info.info_len;
}

static void test_info_vs_kernel(void)
{
    if (!kern)
        return;
    struct bpf_map_info mi[2];
    struct bpf_prog_info pi[2];
    uint32_t ids[2][4], len[2];
    long maps[2], progs[2];
    for (int k = 0; k < 2; k++) {
        union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_HASH, 8, 24, 7, BPF_F_NO_PREALLOC);
        strcpy(a.map_name, "conn_track");
        maps[k] = do_bpf(rt, k, BPF_MAP_CREATE, &a);
        CHECK(maps[k] >= 0);
        memset(&mi[k], 0, sizeof(mi[k]));
        get_info(k, maps[k], &mi[k], sizeof(mi[k]), &len[k]);
        struct bpf_insn p[] = { LD_MAP_FD(1, (int32_t)maps[k]), MOV64_IMM(0, 0), EXIT() };
        memset(&a, 0, sizeof(a));
        a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
        a.insn_cnt = NR(p);
        a.insns = ptr(p);
        a.license = ptr("Dual BSD/GPL");
        strcpy(a.prog_name, "filter.v2");
        progs[k] = do_bpf(rt, k, BPF_PROG_LOAD, &a);
        CHECK(progs[k] >= 0);
        memset(&pi[k], 0, sizeof(pi[k]));
        memset(ids[k], 0, sizeof(ids[k]));
        pi[k].nr_map_ids = 4;
        pi[k].map_ids = ptr(ids[k]);
        get_info(k, progs[k], &pi[k], sizeof(pi[k]), &len[k]);
    }
    CHECK_EQ(len[0], len[1]);
    CHECK_EQ(mi[0].type, mi[1].type);
    CHECK_EQ(mi[0].key_size, mi[1].key_size);
    CHECK_EQ(mi[0].value_size, mi[1].value_size);
    CHECK_EQ(mi[0].max_entries, mi[1].max_entries);
    CHECK_EQ(mi[0].map_flags, mi[1].map_flags);
    CHECK_STR(mi[0].name, mi[1].name);
    CHECK_EQ(pi[0].type, pi[1].type);
    CHECK(memcmp(pi[0].tag, pi[1].tag, 8) == 0);
    CHECK_STR(pi[0].name, pi[1].name);
    CHECK_EQ(pi[0].gpl_compatible, pi[1].gpl_compatible);
    CHECK_EQ(pi[0].nr_map_ids, pi[1].nr_map_ids);
    CHECK_EQ(ids[0][0], mi[0].id);
    CHECK_EQ(ids[1][0], mi[1].id);
    CHECK_EQ(pi[0].xlated_prog_len, pi[1].xlated_prog_len);
    for (int k = 0; k < 2; k++) {
        do_close(rt, k, progs[k]);
        do_close(rt, k, maps[k]);
    }
}

/* ---- func_info / line_info ---- */

static void test_func_info(void)
{
    /* BTF: [1] INT int; [2] FUNC_PROTO int(void); [3] FUNC main */
    struct {
        struct btf_header hdr;
        uint32_t t[4 + 3 + 3];
        char s[16];
    } b;
    memset(&b, 0, sizeof(b));
    uint32_t *t = b.t;
    *t++ = 1; *t++ = BTF_INFO_ENC(BTF_KIND_INT, 0, 0); *t++ = 4; *t++ = (BTF_INT_SIGNED << 24) | 32;
    *t++ = 0; *t++ = BTF_INFO_ENC(BTF_KIND_FUNC_PROTO, 0, 0); *t++ = 1;
    *t++ = 5; *t++ = BTF_INFO_ENC(BTF_KIND_FUNC, 0, BTF_FUNC_GLOBAL); *t++ = 2;
    memcpy(b.s, "\0int\0main\0a.c\0x", 16);
    b.hdr.magic = BTF_MAGIC;
    b.hdr.version = BTF_VERSION;
    b.hdr.hdr_len = sizeof(b.hdr);
    b.hdr.type_len = sizeof(b.t);
    b.hdr.str_off = sizeof(b.t);
    b.hdr.str_len = sizeof(b.s);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.btf = ptr(&b);
    a.btf_size = sizeof(b);
    long btf = bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a));
    CHECK(btf >= 0);

    struct bpf_func_info fi = { 0, 3 };
    struct bpf_line_info li[2] = { { 0, 10, 10, 7 << 10 | 2 }, { 1, 10, 10, 8 << 10 | 2 } };
    char log[512];
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = 2;
    a.insns = ptr(ret0);
    a.license = ptr("GPL");
    a.prog_btf_fd = (uint32_t)btf;
    a.func_info_rec_size = sizeof(fi);
    a.func_info = ptr(&fi);
    a.func_info_cnt = 1;
    a.line_info_rec_size = sizeof(li[0]);
    a.line_info = ptr(li);
    a.line_info_cnt = 2;
    a.log_level = 1;
    a.log_buf = ptr(log);
    a.log_size = sizeof(log);
    long p = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(p >= 0);
    if (p >= 0) {
        struct bpfrt_prog *prog = bpfrt_prog_from_handle(rt, (int)p);
        CHECK_EQ(prog->nr_func_info, 1);
        CHECK_EQ(prog->func_info[0].type_id, 3);
        CHECK_EQ(prog->nr_line_info, 2);
        CHECK_EQ(BPF_LINE_INFO_LINE_NUM(prog->line_info[1].line_col), 8);
        CHECK(prog->btf == bpfrt_btf_from_handle(rt, (int)btf));
        struct bpf_prog_info pi;
        struct bpf_line_info lo[2];
        memset(&pi, 0, sizeof(pi));
        pi.nr_line_info = 2;
        pi.line_info_rec_size = sizeof(lo[0]);
        pi.line_info = ptr(lo);
        union bpf_attr q;
        memset(&q, 0, sizeof(q));
        q.info.bpf_fd = (uint32_t)p;
        q.info.info_len = sizeof(pi);
        q.info.info = ptr(&pi);
        CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &q, sizeof(q)), 0);
        CHECK_EQ(pi.btf_id, bpfrt_btf_id(prog->btf));
        CHECK_EQ(pi.nr_func_info, 1);
        CHECK_EQ(lo[1].insn_off, 1);
        bpfrt_close(rt, (int)p);
    }
    a.func_info_rec_size = 4;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "invalid func info rec size 4\n");
    a.func_info_rec_size = sizeof(fi);
    fi.type_id = 1; /* not a FUNC */
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "invalid type id 1\n");
    fi.type_id = 3;
    a.func_info_cnt = 2;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "number of funcs in func_info doesn't match number of subprogs\n");
    a.func_info_cnt = 1;
    li[1].insn_off = 0;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    CHECK_CONTAINS(log, "Invalid line_info[1].insn_off:0 (prev_offset:0 prog->len:2)\n");
    li[1].insn_off = 1;
    a.line_info_cnt = 3; /* more records than instructions */
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    a.line_info_cnt = 2;
    a.prog_btf_fd = 0; /* debug info without BTF: -EINVAL as Linux */
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    a.prog_btf_fd = 777;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -BPFRT_EBADF);
    bpfrt_close(rt, (int)btf);
}

/* ---- tail calls: a program that tail-calls itself runs 1 + 33 times ---- */

static long tail_call_count(struct bpfrt_runtime *r, bool kernel)
{
    long counter = create_map_ex(r, kernel, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    long progs = create_map_ex(r, kernel, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1);
    struct bpf_insn p[] = {
        MOV64_REG(6, 1),
        ST(BPF_W, 10, -4, 0),
        MOV64_REG(2, 10),
        ALU64_IMM(BPF_ADD, 2, -4),
        LD_MAP_FD(1, (int32_t)counter),
        CALL(HELPER_map_lookup_elem),
        JMP_IMM(BPF_JEQ, 0, 0, 2),
        MOV64_IMM(1, 1),
        ATOMIC_ADD(BPF_DW, 0, 1, 0),
        MOV64_REG(1, 6),
        LD_MAP_FD(2, (int32_t)progs),
        MOV64_IMM(3, 0),
        CALL(HELPER_tail_call),
        MOV64_IMM(0, 7),
        EXIT(),
    };
    long prog = load_prog_ex(r, kernel, BPF_PROG_TYPE_SCHED_CLS, p, NR(p), "GPL", 0, NULL, 0, NULL);
    CHECK(prog >= 0);
    uint32_t k = 0;
    int32_t pfd = (int32_t)prog;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)progs;
    a.key = ptr(&k);
    a.value = ptr(&pfd);
    CHECK_EQ(do_bpf(r, kernel, BPF_MAP_UPDATE_ELEM, &a), 0);
    uint8_t frame[64] = { 0 };
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)prog;
    a.test.data_in = ptr(frame);
    a.test.data_size_in = sizeof(frame);
    CHECK_EQ(do_bpf(r, kernel, BPF_PROG_TEST_RUN, &a), 0);
    CHECK_EQ(a.test.retval, 7); /* the 34th run falls through */
    uint64_t count = 0;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)counter;
    a.key = ptr(&k);
    a.value = ptr(&count);
    CHECK_EQ(do_bpf(r, kernel, BPF_MAP_LOOKUP_ELEM, &a), 0);
    do_close(r, kernel, prog);
    do_close(r, kernel, progs);
    do_close(r, kernel, counter);
    return (long)count;
}

static void test_tail_calls(void)
{
    CHECK_EQ(tail_call_count(rt, false), 34);
    if (kern)
        CHECK_EQ(tail_call_count(NULL, true), 34);

    /* the prog -> prog array -> prog cycle is broken when the last user
     * handle of the array goes: the program's id disappears */
    long progs = create_map(rt, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2);
    struct bpf_insn p[] = { LD_MAP_FD(2, (int32_t)progs), MOV64_IMM(3, 0), CALL(HELPER_tail_call), MOV64_IMM(0, 0), EXIT() };
    long prog = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, p, NR(p));
    uint32_t pid = bpfrt_prog_from_handle(rt, (int)prog)->id;
    uint32_t k = 1;
    int32_t h = (int32_t)prog;
    CHECK_EQ(map_update(rt, progs, &k, &h, BPF_ANY), 0);
    h = 999;
    CHECK_EQ(map_update(rt, progs, &k, &h, BPF_ANY), -BPFRT_EBADF);
    h = (int32_t)progs; /* a map where a program is expected */
    CHECK_EQ(map_update(rt, progs, &k, &h, BPF_ANY), -BPFRT_EINVAL);
    /* a program of another type may not use (or enter) the same array */
    long other = load_prog(rt, BPF_PROG_TYPE_XDP, p, NR(p));
    CHECK_EQ(other, -BPFRT_EINVAL);
    long xdp = load_prog(rt, BPF_PROG_TYPE_XDP, ret0, 2);
    h = (int32_t)xdp;
    CHECK_EQ(map_update(rt, progs, &k, &h, BPF_ANY), -BPFRT_EINVAL);
    bpfrt_close(rt, (int)xdp);
    bpfrt_close(rt, (int)prog);
    bpfrt_close(rt, (int)progs);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_id = pid;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a)), -BPFRT_ENOENT);
}

int main(void)
{
    rt = new_rt();
    kern = kbpf_available();
    if (!kern)
        printf("note: bpf(2) unavailable, kernel comparisons skipped\n");
    RUN(test_vlog_unit);
    RUN(test_log_rewind_model);
    RUN(test_log_load);
    RUN(test_load_errors);
    RUN(test_tag);
    RUN(test_info_vs_kernel);
    RUN(test_func_info);
    RUN(test_tail_calls);
    CHECK_EQ(bpfrt_handle_count(rt), 0);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
