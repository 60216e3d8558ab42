#define _GNU_SOURCE
/* The core's freestanding library (formatting, strings) checked against libc,
 * and the hosted platform's services. */
#include <pthread.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpfrt/asm.h"
#include "bpfrt/diag.h"
#include "core/core.h"
#include "platform/hosted.h"
#include "test.h"

static void check_format(const char *fmt, ...)
{
    char ours[256], libc[256];
    va_list a, b;
    va_start(a, fmt);
    va_copy(b, a);
    int n1 = bpfrt_vsnprintf(ours, sizeof(ours), fmt, a);
    int n2 = vsnprintf(libc, sizeof(libc), fmt, b);
    va_end(a);
    va_end(b);
    CHECK_STR(ours, libc);
    CHECK_EQ(n1, n2);
}

static void test_format_matches_libc(void)
{
    check_format("plain text");
    check_format("%d %i %u", -42, 17, 4000000000u);
    check_format("%x %X %#x %#X %o %#o", 0xbeef, 0xbeef, 0x1a, 0x1a, 8, 8);
    check_format("%lld %llu %llx", -9223372036854775807ll - 1, 18446744073709551615ull, 0xffffffffffffffffull);
    check_format("%ld %lu %lx %zu %zd", -5l, 5ul, 0xabcul, (size_t)77, (ssize_t)-77);
    check_format("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
    check_format("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
    check_format("[%.3d] [%8.3d] [%-8.3x] [%.0d]", 7, 7, 0xa, 0);
    check_format("[%s] [%10s] [%-10s] [%.2s] [%*s] [%-*s]", "abc", "abc", "abc", "abc", 6, "x", 6, "y");
    check_format("%c%c%c %%", 'a', 'b', 'c');
    check_format("[%*d] [%.*d]", -6, 3, 4, 3);
    check_format("%016llx", 0x1234ull);
    check_format("%p", (void *)0x1000);
}

static void test_format_truncation(void)
{
    char buf[8];
    int n = bpfrt_snprintf(buf, sizeof(buf), "%s", "0123456789");
    CHECK_EQ(n, 10);
    CHECK_STR(buf, "0123456");
    CHECK_EQ(bpfrt_snprintf(NULL, 0, "%d", 12345), 5);

    struct bpfrt_strbuf sb;
    char small[10];
    bpfrt_strbuf_init(&sb, small, sizeof(small));
    bpfrt_strbuf_printf(&sb, "%s", "hello ");
    bpfrt_strbuf_printf(&sb, "%s", "world!");
    CHECK_EQ(sb.len, 12);
    CHECK_STR(small, "hello wor");
}

static void test_strings(void)
{
    CHECK_EQ(bpfrt_strlen("abc"), 3);
    CHECK_EQ(bpfrt_strnlen("abcdef", 4), 4);
    CHECK(bpfrt_strcmp("abc", "abd") < 0);
    CHECK(bpfrt_strcmp("b", "a") > 0);
    CHECK_EQ(bpfrt_strcmp("same", "same"), 0);
    CHECK_EQ(bpfrt_strncmp("abcX", "abcY", 3), 0);
    char d[4];
    CHECK_EQ(bpfrt_strlcpy(d, "abcdef", sizeof(d)), 6);
    CHECK_STR(d, "abc");
    CHECK(bpfrt_strchr("hello", 'l') != NULL);
    CHECK(bpfrt_strchr("hello", 'z') == NULL);
    CHECK_STR(bpfrt_strerror(-BPFRT_ENOTSUPP), "Unknown error 524 (ENOTSUPP)");
    CHECK_STR(bpfrt_strerror(BPFRT_E2BIG), "Argument list too long");
}

static void test_probe_read(void)
{
    const struct bpfrt_platform *p = bpfrt_platform_hosted();
    char src[] = "probe me", dst[16];
    CHECK_EQ(p->probe_read(p->ctx, dst, src, sizeof(src), false), 0);
    CHECK_STR(dst, "probe me");
    /* An unmapped page: -EFAULT and a zero-filled destination, no crash. */
    long page = sysconf(_SC_PAGESIZE);
    char *hole = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(dst, 'x', sizeof(dst));
    CHECK_EQ(p->probe_read(p->ctx, dst, hole, 8, true), -BPFRT_EFAULT);
    CHECK_EQ(dst[0], 0);
    CHECK_EQ(dst[7], 0);
    CHECK_EQ(p->probe_read(p->ctx, dst, NULL, 4, false), -BPFRT_EFAULT);
    /* Strings: length includes the NUL; truncation keeps size-1 bytes. */
    CHECK_EQ(p->probe_read_str(p->ctx, dst, src, sizeof(dst), false), 9);
    CHECK_STR(dst, "probe me");
    CHECK_EQ(p->probe_read_str(p->ctx, dst, src, 4, false), 4);
    CHECK_STR(dst, "pro");
    CHECK_EQ(p->probe_read_str(p->ctx, dst, hole, sizeof(dst), false), -BPFRT_EFAULT);
    /* A string ending right before an unreadable page is still read. */
    char *two = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(two + page, (size_t)page, PROT_NONE);
    memcpy(two + page - 4, "end", 4);
    CHECK_EQ(p->probe_read_str(p->ctx, dst, two + page - 4, sizeof(dst), false), 4);
    CHECK_STR(dst, "end");
    munmap(two, (size_t)page * 2);
    munmap(hole, (size_t)page);
}

static void test_task_and_time(void)
{
    const struct bpfrt_platform *p = bpfrt_platform_hosted();
    uint64_t pt = p->current_pid_tgid(p->ctx);
    CHECK_EQ(pt >> 32, getpid());
    CHECK_EQ((uint32_t)pt, gettid());
    uint64_t ug = p->current_uid_gid(p->ctx);
    CHECK_EQ((uint32_t)ug, getuid());
    CHECK_EQ(ug >> 32, getgid());
    char comm[16];
    p->current_comm(p->ctx, comm);
    char want[32] = "";
    FILE *f = fopen("/proc/self/comm", "r");
    if (f) {
        if (fgets(want, sizeof(want), f))
            want[strcspn(want, "\n")] = '\0';
        fclose(f);
    }
    CHECK_STR(comm, want);
    uint64_t a = p->ktime_ns(p->ctx), b = p->ktime_ns(p->ctx);
    CHECK(b >= a);
    CHECK(p->boot_ns(p->ctx) >= a); /* boot time includes suspend, never less than monotonic */
    CHECK(p->ncpus(p->ctx) >= 1);
}

static int freed;
static void count_free(void *arg) { (void)arg; __atomic_add_fetch(&freed, 1, __ATOMIC_SEQ_CST); }

static void test_deferred_free(void)
{
    const struct bpfrt_platform *p = bpfrt_platform_hosted();
    freed = 0;
    /* No reader: freed at once. */
    p->defer_free(p->ctx, count_free, NULL);
    CHECK_EQ(freed, 1);
    /* Inside a read-side section the object must outlive the section. */
    p->read_lock(p->ctx);
    p->defer_free(p->ctx, count_free, NULL);
    CHECK_EQ(freed, 1);
    p->read_unlock(p->ctx);
    p->defer_free(p->ctx, count_free, NULL);
    CHECK_EQ(freed, 3);
}

static void *claim_worker(void *arg)
{
    const struct bpfrt_platform *p = bpfrt_platform_hosted();
    unsigned *owner = arg;
    for (int i = 0; i < 2000; i++) {
        unsigned cpu = p->cpu_claim(p->ctx);
        /* Exclusive: nobody else holds this slot now. */
        if (__atomic_fetch_add(&owner[cpu], 1, __ATOMIC_SEQ_CST) != 0)
            __atomic_store_n(&owner[63], 1, __ATOMIC_SEQ_CST);
        __atomic_fetch_sub(&owner[cpu], 1, __ATOMIC_SEQ_CST);
        p->cpu_release(p->ctx, cpu);
    }
    return NULL;
}

static void test_cpu_slots_exclusive(void)
{
    unsigned owner[64] = {0};
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, claim_worker, owner);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(owner[63], 0);
}

/* The diagnostics sink: the first error wins, the index stays apart from
 * the text, a note never replaces an error, a NULL sink or buffer is fine. */
static void test_diag(void)
{
    char buf[32];
    struct bpfrt_diag d;
    bpfrt_diag_init(&d, buf, sizeof(buf));
    CHECK_EQ(d.err, 0);
    CHECK_EQ(d.insn, BPFRT_DIAG_NO_INSN);
    bpfrt_diag_note(&d, "engine note");
    CHECK_STR(buf, "engine note");
    CHECK_EQ(bpfrt_diag_fail(&d, -22, 7, "unknown opcode %02x", 0x8f), -22);
    CHECK_EQ(bpfrt_diag_fail(&d, -13, 9, "second"), -13);
    bpfrt_diag_note(&d, "later note");
    CHECK_EQ(d.err, -22);
    CHECK_EQ(d.insn, 7);
    CHECK_STR(buf, "unknown opcode 8f");
    CHECK_EQ(bpfrt_diag_fail(NULL, -1, 0, "nowhere"), -1);
    bpfrt_diag_init(&d, NULL, 0);
    CHECK_EQ(bpfrt_diag_fail(&d, -7, 3, "%s", "x"), -7);
    CHECK_EQ(d.insn, 3);
    /* the public validator keeps its "insn N: " text form */
    struct bpf_insn bad[3] = {{.code = 0xb7}, {.code = 0x8f}, {.code = 0x95}};
    char msg[64];
    uint32_t at = 0;
    CHECK_EQ(bpfrt_insns_validate(bad, 3, msg, sizeof(msg), &at), -22);
    CHECK_EQ(at, 1);
    CHECK_STR(msg, "insn 1: unknown opcode 8f");
}

int main(void)
{
    RUN(test_format_matches_libc);
    RUN(test_format_truncation);
    RUN(test_strings);
    RUN(test_diag);
    RUN(test_probe_read);
    RUN(test_task_and_time);
    RUN(test_deferred_free);
    RUN(test_cpu_slots_exclusive);
    return test_summary();
}
