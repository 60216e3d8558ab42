/* The bpf() command layer: dispatch and attr checks, handles, map commands,
 * batches, ids, pins, OBJ_GET_INFO_BY_FD and BTF_LOAD. Expected errnos are
 * Linux's (checked against the kernel where noted). */
#include "test.h"
#include "bpf_test_util.h"

#include "bpfrt/btf.h"

static struct bpfrt_runtime *rt;

/* ---- dispatch ---- */

static void test_dispatch(void)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    CHECK_EQ(bpfrt_bpf(rt, 999, &a, sizeof(a)), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_bpf(rt, -1, &a, sizeof(a)), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_ATTACH, &a, sizeof(a)), -BPFRT_EINVAL); /* not provided */
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_CREATE, NULL, sizeof(a)), -BPFRT_EFAULT);
    CHECK_EQ(bpfrt_bpf(NULL, BPF_MAP_CREATE, &a, sizeof(a)), -BPFRT_EINVAL);

    /* Bytes past sizeof(union bpf_attr): zero is fine, non-zero -E2BIG. */
    unsigned char big[sizeof(union bpf_attr) + 16];
    memset(big, 0, sizeof(big));
    union bpf_attr *b = (union bpf_attr *)big;
    b->map_type = BPF_MAP_TYPE_ARRAY;
    b->key_size = 4;
    b->value_size = 4;
    b->max_entries = 1;
    long fd = bpfrt_bpf(rt, BPF_MAP_CREATE, b, sizeof(big));
    CHECK(fd >= BPFRT_FIRST_HANDLE);
    bpfrt_close(rt, (int)fd);
    big[sizeof(union bpf_attr) + 3] = 1;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_CREATE, b, sizeof(big)), -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_CREATE, b, 8192), -BPFRT_E2BIG); /* > page */

    /* CHECK_ATTR: a field past the command's last one set -> -EINVAL. */
    memset(&a, 0, sizeof(a));
    a.map_fd = 3;
    a.flags = 0;
    a.batch.count = 0;
    union bpf_attr c;
    memset(&c, 0, sizeof(c));
    c.map_fd = 12345;
    ((unsigned char *)&c)[offsetof(union bpf_attr, flags) + 8] = 1; /* past MAP_LOOKUP_ELEM's flags */
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &c, sizeof(c)), -BPFRT_EINVAL);
    /* A short attr is zero-extended: MAP_FREEZE needs only map_fd. */
    uint32_t fdonly = 77;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_FREEZE, (union bpf_attr *)&fdonly, sizeof(fdonly)), -BPFRT_EBADF);
}

/* ---- handles ---- */

static void test_handles(void)
{
    unsigned before = bpfrt_handle_count(rt);
    long m = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
    CHECK_EQ(m, BPFRT_FIRST_HANDLE); /* lowest free handle, none open */
    long m2 = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
    CHECK_EQ(m2, m + 1);
    CHECK(bpfrt_map_from_handle(rt, (int)m) != NULL);
    CHECK(bpfrt_prog_from_handle(rt, (int)m) == NULL);
    CHECK(bpfrt_btf_from_handle(rt, (int)m) == NULL);
    CHECK_EQ(bpfrt_handle_count(rt), before + 2);
    CHECK_EQ(bpfrt_close(rt, (int)m), 0);
    CHECK_EQ(bpfrt_close(rt, (int)m), -BPFRT_EBADF);
    CHECK_EQ(bpfrt_close(rt, 0), -BPFRT_EBADF);
    CHECK_EQ(bpfrt_close(rt, -5), -BPFRT_EBADF);
    CHECK_EQ(bpfrt_close(rt, 1 << 24), -BPFRT_EBADF);
    long m3 = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
    CHECK_EQ(m3, m); /* reused, like fds */
    bpfrt_close(rt, (int)m3);
    bpfrt_close(rt, (int)m2);
    CHECK_EQ(bpfrt_handle_count(rt), before);

    /* A program handle where a map is expected: -EINVAL; a closed one -EBADF. */
    struct bpf_insn p[] = { MOV64_IMM(0, 0), EXIT() };
    long prog = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, p, 2);
    CHECK(prog >= 0);
    uint32_t k = 0;
    uint64_t v = 0;
    CHECK_EQ(map_lookup(rt, prog, &k, &v), -BPFRT_EINVAL);
    CHECK_EQ(map_lookup(rt, 999, &k, &v), -BPFRT_EBADF);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = 999;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), -BPFRT_EBADF);
    long map = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    a.test.prog_fd = (uint32_t)map;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), -BPFRT_EINVAL);
    /* handle_new takes its own reference */
    int h2 = bpfrt_handle_new_map(rt, bpfrt_map_from_handle(rt, (int)map));
    CHECK(h2 >= 0);
    bpfrt_close(rt, (int)map);
    CHECK(bpfrt_map_from_handle(rt, h2) != NULL);
    CHECK_EQ(map_lookup(rt, h2, &k, &v), 0);
    bpfrt_close(rt, h2);
    bpfrt_close(rt, (int)prog);
}

