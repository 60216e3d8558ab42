/* Checked mode's sandbox, work a program can drive: every wait is bounded
 * and every loop is charged to the run's budget.
 *  - the bpf_spin_lock word is not program memory (the program cannot forge
 *    "held"), no helper runs while the program holds the lock (Linux's
 *    verifier refuses such calls), and a lock left held is released;
 *  - helper work (formatting widths, copies) is charged to the budget, so
 *    bpf_loop over a costly callback stops;
 *  - a ring buffer record reserved and never submitted does not wedge the
 *    ring for later records;
 *  - MAP_CREATE's search for a bpf_spin_lock in the value type is linear in
 *    the BTF, whatever the nesting.
 * The programs are tests/progs/sandbox_work.bpf.c. */
#include "test_sandbox_util.h"

#include "bpfrt/btf.h"

struct val {
    int cnt;
    uint32_t lock;
};

static struct sb_run run_socket(struct bpfrt_object *obj, const char *prog)
{
    uint8_t frame[64];
    return sb_test_run(obj, prog, frame, sb_ipv4_frame(frame), NULL, 0);
}

/* The host's BPF_F_LOCK lookup of locked[0]; returns its result. */
static long locked_lookup(struct bpfrt_object *obj, struct val *v)
{
    uint32_t k = 0;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)map_handle(obj, "locked");
    a.key = (uint64_t)(uintptr_t)&k;
    a.value = (uint64_t)(uintptr_t)v;
    a.flags = BPF_F_LOCK;
    return bpfrt_bpf(crt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
}

/* A store to the lock word faults, whether the program then takes the lock
 * (lock_mode 0) or exits (1); the host's locked lookup returns. */
static void forged_lock_word(void)
{
    for (int mode = 0; mode < 2; mode++) {
        struct bpfrt_object *obj = sb_load("sandbox_work", "lock_mode", mode, NULL);
        CHECK(obj != NULL);
        struct sb_run r = run_socket(obj, "lock_forge");
        CHECK_EQ(r.rc, -BPFRT_EFAULT);
        CHECK_EQ(r.res.run_error, BPFRT_RUN_BAD_ACCESS);
        struct val v = { -1, 0 };
        CHECK_EQ(locked_lookup(obj, &v), 0);
        CHECK_EQ(v.cnt, 0);
        bpfrt_object_close(obj);
    }
}

/* bpf_map_update_elem(BPF_F_LOCK) on the element whose lock the program
 * holds: refused before the helper runs; the run's end releases the lock. */
static void helper_while_locked(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_work", NULL);
    CHECK(obj != NULL);
    struct sb_run r = run_socket(obj, "lock_reenter");
    CHECK_EQ(r.rc, -BPFRT_EINVAL);
    CHECK_EQ(r.res.run_error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.res.error_msg, "holding a lock");
    struct val v = { -1, 0 };
    CHECK_EQ(locked_lookup(obj, &v), 0);
    CHECK_EQ(v.cnt, 0); /* the update never ran */
    bpfrt_object_close(obj);
}

/* The host holds the lock (as another run or a BPF_F_LOCK update would):
 * the program's wait is charged spin by spin and ends with the budget; once
 * the host lets go, the program takes it. */
static void lock_held_elsewhere(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_work", NULL);
    CHECK(obj != NULL);
    struct bpfrt_map *m = bpfrt_map_from_handle(crt, map_handle(obj, "locked"));
    uint32_t k = 0;
    struct val *v = m ? bpfrt_map_lookup_elem(m, &k, 0) : NULL;
    CHECK(v != NULL);
    if (!v)
        return;
    bpfrt_spin_lock((struct bpf_spin_lock *)&v->lock);
    struct sb_run r = run_socket(obj, "lock_take");
    CHECK_EQ(r.rc, -BPFRT_ELOOP);
    CHECK_EQ(r.res.run_error, BPFRT_RUN_BUDGET);
    CHECK_EQ(v->cnt, 0);
    bpfrt_spin_unlock((struct bpf_spin_lock *)&v->lock);
    r = run_socket(obj, "lock_take");
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.retval, 1);
    CHECK_EQ(v->cnt, 1);
    CHECK_EQ(v->lock, 0);
    bpfrt_object_close(obj);
}

/* bpf_loop(2^23) over a callback that formats 3 x 8,388,607 columns: the
 * formatting is charged, so the default budget (2^30) stops the run after
 * some 40 callbacks instead of hours later. 4 loops fit the budget. */
