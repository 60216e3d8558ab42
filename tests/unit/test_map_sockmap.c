/* SOCKMAP and SOCKHASH: user-space commands on sockets the embedder
 * registered, against the same commands on real sockets in the kernel (a
 * listener, an established connection, an unconnected TCP socket, a UDP
 * socket): Linux 6.18's sock_map.c errnos for flags, ranges, states, full
 * maps, 4-byte values (-ENOSPC on lookup), deletes, and a closed socket
 * leaving the map; then the program side: bpf_sock_map/hash_update from a
 * sock_ops run, bpf_sk/msg_redirect_map/hash. */
#define _GNU_SOURCE
#include "test.h"
#include "test_map_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bpfrt/helpers.h"

enum { S_LISTEN, S_ESTAB, S_CLOSED, S_UDP, S_REUSE, NR_SOCKS };

static int kfds[NR_SOCKS] = { -1, -1, -1, -1, -1 };
static int bfds[NR_SOCKS];
static int kpeer = -1, kaccepted = -1;

static const struct bpfrt_sock_desc descs[NR_SOCKS] = {
    [S_LISTEN] = { .family = BPFRT_AF_INET, .type = 1, .protocol = 6, .state = 10, .local_port = 4000 },
    [S_ESTAB] = { .family = BPFRT_AF_INET, .type = 1, .protocol = 6, .state = 1, .local_port = 4001,
                  .remote_port = 4000 },
    [S_CLOSED] = { .family = BPFRT_AF_INET, .type = 1, .protocol = 6, .state = 7 },
    [S_UDP] = { .family = BPFRT_AF_INET, .type = 2, .protocol = 17, .state = 7, .local_port = 4002 },
    [S_REUSE] = { .family = BPFRT_AF_INET, .type = 1, .protocol = 6, .state = 10, .local_port = 4003,
                  .reuseport = true },
};

static void kernel_sockets(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    kfds[S_LISTEN] = socket(AF_INET, SOCK_STREAM, 0);
    if (kfds[S_LISTEN] < 0 || bind(kfds[S_LISTEN], (struct sockaddr *)&a, sizeof(a)) ||
        listen(kfds[S_LISTEN], 4) || getsockname(kfds[S_LISTEN], (struct sockaddr *)&a, &len))
        return;
    kpeer = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(kpeer, (struct sockaddr *)&a, sizeof(a)))
        return;
    kaccepted = accept(kfds[S_LISTEN], NULL, NULL);
    kfds[S_ESTAB] = kpeer;
    kfds[S_CLOSED] = socket(AF_INET, SOCK_STREAM, 0);
    kfds[S_UDP] = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in u = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(kfds[S_UDP], (struct sockaddr *)&u, sizeof(u)))
        kfds[S_UDP] = -1;
    /* a TCP listener with SO_REUSEPORT */
    int one = 1;
    struct sockaddr_in r = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    kfds[S_REUSE] = socket(AF_INET, SOCK_STREAM, 0);
    if (kfds[S_REUSE] >= 0 && (setsockopt(kfds[S_REUSE], SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
                               bind(kfds[S_REUSE], (struct sockaddr *)&r, sizeof(r)) || listen(kfds[S_REUSE], 4))) {
        close(kfds[S_REUSE]);
        kfds[S_REUSE] = -1;
    }
}

/* One element command on both sides; values name sockets by index into
 * kfds/bfds (or carry a raw number). */
static int kmap = -1;
static struct bpfrt_map *bmap;

static void both_at(int line, int cmd, const void *key, int sock, uint64_t flags, int want, uint32_t vs)
{
    uint64_t bv = sock >= 0 ? (uint64_t)bfds[sock] : 0, kv = sock >= 0 ? (uint64_t)kfds[sock] : 0;
    bool val = cmd == U || cmd == L || cmd == N;
    int rb;
    switch (cmd) {
    case U: rb = bpfrt_map_update(bmap, key, &bv, flags); break;
    case L: rb = bpfrt_map_lookup(bmap, key, &bv, flags); break;
    case D: rb = bpfrt_map_delete(bmap, key); break;
    default: rb = bpfrt_map_get_next_key(bmap, key, &bv); break;
    }
    if (rb != want) {
        fprintf(stderr, "%s:%d: cmd %d: bpfrt %d, want %d\n", __FILE__, line, cmd, rb, want);
        test_failed++;
    } else {
        test_passed++;
    }
    (void)vs;
    if (kmap < 0)
        return;
    long rk = kbpf_map_elem(cmd, kmap, key, val ? &kv : NULL, flags);
    if (rk != rb) {
        fprintf(stderr, "%s:%d: cmd %d: bpfrt %d, kernel %ld\n", __FILE__, line, cmd, rb, rk);
        test_failed++;
    } else {
        test_passed++;
    }
}
#define BOTH(cmd, key, sock, flags, want) both_at(__LINE__, cmd, key, sock, flags, want, 8)

