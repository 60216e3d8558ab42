/* The verifier against the kernel, whole logs: each program below is loaded
 * into bpfrt and, as root on Linux 6.18, into the kernel at log levels 1 and
 * 2, and the verdict, errno and the complete log must be the same. Only what
 * docs/verifier.md lists as not printed is left out of the comparison: the
 * stack-liveness debug lines ("(0) frame 0 insn N +live -8"), the "SCC
 * enter/exit/backedge" lines and the SCC column of the live-registers table,
 * the timing line, and kernel addresses of map pointers. Every case also carries its expected verdict and one log line
 * derived by hand from Linux's rules, checked even without a kernel. */
#include <stdlib.h>

#include "test.h"
#include "kernel_bpf.h"

#include "bpfrt/asm.h"
#include "bpfrt/bpf.h"
#include "bpfrt/hooks.h"
#include "bpfrt/platform.h"
#include "bpfrt/runtime.h"

struct vcase {
    const char *name;
    uint32_t type;
    const char *map;      /* "T:K:V:MAX" for map 0 (ld_imm64 map_fd(0)), or NULL */
    int err;              /* expected errno (0: accepted) */
    const char *line;     /* a line the log must contain (level 1) */
    const char *src;
};

#define XDP BPF_PROG_TYPE_XDP
#define SOCK BPF_PROG_TYPE_SOCKET_FILTER

