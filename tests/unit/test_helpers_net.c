/* Socket helpers over sockets the embedder registers, against the kernel
 * on real sockets with the same addresses: a tc program looks a tuple up
 * (bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp), reads the found socket's
 * state, family and port through the struct bpf_sock pointer and releases
 * it - run in bpfrt (checked: the socket is readable memory and a
 * reference) and in the kernel's test run; the answers must agree for a
 * listener, an established connection, a bound UDP socket, a wrong port,
 * tuple sizes, flags and netns ids. Then what only bpfrt can show: a
 * program that keeps a socket fails its run, bpf_sk_release of a socket it
 * does not hold fails, sk_assign, socket cookies, clone_redirect. bpf_tcp_sock
 * too, on the listener (a socket that has exchanged no data). */
#define _GNU_SOURCE
#include "test_helpers_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bpfrt/bpf.h"
#include "bpfrt/hooks.h"
#include "bpfrt/map.h"
#include "kernel_bpf.h"

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define ST32(d, o, i) I(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define MOVI(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOVR(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADDI(d, i) I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define CALL(id) I(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LDXW(d, s, o) I(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define JNE0(d, off) I(BPF_JMP | BPF_JNE | BPF_K, d, 0, off, 0)
#define LSH(d, i) I(BPF_ALU64 | BPF_LSH | BPF_K, d, 0, 0, i)
#define ORR(d, s) I(BPF_ALU64 | BPF_OR | BPF_X, d, s, 0, 0)
#define LD64(d, v) I(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int32_t)(uint32_t)(uint64_t)(v)), \
                   I(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))

/* Appends a lookup of the 12-byte IPv4 tuple t (stored at fp-12) with
 * helper, netns -1 (the caller's) and no flags, up to the call; r0 is the
 * socket or NULL. Returns the new count. */
static uint32_t emit_v4_lookup(struct bpf_insn *p, uint32_t n, uint32_t helper, const uint8_t t[36])
{
    for (int i = 0; i < 3; i++) {
        int32_t w;
        memcpy(&w, t + 4 * i, 4);
        p[n++] = ST32(10, (int16_t)(-12 + 4 * i), w);
    }
    p[n++] = MOVR(2, 10);
    p[n++] = ADDI(2, -12);
    p[n++] = MOVI(3, 12);
    p[n++] = MOVI(4, -1);
    p[n++] = MOVI(5, 0);
    p[n++] = CALL((int32_t)helper);
    return n;
}

/* tc: tuple on the stack, lookup(ctx, tuple, len, netns, flags); no socket:
 * 99, else state | family << 8 | src_port << 16 after bpf_sk_release. */
static uint32_t build(struct bpf_insn *p, uint32_t helper, const uint8_t tuple[36], int32_t len, int64_t netns,
                      int32_t flags)
{
    uint32_t n = 0;
    for (int i = 0; i < 9; i++) {
        int32_t w;
        memcpy(&w, tuple + 4 * i, 4);
        p[n++] = ST32(10, (int16_t)(-40 + 4 * i), w);
    }
    p[n++] = MOVR(2, 10);
    p[n++] = ADDI(2, -40);
    p[n++] = MOVI(3, len);
    const struct bpf_insn ld[] = { LD64(4, netns) };
    p[n++] = ld[0];
    p[n++] = ld[1];
    p[n++] = MOVI(5, flags);
    p[n++] = CALL((int32_t)helper);
    p[n++] = JNE0(0, 2);
    p[n++] = MOVI(0, 99);
    p[n++] = EXIT();
    p[n++] = MOVR(6, 0);
    p[n++] = LDXW(7, 6, 72); /* state */
    p[n++] = LDXW(8, 6, 4);  /* family */
    p[n++] = LSH(8, 8);
    p[n++] = ORR(7, 8);
    p[n++] = LDXW(8, 6, 44); /* src_port, host order */
    p[n++] = LSH(8, 16);
    p[n++] = ORR(7, 8);
    p[n++] = MOVR(1, 6);
    p[n++] = CALL(BPF_FUNC_sk_release);
    p[n++] = MOVR(0, 7);
    p[n++] = EXIT();
    return n;
}

/* Loads through the verifier unless flags say BPFRT_PROG_F_NO_VERIFY
 * (checked mode, for programs that break the rules on purpose). */
static long bpfrt_load_flags(uint32_t type, const struct bpf_insn *insns, uint32_t n, char *log, uint32_t log_size,
                             uint32_t flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.insns = kbpf_ptr(insns);
    a.insn_cnt = n;
    a.license = kbpf_ptr("GPL");
    a.log_buf = kbpf_ptr(log);
    a.log_size = log_size;
    a.log_level = log ? 1 : 0;
    a.prog_flags = flags;
    return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

static long bpfrt_load(uint32_t type, const struct bpf_insn *insns, uint32_t n, char *log, uint32_t log_size)
{
    return bpfrt_load_flags(type, insns, n, log, log_size, 0);
}

/* Test run on a small IPv4 frame: the return value, or -1 with the run's
 * error in err (bpfrt). */
static int64_t bpfrt_run(long fd, char *err, size_t err_size)
{
    uint8_t pkt[64] = { 0 };
    pkt[12] = 0x08;
    pkt[14] = 0x45;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.data_in = kbpf_ptr(pkt);
    a.test.data_size_in = sizeof(pkt);
    a.test.repeat = 1;
    struct bpfrt_prog *prog = bpfrt_prog_from_handle(rt, (int)fd);
    struct bpfrt_test_run_opts o = { .data_in = pkt, .data_size_in = sizeof(pkt) };
    struct bpfrt_test_run_result r;
    memset(&r, 0, sizeof(r));
    int rc = prog ? bpfrt_prog_test_run(rt, prog, &o, &r) : -BPFRT_EBADF;
    if (err)
        snprintf(err, err_size, "%s", r.error_msg);
    return rc || r.run_error ? -1 : (int64_t)r.retval;
}

static int64_t kernel_run(const struct bpf_insn *p, uint32_t n)
{
    static char log[8192];
    long fd = kbpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, p, n, 1, log, sizeof(log));
    if (fd < 0) {
        fprintf(stderr, "kernel load: %s\n", log);
        return -2;
    }
    uint8_t pkt[64] = { 0 };
    pkt[12] = 0x08;
    pkt[14] = 0x45;
    uint32_t ret = 0;
    long rc = kbpf_test_run(fd, pkt, sizeof(pkt), NULL, NULL, &ret);
    close((int)fd);
    return rc ? -3 : (int64_t)ret;
}

/* ---- the sockets, both sides: 127.0.0.1 ---- */
static int k_listen = -1, k_client = -1, k_server = -1, k_udp = -1;
static uint16_t p_listen, p_client, p_udp;

static uint16_t port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t l = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &l);
    return ntohs(a.sin_port);
}

static bool kernel_sockets(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    k_listen = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(k_listen, (struct sockaddr *)&a, sizeof(a)) || listen(k_listen, 4))
        return false;
    p_listen = port_of(k_listen);
    a.sin_port = htons(p_listen);
    k_client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(k_client, (struct sockaddr *)&a, sizeof(a)))
        return false;
    k_server = accept(k_listen, NULL, NULL);
    p_client = port_of(k_client);
    k_udp = socket(AF_INET, SOCK_DGRAM, 0);
    a.sin_port = 0;
    if (bind(k_udp, (struct sockaddr *)&a, sizeof(a)))
        return false;
    p_udp = port_of(k_udp);
    return k_server >= 0;
}

