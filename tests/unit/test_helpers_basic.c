/* Helpers that need no maps and no program: clocks, current task,
 * fault-safe reads, the printf family (with Linux's format rules) and the
 * string helpers. Each helper is reached through the runtime's table and
 * called directly with a hand-made run; expected values are derived by
 * hand from Linux's documented behaviour. */
#define _GNU_SOURCE
#include "test_helpers_util.h"

#include <limits.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- trace sink capture ---- */
static char last_line[2048];
static size_t last_len;
static int lines;

static void sink(void *arg, const char *line, size_t len)
{
    (void)arg;
    lines++;
    last_len = len;
    memcpy(last_line, line, len < sizeof(last_line) - 1 ? len : sizeof(last_line) - 1);
    last_line[len < sizeof(last_line) - 1 ? len : sizeof(last_line) - 1] = 0;
}

/* trace_printk with fmt's full size (including the NUL), as clang emits it. */
static int64_t printk3(const char *fmt, uint64_t a, uint64_t b, uint64_t c)
{
    return (int64_t)call(BPF_FUNC_trace_printk, P(fmt), strlen(fmt) + 1, a, b, c);
}

static uint64_t mono_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_time(void)
{
    uint64_t t0 = mono_ns(CLOCK_MONOTONIC);
    uint64_t h = call(BPF_FUNC_ktime_get_ns, 0, 0, 0, 0, 0);
    uint64_t c = call(BPF_FUNC_ktime_get_coarse_ns, 0, 0, 0, 0, 0);
    uint64_t t1 = mono_ns(CLOCK_MONOTONIC);
    CHECK(t0 <= h && h <= c && c <= t1);
    uint64_t b0 = mono_ns(CLOCK_BOOTTIME);
    uint64_t hb = call(BPF_FUNC_ktime_get_boot_ns, 0, 0, 0, 0, 0);
    uint64_t b1 = mono_ns(CLOCK_BOOTTIME);
    CHECK(b0 <= hb && hb <= b1);
    /* jiffies at BPFRT_HZ from the monotonic clock, never going back */
    uint64_t j0 = mono_ns(CLOCK_MONOTONIC) / (1000000000ull / BPFRT_HZ);
    uint64_t j = call(BPF_FUNC_jiffies64, 0, 0, 0, 0, 0);
    uint64_t j2 = call(BPF_FUNC_jiffies64, 0, 0, 0, 0, 0);
    uint64_t j1 = mono_ns(CLOCK_MONOTONIC) / (1000000000ull / BPFRT_HZ);
    CHECK(j0 <= j && j <= j2 && j2 <= j1);
}

static void test_cpu_random(void)
{
    run.cpu = 3;
    CHECK_EQ(call(BPF_FUNC_get_smp_processor_id, 0, 0, 0, 0, 0), 3);
    run.cpu = 0;
    CHECK_EQ(call(BPF_FUNC_get_numa_node_id, 0, 0, 0, 0, 0), 0);
    uint64_t first = call(BPF_FUNC_get_prandom_u32, 0, 0, 0, 0, 0);
    bool differs = false, high_clear = true;
    for (int i = 0; i < 64; i++) {
        uint64_t v = call(BPF_FUNC_get_prandom_u32, 0, 0, 0, 0, 0);
        differs |= v != first;
        high_clear &= (v >> 32) == 0;
    }
    CHECK(differs);
    CHECK(high_clear);
}

static void test_task(void)
{
    uint64_t want = (uint64_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid);
    CHECK_EQ(call(BPF_FUNC_get_current_pid_tgid, 0, 0, 0, 0, 0), want);
    CHECK_EQ(call(BPF_FUNC_get_current_uid_gid, 0, 0, 0, 0, 0),
             (uint64_t)getgid() << 32 | getuid());
    prctl(PR_SET_NAME, "helper-comm");
    char buf[16];
    memset(buf, 0x55, sizeof(buf));
    CHECK_EQ(call(BPF_FUNC_get_current_comm, P(buf), sizeof(buf), 0, 0, 0), 0);
    CHECK_STR(buf, "helper-comm");
    bool padded = true;
    for (size_t i = strlen("helper-comm"); i < sizeof(buf); i++)
        padded &= buf[i] == 0;
    CHECK(padded);
    char small[4];
    memset(small, 0x55, sizeof(small));
    CHECK_EQ(call(BPF_FUNC_get_current_comm, P(small), sizeof(small), 0, 0, 0), 0);
    CHECK(memcmp(small, "hel", 4) == 0);
}