/* ---- element commands ---- */

static void test_map_elems(void)
{
    long h = create_map(rt, BPF_MAP_TYPE_HASH, 4, 8, 8);
    CHECK(h >= 0);
    uint32_t k = 1, nk = 0;
    uint64_t v = 100, out = 0;
    CHECK_EQ(map_lookup(rt, h, &k, &out), -BPFRT_ENOENT);
    CHECK_EQ(map_update(rt, h, &k, &v, BPF_EXIST), -BPFRT_ENOENT);
    CHECK_EQ(map_update(rt, h, &k, &v, BPF_NOEXIST), 0);
    CHECK_EQ(map_update(rt, h, &k, &v, BPF_NOEXIST), -BPFRT_EEXIST);
    v = 101;
    CHECK_EQ(map_update(rt, h, &k, &v, BPF_EXIST), 0);
    CHECK_EQ(map_lookup(rt, h, &k, &out), 0);
    CHECK_EQ(out, 101);
    CHECK_EQ(map_update(rt, h, &k, &v, 99), -BPFRT_EINVAL);
    /* BPF_F_LOCK on a map without a spin lock: -EINVAL (Linux) */
    CHECK_EQ(map_update(rt, h, &k, &v, BPF_F_LOCK), -BPFRT_EINVAL);

    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)h;
    a.key = ptr(&k);
    a.value = ptr(&out);
    a.flags = 8;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)), -BPFRT_EINVAL);
    a.flags = 0;
    a.value = 0;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)), -BPFRT_EFAULT);
    a.key = 0;
    a.value = ptr(&out);
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)), -BPFRT_EFAULT);

    /* get_next_key: NULL key -> first; after the last -> -ENOENT */
    uint32_t k2 = 2;
    CHECK_EQ(map_update(rt, h, &k2, &v, BPF_ANY), 0);
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)h;
    a.next_key = ptr(&nk);
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)), 0);
    uint32_t first = nk;
    CHECK(first == 1 || first == 2);
    a.key = ptr(&first);
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)), 0);
    CHECK_EQ(nk, first == 1 ? 2u : 1u);
    uint32_t second = nk;
    a.key = ptr(&second);
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)), -BPFRT_ENOENT);

    /* lookup_and_delete */
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)h;
    a.key = ptr(&k2);
    a.value = ptr(&out);
    out = 0;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_LOOKUP_AND_DELETE_ELEM, &a, sizeof(a)), 0);
    CHECK_EQ(out, 101);
    CHECK_EQ(map_lookup(rt, h, &k2, &out), -BPFRT_ENOENT);

    /* delete */
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)h;
    a.key = ptr(&k);
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_DELETE_ELEM, &a, sizeof(a)), 0);
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_DELETE_ELEM, &a, sizeof(a)), -BPFRT_ENOENT);

    /* freeze: user-side writes then fail with -EPERM */
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)h;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_FREEZE, &a, sizeof(a)), 0);
    CHECK_EQ(map_update(rt, h, &k, &v, BPF_ANY), -BPFRT_EPERM);
    bpfrt_close(rt, (int)h);

    /* create errors */
    CHECK_EQ(create_map(rt, 9999, 4, 4, 1), -BPFRT_EINVAL);
    CHECK_EQ(create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 0, 1), -BPFRT_EINVAL);
    a = kbpf_map_attr(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
    strcpy(a.map_name, "bad name!");
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a)), -BPFRT_EINVAL);
    strcpy(a.map_name, "good.name_1");
    long named = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    CHECK(named >= 0);
    CHECK_STR(bpfrt_map_from_handle(rt, (int)named)->name, "good.name_1");
    bpfrt_close(rt, (int)named);
    /* map-in-map without a valid inner map handle */
    a = kbpf_map_attr(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0);
    a.inner_map_fd = 555;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a)), -BPFRT_EBADF);
}