static const struct vcase cases[] = {
    /* 2 + 8 iterations of 3 + the exit; no state is pruned (r1 differs each time) */
    {"bounded loop", XDP, NULL, 0, "processed 27 insns (limit 1000000)",
     "r0 = 0\nr1 = 0\nl: r0 += r1\nr1 += 1\nif r1 < 8 goto l\nexit\n"},
    {"packet read without a range check", XDP, NULL, EACCES,
     "invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)",
     "r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 0)\nexit\n"},
    {"packet read after a range check", XDP, NULL, 0, NULL,
     "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nr0 = 1\n"
     "if r4 > r3 goto +2\nr0 = *(u8 *)(r2 + 13)\nr0 &= 3\nexit\n"},
    {"map value read past its end", SOCK, "array:4:8:4", EACCES, "invalid access to map value, value_size=8 off=8 size=4",
     "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0)\ncall bpf_map_lookup_elem#1\n"
     "if r0 == 0 goto +1\nr0 = *(u32 *)(r0 + 8)\nr0 = 0\nexit\n"},
    {"hash lookup used without a null check", SOCK, "hash:4:8:4", EACCES, "R0 invalid mem access 'map_value_or_null'",
     "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0)\ncall bpf_map_lookup_elem#1\n"
     "r0 = *(u32 *)(r0 + 0)\nexit\n"},
    {"a variable index bounded by a branch", SOCK, "array:4:64:4", 0, NULL,
     "r6 = r1\nr1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0)\ncall bpf_map_lookup_elem#1\n"
     "if r0 == 0 goto +6\nr1 = *(u32 *)(r6 + 0)\nif r1 > 56 goto +4\nr0 += r1\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit\n"
     "r0 = 0\nexit\n"},
    {"a variable index one past the bound", SOCK, "array:4:64:4", EACCES, "invalid access to map value, value_size=64 off=57 size=8",
     "r6 = r1\nr1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0)\ncall bpf_map_lookup_elem#1\n"
     "if r0 == 0 goto +4\nr1 = *(u32 *)(r6 + 0)\nif r1 > 57 goto +2\nr0 += r1\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit\n"},
    {"bpf-to-bpf call with a stack pointer", SOCK, NULL, 0, NULL,
     "r1 = 5\n*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -8\ncall pc+1\nexit\nr0 = *(u64 *)(r1 + 0)\nexit\n"},
    {"uninitialised register", SOCK, NULL, EACCES, "R2 !read_ok", "r0 = r2\nexit\n"},
    {"ring buffer record never submitted", SOCK, "ringbuf:0:0:4096", EINVAL, "Unreleased reference id=2 alloc_insn=4",
     "r1 = map_fd(0)\nr2 = 8\nr3 = 0\ncall bpf_ringbuf_reserve#131\nif r0 == 0 goto +1\nr0 = 0\nexit\n"},
    {"ring buffer record submitted", SOCK, "ringbuf:0:0:4096", 0, NULL,
     "r1 = map_fd(0)\nr2 = 8\nr3 = 0\ncall bpf_ringbuf_reserve#131\nif r0 == 0 goto +4\nr1 = r0\nr2 = 0\n"
     "call bpf_ringbuf_submit#132\nr0 = 0\nexit\n"},
    {"packet pointer after bpf_xdp_adjust_head", XDP, NULL, EACCES, "R6 invalid mem access 'scalar'",
     "r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 4)\nr2 = r6\nr2 += 8\nif r2 > r7 goto +5\nr2 = 4\n"
     "call bpf_xdp_adjust_head#44\nr0 = *(u8 *)(r6 + 0)\nr0 = 2\nexit\nr0 = 2\nexit\n"},
    {"spilled pointer filled back", XDP, NULL, 0, NULL,
     "*(u64 *)(r10 - 16) = r1\nr2 = *(u64 *)(r10 - 16)\nr0 = *(u32 *)(r2 + 0)\nr0 = 2\nexit\n"},
    {"pointer spill overwritten by a 4-byte store", XDP, NULL, EACCES, "R2 invalid mem access 'scalar'",
     "*(u64 *)(r10 - 16) = r1\nr3 = 0\n*(u32 *)(r10 - 16) = r3\nr2 = *(u64 *)(r10 - 16)\nr0 = *(u32 *)(r2 + 0)\n"
     "r0 = 2\nexit\n"},
    {"32-bit compare bounds a 64-bit index", SOCK, "array:4:64:1", 0, NULL,
     "r6 = r1\nr1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0)\ncall bpf_map_lookup_elem#1\n"
     "if r0 == 0 goto +5\nr1 = *(u32 *)(r6 + 0)\nif w1 > 60 goto +3\nr0 += r1\nr0 = *(u32 *)(r0 + 0)\nr0 = 0\nexit\n"},
    /* r1 is [S32_MIN, 60] after the sign extension and the signed compare */
    {"signed bound without a lower bound", SOCK, "array:4:64:1", EINVAL,
     "value -2147483648 makes map_value pointer be out of bounds",
     "r6 = r1\nr1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0)\ncall bpf_map_lookup_elem#1\n"
     "if r0 == 0 goto +6\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 32\nr1 s>>= 32\nif r1 s> 60 goto +2\nr0 += r1\n"
     "r0 = *(u8 *)(r0 + 0)\nr0 = 0\nexit\n"},
    {"atomic add to the stack", SOCK, NULL, 0, NULL,
     "r1 = 1\n*(u64 *)(r10 - 8) = r1\nlock *(u64 *)(r10 - 8) += r1\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit\n"},
    {"jump into the middle of ld_imm64", SOCK, NULL, EINVAL, "jump into the middle of ldimm64 insn 2", /* the ld_imm64's index */
     "r0 = 0\nif r0 == 0 goto +1\nr1 = 0x100000000\nexit\n"},
    {"write to the context of a socket filter", SOCK, NULL, EACCES, "invalid bpf_context access off=0 size=4",
     "r2 = 0\n*(u32 *)(r1 + 0) = r2\nr0 = 0\nexit\n"},
    {"tail call then exit", SOCK, "prog_array:4:4:2", 0, NULL,
     "r2 = map_fd(0)\nr3 = 1\ncall bpf_tail_call#12\nr0 = 0\nexit\n"},
    {"division by a register that may be zero", SOCK, NULL, 0, NULL,
     "r2 = *(u32 *)(r1 + 0)\nr0 = 100\nr0 /= r2\nexit\n"},
    {"infinite loop", SOCK, NULL, EINVAL, "infinite loop detected at insn 1",
     "r0 = 0\nl: if r0 == 0 goto l\nexit\n"},
    {"unreachable instruction", SOCK, NULL, EINVAL, "unreachable insn 2", "r0 = 0\nexit\nr0 = 1\nexit\n"},
    {"return value out of range", BPF_PROG_TYPE_CGROUP_SKB, NULL, EINVAL,
     "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]", "r0 = 2\nexit\n"},
    {"stack read out of bounds", SOCK, NULL, EACCES, "invalid read from stack R10 off=-520 size=8",
     "r0 = *(u64 *)(r10 - 520)\nexit\n"},
    {"pruning with precision", SOCK, "array:4:16:1", 0, NULL,
     "r6 = r1\nr1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0)\ncall bpf_map_lookup_elem#1\n"
     "if r0 == 0 goto +9\nr1 = *(u32 *)(r6 + 0)\nr2 = 0\nif r1 > 10 goto +1\nr2 = 8\nr3 = *(u32 *)(r6 + 4)\n"
     "if r3 > 10 goto +1\nr3 = 1\nr0 += r2\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit\n"},
};

static char klog[1 << 20], blog[1 << 20];