static void bpfrt_sockets(void)
{
    uint32_t lo = htonl(INADDR_LOOPBACK);
    struct bpfrt_sock_desc d = { .family = BPFRT_AF_INET, .type = 1, .protocol = 6, .state = 10,
                                 .local_port = p_listen };
    memcpy(d.local_ip, &lo, 4);
    int fd;
    CHECK_EQ(bpfrt_sock_add(rt, &d, &fd), 0);
    /* the client end (established, local p_client, remote p_listen) and the
     * server end the listener accepted (local p_listen, remote p_client) */
    d.state = 1;
    d.local_port = p_client;
    d.remote_port = p_listen;
    memcpy(d.remote_ip, &lo, 4);
    CHECK_EQ(bpfrt_sock_add(rt, &d, &fd), 0);
    d.local_port = p_listen;
    d.remote_port = p_client;
    CHECK_EQ(bpfrt_sock_add(rt, &d, &fd), 0);
    struct bpfrt_sock_desc u = { .family = BPFRT_AF_INET, .type = 2, .protocol = 17, .state = 7,
                                 .local_port = p_udp };
    memcpy(u.local_ip, &lo, 4);
    CHECK_EQ(bpfrt_sock_add(rt, &u, &fd), 0);
}

static void tuple4(uint8_t t[36], uint16_t sport, uint16_t dport)
{
    memset(t, 0, 36);
    uint32_t lo = htonl(INADDR_LOOPBACK);
    memcpy(t, &lo, 4);
    memcpy(t + 4, &lo, 4);
    uint16_t s = htons(sport), d = htons(dport);
    memcpy(t + 8, &s, 2);
    memcpy(t + 10, &d, 2);
}