/* Map-in-map update resolves the value as a map handle. */
static void test_map_in_map(void)
{
    long inner = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 2);
    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0);
    a.inner_map_fd = (uint32_t)inner;
    long outer = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    CHECK(outer >= 0);
    uint32_t k = 0, id = 0;
    int32_t h = (int32_t)inner;
    CHECK_EQ(map_update(rt, outer, &k, &h, BPF_ANY), 0);
    CHECK_EQ(map_lookup(rt, outer, &k, &id), 0);
    CHECK_EQ(id, bpfrt_map_from_handle(rt, (int)inner)->id); /* lookups give the inner map id */
    h = 4242;
    CHECK_EQ(map_update(rt, outer, &k, &h, BPF_ANY), -BPFRT_EBADF);
    bpfrt_close(rt, (int)inner);
    bpfrt_close(rt, (int)outer);
}

/* ---- batch ---- */

static void test_batch(void)
{
    long h = create_map(rt, BPF_MAP_TYPE_HASH, 4, 8, 32);
    uint32_t keys[10];
    uint64_t vals[10];
    for (int i = 0; i < 10; i++) {
        keys[i] = (uint32_t)i + 100;
        vals[i] = (uint64_t)i * 11;
    }
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.batch.map_fd = (uint32_t)h;
    a.batch.keys = ptr(keys);
    a.batch.values = ptr(vals);
    a.batch.count = 10;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_UPDATE_BATCH, &a, sizeof(a)), 0);
    CHECK_EQ(a.batch.count, 10);

    /* Lookup in batches of 4: 4, 4, then 2 with -ENOENT at the end. */
    uint32_t got_k[16], seen = 0, in = 0, out = 0;
    uint64_t got_v[16], sum = 0;
    int rounds = 0;
    long err = 0;
    do {
        memset(&a, 0, sizeof(a));
        a.batch.map_fd = (uint32_t)h;
        a.batch.in_batch = rounds ? ptr(&in) : 0;
        a.batch.out_batch = ptr(&out);
        a.batch.keys = ptr(got_k + seen);
        a.batch.values = ptr(got_v + seen);
        a.batch.count = 4;
        err = bpfrt_bpf(rt, BPF_MAP_LOOKUP_BATCH, &a, sizeof(a));
        CHECK(err == 0 || err == -BPFRT_ENOENT);
        seen += a.batch.count;
        in = out;
        rounds++;
    } while (err == 0 && rounds < 10);
    CHECK_EQ(err, -BPFRT_ENOENT);
    CHECK_EQ(seen, 10);
    CHECK_EQ(rounds, 3);
    for (uint32_t i = 0; i < seen; i++) {
        CHECK_EQ(got_v[i], (uint64_t)(got_k[i] - 100) * 11);
        sum += got_k[i];
    }
    CHECK_EQ(sum, 1045); /* 100..109 each exactly once */

    /* lookup_and_delete in batches of 3 empties the map */
    uint32_t total = 0;
    in = 0;
    rounds = 0;
    do {
        memset(&a, 0, sizeof(a));
        a.batch.map_fd = (uint32_t)h;
        a.batch.in_batch = rounds ? ptr(&in) : 0;
        a.batch.out_batch = ptr(&out);
        a.batch.keys = ptr(got_k);
        a.batch.values = ptr(got_v);
        a.batch.count = 3;
        err = bpfrt_bpf(rt, BPF_MAP_LOOKUP_AND_DELETE_BATCH, &a, sizeof(a));
        total += a.batch.count;
        in = out;
        rounds++;
    } while (err == 0 && rounds < 10);
    CHECK_EQ(err, -BPFRT_ENOENT);
    CHECK_EQ(total, 10);
    uint32_t nk;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)h;
    a.next_key = ptr(&nk);
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)), -BPFRT_ENOENT);

    /* delete batch stops at the first missing key, count = deleted */
    memset(&a, 0, sizeof(a));
    a.batch.map_fd = (uint32_t)h;
    a.batch.keys = ptr(keys);
    a.batch.values = ptr(vals);
    a.batch.count = 3;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_UPDATE_BATCH, &a, sizeof(a)), 0);
    uint32_t del[3] = { 100, 101, 555 };
    memset(&a, 0, sizeof(a));
    a.batch.map_fd = (uint32_t)h;
    a.batch.keys = ptr(del);
    a.batch.count = 3;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_DELETE_BATCH, &a, sizeof(a)), -BPFRT_ENOENT);
    CHECK_EQ(a.batch.count, 2);

    /* flags, elem_flags, unsupported types */
    memset(&a, 0, sizeof(a));
    a.batch.map_fd = (uint32_t)h;
    a.batch.keys = ptr(keys);
    a.batch.values = ptr(vals);
    a.batch.count = 1;
    a.batch.flags = 1;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_UPDATE_BATCH, &a, sizeof(a)), -BPFRT_EINVAL);
    a.batch.flags = 0;
    a.batch.elem_flags = 16;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_UPDATE_BATCH, &a, sizeof(a)), -BPFRT_EINVAL);
    long arr = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
    a.batch.elem_flags = 0;
    a.batch.map_fd = (uint32_t)arr;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_DELETE_BATCH, &a, sizeof(a)), -BPFRT_ENOTSUPP);
    /* array lookup batch walks the indexes in order */
    uint32_t ak[4];
    uint64_t av[4];
    memset(&a, 0, sizeof(a));
    a.batch.map_fd = (uint32_t)arr;
    a.batch.keys = ptr(ak);
    a.batch.values = ptr(av);
    a.batch.out_batch = ptr(&out);
    a.batch.count = 8;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_LOOKUP_BATCH, &a, sizeof(a)), -BPFRT_ENOENT);
    CHECK_EQ(a.batch.count, 4);
    CHECK_EQ(ak[0], 0);
    CHECK_EQ(ak[3], 3);
    bpfrt_close(rt, (int)arr);
    bpfrt_close(rt, (int)h);
}