static void loop_of_wide_formats(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_work", "loops", 1 << 23, NULL);
    CHECK(obj != NULL);
    struct sb_run r = run_socket(obj, "format_loop");
    CHECK_EQ(r.rc, -BPFRT_ELOOP);
    CHECK_EQ(r.res.run_error, BPFRT_RUN_BUDGET);
    bpfrt_object_close(obj);

    obj = sb_load("sandbox_work", "loops", 4, NULL);
    CHECK(obj != NULL);
    r = run_socket(obj, "format_loop");
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.retval, 4);
    bpfrt_object_close(obj);
}

/* What the formatter stores and returns for wide fields, hand-derived:
 * padding past the output is counted, not produced, and changes nothing. */
static int64_t snprintf_call(char *out, uint32_t size, const char *fmt, const uint64_t *args, uint32_t n)
{
    struct bpfrt_run run;
    memset(&run, 0, sizeof(run));
    run.rt = crt;
    const struct bpfrt_helper_proto *p = bpfrt_helper_find(crt, BPF_FUNC_snprintf);
    return (int64_t)p->fn((uint64_t)(uintptr_t)out, size, (uint64_t)(uintptr_t)fmt, (uint64_t)(uintptr_t)args,
                          n * 8, &run);
}

static void wide_fields(void)
{
    char out[16], want[16];
    uint64_t a[3] = { 42, (uint64_t)-5, 7 };
    CHECK_EQ(snprintf_call(out, sizeof(out), "%8388607d", a, 1), 8388607 + 1);
    memset(want, ' ', 15);
    want[15] = 0;
    CHECK_STR(out, want);
    CHECK_EQ(snprintf_call(out, sizeof(out), "%-2000d|", a, 1), 2001 + 1);
    CHECK_STR(out, "42             ");
    CHECK_EQ(snprintf_call(out, sizeof(out), "%02000d", a + 1, 1), 2000 + 1);
    CHECK_STR(out, "-00000000000000");
    CHECK_EQ(snprintf_call(out, sizeof(out), "ab%3000sc", a, 0), -BPFRT_EINVAL); /* no argument */
    CHECK_EQ(snprintf_call(out, sizeof(out), "%5000p|%d", a, 2), 16 + 1 + 2 + 1); /* %p: no padding */
    CHECK_STR(out, "000000000000002");
    CHECK_EQ(snprintf_call(out, 0, "%1000000x%1000000x", a, 2), 2000000 + 1); /* only measured */
}

struct records {
    int n;
    uint64_t v[8];
};

static int record_cb(void *arg, const void *data, size_t size)
{
    struct records *rec = arg;
    if (size == 8 && rec->n < 8)
        memcpy(&rec->v[rec->n++], data, 8);
    return 0;
}

static struct records consume(struct bpfrt_object *obj)
{
    struct records rec;
    memset(&rec, 0, sizeof(rec));
    struct bpfrt_map *m = bpfrt_map_from_handle(crt, map_handle(obj, "rb"));
    CHECK(m != NULL);
    if (m)
        CHECK(bpfrt_ringbuf_consume(m, record_cb, &rec) >= 0);
    return rec;
}

/* A record reserved and left (leak 1) is gone when the run ends: the
 * record output after it, and the records of later runs, are delivered. */
static void ring_record_left_reserved(void)
{
    struct bpfrt_object *obj = sb_load("sandbox_work", "leak", 1, NULL);
    CHECK(obj != NULL);
    run_socket(obj, "ring_leak"); /* a run error or not: the ring is the point */
    struct records rec = consume(obj);
    CHECK_EQ(rec.n, 1);
    CHECK_EQ(rec.v[0], 0x2222);
    run_socket(obj, "ring_leak");
    rec = consume(obj);
    CHECK_EQ(rec.n, 1);
    CHECK_EQ(rec.v[0], 0x2222);
    bpfrt_object_close(obj);

    obj = sb_load("sandbox_work", "leak", 0, NULL);
    CHECK(obj != NULL);
    struct sb_run r = run_socket(obj, "ring_leak");
    CHECK_EQ(r.rc, 0);
    rec = consume(obj);
    CHECK_EQ(rec.n, 2);
    CHECK_EQ(rec.v[0], 0x1111);
    CHECK_EQ(rec.v[1], 0x2222);
    bpfrt_object_close(obj);
}

/* BTF: [1] int; [2..levels+1] unions of `fan` members, each of the next
 * union (the last level's of int), all at offset 0 - valid BTF in which a
 * tree walk visits fan^levels members. */