/* The log without what bpfrt does not print (see the file comment). */
static void normalise(char *log)
{
    char *out = log, *line = log;
    while (*line) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        bool drop = (line[0] == '(' && len < 200 &&
                     (strstr(line, " +live ") || strstr(line, " +written ") || strstr(line, "live stack update"))) ||
                    (strncmp(line, "SCC ", 4) == 0 && len < 200) || strncmp(line, "verification time ", 18) == 0;
        if (!drop) {
            char tmp[4096];
            size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
            memcpy(tmp, line, n);
            tmp[n] = '\0';
            /* "  1   5: .1234..... (85) call" -> "      5: ..." (the SCC column) */
            char *p = tmp;
            while (*p == ' ')
                p++;
            char *q = p;
            while (*q >= '0' && *q <= '9')
                q++;
            if (q > p && *q == ' ' && p > tmp) {
                char *r = q;
                while (*r == ' ')
                    r++;
                char *t = r;
                while (*t >= '0' && *t <= '9')
                    t++;
                if (t > r && *t == ':')
                    memset(p, ' ', (size_t)(q - p));
            }
            /* map pointers: kernel addresses differ from ours */
            char *h = strstr(tmp, "(18) r");
            h = h ? strstr(h, " = 0x") : NULL;
            if (h) {
                h -= 2; /* "rN = 0x" */
                char *e = h + 7;
                while ((*e >= '0' && *e <= '9') || (*e >= 'a' && *e <= 'f'))
                    e++;
                memmove(h + 8, e, strlen(e) + 1);
                h[7] = 'P';
                char *semi = strstr(tmp, ";");
                if (semi && semi > h) { /* re-pad to the ';' column Linux uses */
                    char *sp = semi;
                    while (sp > h + 8 && sp[-1] == ' ')
                        sp--;
                    memmove(sp + 1, semi, strlen(semi) + 1);
                    *sp = ' ';
                }
            }
            size_t tl = strlen(tmp);
            memmove(out, tmp, tl);
            out += tl;
        }
        line += len;
    }
    *out = '\0';
}

static long load(bool kernel, struct bpfrt_runtime *rt, const struct vcase *c, const struct bpf_insn *insns,
                 uint32_t cnt, uint32_t level, char *log)
{
    long mfd = -1;
    struct bpf_insn *p = malloc(cnt * sizeof(*p));
    memcpy(p, insns, cnt * sizeof(*p));
    if (c->map) {
        static const struct { const char *n; uint32_t t; } mt[] = {
            {"array", BPF_MAP_TYPE_ARRAY}, {"hash", BPF_MAP_TYPE_HASH}, {"ringbuf", BPF_MAP_TYPE_RINGBUF},
            {"prog_array", BPF_MAP_TYPE_PROG_ARRAY}};
        char name[16];
        unsigned ks, vs, max;
        sscanf(c->map, "%15[a-z_]:%u:%u:%u", name, &ks, &vs, &max);
        uint32_t t = 0;
        for (unsigned i = 0; i < sizeof(mt) / sizeof(mt[0]); i++)
            if (!strcmp(name, mt[i].n))
                t = mt[i].t;
        union bpf_attr m = kbpf_map_attr(t, ks, vs, max, 0);
        mfd = kernel ? kbpf(BPF_MAP_CREATE, &m) : bpfrt_bpf(rt, BPF_MAP_CREATE, &m, sizeof(m));
        for (uint32_t i = 0; i < cnt; i++)
            if (p[i].code == (BPF_LD | BPF_DW | BPF_IMM) && p[i].src_reg == BPF_PSEUDO_MAP_FD)
                p[i].imm = (int32_t)mfd;
    }
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = c->type;
    a.insns = kbpf_ptr(p);
    a.insn_cnt = cnt;
    a.license = kbpf_ptr("GPL");
    a.log_level = level;
    a.log_buf = kbpf_ptr(log);
    a.log_size = 1 << 20;
    log[0] = '\0';
    long r = kernel ? kbpf(BPF_PROG_LOAD, &a) : bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    if (kernel) {
        if (r >= 0)
            close((int)r);
        if (mfd >= 0)
            close((int)mfd);
    } else if (r >= 0) {
        bpfrt_close(rt, (int)r);
    }
    free(p);
    return r < 0 ? r : 0;
}

static void first_difference(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    size_t s = i;
    while (s > 0 && a[s - 1] != '\n')
        s--;
    fprintf(stderr, "  kernel: %.160s\n  bpfrt:  %.160s\n", a + s, b + s);
}

