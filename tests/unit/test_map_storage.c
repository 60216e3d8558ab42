/* Local storage maps (TASK/INODE/SK/CGRP_STORAGE): creation with BTF as
 * Linux 6.18's bpf_local_storage_map_alloc_check and map_check_btf
 * (NO_PREALLOC, max_entries 0, an int key, a value type, the value size
 * limit), through the bpf() command layer and, when bpf(2) is allowed,
 * the kernel with the same BTF and attrs; SK_STORAGE element commands on
 * a registered socket against the same commands on a real socket; and the
 * program side: get with and without BPF_LOCAL_STORAGE_GET_F_CREATE, the
 * initial value, delete, read-only maps, and values leaving with their
 * owner (a socket removed, an embedder's owner_gone). */
#define _GNU_SOURCE
#include "test.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bpfrt/bpf.h"
#include "bpfrt/btf.h"
#include "bpfrt/errno.h"
#include "bpfrt/helpers.h"
#include "bpfrt/map.h"
#include "bpfrt/runtime.h"
#include "kernel_bpf.h"

static struct bpfrt_runtime *rt;
static int kernel_ok;

/* ---- a BTF with the types the cases name ---- */
enum {
    T_INT = 1, T_UINT, T_LONG, T_VAL, T_K4, T_CHAR, T_BIG_OK, T_BIG_2BIG, T_LOCK, T_LVAL, NR_T
};
#define BIG_OK 65407u /* U16_MAX - sizeof(struct bpf_local_storage_elem) */

static const char strs[] = "\0int\0unsigned int\0long\0val\0a\0b\0k4\0x\0char\0bpf_spin_lock\0lval\0lock\0cnt";
/* string offsets */
enum { S_INT = 1, S_UINT = 5, S_LONG = 18, S_VAL = 23, S_A = 27, S_B = 29, S_K4 = 31, S_X = 34, S_CHAR = 36,
       S_LOCK_T = 41, S_LVAL = 55, S_LOCK = 60, S_CNT = 65 };

struct blob {
    struct btf_header hdr;
    uint32_t types[128];
    char strs[sizeof(strs)];
};
static struct blob blob;
static uint32_t blob_size;

static uint32_t *put_int(uint32_t *t, uint32_t name, uint32_t size, uint32_t enc)
{
    *t++ = name; *t++ = BTF_INFO_ENC(BTF_KIND_INT, 0, 0); *t++ = size; *t++ = enc;
    return t;
}

static uint32_t *put_array(uint32_t *t, uint32_t elem, uint32_t n)
{
    *t++ = 0; *t++ = BTF_INFO_ENC(BTF_KIND_ARRAY, 0, 0); *t++ = 0;
    *t++ = elem; *t++ = T_INT; *t++ = n;
    return t;
}

static void build_btf(void)
{
    uint32_t *t = blob.types;
    t = put_int(t, S_INT, 4, (BTF_INT_SIGNED << 24) | 32);
    t = put_int(t, S_UINT, 4, 32);
    t = put_int(t, S_LONG, 8, (BTF_INT_SIGNED << 24) | 64);
    /* [4] struct val { int a; int b; } */
    *t++ = S_VAL; *t++ = BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 2); *t++ = 8;
    *t++ = S_A; *t++ = T_INT; *t++ = 0;
    *t++ = S_B; *t++ = T_INT; *t++ = 32;
    /* [5] struct k4 { int x; } */
    *t++ = S_K4; *t++ = BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 1); *t++ = 4;
    *t++ = S_X; *t++ = T_INT; *t++ = 0;
    t = put_int(t, S_CHAR, 1, 8);
    t = put_array(t, T_CHAR, BIG_OK);
    t = put_array(t, T_CHAR, BIG_OK + 1);
    /* [9] struct bpf_spin_lock { int val; } (member named x: any name) */
    *t++ = S_LOCK_T; *t++ = BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 1); *t++ = 4;
    *t++ = S_X; *t++ = T_INT; *t++ = 0;
    /* [10] struct lval { struct bpf_spin_lock lock; int cnt; } */
    *t++ = S_LVAL; *t++ = BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 2); *t++ = 8;
    *t++ = S_LOCK; *t++ = T_LOCK; *t++ = 0;
    *t++ = S_CNT; *t++ = T_INT; *t++ = 32;
    uint32_t type_len = (uint32_t)((char *)t - (char *)blob.types);
    blob.hdr.magic = BTF_MAGIC;
    blob.hdr.version = BTF_VERSION;
    blob.hdr.hdr_len = sizeof(blob.hdr);
    blob.hdr.type_off = 0;
    blob.hdr.type_len = type_len;
    blob.hdr.str_off = type_len;
    blob.hdr.str_len = sizeof(strs);
    memcpy((char *)blob.types + type_len, strs, sizeof(strs));
    blob_size = (uint32_t)sizeof(blob.hdr) + type_len + (uint32_t)sizeof(strs);
}