struct lookup_case {
    const char *what;
    uint32_t helper;
    uint16_t sport, dport; /* 0xffff: the listener's port, 0xfffe: the client's, 0xfffd: the udp one */
    int32_t len;
    int64_t netns;
    int32_t flags;
};

static uint16_t port(uint16_t p)
{
    return p == 0xffff ? p_listen : p == 0xfffe ? p_client : p == 0xfffd ? p_udp : p;
}

static const struct lookup_case lookups[] = {
    { "tcp: a connection to the listener's port finds the listener", BPF_FUNC_sk_lookup_tcp, 40000, 0xffff, 12, -1, 0 },
    { "tcp: the established server end", BPF_FUNC_sk_lookup_tcp, 0xfffe, 0xffff, 12, -1, 0 },
    { "tcp: the client end", BPF_FUNC_sk_lookup_tcp, 0xffff, 0xfffe, 12, -1, 0 },
    { "skc: the listener", BPF_FUNC_skc_lookup_tcp, 40000, 0xffff, 12, -1, 0 },
    { "tcp: nobody on the port", BPF_FUNC_sk_lookup_tcp, 40000, 1, 12, -1, 0 },
    { "tcp: a bad tuple size", BPF_FUNC_sk_lookup_tcp, 40000, 0xffff, 13, -1, 0 },
    { "tcp: flags", BPF_FUNC_sk_lookup_tcp, 40000, 0xffff, 12, -1, 1 },
    { "tcp: netns 0 (an id nobody assigned)", BPF_FUNC_sk_lookup_tcp, 40000, 0xffff, 12, 0, 0 },
    { "tcp: netns -2 (the caller's)", BPF_FUNC_sk_lookup_tcp, 40000, 0xffff, 12, -2, 0 },
    { "udp: the bound socket", BPF_FUNC_sk_lookup_udp, 40000, 0xfffd, 12, -1, 0 },
    { "udp: a tcp port", BPF_FUNC_sk_lookup_udp, 40000, 0xffff, 12, -1, 0 },
    { "tcp: a udp port", BPF_FUNC_sk_lookup_tcp, 40000, 0xfffd, 12, -1, 0 },
    { "udp: an IPv6 tuple", BPF_FUNC_sk_lookup_udp, 40000, 0xfffd, 36, -1, 0 },
};