static void test_cases(void)
{
    bool kernel = kbpf_available();
    unsigned same = 0, compared = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct vcase *c = &cases[i];
        struct bpf_insn *insns;
        uint32_t cnt;
        struct bpfrt_asm_error e;
        if (bpfrt_asm(bpfrt_platform_hosted(), c->src, strlen(c->src), BPFRT_SYNTAX_KERNEL, &insns, &cnt, &e)) {
            fprintf(stderr, "%s: asm %u:%u %s\n", c->name, e.line, e.column, e.msg);
            CHECK(0);
            continue;
        }
        struct bpfrt_runtime *rt;
        CHECK_EQ(bpfrt_runtime_create(bpfrt_platform_hosted(), &rt), 0);
        for (uint32_t level = 1; level <= 2; level++) {
            long b = load(false, rt, c, insns, cnt, level, blog);
            if (level == 1) {
                if (b != -c->err)
                    fprintf(stderr, "%s: bpfrt %ld, expected %d\n%s", c->name, b, -c->err, blog);
                CHECK_EQ(b, -c->err);
                if (c->line)
                    CHECK_CONTAINS(blog, c->line);
            }
            if (!kernel)
                continue;
            long k = load(true, NULL, c, insns, cnt, level, klog);
            CHECK_EQ(k, -c->err); /* the hand-derived expectation is the kernel's */
            normalise(klog);
            normalise(blog);
            compared++;
            if (k == b && strcmp(klog, blog) == 0) {
                same++;
            } else {
                fprintf(stderr, "%s (level %u): logs differ\n", c->name, level);
                first_difference(klog, blog);
                CHECK(0);
            }
        }
        bpfrt_runtime_destroy(rt);
        bpfrt_platform_hosted()->free(bpfrt_platform_hosted()->ctx, insns, (size_t)cnt * sizeof(*insns));
    }
    if (kernel)
        printf("%u of %u logs identical to the kernel's\n", same, compared);
    else
        TEST_SKIP_CASE("kernel comparison", "bpf(2) unavailable");
}

/* What a load leaves behind: verified_insns in the program's info (the
 * bounded loop: 27, as derived above and as the kernel reports), and the
 * two ways to load an unsafe program - refused by the verifier, or loaded
 * with BPFRT_PROG_F_NO_VERIFY and stopped by checked mode at run time. */
static void test_after_load(void)
{
    struct bpfrt_runtime *rt;
    CHECK_EQ(bpfrt_runtime_create(bpfrt_platform_hosted(), &rt), 0);
    const char *loop = cases[0].src, *oob = "r0 = *(u8 *)(r1 + 100)\nexit\n";
    struct bpf_insn *insns;
    uint32_t cnt;
    struct bpfrt_asm_error e;
    CHECK_EQ(bpfrt_asm(bpfrt_platform_hosted(), loop, strlen(loop), BPFRT_SYNTAX_KERNEL, &insns, &cnt, &e), 0);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_XDP;
    a.insns = kbpf_ptr(insns);
    a.insn_cnt = cnt;
    a.license = kbpf_ptr("GPL");
    long fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(fd >= 0);
    struct bpf_prog_info info;
    memset(&info, 0, sizeof(info));
    union bpf_attr ia;
    memset(&ia, 0, sizeof(ia));
    ia.info.bpf_fd = (uint32_t)fd;
    ia.info.info_len = sizeof(info);
    ia.info.info = kbpf_ptr(&info);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &ia, sizeof(ia)), 0);
    CHECK_EQ(info.verified_insns, 27);
    bpfrt_close(rt, (int)fd);
    bpfrt_platform_hosted()->free(bpfrt_platform_hosted()->ctx, insns, (size_t)cnt * sizeof(*insns));

    /* a socket filter reading __sk_buff byte 100: not a readable field */
    CHECK_EQ(bpfrt_asm(bpfrt_platform_hosted(), oob, strlen(oob), BPFRT_SYNTAX_KERNEL, &insns, &cnt, &e), 0);
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = kbpf_ptr(insns);
    a.insn_cnt = cnt;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), -EACCES);
    a.prog_flags = BPFRT_PROG_F_NO_VERIFY;
    fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(fd >= 0);
    if (fd >= 0) {
        uint8_t pkt[64] = {0};
        struct bpfrt_test_run_opts o = {.data_in = pkt, .data_size_in = sizeof(pkt)};
        struct bpfrt_test_run_result r;
        memset(&r, 0, sizeof(r));
        bpfrt_prog_test_run(rt, bpfrt_prog_from_handle(rt, (int)fd), &o, &r);
        CHECK(r.run_error != 0); /* checked mode stopped the read */
        bpfrt_close(rt, (int)fd);
    }
    bpfrt_platform_hosted()->free(bpfrt_platform_hosted()->ctx, insns, (size_t)cnt * sizeof(*insns));
    bpfrt_runtime_destroy(rt);
}

int main(void)
{
    RUN(test_cases);
    RUN(test_after_load);
    return test_summary();
}