/* ---- ids and pins ---- */

static void test_ids(void)
{
    long m1 = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 4, 1);
    long m2 = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 4, 1);
    uint32_t id1 = bpfrt_map_from_handle(rt, (int)m1)->id, id2 = bpfrt_map_from_handle(rt, (int)m2)->id;
    CHECK(id2 > id1);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.start_id = id1 - 1;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_ID, &a, sizeof(a)), 0);
    CHECK_EQ(a.next_id, id1);
    a.start_id = id1;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_ID, &a, sizeof(a)), 0);
    CHECK_EQ(a.next_id, id2);
    a.start_id = id2;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_ID, &a, sizeof(a)), -BPFRT_ENOENT);
    a.start_id = 0x7fffffff;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_ID, &a, sizeof(a)), -BPFRT_EINVAL);

    /* fd by id: a new handle on the same map */
    memset(&a, 0, sizeof(a));
    a.map_id = id1;
    long h = bpfrt_bpf(rt, BPF_MAP_GET_FD_BY_ID, &a, sizeof(a));
    CHECK(h >= 0 && h != m1);
    CHECK(bpfrt_map_from_handle(rt, (int)h) == bpfrt_map_from_handle(rt, (int)m1));
    bpfrt_close(rt, (int)h);
    a.open_flags = BPF_F_RDONLY | BPF_F_WRONLY;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_FD_BY_ID, &a, sizeof(a)), -BPFRT_EINVAL);
    a.open_flags = 0;
    a.map_id = 999999;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_FD_BY_ID, &a, sizeof(a)), -BPFRT_ENOENT);

    /* closing the last handle makes the id go away */
    bpfrt_close(rt, (int)m2);
    memset(&a, 0, sizeof(a));
    a.start_id = id1;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_ID, &a, sizeof(a)), -BPFRT_ENOENT);
    a.map_id = id2;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_FD_BY_ID, &a, sizeof(a)), -BPFRT_ENOENT);

    /* a map used by a program stays visible by id after its handle closes */
    struct bpf_insn p[] = { LD_MAP_FD(1, (int32_t)m1), MOV64_IMM(0, 0), EXIT() };
    long prog = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, p, NR(p));
    CHECK(prog >= 0);
    bpfrt_close(rt, (int)m1);
    memset(&a, 0, sizeof(a));
    a.map_id = id1;
    h = bpfrt_bpf(rt, BPF_MAP_GET_FD_BY_ID, &a, sizeof(a));
    CHECK(h >= 0);
    bpfrt_close(rt, (int)h);
    uint32_t pid = bpfrt_prog_from_handle(rt, (int)prog)->id;
    memset(&a, 0, sizeof(a));
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_GET_NEXT_ID, &a, sizeof(a)), 0);
    CHECK(a.next_id <= pid);
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a)), -BPFRT_EINVAL); /* next_id set: CHECK_ATTR */
    memset(&a, 0, sizeof(a));
    a.prog_id = pid;
    h = bpfrt_bpf(rt, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
    CHECK(h >= 0);
    bpfrt_close(rt, (int)h);
    a.open_flags = BPF_F_RDONLY; /* PROG_GET_FD_BY_ID has no open_flags: CHECK_ATTR */
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a)), -BPFRT_EINVAL);
    bpfrt_close(rt, (int)prog);
    memset(&a, 0, sizeof(a));
    a.map_id = id1;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_GET_FD_BY_ID, &a, sizeof(a)), -BPFRT_ENOENT);
    a.prog_id = pid;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a)), -BPFRT_ENOENT);
}