/* bpf_copy_from_user_task (bpf_copy_from_user_task in kernel/bpf/helpers.c):
 * the current task's memory reads as bpf_copy_from_user; another task's
 * cannot be reached (-EFAULT, zeroed); flags -EINVAL and size 0 before
 * anything is touched. */
static void test_copy_from_user_task(void)
{
    uint64_t task = call(BPF_FUNC_get_current_task_btf, 0, 0, 0, 0, 0);
    CHECK(task != 0);
    const char src[] = "user bytes";
    unsigned char dst[16];
    memset(dst, 0xaa, sizeof(dst));
    CHECK_EQ(call(BPF_FUNC_copy_from_user_task, P(dst), sizeof(src), P(src), task, 0), 0);
    CHECK(memcmp(dst, src, sizeof(src)) == 0);
    memset(dst, 0xaa, sizeof(dst));
    CHECK_EQ(call(BPF_FUNC_copy_from_user_task, P(dst), 8, 0, task, 0), ERR(-BPFRT_EFAULT)); /* NULL faults */
    CHECK_EQ(dst[0], 0);
    CHECK_EQ(dst[7], 0);
    memset(dst, 0xaa, sizeof(dst));
    uint64_t other = P(dst); /* not a task bpfrt can read the memory of */
    CHECK_EQ(call(BPF_FUNC_copy_from_user_task, P(dst), 8, P(src), other, 0), ERR(-BPFRT_EFAULT));
    CHECK_EQ(dst[0], 0);
    memset(dst, 0xaa, sizeof(dst));
    CHECK_EQ(call(BPF_FUNC_copy_from_user_task, P(dst), 8, P(src), task, 1), ERR(-BPFRT_EINVAL));
    CHECK_EQ(dst[0], 0xaa); /* untouched */
    CHECK_EQ(call(BPF_FUNC_copy_from_user_task, P(dst), 0, 0, other, 0), 0);
    CHECK_EQ(dst[0], 0xaa);
}