static bool kernel_ready(void)
{
    for (int i = 0; i < NR_SOCKS; i++)
        if (kfds[i] < 0)
            return false;
    return kbpf_available();
}

static void new_maps(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max)
{
    bmap = mk(type, ks, vs, max, 0);
    kmap = kernel_ready() ? (int)kbpf_map_create(type, ks, vs, max, 0) : -1;
}

static void free_maps(void)
{
    bpfrt_map_put(bmap);
    if (kmap >= 0)
        close(kmap);
    kmap = -1;
}

static void test_sockmap_commands(void)
{
    new_maps(BPF_MAP_TYPE_SOCKMAP, 4, 8, 4);
    uint32_t k0 = 0, k1 = 1, k2 = 2, k3 = 3, k9 = 9;
    BOTH(U, &k0, S_LISTEN, BPF_ANY, 0);
    BOTH(U, &k0, S_ESTAB, BPF_NOEXIST, -BPFRT_EEXIST);
    BOTH(U, &k1, S_ESTAB, BPF_EXIST, -BPFRT_ENOENT);
    BOTH(U, &k1, S_ESTAB, 3, -BPFRT_EINVAL);
    BOTH(U, &k9, S_ESTAB, BPF_ANY, -BPFRT_E2BIG);
    BOTH(U, &k1, S_CLOSED, BPF_ANY, -BPFRT_EOPNOTSUPP);  /* TCP neither established nor listening */
    BOTH(U, &k1, S_ESTAB, BPF_NOEXIST, 0);
    BOTH(U, &k2, S_UDP, BPF_ANY, 0);
    BOTH(U, &k0, S_ESTAB, BPF_EXIST, 0);                 /* replaces the listener */
    BOTH(L, &k0, -1, 0, 0);                               /* the cookie (values differ by design) */
    BOTH(L, &k3, -1, 0, -BPFRT_ENOENT);
    BOTH(L, &k9, -1, 0, -BPFRT_ENOENT);
    BOTH(D, &k3, -1, 0, -BPFRT_EINVAL);                   /* empty slot */
    BOTH(D, &k9, -1, 0, -BPFRT_EINVAL);                   /* out of range */
    BOTH(N, NULL, -1, 0, 0);
    BOTH(N, &k3, -1, 0, -BPFRT_ENOENT);
    BOTH(D, &k2, -1, 0, 0);
    BOTH(D, &k2, -1, 0, -BPFRT_EINVAL);
    /* bpfrt's cookies are the sockets' own: one per socket, stable */
    uint64_t c0 = 0, c1 = 0;
    CHECK_EQ(bpfrt_map_lookup(bmap, &k0, &c0, 0), 0);
    CHECK_EQ(bpfrt_map_lookup(bmap, &k1, &c1, 0), 0);
    CHECK(c0 != 0 && c0 == c1); /* both slots hold the established socket */
    free_maps();

    /* 4-byte values: stored by fd, but a lookup has no room for a cookie */
    new_maps(BPF_MAP_TYPE_SOCKMAP, 4, 4, 2);
    int32_t bv = bfds[S_ESTAB], kv = kfds[S_ESTAB];
    CHECK_EQ(bpfrt_map_update(bmap, &k0, &bv, 0), 0);
    if (kmap >= 0)
        CHECK_EQ(kbpf_map_elem(U, kmap, &k0, &kv, 0), 0);
    BOTH(L, &k0, -1, 0, -BPFRT_ENOSPC);
    free_maps();
}