static void test_pins(void)
{
    long m = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 4, 2);
    uint32_t k = 1, v = 77, out = 0;
    CHECK_EQ(map_update(rt, m, &k, &v, BPF_ANY), 0);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.pathname = ptr("/sys/fs/bpf/counters");
    a.bpf_fd = (uint32_t)m;
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_PIN, &a, sizeof(a)), 0);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_PIN, &a, sizeof(a)), -BPFRT_EEXIST);
    a.bpf_fd = 999;
    a.pathname = ptr("/sys/fs/bpf/other");
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_PIN, &a, sizeof(a)), -BPFRT_EBADF);
    a.bpf_fd = (uint32_t)m;
    a.file_flags = 1;
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_PIN, &a, sizeof(a)), -BPFRT_EINVAL);
    a.file_flags = 0;
    a.pathname = ptr("");
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_PIN, &a, sizeof(a)), -BPFRT_ENOENT);
    bpfrt_close(rt, (int)m); /* the pin keeps the map */

    memset(&a, 0, sizeof(a));
    a.pathname = ptr("/sys/fs/bpf/counters");
    long h = bpfrt_bpf(rt, BPF_OBJ_GET, &a, sizeof(a));
    CHECK(h >= 0);
    CHECK_EQ(map_lookup(rt, h, &k, &out), 0);
    CHECK_EQ(out, 77);
    bpfrt_close(rt, (int)h);
    /* read-only and write-only handles (Linux's file modes on map fds) */
    a.file_flags = BPF_F_RDONLY;
    long ro = bpfrt_bpf(rt, BPF_OBJ_GET, &a, sizeof(a));
    CHECK(ro >= 0);
    CHECK_EQ(map_lookup(rt, ro, &k, &out), 0);
    CHECK_EQ(map_update(rt, ro, &k, &v, BPF_ANY), -BPFRT_EPERM);
    union bpf_attr f;
    memset(&f, 0, sizeof(f));
    f.map_fd = (uint32_t)ro;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_FREEZE, &f, sizeof(f)), -BPFRT_EPERM);
    a.file_flags = BPF_F_WRONLY;
    long wo = bpfrt_bpf(rt, BPF_OBJ_GET, &a, sizeof(a));
    CHECK(wo >= 0);
    CHECK_EQ(map_lookup(rt, wo, &k, &out), -BPFRT_EPERM);
    v = 78;
    CHECK_EQ(map_update(rt, wo, &k, &v, BPF_ANY), 0);
    CHECK_EQ(map_lookup(rt, ro, &k, &out), 0);
    CHECK_EQ(out, 78);
    bpfrt_close(rt, (int)ro);
    bpfrt_close(rt, (int)wo);
    a.file_flags = BPF_F_RDONLY | BPF_F_WRONLY;
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET, &a, sizeof(a)), -BPFRT_EINVAL);
    a.file_flags = 0;
    a.pathname = ptr("/sys/fs/bpf/missing");
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET, &a, sizeof(a)), -BPFRT_ENOENT);
    a.file_flags = 0x100;
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET, &a, sizeof(a)), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_obj_unpin(rt, "/sys/fs/bpf/counters"), 0);
    CHECK_EQ(bpfrt_obj_unpin(rt, "/sys/fs/bpf/counters"), -BPFRT_ENOENT);
    memset(&a, 0, sizeof(a));
    a.pathname = ptr("/sys/fs/bpf/counters");
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET, &a, sizeof(a)), -BPFRT_ENOENT);
    /* a pinned program and a pin left at runtime destroy (no leak under ASan) */
    struct bpf_insn p[] = { MOV64_IMM(0, 0), EXIT() };
    long prog = load_prog(rt, BPF_PROG_TYPE_SOCKET_FILTER, p, 2);
    a.pathname = ptr("/sys/fs/bpf/prog");
    a.bpf_fd = (uint32_t)prog;
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_PIN, &a, sizeof(a)), 0);
    bpfrt_close(rt, (int)prog);
    memset(&a, 0, sizeof(a));
    a.pathname = ptr("/sys/fs/bpf/prog");
    h = bpfrt_bpf(rt, BPF_OBJ_GET, &a, sizeof(a));
    CHECK(bpfrt_prog_from_handle(rt, (int)h) != NULL);
    bpfrt_close(rt, (int)h);
}

/* ---- info ---- */

