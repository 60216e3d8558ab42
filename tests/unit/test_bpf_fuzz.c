/* Malformed attributes never crash bpfrt_bpf: random commands with random
 * field values (pointer fields point at a zeroed scratch area or are NULL,
 * counts that size copies are kept small, since pointers are plain
 * addresses the caller vouches for), random attr sizes and tails. Every
 * result is a handle or one of Linux's errno values. BPFRT_FUZZ_ITERS sets
 * the number of calls. */
#include "test.h"
#include "bpf_test_util.h"
#include "test_rng.h"

#define SCRATCH (1u << 20)
#define ZEROED (128u << 10)
static uint8_t scratch[SCRATCH];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    return (uint32_t)(test_xorshift64(&rng) >> 16);
}

static const uint32_t values[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 20, 24, 32, 60, 64, 100,
                                   255, 256, 1024, 4096, 0x10000, 0x7fffffff, 0x80000000u, 0xffffffffu };

static bool known_errno(long r)
{
    static const int ok[] = { BPFRT_EPERM, BPFRT_ENOENT, BPFRT_E2BIG, BPFRT_EBADF, BPFRT_EAGAIN, BPFRT_ENOMEM,
                              BPFRT_EACCES, BPFRT_EFAULT, BPFRT_EBUSY, BPFRT_EEXIST, BPFRT_ENODEV, BPFRT_EINVAL,
                              BPFRT_ENOSPC, BPFRT_ERANGE, BPFRT_ENAMETOOLONG, BPFRT_ELOOP, BPFRT_EOPNOTSUPP,
                              BPFRT_ENOTSUPP, 71 /* EPROTO */, 6 /* ENXIO */, BPFRT_EMFILE };
    for (size_t i = 0; i < NR(ok); i++)
        if (r == -ok[i])
            return true;
    return false;
}

/* Offsets of the pointer fields each command reads or writes. */
#define OFF(m) (uint16_t)offsetof(union bpf_attr, m)
static const struct { int cmd; uint16_t ptrs[8]; } ptr_fields[] = {
    { BPF_MAP_LOOKUP_ELEM, { OFF(key), OFF(value) } },
    { BPF_MAP_UPDATE_ELEM, { OFF(key), OFF(value) } },
    { BPF_MAP_DELETE_ELEM, { OFF(key) } },
    { BPF_MAP_GET_NEXT_KEY, { OFF(key), OFF(next_key) } },
    { BPF_MAP_LOOKUP_AND_DELETE_ELEM, { OFF(key), OFF(value) } },
    { BPF_MAP_LOOKUP_BATCH, { OFF(batch.in_batch), OFF(batch.out_batch), OFF(batch.keys), OFF(batch.values) } },
    { BPF_MAP_LOOKUP_AND_DELETE_BATCH, { OFF(batch.in_batch), OFF(batch.out_batch), OFF(batch.keys), OFF(batch.values) } },
    { BPF_MAP_UPDATE_BATCH, { OFF(batch.keys), OFF(batch.values) } },
    { BPF_MAP_DELETE_BATCH, { OFF(batch.keys) } },
    { BPF_PROG_LOAD, { OFF(insns), OFF(license), OFF(log_buf), OFF(func_info), OFF(line_info), OFF(fd_array),
                       OFF(core_relos), OFF(signature) } },
    { BPF_OBJ_PIN, { OFF(pathname) } },
    { BPF_OBJ_GET, { OFF(pathname) } },
    { BPF_PROG_TEST_RUN, { OFF(test.data_in), OFF(test.data_out), OFF(test.ctx_in), OFF(test.ctx_out) } },
    { BPF_OBJ_GET_INFO_BY_FD, { OFF(info.info) } },
    { BPF_BTF_LOAD, { OFF(btf), OFF(btf_log_buf) } },
};