static void test_lookups_vs_kernel(void)
{
    bool kernel = kbpf_available() && kernel_sockets();
    if (!kernel) {
        printf("note: kernel comparison skipped (no bpf(2) or sockets here): bpfrt checked alone\n");
        p_listen = 4000, p_client = 4001, p_udp = 4002;
    }
    bpfrt_sockets();
    for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
        const struct lookup_case *c = &lookups[i];
        test_current = c->what;
        uint8_t t[36];
        tuple4(t, port(c->sport), port(c->dport));
        struct bpf_insn prog[64];
        uint32_t n = build(prog, c->helper, t, c->len, c->netns, c->flags);
        char log[4096] = "", err[200] = "";
        long fd = bpfrt_load(BPF_PROG_TYPE_SCHED_CLS, prog, n, log, sizeof(log));
        CHECK(fd >= 0);
        int64_t mine = fd >= 0 ? bpfrt_run(fd, err, sizeof(err)) : -2;
        if (mine == -1)
            fprintf(stderr, "%s: run failed: %s\n", c->what, err);
        if (fd >= 0)
            bpfrt_close(rt, (int)fd);
        if (kernel) {
            int64_t theirs = kernel_run(prog, n);
            if (mine != theirs)
                fprintf(stderr, "%s: bpfrt %lld, kernel %lld\n", c->what, (long long)mine, (long long)theirs);
            CHECK_EQ(mine, theirs);
        }
        if (i == 0)
            CHECK_EQ(mine, 10 | 2 << 8 | (int64_t)p_listen << 16); /* LISTEN, AF_INET, its port */
    }
    test_current = "test_lookups_vs_kernel";
}

/* bpf_sk_fullsock and bpf_get_listener_sock on what bpf_skc_lookup_tcp
 * finds (the listener, the established server end): bit 0 a full socket,
 * bit 1 a listener, 99 nothing found - verified, and against the kernel. */
static void test_socket_casts(void)
{
    static const uint16_t sports[] = { 40000, 0xfffe };
    for (size_t i = 0; i < sizeof(sports) / sizeof(sports[0]); i++) {
        uint8_t t[36];
        tuple4(t, port(sports[i]), p_listen);
        struct bpf_insn prog[64];
        uint32_t n = emit_v4_lookup(prog, 0, BPF_FUNC_skc_lookup_tcp, t);
        prog[n++] = JNE0(0, 2);
        prog[n++] = MOVI(0, 99);
        prog[n++] = EXIT();
        prog[n++] = MOVR(6, 0);
        prog[n++] = MOVI(7, 0);
        prog[n++] = MOVR(1, 6);
        prog[n++] = CALL(BPF_FUNC_sk_fullsock);
        prog[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0);
        prog[n++] = MOVI(7, 1);
        prog[n++] = MOVR(1, 6);
        prog[n++] = CALL(BPF_FUNC_get_listener_sock);
        prog[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0);
        prog[n++] = I(BPF_ALU64 | BPF_OR | BPF_K, 7, 0, 0, 2);
        prog[n++] = MOVR(1, 6);
        prog[n++] = CALL(BPF_FUNC_sk_release);
        prog[n++] = MOVR(0, 7);
        prog[n++] = EXIT();
        char log[4096] = "";
        long fd = bpfrt_load(BPF_PROG_TYPE_SCHED_CLS, prog, n, log, sizeof(log));
        if (fd < 0)
            fprintf(stderr, "%s", log);
        CHECK(fd >= 0);
        int64_t mine = fd >= 0 ? bpfrt_run(fd, NULL, 0) : -2;
        if (fd >= 0)
            bpfrt_close(rt, (int)fd);
        CHECK_EQ(mine, i == 0 ? 3 : 1); /* the listener: full and listening; the server end: full */
        if (kbpf_available() && k_listen >= 0) {
            int64_t theirs = kernel_run(prog, n);
            if (mine != theirs)
                fprintf(stderr, "socket casts %zu: bpfrt %lld, kernel %lld\n", i, (long long)mine,
                        (long long)theirs);
            CHECK_EQ(mine, theirs);
        }
    }
}

/* bpf_tcp_sock on what a lookup finds: the listener's struct bpf_tcp_sock
 * (snd_cwnd | ssthresh's top byte << 8 | mss_cache << 16 - a socket that
 * has exchanged no data: 10, 0x7f, 536), the reference released through
 * the tcp_sock pointer; NULL (98) for a UDP socket; 99 nothing found -
 * verified, checked, and against the kernel. */