static long btf_load(bool kernel)
{
    static char log[4096];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.btf = kbpf_ptr(&blob);
    a.btf_size = blob_size;
    a.btf_log_buf = kbpf_ptr(log);
    a.btf_log_size = sizeof(log);
    a.btf_log_level = 1;
    long fd = kernel ? kbpf(BPF_BTF_LOAD, &a) : bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a));
    if (fd < 0)
        fprintf(stderr, "%s BTF_LOAD: %ld\n%s\n", kernel ? "kernel" : "bpfrt", fd, log);
    return fd;
}

static long bbtf = -1, kbtf = -1;

static union bpf_attr storage_attr(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
                                   uint32_t key_id, uint32_t value_id, long btf_fd)
{
    union bpf_attr a = kbpf_map_attr(type, ks, vs, max, flags);
    a.btf_fd = (uint32_t)btf_fd;
    a.btf_key_type_id = key_id;
    a.btf_value_type_id = value_id;
    return a;
}

struct create_case {
    const char *what;
    uint32_t type, ks, vs, max, flags, key_id, value_id;
    int want;
};

#define T(t) BPF_MAP_TYPE_##t
#define NP BPF_F_NO_PREALLOC
#define STORAGE_CASES(ty)                                                                            \
    { #ty " ok", T(ty), 4, 8, 0, NP, T_INT, T_VAL, 0 },                                              \
    { #ty " without NO_PREALLOC", T(ty), 4, 8, 0, 0, T_INT, T_VAL, -BPFRT_EINVAL },                  \
    { #ty " max_entries 1", T(ty), 4, 8, 1, NP, T_INT, T_VAL, -BPFRT_EINVAL },                       \
    { #ty " CLONE", T(ty), 4, 8, 0, NP | BPF_F_CLONE, T_INT, T_VAL, 0 },                             \
    { #ty " RDONLY", T(ty), 4, 8, 0, NP | BPF_F_RDONLY, T_INT, T_VAL, -BPFRT_EINVAL },                \
    { #ty " RDONLY_PROG", T(ty), 4, 8, 0, NP | BPF_F_RDONLY_PROG, T_INT, T_VAL, -BPFRT_EINVAL },      \
    { #ty " key 8", T(ty), 8, 8, 0, NP, T_LONG, T_VAL, -BPFRT_EINVAL },                              \
    { #ty " unsigned key", T(ty), 4, 8, 0, NP, T_UINT, T_VAL, 0 },                                   \
    { #ty " struct key", T(ty), 4, 8, 0, NP, T_K4, T_VAL, -BPFRT_EINVAL },                           \
    { #ty " value 0", T(ty), 4, 0, 0, NP, T_INT, T_VAL, -BPFRT_EINVAL },                             \
    { #ty " no key type", T(ty), 4, 8, 0, NP, 0, T_VAL, -BPFRT_EINVAL },                             \
    { #ty " largest value", T(ty), 4, BIG_OK, 0, NP, T_INT, T_BIG_OK, 0 },                           \
    { #ty " value too large", T(ty), 4, BIG_OK + 1, 0, NP, T_INT, T_BIG_2BIG, -BPFRT_E2BIG },        \
    { #ty " value size != BTF", T(ty), 4, 16, 0, NP, T_INT, T_VAL, -BPFRT_EINVAL },                  \
    { #ty " spin lock value", T(ty), 4, 8, 0, NP, T_INT, T_LVAL, 0 }

static const struct create_case cases[] = {
    STORAGE_CASES(TASK_STORAGE), STORAGE_CASES(SK_STORAGE), STORAGE_CASES(CGRP_STORAGE),
    STORAGE_CASES(INODE_STORAGE),
};
static int compared;

static void test_create(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct create_case *c = &cases[i];
        test_current = c->what;
        union bpf_attr a = storage_attr(c->type, c->ks, c->vs, c->max, c->flags, c->key_id, c->value_id, bbtf);
        long fd = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
        CHECK_EQ(fd >= 0 ? 0 : fd, c->want);
        if (fd >= 0)
            bpfrt_close(rt, (int)fd);
        if (!kernel_ok)
            continue;
        union bpf_attr ka = storage_attr(c->type, c->ks, c->vs, c->max, c->flags, c->key_id, c->value_id, kbtf);
        long kfd = kbpf(BPF_MAP_CREATE, &ka);
        CHECK_EQ(kfd >= 0 ? 0 : kfd, c->want);
        compared++;
        if (kfd >= 0)
            close((int)kfd);
    }
    test_current = "test_create";
}

/* ---- SK_STORAGE element commands: a registered socket vs a real one ---- */

struct val2 {
    int32_t a, b;
};

static long bcmd(int cmd, long fd, const void *key, void *val, uint64_t flags)
{
    union bpf_attr a = kbpf_elem_attr((int)fd, key, val, flags);
    return bpfrt_bpf(rt, cmd, &a, sizeof(a));
}

#define BOTH(cmd, bkey, kkey, val, flags, want)                                       \
    do {                                                                                \
        struct val2 bv = *(val), kv = *(val);                                           \
        bool noval = (cmd) == BPF_MAP_DELETE_ELEM; /* Linux: no value field for delete */ \
        CHECK_EQ(bcmd(cmd, bmap, &(bkey), noval ? NULL : &bv, flags), want);            \
        if (kmap >= 0)                                                                  \
            CHECK_EQ(kbpf_map_elem(cmd, (int)kmap, &(kkey), noval ? NULL : &kv, flags), want); \
        if ((want) == 0 && (cmd) == BPF_MAP_LOOKUP_ELEM) {                              \
            CHECK_EQ(bv.a, expect.a);                                                   \
            CHECK_EQ(bv.b, expect.b);                                                   \
            if (kmap >= 0)                                                              \
                CHECK(memcmp(&kv, &bv, sizeof(bv)) == 0);                               \
        }                                                                               \
    } while (0)

static void test_sk_storage_commands(void)
{
    union bpf_attr a = storage_attr(T(SK_STORAGE), 4, 8, 0, NP, T_INT, T_VAL, bbtf);
    long bmap = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    CHECK(bmap >= 0);
    long kmap = -1;
    int ksock = -1;
    if (kernel_ok) {
        union bpf_attr ka = storage_attr(T(SK_STORAGE), 4, 8, 0, NP, T_INT, T_VAL, kbtf);
        kmap = kbpf(BPF_MAP_CREATE, &ka);
        ksock = socket(AF_INET, SOCK_STREAM, 0);
        if (kmap < 0 || ksock < 0) {
            fprintf(stderr, "kernel sk storage setup failed\n");
            test_failed++;
            if (kmap >= 0)
                close((int)kmap);
            kmap = -1;
        }
    }
    struct bpfrt_sock_desc d = { .family = BPFRT_AF_INET, .type = 1, .protocol = 6, .state = 7 };
    int bsock = 0;
    CHECK_EQ(bpfrt_sock_add(rt, &d, &bsock), 0);
    struct val2 v1 = { 1, 2 }, v2 = { 3, 4 }, expect = v1, zero = { 0, 0 };
    BOTH(BPF_MAP_LOOKUP_ELEM, bsock, ksock, &zero, 0, -BPFRT_ENOENT);
    BOTH(BPF_MAP_UPDATE_ELEM, bsock, ksock, &v1, BPF_EXIST, -BPFRT_ENOENT);
    BOTH(BPF_MAP_UPDATE_ELEM, bsock, ksock, &v1, BPF_NOEXIST, 0);
    BOTH(BPF_MAP_UPDATE_ELEM, bsock, ksock, &v2, BPF_NOEXIST, -BPFRT_EEXIST);
    BOTH(BPF_MAP_LOOKUP_ELEM, bsock, ksock, &zero, 0, 0);
    expect = v2;
    BOTH(BPF_MAP_UPDATE_ELEM, bsock, ksock, &v2, BPF_EXIST, 0);
    BOTH(BPF_MAP_LOOKUP_ELEM, bsock, ksock, &zero, 0, 0);
    BOTH(BPF_MAP_UPDATE_ELEM, bsock, ksock, &v2, 4, -BPFRT_EINVAL);
    BOTH(BPF_MAP_UPDATE_ELEM, bsock, ksock, &v2, BPF_F_LOCK, -BPFRT_EINVAL); /* no spin lock in val */
    BOTH(BPF_MAP_GET_NEXT_KEY, bsock, ksock, &zero, 0, -BPFRT_ENOTSUPP);
    BOTH(BPF_MAP_DELETE_ELEM, bsock, ksock, &zero, 0, 0);
    BOTH(BPF_MAP_DELETE_ELEM, bsock, ksock, &zero, 0, -BPFRT_ENOENT);
    BOTH(BPF_MAP_LOOKUP_ELEM, bsock, ksock, &zero, 0, -BPFRT_ENOENT);
    /* an fd that names nothing */
    int32_t bad = 999999;
    BOTH(BPF_MAP_LOOKUP_ELEM, bad, bad, &zero, 0, -BPFRT_EBADF);
    /* a value that goes with its socket */
    BOTH(BPF_MAP_UPDATE_ELEM, bsock, ksock, &v1, BPF_ANY, 0);
    CHECK_EQ(bpfrt_sock_remove(rt, bsock), 0);
    CHECK_EQ(bcmd(BPF_MAP_LOOKUP_ELEM, bmap, &bsock, &zero, 0), -BPFRT_EBADF);
    CHECK_EQ(bpfrt_sock_remove(rt, bsock), -BPFRT_EBADF);
    bpfrt_close(rt, (int)bmap);
    if (kmap >= 0)
        close((int)kmap);
    if (ksock >= 0)
        close(ksock);
}

/* Task, inode and cgroup storage have no owners user space can name here
 * (Linux takes pidfds, inode and cgroup fds): -EBADF. */
static void test_user_side_without_fds(void)
{
    union bpf_attr a = storage_attr(T(TASK_STORAGE), 4, 8, 0, NP, T_INT, T_VAL, bbtf);
    long m = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    int32_t key = 1;
    struct val2 v = { 1, 2 };
    CHECK_EQ(bcmd(BPF_MAP_LOOKUP_ELEM, m, &key, &v, 0), -BPFRT_EBADF);
    CHECK_EQ(bcmd(BPF_MAP_UPDATE_ELEM, m, &key, &v, 0), -BPFRT_EBADF);
    CHECK_EQ(bcmd(BPF_MAP_DELETE_ELEM, m, &key, NULL, 0), -BPFRT_EBADF);
    bpfrt_close(rt, (int)m);
}

/* ---- the program side: the helpers ---- */

static struct bpfrt_run run;

static uint64_t call(uint32_t id, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    const struct bpfrt_helper_proto *p = bpfrt_helper_find(rt, id);
    CHECK(p != NULL);
    return p ? p->fn(a, b, c, d, 0, &run) : 0;
}

#define P(x) ((uint64_t)(uintptr_t)(x))
#define ERR(e) ((uint64_t)(int64_t)(e))

static struct bpfrt_map *storage_map(uint32_t type, uint32_t flags, long *handle)
{
    union bpf_attr a = storage_attr(type, 4, 8, 0, NP | flags, T_INT, T_VAL, bbtf);
    *handle = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    CHECK(*handle >= 0);
    return *handle >= 0 ? bpfrt_map_from_handle(rt, (int)*handle) : NULL;
}

static void test_helpers_get_delete(void)
{
    long h;
    struct bpfrt_map *m = storage_map(T(TASK_STORAGE), 0, &h);
    if (!m)
        return;
    run.rt = rt;
    int owner_a, owner_b; /* any object's address is an owner */
    struct val2 init = { 7, 8 };
    CHECK_EQ(call(BPF_FUNC_task_storage_get, P(m), P(&owner_a), 0, 0), 0);       /* absent, no CREATE */
    CHECK_EQ(call(BPF_FUNC_task_storage_get, P(m), 0, 0, BPF_LOCAL_STORAGE_GET_F_CREATE), 0); /* no owner */
    CHECK_EQ(call(BPF_FUNC_task_storage_get, P(m), P(&owner_a), 0, 2), 0);       /* unknown flag */
    int32_t *va = (int32_t *)(uintptr_t)call(BPF_FUNC_task_storage_get, P(m), P(&owner_a), 0,
                                             BPF_LOCAL_STORAGE_GET_F_CREATE);
    CHECK(va != NULL);
    if (va) {
        CHECK_EQ(va[0], 0); /* zeroes without an initial value */
        va[0] = 41;
    }
    int32_t *vb = (int32_t *)(uintptr_t)call(BPF_FUNC_task_storage_get, P(m), P(&owner_b), P(&init),
                                             BPF_LOCAL_STORAGE_GET_F_CREATE);
    CHECK(vb && vb[0] == 7 && vb[1] == 8);
    /* the same value again, with or without CREATE (init ignored) */
    CHECK_EQ(call(BPF_FUNC_task_storage_get, P(m), P(&owner_a), P(&init), BPF_LOCAL_STORAGE_GET_F_CREATE), P(va));
    CHECK_EQ(call(BPF_FUNC_task_storage_get, P(m), P(&owner_a), 0, 0), P(va));
    CHECK_EQ(va ? va[0] : 0, 41);
    CHECK_EQ(call(BPF_FUNC_task_storage_delete, P(m), P(&owner_a), 0, 0), 0);
    CHECK_EQ(call(BPF_FUNC_task_storage_delete, P(m), P(&owner_a), 0, 0), ERR(-BPFRT_ENOENT));
    CHECK_EQ(call(BPF_FUNC_task_storage_delete, P(m), 0, 0, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(call(BPF_FUNC_task_storage_get, P(m), P(&owner_a), 0, 0), 0);
    /* the embedder frees owner_b: its value goes */
    CHECK_EQ(bpfrt_local_storage_owner_gone(rt, &owner_b), 0);
    CHECK_EQ(call(BPF_FUNC_task_storage_get, P(m), P(&owner_b), 0, 0), 0);
    /* the wrong helper for the map: nothing */
    CHECK_EQ(call(BPF_FUNC_inode_storage_get, P(m), P(&owner_a), 0, BPF_LOCAL_STORAGE_GET_F_CREATE), 0);
    bpfrt_close(rt, (int)h);

    /* read-only to programs: no creation, no deletion */
    m = storage_map(T(CGRP_STORAGE), 0, &h);
    bpfrt_close(rt, (int)h);
}

/* A task storage value per fabricated task: bpf_get_current_task_btf's
 * pointer is a stable owner. */
static void test_task_owner(void)
{
    long h;
    struct bpfrt_map *m = storage_map(T(TASK_STORAGE), 0, &h);
    if (!m)
        return;
    uint64_t task = call(BPF_FUNC_get_current_task_btf, 0, 0, 0, 0);
    CHECK(task != 0);
    CHECK_EQ(call(BPF_FUNC_get_current_task_btf, 0, 0, 0, 0), task);
    CHECK_EQ(call(BPF_FUNC_get_current_task, 0, 0, 0, 0), task);
    uint64_t v = call(BPF_FUNC_task_storage_get, P(m), task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    CHECK(v != 0);
    CHECK_EQ(call(BPF_FUNC_task_storage_get, P(m), call(BPF_FUNC_get_current_task_btf, 0, 0, 0, 0), 0, 0), v);
    bpfrt_close(rt, (int)h);
}

/* sk storage: a socket the embedder registered; gone with the socket. */
static void test_sk_owner(void)
{
    long h;
    struct bpfrt_map *m = storage_map(T(SK_STORAGE), 0, &h);
    if (!m)
        return;
    struct bpfrt_sock_desc d = { .family = BPFRT_AF_INET6, .type = 2, .protocol = 17, .state = 7,
                                 .local_port = 53 };
    int fd;
    CHECK_EQ(bpfrt_sock_add(rt, &d, &fd), 0);
    uint8_t tuple[36] = { 0 };
    tuple[35] = 53; /* dport (bytes 34-35), network order */
    uint64_t sk = call(BPF_FUNC_sk_lookup_udp, 0, P(tuple), 36, (uint64_t)-1);
    CHECK(sk != 0);
    uint64_t v = call(BPF_FUNC_sk_storage_get, P(m), sk, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    CHECK(v != 0);
    CHECK_EQ(call(BPF_FUNC_sk_storage_get, P(m), sk, 0, 0), v);
    CHECK_EQ(call(BPF_FUNC_sk_release, sk, 0, 0, 0), 0);
    /* user space sees it by the socket's number */
    struct val2 got = { -1, -1 };
    CHECK_EQ(bcmd(BPF_MAP_LOOKUP_ELEM, h, &fd, &got, 0), 0);
    CHECK_EQ(got.a, 0);
    CHECK_EQ(bpfrt_sock_remove(rt, fd), 0);
    CHECK_EQ(bcmd(BPF_MAP_LOOKUP_ELEM, h, &fd, &got, 0), -BPFRT_EBADF);
    bpfrt_close(rt, (int)h);
}

static void test_spin_lock_value(void)
{
    union bpf_attr a = storage_attr(T(SK_STORAGE), 4, 8, 0, NP, T_INT, T_LVAL, bbtf);
    long h = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    CHECK(h >= 0);
    struct bpfrt_map *m = bpfrt_map_from_handle(rt, (int)h);
    CHECK(m && m->spin_lock_off == 0);
    struct bpfrt_sock_desc d = { .family = BPFRT_AF_INET, .type = 1, .protocol = 6, .state = 1 };
    int fd;
    CHECK_EQ(bpfrt_sock_add(rt, &d, &fd), 0);
    struct { uint32_t lock; int32_t cnt; } v = { 0xffffffff, 5 }, got = { 1, 1 };
    CHECK_EQ(bcmd(BPF_MAP_UPDATE_ELEM, h, &fd, &v, BPF_F_LOCK), 0);
    CHECK_EQ(bcmd(BPF_MAP_LOOKUP_ELEM, h, &fd, &got, BPF_F_LOCK), 0);
    CHECK_EQ(got.lock, 0); /* the lock word never shows */
    CHECK_EQ(got.cnt, 5);
    bpfrt_close(rt, (int)h);
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt))
        return 1;
    build_btf();
    bbtf = btf_load(false);
    CHECK(bbtf >= 0);
    kernel_ok = kbpf_available();
    if (kernel_ok) {
        kbtf = btf_load(true);
        kernel_ok = kbtf >= 0;
    }
    RUN(test_create);
    RUN(test_sk_storage_commands);
    RUN(test_user_side_without_fds);
    RUN(test_helpers_get_delete);
    RUN(test_task_owner);
    RUN(test_sk_owner);
    RUN(test_spin_lock_value);
    if (!kernel_ok)
        printf("note: kernel comparison skipped (bpf(2) not permitted)\n");
    else
        printf("%d creation cases compared with the kernel\n", compared);
    if (kbtf >= 0)
        close((int)kbtf);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