static void test_probe_read(void)
{
    /* an address that is certainly unmapped: a page we map, then unmap */
    void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(page != MAP_FAILED);
    munmap(page, 4096);
    const uint32_t ids[] = { BPF_FUNC_probe_read, BPF_FUNC_probe_read_kernel,
                             BPF_FUNC_probe_read_user, BPF_FUNC_copy_from_user };
    for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
        unsigned char dst[32];
        memset(dst, 0xaa, sizeof(dst));
        CHECK_EQ(call(ids[k], P(dst), sizeof(dst), P(page), 0, 0), ERR(-BPFRT_EFAULT));
        bool zero = true;
        for (size_t i = 0; i < sizeof(dst); i++)
            zero &= dst[i] == 0;
        CHECK(zero);
        const char src[] = "readable bytes";
        CHECK_EQ(call(ids[k], P(dst), sizeof(src), P(src), 0, 0), 0);
        CHECK(memcmp(dst, src, sizeof(src)) == 0);
        CHECK_EQ(call(ids[k], P(dst), 0, P(page), 0, 0), 0); /* size 0 reads nothing */
        memset(dst, 0xaa, sizeof(dst));
        /* NULL (+ a field offset): Linux x86-64 refuses kernel reads of
         * user addresses with -ERANGE, even of 0 bytes; user reads and the
         * compat form (which reads low addresses as user memory) fault */
        long null_err = ids[k] == BPF_FUNC_probe_read_kernel ? -BPFRT_ERANGE : -BPFRT_EFAULT;
        CHECK_EQ(call(ids[k], P(dst), 8, 0, 0, 0), ERR(null_err));
        CHECK_EQ(dst[0], 0);
        memset(dst, 0xaa, sizeof(dst));
        CHECK_EQ(call(ids[k], P(dst), 4, 0x18, 0, 0), ERR(null_err));
        CHECK_EQ(dst[3], 0);
        CHECK_EQ(call(ids[k], P(dst), 0, 0x18, 0, 0), ids[k] == BPF_FUNC_probe_read_kernel ? ERR(-BPFRT_ERANGE) : 0);
    }
    const uint32_t sids[] = { BPF_FUNC_probe_read_str, BPF_FUNC_probe_read_kernel_str,
                              BPF_FUNC_probe_read_user_str };
    for (size_t k = 0; k < sizeof(sids) / sizeof(sids[0]); k++) {
        char dst[16];
        /* returns the length including the NUL */
        CHECK_EQ(call(sids[k], P(dst), sizeof(dst), P("hello"), 0, 0), 6);
        CHECK_STR(dst, "hello");
        /* truncated: size-1 bytes and a NUL, returns size */
        CHECK_EQ(call(sids[k], P(dst), 3, P("hello"), 0, 0), 3);
        CHECK_STR(dst, "he");
        memset(dst, 0x55, sizeof(dst));
        CHECK_EQ(call(sids[k], P(dst), sizeof(dst), P(page), 0, 0), ERR(-BPFRT_EFAULT));
        bool zero = true;
        for (size_t i = 0; i < sizeof(dst); i++)
            zero &= dst[i] == 0;
        CHECK(zero);
        CHECK_EQ(call(sids[k], P(dst), 0, P("x"), 0, 0), 0);
        memset(dst, 0x55, sizeof(dst));
        long null_err = sids[k] == BPF_FUNC_probe_read_kernel_str ? -BPFRT_ERANGE : -BPFRT_EFAULT;
        CHECK_EQ(call(sids[k], P(dst), sizeof(dst), 0x20, 0, 0), ERR(null_err));
        CHECK_EQ(dst[0], 0);
        CHECK_EQ(call(sids[k], P(dst), 0, 0x20, 0, 0), 0); /* size 0 first, as Linux */
    }
}

static void test_trace_printk_output(void)
{
    lines = 0;
    CHECK_EQ(printk3("hello %d\n", (uint64_t)-5, 0, 0), 9); /* "hello -5\n" */
    CHECK_STR(last_line, "hello -5");                      /* newline stripped */
    CHECK_EQ(lines, 1);
    printk3("%u %x %X", 0xffffffffu, 255, 0xabc);
    CHECK_STR(last_line, "4294967295 ff ABC");
    /* int conversions take the low 32 bits; l/ll take all 64 */
    printk3("%d %x %ld", 0x100000005ull, (uint64_t)-1, (uint64_t)-1);
    CHECK_STR(last_line, "5 ffffffff -1");
    printk3("%lld %llu %llx", (uint64_t)INT64_MIN, UINT64_MAX, 0x123456789abcull);
    CHECK_STR(last_line, "-9223372036854775808 18446744073709551615 123456789abc");
    printk3("%i|%lu|%li", (uint64_t)-7, 42, (uint64_t)-42);
    CHECK_STR(last_line, "-7|42|-42");
    printk3("[%-3d|%05d|%+d]", 5, 42, 7);
    CHECK_STR(last_line, "[5  |00042|+7]");
    printk3("[% d|%8x|%c]", 7, 0xbeef, 'A');
    CHECK_STR(last_line, "[ 7|    beef|A]");
    printk3("100%% %s!", P("sure"), 0, 0);
    CHECK_STR(last_line, "100% sure!");
    printk3("%s.%pks.%pus", P("a"), P("bb"), P("ccc"));
    CHECK_STR(last_line, "a.bb.ccc");
    printk3("[%5s][%-5s]", P("ab"), P("cd"), 0);
    CHECK_STR(last_line, "[   ab][cd   ]");
    /* an unreadable string prints as empty, as Linux */
    printk3("<%s>", 8, 0, 0);
    CHECK_STR(last_line, "<>");
    printk3("%px %pS", 0x1234, 0xffffffff81000000ull, 0);
    CHECK_STR(last_line, "0000000000001234 0xffffffff81000000");
    printk3("%p|%pK", 0xabcdef, 0, 0);
    CHECK_STR(last_line, "0000000000abcdef|0000000000000000");
    const uint8_t v4[4] = { 192, 168, 1, 10 };
    printk3("%pI4 %pi4", P(v4), P(v4), 0);
    CHECK_STR(last_line, "192.168.1.10 192.168.001.010");
    const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    printk3("%pI6 %pi6", P(v6), P(v6), 0);
    CHECK_STR(last_line, "2001:0db8:0000:0000:0000:0000:0000:0001 20010db8000000000000000000000001");
    /* an unreadable address prints as zeros */
    printk3("%pI4", 8, 0, 0);
    CHECK_STR(last_line, "0.0.0.0");
    /* any width: the line is cut at 1023 bytes, the count is the full one */
    CHECK_EQ(printk3("%2000d", 1, 0, 0), 2000);
    CHECK_EQ(strlen(last_line), 1023);
    CHECK_EQ(last_line[1022], ' ');
    CHECK_EQ(printk3("%99999999x", 1, 0, 0), (1 << 23) - 1); /* clamped like Linux */
    /* fewer conversions than arguments is fine */
    CHECK_EQ(printk3("plain", 1, 2, 3), 5);
    CHECK_STR(last_line, "plain");
    /* fmt_size may exceed the string: the first NUL ends it */
    CHECK_EQ((int64_t)call(BPF_FUNC_trace_printk, P("ab\0cd"), 6, 0, 0, 0), 2);
    CHECK_STR(last_line, "ab");
}