static void test_info(void)
{
    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_HASH, 8, 16, 5, BPF_F_NO_PREALLOC);
    strcpy(a.map_name, "flows");
    long m = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    CHECK(m >= 0);
    struct bpf_map_info mi;
    memset(&mi, 0, sizeof(mi));
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (uint32_t)m;
    a.info.info_len = sizeof(mi);
    a.info.info = ptr(&mi);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
    CHECK_EQ(a.info.info_len, sizeof(mi));
    CHECK_EQ(mi.type, BPF_MAP_TYPE_HASH);
    CHECK_EQ(mi.key_size, 8);
    CHECK_EQ(mi.value_size, 16);
    CHECK_EQ(mi.max_entries, 5);
    CHECK_EQ(mi.map_flags, BPF_F_NO_PREALLOC);
    CHECK_STR(mi.name, "flows");
    CHECK_EQ(mi.id, bpfrt_map_from_handle(rt, (int)m)->id);
    /* a short info_len is honoured: only those bytes are written */
    struct bpf_map_info small;
    memset(&small, 0xee, sizeof(small));
    a.info.info_len = 8;
    a.info.info = ptr(&small);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
    CHECK_EQ(a.info.info_len, 8);
    CHECK_EQ(small.type, BPF_MAP_TYPE_HASH);
    CHECK_EQ(small.key_size, 0xeeeeeeeeu);
    /* a longer info_len: zero tail is min'ed, non-zero tail -E2BIG */
    unsigned char big[sizeof(mi) + 8];
    memset(big, 0, sizeof(big));
    a.info.info_len = sizeof(big);
    a.info.info = ptr(big);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
    CHECK_EQ(a.info.info_len, sizeof(mi));
    big[sizeof(mi) + 2] = 1;
    a.info.info_len = sizeof(big);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), -BPFRT_E2BIG);
    static uint8_t page_plus[5000];
    a.info.info_len = sizeof(page_plus); /* more than a page: -E2BIG even when zero (Linux) */
    a.info.info = ptr(page_plus);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), -BPFRT_E2BIG);
    a.info.bpf_fd = 4000;
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), -BPFRT_EBADF);

    /* program info: type, name, map ids, xlated insns with the map id back */
    struct bpf_insn p[] = { LD_MAP_FD(1, (int32_t)m), MOV64_IMM(0, 0), EXIT() };
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_XDP;
    a.insn_cnt = NR(p);
    a.insns = ptr(p);
    a.license = ptr("GPL");
    strcpy(a.prog_name, "xdp_main");
    long prog = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(prog >= 0);
    struct bpf_prog_info pi;
    struct bpf_insn x[8];
    uint32_t map_ids[4] = { 0 };
    memset(&pi, 0, sizeof(pi));
    pi.xlated_prog_len = sizeof(x);
    pi.xlated_prog_insns = ptr(x);
    pi.nr_map_ids = 4;
    pi.map_ids = ptr(map_ids);
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (uint32_t)prog;
    a.info.info_len = sizeof(pi);
    a.info.info = ptr(&pi);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
    CHECK_EQ(pi.type, BPF_PROG_TYPE_XDP);
    CHECK_STR(pi.name, "xdp_main");
    CHECK_EQ(pi.gpl_compatible, 1);
    CHECK_EQ(pi.xlated_prog_len, 4 * 8);
    CHECK_EQ(pi.nr_map_ids, 1);
    CHECK_EQ(map_ids[0], mi.id);
    CHECK_EQ(x[0].src_reg, BPF_PSEUDO_MAP_FD);
    CHECK_EQ(x[0].imm, (int32_t)mi.id);
    CHECK_EQ(x[1].imm, 0);
    CHECK_EQ(x[2].code, BPF_ALU64 | BPF_MOV | BPF_K);
    CHECK_EQ(pi.id, bpfrt_prog_from_handle(rt, (int)prog)->id);
    /* xlated buffer shorter than the program: partial copy, full length */
    struct bpf_insn one[2];
    memset(one, 0, sizeof(one));
    memset(&pi, 0, sizeof(pi));
    pi.xlated_prog_len = 8;
    pi.xlated_prog_insns = ptr(one);
    a.info.info_len = sizeof(pi);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
    CHECK_EQ(pi.xlated_prog_len, 32);
    CHECK_EQ(one[0].code, BPF_LD | BPF_DW | BPF_IMM);
    CHECK_EQ(one[1].code, 0);
    bpfrt_close(rt, (int)prog);
    bpfrt_close(rt, (int)m);
}

/* ---- BTF ---- */

/* int; struct bpf_spin_lock { int val; }; struct val { struct bpf_spin_lock lock; int cnt; } */
static const char btf_strs[] = "\0int\0bpf_spin_lock\0val\0lock\0cnt";
struct btf_blob {
    struct btf_header hdr;
    uint32_t types[3 + 1 + 3 + 3 + 3 + 3 + 3];
    char strs[sizeof(btf_strs)];
};