static size_t fanout_btf(uint8_t *out, int levels, int fan, uint32_t lock_level)
{
    static const char strs[] = "\0int\0u\0m\0bpf_spin_lock";
    uint32_t types[4096];
    size_t n = 0;
    types[n++] = 1;                 /* "int" */
    types[n++] = 1u << 24;          /* INT */
    types[n++] = 4;
    types[n++] = 32;                /* 32 bits */
    for (int k = 0; k < levels; k++) {
        uint32_t next = k < levels - 1 ? (uint32_t)(3 + k) : 1;
        bool lock = (uint32_t)k + 1 == lock_level;
        types[n++] = lock ? 9 : 5;  /* "bpf_spin_lock" or "u" */
        types[n++] = (lock ? 4u : 5u) << 24 | (uint32_t)(lock ? 1 : fan); /* STRUCT or UNION */
        types[n++] = 4;
        for (int m = 0; m < (lock ? 1 : fan); m++) {
            types[n++] = 7;         /* "m" */
            types[n++] = next;
            types[n++] = 0;
        }
    }
    struct btf_header h = { 0xeB9F, 1, 0, sizeof(struct btf_header), 0, (uint32_t)(n * 4), (uint32_t)(n * 4),
                            sizeof(strs) };
    memcpy(out, &h, sizeof(h));
    memcpy(out + sizeof(h), types, n * 4);
    memcpy(out + sizeof(h) + n * 4, strs, sizeof(strs));
    return sizeof(h) + n * 4 + sizeof(strs);
}

static long create_with_value_type(long btf, uint32_t type)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    a.btf_fd = (uint32_t)btf;
    a.btf_key_type_id = 1;
    a.btf_value_type_id = type;
    return bpfrt_bpf(crt, BPF_MAP_CREATE, &a, sizeof(a));
}

/* 16 levels of 16-member unions (3.3 KB): MAP_CREATE answers at once. A
 * bpf_spin_lock under the nested unions is found at offset 0 once... and
 * 16 times over, which makes it ambiguous: -EINVAL. */
static void btf_fanout_map_create(void)
{
    static uint8_t blob[65536];
    size_t size = fanout_btf(blob, 16, 16, 0);
    CHECK(size > 3000 && size < 4000);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.btf = (uint64_t)(uintptr_t)blob;
    a.btf_size = (uint32_t)size;
    long btf = bpfrt_bpf(crt, BPF_BTF_LOAD, &a, sizeof(a));
    CHECK(btf >= 0);
    long map = create_with_value_type(btf, 2);
    CHECK(map >= 0);
    bpfrt_close(crt, (int)map);
    /* printing a value of that type (a map dump) stops at 1 MiB */
    const uint32_t value = 7;
    int need = bpfrt_btf_format_value(bpfrt_btf_from_handle(crt, (int)btf), 2, &value, 4, false, NULL, 0);
    CHECK(need > 1000000 && need < 1100000);
    bpfrt_close(crt, (int)btf);

    /* the last level is a bpf_spin_lock: reachable along 16^15 paths */
    size = fanout_btf(blob, 16, 16, 16);
    a.btf_size = (uint32_t)size;
    btf = bpfrt_bpf(crt, BPF_BTF_LOAD, &a, sizeof(a));
    CHECK(btf >= 0);
    CHECK_EQ(create_with_value_type(btf, 2), -BPFRT_EINVAL);
    /* one level of one member: a single lock at offset 0 */
    size = fanout_btf(blob, 2, 1, 2);
    a.btf_size = (uint32_t)size;
    long btf1 = bpfrt_bpf(crt, BPF_BTF_LOAD, &a, sizeof(a));
    CHECK(btf1 >= 0);
    map = create_with_value_type(btf1, 2);
    CHECK(map >= 0);
    struct bpfrt_map *m = bpfrt_map_from_handle(crt, (int)map);
    CHECK(m && m->spin_lock_off == 0);
    bpfrt_close(crt, (int)map);
    bpfrt_close(crt, (int)btf1);
    bpfrt_close(crt, (int)btf);
}

int main(void)
{
    sb_require_progs("sandbox_work");
    SB_CASE(forged_lock_word, 20);
    SB_CASE(helper_while_locked, 20);
    SB_CASE(lock_held_elsewhere, 60);
    SB_CASE(loop_of_wide_formats, 60);
    SB_CASE(wide_fields, 20);
    SB_CASE(ring_record_left_reserved, 20);
    SB_CASE(btf_fanout_map_create, 20);
    return test_summary();
}