static void test_trace_printk_einval(void)
{
    static const char *const bad[] = {
        "%5.2d",    /* precision */
        "%hd",      /* h length */
        "%#x",      /* '#' flag */
        "%o",       /* octal */
        "%lc",      /* l before c */
        "%ls",      /* l before s */
        "%zu",      /* z */
        "%d %d %d %d", /* four conversions, three arguments */
        "%sx",      /* %s followed by an alphanumeric */
        "%pks1",
        "%pZ",      /* unknown pointer format */
        "%pI5",
        "%f",
        "%",        /* dangling */
        "tab\x01",  /* not printable */
        "caf\xc3\xa9", /* not ASCII */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lines = 0;
        int64_t r = printk3(bad[i], 1, 2, 3);
        if (r != -BPFRT_EINVAL)
            fprintf(stderr, "format \"%s\" gave %lld\n", bad[i], (long long)r);
        CHECK_EQ(r, -BPFRT_EINVAL);
        CHECK_EQ(lines, 0); /* nothing emitted */
    }
    /* not NUL-terminated within fmt_size */
    CHECK_EQ(call(BPF_FUNC_trace_printk, P("abc"), 3, 0, 0, 0), ERR(-BPFRT_EINVAL));
    /* whitespace is allowed */
    CHECK_EQ(printk3("a\tb\r\n", 0, 0, 0), 5);
}