static void test_sockhash_commands(void)
{
    new_maps(BPF_MAP_TYPE_SOCKHASH, 4, 8, 2);
    uint32_t k5 = 5, k6 = 6, k7 = 7;
    BOTH(U, &k5, S_LISTEN, BPF_ANY, 0);
    BOTH(U, &k6, S_ESTAB, BPF_ANY, 0);
    BOTH(U, &k7, S_ESTAB, BPF_ANY, -BPFRT_E2BIG);         /* full */
    BOTH(U, &k5, S_ESTAB, BPF_ANY, 0);                    /* replacing in a full map works */
    BOTH(U, &k5, S_ESTAB, BPF_NOEXIST, -BPFRT_EEXIST);
    BOTH(U, &k7, S_ESTAB, BPF_EXIST, -BPFRT_ENOENT);
    BOTH(U, &k7, S_CLOSED, BPF_ANY, -BPFRT_EOPNOTSUPP);
    BOTH(L, &k7, -1, 0, -BPFRT_ENOENT);
    BOTH(L, &k6, -1, 0, 0);
    BOTH(D, &k7, -1, 0, -BPFRT_ENOENT);
    BOTH(D, &k6, -1, 0, 0);
    BOTH(U, &k7, S_UDP, BPF_ANY, 0);
    free_maps();
}

/* REUSEPORT_SOCKARRAY: only sockets in a reuseport group (after the
 * NOEXIST/EXIST answers), deletes -E2BIG / -ENOENT - against the kernel. */
static void test_reuseport_array_commands(void)
{
    new_maps(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, 8, 4);
    uint32_t k0 = 0, k1 = 1, k3 = 3, k9 = 9;
    BOTH(U, &k0, S_REUSE, BPF_ANY, 0);
    BOTH(U, &k0, S_REUSE, BPF_NOEXIST, -BPFRT_EEXIST);
    BOTH(U, &k1, S_LISTEN, BPF_EXIST, -BPFRT_ENOENT);   /* the slot's answer before the socket's */
    BOTH(U, &k1, S_LISTEN, BPF_ANY, -BPFRT_EINVAL);     /* a listener without SO_REUSEPORT */
    BOTH(U, &k1, S_ESTAB, BPF_ANY, -BPFRT_EINVAL);
    BOTH(U, &k1, S_UDP, BPF_ANY, -BPFRT_EINVAL);
    BOTH(U, &k1, S_REUSE, 3, -BPFRT_EINVAL);
    BOTH(U, &k9, S_REUSE, BPF_ANY, -BPFRT_E2BIG);
    BOTH(L, &k0, -1, 0, 0);
    BOTH(L, &k1, -1, 0, -BPFRT_ENOENT);
    BOTH(N, NULL, -1, 0, 0);
    BOTH(D, &k3, -1, 0, -BPFRT_ENOENT);                  /* empty slot */
    BOTH(D, &k9, -1, 0, -BPFRT_E2BIG);                   /* out of range */
    BOTH(D, &k0, -1, 0, 0);
    BOTH(L, &k0, -1, 0, -BPFRT_ENOENT);
    free_maps();
}

/* A socket that closes leaves every map (Linux's sock_map_close). */
static void test_close_leaves_maps(void)
{
    struct bpfrt_sock_desc d = descs[S_ESTAB];
    int fd;
    CHECK_EQ(bpfrt_sock_add(rt, &d, &fd), 0);
    struct bpfrt_map *sm = mk(BPF_MAP_TYPE_SOCKMAP, 4, 8, 2, 0);
    struct bpfrt_map *sh = mk(BPF_MAP_TYPE_SOCKHASH, 8, 8, 2, 0);
    uint32_t k = 1;
    uint64_t hk = 77, v = (uint64_t)fd, out;
    CHECK_EQ(bpfrt_map_update(sm, &k, &v, 0), 0);
    CHECK_EQ(bpfrt_map_update(sh, &hk, &v, 0), 0);
    CHECK_EQ(bpfrt_sock_remove(rt, fd), 0);
    CHECK_EQ(bpfrt_map_lookup(sm, &k, &out, 0), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_lookup(sh, &hk, &out, 0), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_update(sm, &k, &v, 0), -BPFRT_EBADF); /* no such socket now */
    bpfrt_map_put(sm);
    bpfrt_map_put(sh);
    /* the kernel agrees: close the established socket, its slot empties */
    if (!kernel_ready())
        return;
    int ks = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    getsockname(kfds[S_LISTEN], (struct sockaddr *)&a, &len);
    CHECK_EQ(connect(ks, (struct sockaddr *)&a, sizeof(a)), 0);
    int acc = accept(kfds[S_LISTEN], NULL, NULL);
    int km = (int)kbpf_map_create(BPF_MAP_TYPE_SOCKMAP, 4, 8, 2, 0);
    uint64_t kv = (uint64_t)ks;
    CHECK_EQ(kbpf_map_elem(U, km, &k, &kv, 0), 0);
    close(ks);
    CHECK_EQ(kbpf_map_elem(L, km, &k, &kv, 0), -ENOENT);
    close(km);
    close(acc);
}