static void make_btf(struct btf_blob *b)
{
    memset(b, 0, sizeof(*b));
    uint32_t *t = b->types;
    /* [1] INT "int" size 4, signed 32 bits */
    *t++ = 1; *t++ = BTF_INFO_ENC(BTF_KIND_INT, 0, 0); *t++ = 4; *t++ = (BTF_INT_SIGNED << 24) | 32;
    /* [2] STRUCT bpf_spin_lock size 4 { val: int @0 } */
    *t++ = 5; *t++ = BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 1); *t++ = 4;
    *t++ = 19; *t++ = 1; *t++ = 0;
    /* [3] STRUCT val size 8 { lock @0, cnt @32 bits } */
    *t++ = 19; *t++ = BTF_INFO_ENC(BTF_KIND_STRUCT, 0, 2); *t++ = 8;
    *t++ = 23; *t++ = 2; *t++ = 0;
    *t++ = 28; *t++ = 1; *t++ = 32;
    memcpy(b->strs, btf_strs, sizeof(btf_strs));
    b->hdr.magic = BTF_MAGIC;
    b->hdr.version = BTF_VERSION;
    b->hdr.hdr_len = sizeof(b->hdr);
    b->hdr.type_off = 0;
    b->hdr.type_len = (uint32_t)((char *)t - (char *)b->types);
    b->hdr.str_off = sizeof(b->types);
    b->hdr.str_len = sizeof(btf_strs);
}

static void test_btf(void)
{
    struct btf_blob blob;
    make_btf(&blob);
    char log[512];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.btf = ptr(&blob);
    a.btf_size = sizeof(blob);
    long btf = bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a));
    CHECK(btf >= 0);
    CHECK(bpfrt_btf_from_handle(rt, (int)btf) != NULL);

    /* broken magic: -EINVAL, with a message in the log */
    struct btf_blob bad = blob;
    bad.hdr.magic = 0x1234;
    memset(log, 0, sizeof(log));
    a.btf = ptr(&bad);
    a.btf_log_level = 1;
    a.btf_log_buf = ptr(log);
    a.btf_log_size = sizeof(log);
    CHECK_EQ(bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    CHECK(strlen(log) > 0);
    CHECK_EQ(a.btf_log_true_size, strlen(log) + 1);
    a.btf_log_buf = 0; /* size without buffer */
    CHECK_EQ(bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);
    a.btf_log_size = 0;
    a.btf_log_level = 0;
    a.btf_flags = 1;
    CHECK_EQ(bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a)), -BPFRT_EINVAL);

    /* a map with BTF: key/value sizes must match, spin lock found */
    a = kbpf_map_attr(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
    a.btf_fd = (uint32_t)btf;
    a.btf_key_type_id = 1;
    a.btf_value_type_id = 3;
    long m = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
    CHECK(m >= 0);
    if (m >= 0)
        CHECK_EQ(bpfrt_map_from_handle(rt, (int)m)->spin_lock_off, 0);
    uint32_t k = 1;
    uint32_t v[2] = { 0, 42 }, out[2] = { 0, 0 };
    CHECK_EQ(map_update(rt, m, &k, v, BPF_F_LOCK), 0);
    union bpf_attr l;
    memset(&l, 0, sizeof(l));
    l.map_fd = (uint32_t)m;
    l.key = ptr(&k);
    l.value = ptr(out);
    l.flags = BPF_F_LOCK;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &l, sizeof(l)), 0);
    CHECK_EQ(out[1], 42);
    a.value_size = 12; /* does not match struct val */
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a)), -BPFRT_EINVAL);
    a.value_size = 8;
    a.btf_fd = (uint32_t)m; /* not a BTF */
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a)), -BPFRT_EINVAL);
    a.btf_fd = 0;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a)), -BPFRT_EBADF);
    /* a spin lock in a map type that cannot hold one */
    a.btf_fd = (uint32_t)btf;
    a.map_type = BPF_MAP_TYPE_PERCPU_HASH;
    CHECK_EQ(bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a)), -BPFRT_EOPNOTSUPP);

    /* info: raw bytes back, id, map info names the BTF */
    unsigned char raw[sizeof(blob)];
    struct bpf_btf_info bi;
    memset(&bi, 0, sizeof(bi));
    bi.btf = ptr(raw);
    bi.btf_size = sizeof(raw);
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (uint32_t)btf;
    a.info.info_len = sizeof(bi);
    a.info.info = ptr(&bi);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
    CHECK_EQ(bi.btf_size, sizeof(blob));
    CHECK(memcmp(raw, &blob, sizeof(blob)) == 0);
    CHECK_EQ(bi.id, bpfrt_btf_id(bpfrt_btf_from_handle(rt, (int)btf)));
    struct bpf_map_info mi;
    memset(&mi, 0, sizeof(mi));
    a.info.bpf_fd = (uint32_t)m;
    a.info.info_len = sizeof(mi);
    a.info.info = ptr(&mi);
    CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
    CHECK_EQ(mi.btf_id, bi.id);
    CHECK_EQ(mi.btf_value_type_id, 3);
    /* BTF ids: next id and fd by id */
    memset(&a, 0, sizeof(a));
    a.start_id = bi.id - 1;
    CHECK_EQ(bpfrt_bpf(rt, BPF_BTF_GET_NEXT_ID, &a, sizeof(a)), 0);
    CHECK_EQ(a.next_id, bi.id);
    memset(&a, 0, sizeof(a));
    a.btf_id = bi.id;
    long h = bpfrt_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a));
    CHECK(bpfrt_btf_from_handle(rt, (int)h) == bpfrt_btf_from_handle(rt, (int)btf));
    bpfrt_close(rt, (int)h);
    /* the map keeps the BTF (and its id) alive after the BTF handle closes */
    bpfrt_close(rt, (int)btf);
    a.btf_id = bi.id;
    h = bpfrt_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a));
    CHECK(h >= 0);
    bpfrt_close(rt, (int)h);
    bpfrt_close(rt, (int)m);
    CHECK_EQ(bpfrt_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a)), -BPFRT_ENOENT);
}