static void test_tcp_sock(void)
{
    static const struct { uint32_t helper; uint16_t dport; int64_t want; } cases[] = {
        { BPF_FUNC_skc_lookup_tcp, 0xffff, 10 | 0x7f << 8 | 536 << 16 },
        { BPF_FUNC_sk_lookup_udp, 0xfffd, 98 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t t[36];
        tuple4(t, 40000, port(cases[i].dport));
        struct bpf_insn prog[64];
        uint32_t n = emit_v4_lookup(prog, 0, cases[i].helper, t);
        prog[n++] = JNE0(0, 2);
        prog[n++] = MOVI(0, 99);
        prog[n++] = EXIT();
        prog[n++] = MOVR(6, 0);
        prog[n++] = MOVR(1, 6);
        prog[n++] = CALL(BPF_FUNC_tcp_sock);
        prog[n++] = JNE0(0, 4);
        prog[n++] = MOVR(1, 6);
        prog[n++] = CALL(BPF_FUNC_sk_release);
        prog[n++] = MOVI(0, 98);
        prog[n++] = EXIT();
        prog[n++] = LDXW(7, 0, 0);   /* snd_cwnd */
        prog[n++] = LDXW(8, 0, 12);  /* snd_ssthresh */
        prog[n++] = I(BPF_ALU64 | BPF_RSH | BPF_K, 8, 0, 0, 24);
        prog[n++] = LSH(8, 8);
        prog[n++] = ORR(7, 8);
        prog[n++] = LDXW(8, 0, 28);  /* mss_cache */
        prog[n++] = LSH(8, 16);
        prog[n++] = ORR(7, 8);
        prog[n++] = MOVR(1, 0);      /* the tcp_sock holds the lookup's reference */
        prog[n++] = CALL(BPF_FUNC_sk_release);
        prog[n++] = MOVR(0, 7);
        prog[n++] = EXIT();
        char log[4096] = "", err[200] = "";
        long fd = bpfrt_load(BPF_PROG_TYPE_SCHED_CLS, prog, n, log, sizeof(log));
        if (fd < 0)
            fprintf(stderr, "%s", log);
        CHECK(fd >= 0);
        int64_t mine = fd >= 0 ? bpfrt_run(fd, err, sizeof(err)) : -2;
        if (mine == -1)
            fprintf(stderr, "tcp_sock %zu: run failed: %s\n", i, err);
        if (fd >= 0)
            bpfrt_close(rt, (int)fd);
        CHECK_EQ(mine, cases[i].want);
        if (kbpf_available() && k_listen >= 0) {
            int64_t theirs = kernel_run(prog, n);
            if (mine != theirs)
                fprintf(stderr, "tcp_sock %zu: bpfrt %lld, kernel %lld\n", i, (long long)mine, (long long)theirs);
            CHECK_EQ(mine, theirs);
        }
    }
}

/* The verifier tracks the socket reference: the lookup program above
 * verifies (test_lookups_vs_kernel runs it verified); without its
 * bpf_sk_release it is refused as Linux refuses it. */
static void test_verifier_tracks_reference(void)
{
    uint8_t t[36];
    tuple4(t, 40000, 1);
    struct bpf_insn prog[64];
    uint32_t n = build(prog, BPF_FUNC_sk_lookup_tcp, t, 12, -1, 0);
    CHECK(prog[n - 3].code == (BPF_JMP | BPF_CALL) && prog[n - 3].imm == BPF_FUNC_sk_release);
    prog[n - 4] = MOVI(0, 0); /* r1 = r6 before the release: drop the socket instead */
    prog[n - 3] = MOVI(0, 0);
    char log[8192] = "";
    long fd = bpfrt_load_flags(BPF_PROG_TYPE_SCHED_CLS, prog, n, log, sizeof(log), 0);
    CHECK(fd < 0);
    CHECK(strstr(log, "Unreleased reference id=") != NULL);
    if (fd >= 0)
        bpfrt_close(rt, (int)fd);
}

/* bpf_sk_assign in a tc test run, both sides: the looked-up listener
 * assigned (or not: a test run is not at tc ingress) and released. */
static void test_assign_vs_kernel(void)
{
    if (!kbpf_available() || k_listen < 0)
        return;
    uint8_t t[36];
    tuple4(t, 40000, p_listen);
    struct bpf_insn prog[64];
    uint32_t n = 0;
    prog[n++] = MOVR(9, 1);
    n = emit_v4_lookup(prog, n, BPF_FUNC_sk_lookup_tcp, t);
    prog[n++] = JNE0(0, 2);
    prog[n++] = MOVI(0, 99);
    prog[n++] = EXIT();
    prog[n++] = MOVR(6, 0);
    prog[n++] = MOVR(1, 9);
    prog[n++] = MOVR(2, 6);
    prog[n++] = MOVI(3, 0);
    prog[n++] = CALL(BPF_FUNC_sk_assign);
    prog[n++] = MOVR(7, 0);
    prog[n++] = MOVR(1, 6);
    prog[n++] = CALL(BPF_FUNC_sk_release);
    prog[n++] = MOVR(0, 7);
    prog[n++] = EXIT();
    long fd = bpfrt_load(BPF_PROG_TYPE_SCHED_CLS, prog, n, NULL, 0);
    int64_t mine = bpfrt_run(fd, NULL, 0);
    bpfrt_close(rt, (int)fd);
    int64_t theirs = kernel_run(prog, n);
    if (mine != theirs)
        fprintf(stderr, "sk_assign: bpfrt %lld, kernel %lld\n", (long long)mine, (long long)theirs);
    CHECK_EQ(mine, theirs);
}

/* A checked run that keeps a socket fails (the verifier's "Unreleased
 * reference"); releasing what it does not hold fails too. */
static void test_references(void)
{
    uint8_t t[36];
    tuple4(t, 40000, p_listen);
    struct bpf_insn prog[64];
    uint32_t n = 0;
    n = emit_v4_lookup(prog, n, BPF_FUNC_sk_lookup_tcp, t);
    prog[n++] = MOVI(0, 0);
    prog[n++] = EXIT();
    char err[200] = "", log[4096] = "";
    /* the verifier refuses both programs; checked mode catches them at run time */
    CHECK(bpfrt_load_flags(BPF_PROG_TYPE_SCHED_CLS, prog, n, log, sizeof(log), 0) < 0);
    CHECK(strstr(log, "Unreleased reference") != NULL);
    long fd = bpfrt_load_flags(BPF_PROG_TYPE_SCHED_CLS, prog, n, NULL, 0, BPFRT_PROG_F_NO_VERIFY);
    CHECK_EQ(bpfrt_run(fd, err, sizeof(err)), -1);
    CHECK(strstr(err, "socket") != NULL);
    bpfrt_close(rt, (int)fd);

    /* bpf_sk_release of the context pointer: not a socket it holds */
    struct bpf_insn rel[] = { CALL(BPF_FUNC_sk_release), MOVI(0, 0), EXIT() };
    CHECK(bpfrt_load_flags(BPF_PROG_TYPE_SCHED_CLS, rel, 3, log, sizeof(log), 0) < 0);
    CHECK(strstr(log, "R1 type=ctx expected=sock_common") != NULL);
    fd = bpfrt_load_flags(BPF_PROG_TYPE_SCHED_CLS, rel, 3, NULL, 0, BPFRT_PROG_F_NO_VERIFY);
    CHECK_EQ(bpfrt_run(fd, err, sizeof(err)), -1);
    CHECK(strstr(err, "bpf_sk_release") != NULL);
    bpfrt_close(rt, (int)fd);
}

/* bpf_sk_assign and bpf_get_socket_cookie, called directly. */
static void test_assign_and_cookie(void)
{
    static const struct bpfrt_ctx_desc tc = { .prog_type = BPF_PROG_TYPE_SCHED_CLS,
                                              .ctx_size = sizeof(struct __sk_buff) };
    struct bpfrt_skb_frame {
        struct __sk_buff skb;
        uint8_t rest[256];
    } ctx;
    memset(&ctx, 0, sizeof(ctx));
    struct bpfrt_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    run.ctx = &ctx;
    run.ctx_desc = &tc;
    run.pkt = &pkt;
    uint8_t t[36];
    tuple4(t, 40000, p_listen);
    uint64_t sk = call(BPF_FUNC_sk_lookup_tcp, P(&ctx), P(t), 12, (uint64_t)-1, 0);
    CHECK(sk != 0);
    CHECK_EQ(call(BPF_FUNC_sk_assign, P(&ctx), sk, 0, 0, 0), ERR(-BPFRT_EOPNOTSUPP)); /* not at ingress */
    ctx.skb.ingress_ifindex = 1;
    CHECK_EQ(call(BPF_FUNC_sk_assign, P(&ctx), sk, 1, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_sk_assign, P(&ctx), 0, 0, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_sk_assign, P(&ctx), sk, 0, 0, 0), 0);
    CHECK_EQ(pkt.assigned_sk, (const void *)(uintptr_t)sk);
    /* cookies: the skb under test has no socket; sock_ops-style runs do */
    CHECK_EQ(call(BPF_FUNC_get_socket_cookie, P(&ctx), 0, 0, 0, 0), 0);
    run.sk = (const void *)(uintptr_t)sk;
    uint64_t c1 = call(BPF_FUNC_get_socket_cookie, P(&ctx), 0, 0, 0, 0);
    CHECK(c1 != 0);
    CHECK_EQ(call(BPF_FUNC_get_socket_cookie, P(&ctx), 0, 0, 0, 0), c1);
    run.sk = NULL;
    CHECK_EQ(call(BPF_FUNC_sk_release, sk, 0, 0, 0, 0), 0);
    run.ctx = NULL;
    run.ctx_desc = NULL;
    run.pkt = NULL;
}

/* Socket options from a sock_ops run, on the socket it runs for. */
static void test_sockopts(void)
{
    static const struct bpfrt_ctx_desc ops = { .prog_type = BPF_PROG_TYPE_SOCK_OPS };
    struct bpfrt_sock_desc d = { .family = BPFRT_AF_INET, .type = 1, .protocol = 6, .state = 1 };
    struct bpfrt_sock_desc u = { .family = BPFRT_AF_INET, .type = 2, .protocol = 17, .state = 7 };
    int tfd, ufd;
    CHECK_EQ(bpfrt_sock_add(rt, &d, &tfd), 0);
    CHECK_EQ(bpfrt_sock_add(rt, &u, &ufd), 0);
    /* the sockets as programs see them: from a lookup of the TCP one */
    uint8_t t[36];
    tuple4(t, 0, 0);
    memset(t, 0, 12);
    uint64_t sk = call(BPF_FUNC_skc_lookup_tcp, 0, P(t), 12, (uint64_t)-1, 0);
    CHECK(sk != 0);
    uint32_t ctx[8] = { 4 };
    run.ctx = ctx;
    run.ctx_desc = &ops;
    run.sk = (const void *)(uintptr_t)sk;
    int32_t one = 1, v = -1, small = 1000;
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 6, 1, P(&one), 4), 0);        /* TCP_NODELAY */
    CHECK_EQ(call(BPF_FUNC_getsockopt, P(ctx), 6, 1, P(&v), 4), 0);
    CHECK_EQ(v, 1);
    CHECK_EQ(call(BPF_FUNC_getsockopt, P(ctx), 6, 4, P(&v), 4), 0);          /* TCP_KEEPIDLE: never set */
    CHECK_EQ(v, 0);
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 1, 7, P(&small), 4), 0);      /* SO_SNDBUF: doubled, at least 4608 */
    CHECK_EQ(call(BPF_FUNC_getsockopt, P(ctx), 1, 7, P(&v), 4), 0);
    CHECK_EQ(v, 4608);
    int32_t big = 10000;
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 1, 8, P(&big), 4), 0);        /* SO_RCVBUF */
    CHECK_EQ(call(BPF_FUNC_getsockopt, P(ctx), 1, 8, P(&v), 4), 0);
    CHECK_EQ(v, 20000);
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 6, 1, P(&one), 2), ERR(-BPFRT_EINVAL)); /* length */
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 6, 99, P(&one), 4), ERR(-BPFRT_EINVAL)); /* unknown */
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 41, 67, P(&one), 4), ERR(-BPFRT_EINVAL)); /* IPv6 on IPv4 */
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 0, 1, P(&one), 4), 0);         /* IP_TOS */
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 6, 1001, P(&one), 4), 0);      /* TCP_BPF_IW: set only */
    v = -1;
    CHECK_EQ(call(BPF_FUNC_getsockopt, P(ctx), 6, 1001, P(&v), 4), ERR(-BPFRT_EINVAL));
    CHECK_EQ(v, 0); /* zeroed */
    char cc[16] = "";
    CHECK_EQ(call(BPF_FUNC_getsockopt, P(ctx), 6, 13, P(cc), sizeof(cc)), 0);
    CHECK_STR(cc, "cubic");
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 6, 13, P("reno"), 5), 0);
    CHECK_EQ(call(BPF_FUNC_getsockopt, P(ctx), 6, 13, P(cc), sizeof(cc)), 0);
    CHECK_STR(cc, "reno");
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 6, 13, P("nope"), 5), ERR(-BPFRT_ENOENT));
    /* callbacks the socket asks for: unknown bits come back */
    CHECK_EQ(call(BPF_FUNC_sock_ops_cb_flags_set, P(ctx), 0x1ff, 0, 0, 0), 0x180);
    CHECK_EQ(call(BPF_FUNC_get_netns_cookie, P(ctx), 0, 0, 0, 0), 1);
    CHECK_EQ(call(BPF_FUNC_sk_release, sk, 0, 0, 0, 0), 0);
    /* no socket to act on */
    run.sk = NULL;
    CHECK_EQ(call(BPF_FUNC_setsockopt, P(ctx), 6, 1, P(&one), 4), ERR(-BPFRT_EINVAL));
    run.ctx = NULL;
    run.ctx_desc = NULL;
    CHECK_EQ(bpfrt_sock_remove(rt, tfd), 0);
    CHECK_EQ(bpfrt_sock_remove(rt, ufd), 0);
}