/* ---- helpers ---- */

static struct bpfrt_run run;

static uint64_t call(uint32_t id, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    const struct bpfrt_helper_proto *p = bpfrt_helper_find(rt, id);
    CHECK(p != NULL);
    return p ? p->fn(a, b, c, d, 0, &run) : 0;
}

#define P(x) ((uint64_t)(uintptr_t)(x))

static void test_helpers(void)
{
    struct bpfrt_map *sm = mk(BPF_MAP_TYPE_SOCKMAP, 4, 8, 4, 0);
    struct bpfrt_map *sh = mk(BPF_MAP_TYPE_SOCKHASH, 4, 8, 4, 0);
    run.rt = rt;
    /* sock_ops: the socket the program runs for (an established one, found
     * by its tuple: remote 0.0.0.0:4000, local 0.0.0.0:4001) goes into the
     * maps, but only from the established and listen callbacks */
    int fd;
    CHECK_EQ(bpfrt_sock_add(rt, &descs[S_ESTAB], &fd), 0);
    uint32_t ops_ctx[4] = { 4 /* BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB */ };
    run.ctx = ops_ctx;
    uint8_t tuple[12] = { 0 };
    tuple[8] = 4000 >> 8, tuple[9] = 4000 & 0xff;   /* sport: the socket's remote port */
    tuple[10] = 4001 >> 8, tuple[11] = 4001 & 0xff; /* dport: its local port */
    uint64_t sk = call(BPF_FUNC_sk_lookup_tcp, 0, P(tuple), 12, (uint64_t)-1);
    CHECK(sk != 0);
    run.sk = (const void *)(uintptr_t)sk;
    uint32_t key = 2;
    CHECK_EQ(call(BPF_FUNC_sock_map_update, P(ops_ctx), P(sm), P(&key), BPF_ANY), 0);
    CHECK_EQ(call(BPF_FUNC_sock_hash_update, P(ops_ctx), P(sh), P(&key), BPF_NOEXIST), 0);
    CHECK_EQ((int64_t)call(BPF_FUNC_sock_hash_update, P(ops_ctx), P(sh), P(&key), BPF_NOEXIST), -BPFRT_EEXIST);
    CHECK_EQ((int64_t)call(BPF_FUNC_sock_map_update, P(ops_ctx), P(sh), P(&key), 0), -BPFRT_EINVAL);
    ops_ctx[0] = 1; /* BPF_SOCK_OPS_TIMEOUT_INIT: not a callback that may add sockets */
    CHECK_EQ((int64_t)call(BPF_FUNC_sock_map_update, P(ops_ctx), P(sm), P(&key), 0), -BPFRT_EOPNOTSUPP);

    /* redirects: SK_PASS (1) with the socket reported, SK_DROP (0) else */
    struct bpfrt_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    run.pkt = &pkt;
    CHECK_EQ(call(BPF_FUNC_sk_redirect_map, 0, P(sm), 2, 0), 1);
    CHECK_EQ(pkt.redirect_sk, (const void *)(uintptr_t)sk);
    CHECK_EQ(call(BPF_FUNC_sk_redirect_map, 0, P(sm), 3, 0), 0);                 /* empty */
    CHECK_EQ(call(BPF_FUNC_sk_redirect_map, 0, P(sm), 2, 2), 0);                 /* flags */
    CHECK_EQ(call(BPF_FUNC_msg_redirect_map, 0, P(sm), 2, BPF_F_INGRESS), 1);
    CHECK_EQ(pkt.redirect_flags, BPF_F_INGRESS);
    CHECK_EQ(call(BPF_FUNC_sk_redirect_hash, 0, P(sh), P(&key), 0), 1);
    uint32_t missing = 9;
    CHECK_EQ(call(BPF_FUNC_msg_redirect_hash, 0, P(sh), P(&missing), 0), 0);
    CHECK_EQ(call(BPF_FUNC_sk_redirect_map, 0, P(sh), 2, 0), 0);                 /* wrong map type */
    /* a listener cannot take redirected data */
    int lfd;
    CHECK_EQ(bpfrt_sock_add(rt, &descs[S_LISTEN], &lfd), 0);
    uint64_t lv = (uint64_t)lfd;
    uint32_t k1 = 1;
    CHECK_EQ(bpfrt_map_update(sm, &k1, &lv, 0), 0);
    CHECK_EQ(call(BPF_FUNC_sk_redirect_map, 0, P(sm), 1, 0), 0);
    CHECK_EQ(call(BPF_FUNC_sk_release, sk, 0, 0, 0), 0);
    run.pkt = NULL;
    run.sk = NULL;
    run.ctx = NULL;
    bpfrt_map_put(sm);
    bpfrt_map_put(sh);
}