static void test_trace_vprintk(void)
{
    uint64_t args[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    const char *fmt5 = "%d %d %d %d %d";
    CHECK_EQ(call(BPF_FUNC_trace_vprintk, P(fmt5), strlen(fmt5) + 1, P(args), 40, 0), 9);
    CHECK_STR(last_line, "1 2 3 4 5");
    const char *fmt12 = "%d%d%d%d%d%d%d%d%d%d%d%d";
    CHECK_EQ(call(BPF_FUNC_trace_vprintk, P(fmt12), strlen(fmt12) + 1, P(args), 96, 0), 15);
    CHECK_STR(last_line, "123456789101112");
    /* data_len: multiple of 8, at most 12 args, data non-NULL when non-zero */
    CHECK_EQ(call(BPF_FUNC_trace_vprintk, P(fmt5), strlen(fmt5) + 1, P(args), 12, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_trace_vprintk, P(fmt5), strlen(fmt5) + 1, P(args), 104, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_trace_vprintk, P(fmt5), strlen(fmt5) + 1, 0, 40, 0), ERR(-BPFRT_EINVAL));
    /* more conversions than the array holds */
    CHECK_EQ(call(BPF_FUNC_trace_vprintk, P(fmt5), strlen(fmt5) + 1, P(args), 32, 0), ERR(-BPFRT_EINVAL));
    /* no arguments at all */
    CHECK_EQ(call(BPF_FUNC_trace_vprintk, P("none"), 5, 0, 0, 0), 4);
    CHECK_STR(last_line, "none");
}

static void test_snprintf(void)
{
    char buf[8];
    uint64_t args[2] = { 12345, P("abcdef") };
    /* "12345-abcdef" needs 13 bytes with its NUL; buf keeps 7 + NUL */
    memset(buf, 0x55, sizeof(buf));
    CHECK_EQ(call(BPF_FUNC_snprintf, P(buf), sizeof(buf), P("%d-%s"), P(args), 16), 13);
    CHECK_STR(buf, "12345-a");
    CHECK_EQ(call(BPF_FUNC_snprintf, 0, 0, P("%d-%s"), P(args), 16), 13);
    char big[32];
    CHECK_EQ(call(BPF_FUNC_snprintf, P(big), sizeof(big), P("%d-%s"), P(args), 16), 13);
    CHECK_STR(big, "12345-abcdef");
    CHECK_EQ(call(BPF_FUNC_snprintf, P(big), sizeof(big), P("x%d"), P(args), 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_snprintf, P(big), sizeof(big), P("%d"), P(args), 9), ERR(-BPFRT_EINVAL));
    /* strings share a 512-byte copy buffer: the first long string fills it */
    static char longs[600];
    memset(longs, 'z', sizeof(longs) - 1);
    uint64_t two[2] = { P(longs), P(longs) };
    CHECK_EQ(call(BPF_FUNC_snprintf, P(big), sizeof(big), P("%s%s"), P(two), 16), ERR(-BPFRT_ENOSPC));
    char out[600];
    CHECK_EQ(call(BPF_FUNC_snprintf, P(out), sizeof(out), P("%s"), P(two), 8), 512);
    CHECK_EQ(strlen(out), 511);
}

static void test_strncmp(void)
{
    CHECK_EQ(call(BPF_FUNC_strncmp, P("abc"), 3, P("abd"), 0, 0), (uint64_t)-1);
    CHECK_EQ(call(BPF_FUNC_strncmp, P("abd"), 3, P("abc"), 0, 0), 1);
    CHECK_EQ(call(BPF_FUNC_strncmp, P("abc"), 3, P("abc"), 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_strncmp, P("abcx"), 3, P("abc"), 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_strncmp, P("ab"), 3, P("abc"), 0, 0), (uint64_t)-1);
    CHECK_EQ(call(BPF_FUNC_strncmp, P("abcd"), 4, P("abc"), 0, 0), 1);
    /* bytes compare unsigned */
    CHECK_EQ(call(BPF_FUNC_strncmp, P("\xff"), 1, P("a"), 0, 0), 1);
}

static void test_strtol(void)
{
    int64_t res = 99;
    uint64_t ures = 99;
    CHECK_EQ(call(BPF_FUNC_strtol, P(" -123abc"), 8, 0, P(&res), 0), 5);
    CHECK_EQ(res, -123);
    CHECK_EQ(call(BPF_FUNC_strtol, P("0x1f"), 4, 0, P(&res), 0), 4);
    CHECK_EQ(res, 31);
    CHECK_EQ(call(BPF_FUNC_strtol, P("017"), 3, 0, P(&res), 0), 3);
    CHECK_EQ(res, 15);
    CHECK_EQ(call(BPF_FUNC_strtol, P("abc"), 3, 16, P(&res), 0), 3);
    CHECK_EQ(res, 0xabc);
    CHECK_EQ(call(BPF_FUNC_strtol, P("12345"), 3, 10, P(&res), 0), 3); /* buf_len bounds it */
    CHECK_EQ(res, 123);
    CHECK_EQ(call(BPF_FUNC_strtol, P("-9223372036854775808"), 20, 10, P(&res), 0), 20);
    CHECK_EQ(res, INT64_MIN);
    res = 5;
    CHECK_EQ(call(BPF_FUNC_strtol, P("9223372036854775808"), 19, 10, P(&res), 0), ERR(-BPFRT_ERANGE));
    CHECK_EQ(res, 0); /* cleared on error */
    CHECK_EQ(call(BPF_FUNC_strtol, P("xyz"), 3, 0, P(&res), 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_strtol, P("   "), 3, 0, P(&res), 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_strtol, P("12"), 2, 7, P(&res), 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_strtol, P("12"), 2, 0x20 | 10, P(&res), 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_strtoul, P("9223372036854775808"), 19, 10, P(&ures), 0), 19);
    CHECK_EQ(ures, 9223372036854775808ull);
    CHECK_EQ(call(BPF_FUNC_strtoul, P("18446744073709551615"), 20, 0, P(&ures), 0), 20);
    CHECK_EQ(ures, UINT64_MAX);
    CHECK_EQ(call(BPF_FUNC_strtoul, P("18446744073709551616"), 20, 0, P(&ures), 0), ERR(-BPFRT_ERANGE));
    CHECK_EQ(call(BPF_FUNC_strtoul, P("-1"), 2, 0, P(&ures), 0), ERR(-BPFRT_EINVAL));
}

/* Random bytes as formats (any characters, any sizes): the engine must
 * refuse or format, never overrun: the result is an error Linux could give
 * or the length, and the output is NUL-terminated within its size. */
static void test_printf_random_bytes(void)
{
    const char *env = getenv("BPFRT_FUZZ_ITERS");
    int iters = env ? atoi(env) : 2000;
    uint32_t state = 99;
    static const char alphabet[] = "%%%%%dxXuilcspkKSBIi46 .-+05-9#hzab\t\n\x01\xff";
    int formatted = 0;
    for (int it = 0; it < iters; it++) {
        char fmt[40];
        state = state * 1103515245u + 12345u;
        size_t n = (state >> 16) % 32;
        for (size_t i = 0; i < n; i++) {
            state = state * 1103515245u + 12345u;
            fmt[i] = (state >> 16) % 4 ? alphabet[(state >> 8) % (sizeof(alphabet) - 1)]
                                       : (char)(state >> 20);
        }
        fmt[n] = 0;
        uint64_t args[4] = { P("str"), 8, (uint64_t)-1, P("\xc0\xa8\x01\x02") };
        char out[24];
        memset(out, 0x55, sizeof(out));
        state = state * 1103515245u + 12345u;
        size_t size = (state >> 16) % (sizeof(out) + 1);
        int64_t r = (int64_t)call(BPF_FUNC_snprintf, size ? P(out) : 0, size, P(fmt), P(args), 32);
        CHECK(r == -BPFRT_EINVAL || r == -BPFRT_ENOSPC || r >= 1);
        if (r >= 1) {
            formatted++;
            if (size) {
                size_t want = (size_t)r - 1 < size - 1 ? (size_t)r - 1 : size - 1;
                CHECK_EQ(strnlen(out, size), want);
            }
            CHECK((uint8_t)out[sizeof(out) - 1] == 0x55 || size == sizeof(out));
        }
        /* trace_printk over the same bytes, fmt_size not covering the NUL
         * half of the time */
        int64_t t = (int64_t)call(BPF_FUNC_trace_printk, P(fmt), n + (it & 1), 1, 2, 3);
        CHECK(t == -BPFRT_EINVAL || t == -BPFRT_ENOSPC || t >= 0);
        if (!(it & 1) && !memchr(fmt, 0, n))
            CHECK_EQ(t, -BPFRT_EINVAL); /* no NUL within fmt_size */
    }
    CHECK(formatted > 0);
}

int main(void)
{
    helpers_setup();
    /* the probe reads and %s/%pI4 read this process's memory: a tracing use */
    bpfrt_runtime_set_host_reads(rt, BPFRT_HOST_READS_ALL);
    bpfrt_runtime_set_trace_sink(rt, sink, NULL);
    RUN(test_time);
    RUN(test_cpu_random);
    RUN(test_task);
    RUN(test_probe_read);
    RUN(test_copy_from_user_task);
    RUN(test_trace_printk_output);
    RUN(test_trace_printk_einval);
    RUN(test_trace_vprintk);
    RUN(test_snprintf);
    RUN(test_strncmp);
    RUN(test_strtol);
    RUN(test_printf_random_bytes);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