static void setup_objects(struct bpfrt_runtime *rt)
{
    create_map(rt, BPF_MAP_TYPE_HASH, 4, 8, 16);
    create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
    create_map(rt, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2);
    create_map(rt, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4);
    create_map(rt, BPF_MAP_TYPE_QUEUE, 0, 8, 4);
    create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 64, 1);
    static const uint32_t types[] = { BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER,
                                      BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_CGROUP_SKB };
    struct bpf_insn p[] = { MOV64_IMM(0, 1), EXIT() };
    for (size_t i = 0; i < NR(types); i++)
        CHECK(load_prog(rt, types[i], p, 2) >= 0);
}

static void test_fuzz(void)
{
    struct bpfrt_runtime *rt = new_rt();
    setup_objects(rt);
    long iters = test_fuzz_iters();
    const char *seed = getenv("BPFRT_FUZZ_SEED"); /* reproduce or vary a run */
    if (seed && atoll(seed))
        rng = (uint64_t)atoll(seed);
    int bad = 0;
    for (long it = 0; it < iters; it++) {
        memset(scratch, 0, ZEROED);
        uint8_t buf[sizeof(union bpf_attr) + 32];
        memset(buf, 0, sizeof(buf));
        union bpf_attr *a = (union bpf_attr *)buf;
        int cmd = (int)(rnd() % (__MAX_BPF_CMD + 2));
        if (cmd == BPF_MAP_CREATE)
            continue; /* sizes of new maps are tested elsewhere; random ones could be huge */
        uint32_t nfields = rnd() % 6;
        for (uint32_t i = 0; i < nfields; i++) {
            uint32_t word = rnd() % (sizeof(union bpf_attr) / 4);
            uint32_t v = values[rnd() % NR(values)];
            memcpy(buf + word * 4, &v, 4);
        }
        /* every pointer field: NULL or the scratch area */
        for (size_t i = 0; i < NR(ptr_fields); i++) {
            if (ptr_fields[i].cmd != cmd)
                continue;
            for (int j = 0; j < 8; j++) {
                uint16_t off = ptr_fields[i].ptrs[j];
                if (!off && j)
                    break;
                uint64_t pv = (rnd() & 3) ? ptr(scratch) : 0;
                memcpy(buf + off, &pv, 8);
            }
        }
        /* counts that size copies into the caller's memory stay small */
        if (cmd >= BPF_MAP_LOOKUP_BATCH && cmd <= BPF_MAP_DELETE_BATCH)
            a->batch.count %= 64;
        if (cmd == BPF_PROG_TEST_RUN)
            a->test.repeat %= 4;
        if (cmd == BPF_PROG_LOAD && a->fd_array_cnt > 4096)
            a->fd_array_cnt = 4096;
        unsigned size = sizeof(union bpf_attr);
        switch (rnd() % 6) {
        case 0: size = rnd() % sizeof(union bpf_attr); break;
        case 1:
            size = sizeof(buf);
            if (rnd() & 1)
                buf[sizeof(union bpf_attr) + rnd() % 32] = 1;
            break;
        default: break;
        }
        /* a pointer cut by a short size would be a garbage address: the
         * caller's bug, not what this test is about */
        for (size_t i = 0; i < NR(ptr_fields); i++) {
            if (ptr_fields[i].cmd != cmd)
                continue;
            for (int j = 0; j < 8; j++) {
                uint16_t off = ptr_fields[i].ptrs[j];
                if (!off && j)
                    break;
                if (off < size && size < off + 8u)
                    memset(buf + off, 0, 8);
            }
        }
        long r = bpfrt_bpf(rt, cmd, a, size);
        if (r < 0 && !known_errno(r) && bad++ < 5)
            fprintf(stderr, "cmd %d: unexpected result %ld\n", cmd, r);
    }
    CHECK_EQ(bad, 0);
    bpfrt_runtime_destroy(rt); /* closes whatever the fuzz opened; ASan checks for leaks */
}

int main(void)
{
    RUN(test_fuzz);
    return test_summary();
}