/* bpf_sk_select_reuseport from a SOCKMAP, hand-derived from Linux's
 * sk_select_reuseport: the run's socket is a reuseport TCP listener on
 * port 5000; the map holds another of its group (selected: 0), nothing,
 * a listener of another port (-EBADFD), a UDP socket on the port
 * (-EPROTOTYPE), an IPv6 listener on it (-EAFNOSUPPORT) and a socket
 * without SO_REUSEPORT (-EINVAL). */
static void test_select_reuseport(void)
{
    struct bpfrt_sock_desc group = { .family = BPFRT_AF_INET, .type = 1, .protocol = 6, .state = 10,
                                     .local_port = 5000, .reuseport = true };
    struct bpfrt_sock_desc d[6] = { group, group, group, group, group, group };
    d[2].local_port = 5001;
    d[3].type = 2, d[3].protocol = 17, d[3].state = 7;
    d[4].family = BPFRT_AF_INET6;
    d[5].reuseport = false, d[5].state = 1, d[5].local_port = 5002;
    struct bpfrt_map *sm = mk(BPF_MAP_TYPE_SOCKMAP, 4, 8, 6, 0);
    for (uint32_t i = 0; i < 6; i++) {
        int fd;
        CHECK_EQ(bpfrt_sock_add(rt, &d[i], &fd), 0);
        uint64_t v = (uint64_t)fd;
        if (i != 1)
            CHECK_EQ(bpfrt_map_update(sm, &i, &v, 0), 0);
    }
    run.rt = rt;
    uint8_t tuple[12] = { 0 };
    tuple[8] = 0x9c, tuple[9] = 0x40;               /* sport 40000 */
    tuple[10] = 5000 >> 8, tuple[11] = 5000 & 0xff; /* dport: the group's port */
    uint64_t sk = call(BPF_FUNC_sk_lookup_tcp, 0, P(tuple), 12, (uint64_t)-1);
    CHECK(sk != 0);
    run.sk = (const void *)(uintptr_t)sk;
    struct bpfrt_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    run.pkt = &pkt;
    static const int64_t want[6] = { 0, -BPFRT_ENOENT, -BPFRT_EBADFD, -BPFRT_EPROTOTYPE, -BPFRT_EAFNOSUPPORT,
                                     -BPFRT_EINVAL };
    for (uint32_t k = 0; k < 6; k++) {
        pkt.assigned_sk = NULL;
        CHECK_EQ((int64_t)call(BPF_FUNC_sk_select_reuseport, 0, P(sm), P(&k), 0), want[k]);
        CHECK_EQ(pkt.assigned_sk != NULL, want[k] == 0); /* only a selection is reported */
    }
    uint32_t k0 = 0;
    CHECK_EQ(call(BPF_FUNC_sk_select_reuseport, 0, P(sm), P(&k0), 123), 0); /* flags: ignored, as Linux */
    CHECK_EQ(call(BPF_FUNC_sk_release, sk, 0, 0, 0), 0);
    run.pkt = NULL;
    run.sk = NULL;
    bpfrt_map_put(sm);
}

int main(void)
{
    rt_setup();
    for (int i = 0; i < NR_SOCKS; i++)
        if (bpfrt_sock_add(rt, &descs[i], &bfds[i]) != 0)
            return 1;
    kernel_sockets();
    if (!kernel_ready())
        printf("note: kernel comparison skipped (no bpf(2) or no sockets here)\n");
    RUN(test_sockmap_commands);
    RUN(test_sockhash_commands);
    RUN(test_close_leaves_maps);
    RUN(test_reuseport_array_commands);
    RUN(test_helpers);
    RUN(test_select_reuseport);
    for (int i = 0; i < NR_SOCKS; i++)
        if (kfds[i] >= 0 && i != S_ESTAB)
            close(kfds[i]);
    if (kpeer >= 0)
        close(kpeer);
    if (kaccepted >= 0)
        close(kaccepted);
    rt_teardown();
    return test_summary();
}