static uint32_t clones_seen, clone_ifindex, clone_len;
static void on_clone(void *arg, const uint8_t *data, uint32_t len, uint32_t ifindex, uint64_t flags)
{
    (void)arg, (void)data, (void)flags;
    clones_seen++;
    clone_ifindex = ifindex;
    clone_len = len;
}

static void test_clone_redirect(void)
{
    uint8_t frame[60] = { 0 };
    struct bpfrt_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.buf = pkt.data = frame;
    pkt.data_end = frame + sizeof(frame);
    pkt.clone_out = on_clone;
    run.pkt = &pkt;
    CHECK_EQ(call(BPF_FUNC_clone_redirect, 0, 7, 0, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_clone_redirect, 0, 7, BPF_F_INGRESS, 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_clone_redirect, 0, 7, 2, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_clone_redirect, 0, 0, 0, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(pkt.clones, 2);
    CHECK_EQ(clones_seen, 2);
    CHECK_EQ(clone_ifindex, 7);
    CHECK_EQ(clone_len, sizeof(frame));
    run.pkt = NULL;
}

/* Against the kernel: clone to lo (ifindex 1), and the flag check. */
static void test_clone_vs_kernel(void)
{
    if (!kbpf_available())
        return;
    for (int32_t flags = 0; flags < 3; flags++) {
        struct bpf_insn prog[] = { MOVI(2, 1), MOVI(3, flags), CALL(BPF_FUNC_clone_redirect), EXIT() };
        long fd = bpfrt_load(BPF_PROG_TYPE_SCHED_CLS, prog, 4, NULL, 0);
        int64_t mine = bpfrt_run(fd, NULL, 0);
        bpfrt_close(rt, (int)fd);
        CHECK_EQ(mine, kernel_run(prog, 4));
    }
}

int main(void)
{
    helpers_setup();
    RUN(test_lookups_vs_kernel);
    RUN(test_verifier_tracks_reference);
    RUN(test_socket_casts);
    RUN(test_tcp_sock);
    RUN(test_assign_vs_kernel);
    RUN(test_references);
    RUN(test_assign_and_cookie);
    RUN(test_sockopts);
    RUN(test_clone_redirect);
    RUN(test_clone_vs_kernel);
    if (k_listen >= 0)
        close(k_listen);
    if (k_client >= 0)
        close(k_client);
    if (k_server >= 0)
        close(k_server);
    if (k_udp >= 0)
        close(k_udp);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