/* The same BTF and BTF-described maps in the kernel: same verdicts. */
static void test_btf_vs_kernel(void)
{
    if (!kbpf_available())
        return;
    struct btf_blob blob;
    make_btf(&blob);
    long btf[2], r[2];
    for (int k = 0; k < 2; k++) {
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.btf = ptr(&blob);
        a.btf_size = sizeof(blob);
        btf[k] = do_bpf(rt, k, BPF_BTF_LOAD, &a);
        CHECK(btf[k] >= 0);
    }
    static const struct { uint32_t type, ks, vs, kid, vid; } cases[] = {
        { BPF_MAP_TYPE_HASH, 4, 8, 1, 3 },        /* ok, with a spin lock */
        { BPF_MAP_TYPE_ARRAY, 4, 8, 1, 3 },       /* ok */
        { BPF_MAP_TYPE_HASH, 4, 12, 1, 3 },       /* value size mismatch */
        { BPF_MAP_TYPE_HASH, 8, 8, 1, 3 },        /* key size mismatch */
        { BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 1, 3 }, /* spin lock where none may be */
        { BPF_MAP_TYPE_HASH, 4, 4, 1, 1 },        /* plain int value */
        { BPF_MAP_TYPE_HASH, 4, 4, 1, 0 },        /* key type without value type */
    };
    for (size_t i = 0; i < NR(cases); i++) {
        long maps[2] = { -1, -1 };
        for (int k = 0; k < 2; k++) {
            union bpf_attr a = kbpf_map_attr(cases[i].type, cases[i].ks, cases[i].vs, 4, 0);
            a.btf_fd = (uint32_t)btf[k];
            a.btf_key_type_id = cases[i].kid;
            a.btf_value_type_id = cases[i].vid;
            maps[k] = r[k] = do_bpf(rt, k, BPF_MAP_CREATE, &a);
        }
        if (r[0] < 0 || r[1] < 0)
            CHECK_EQ(r[0], r[1]);
        else
            CHECK(r[0] >= 0 && r[1] >= 0);
        /* BPF_F_LOCK works exactly where the value has a spin lock */
        if (r[0] >= 0 && r[1] >= 0) {
            uint32_t key = 0, val[2] = { 0, 5 };
            long u[2];
            for (int k = 0; k < 2; k++) {
                union bpf_attr a;
                memset(&a, 0, sizeof(a));
                a.map_fd = (uint32_t)maps[k];
                a.key = ptr(&key);
                a.value = ptr(val);
                a.flags = BPF_F_LOCK;
                u[k] = do_bpf(rt, k, BPF_MAP_UPDATE_ELEM, &a);
            }
            CHECK_EQ(u[0], u[1]);
        }
        for (int k = 0; k < 2; k++)
            do_close(rt, k, maps[k]);
    }
    for (int k = 0; k < 2; k++)
        do_close(rt, k, btf[k]);
}

int main(void)
{
    rt = new_rt();
    RUN(test_dispatch);
    RUN(test_handles);
    RUN(test_map_elems);
    RUN(test_map_in_map);
    RUN(test_batch);
    RUN(test_ids);
    RUN(test_pins);
    RUN(test_info);
    RUN(test_btf);
    RUN(test_btf_vs_kernel);
    CHECK_EQ(bpfrt_handle_count(rt), 0);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
