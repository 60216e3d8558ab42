/* The checked interpreter with real maps and built-in helpers: map values
 * returned by bpf_map_lookup_elem become accessible for exactly value_size
 * bytes, read-only maps stay read-only, map arguments must be maps the
 * program references, global data (ld_imm64 MAP_VALUE) is accessible,
 * bpf_loop callbacks run, many lookups recycle the region table, and
 * bpf_spin_lock is only allowed on a looked-up value's lock, one at a time. */
#include "kernel_bpf.h"
#include "test_vm_util.h"

static struct bpfrt_map *make_array(uint32_t value_size, uint32_t max_entries, uint32_t flags)
{
    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_ARRAY, 4, value_size, max_entries, flags);
    struct bpfrt_map *map = NULL;
    int err = bpfrt_map_create(vt_rt, &a, NULL, NULL, &map);
    CHECK_EQ(err, 0);
    return err ? NULL : map;
}

/* Runs insns with the program holding a reference on each of maps[]. */
static struct vt_result run_with_maps(const struct bpf_insn *insns, uint32_t n, struct bpfrt_map **maps,
                                      uint32_t nr_maps)
{
    vt_maps = maps;
    vt_nr_maps = nr_maps;
    struct vt_result res = vt_run(insns, n, NULL, 0);
    vt_maps = NULL;
    vt_nr_maps = 0;
    return res;
}

#define MAP_PTR(reg, map) LD_IMM64_RAW(reg, BPF_PSEUDO_MAP_FD, (uint64_t)(uintptr_t)(map))
/* *(u32 *)(r10 - 4) = key; r2 = r10 - 4; call bpf_map_lookup_elem */
#define LOOKUP(map, key) \
    ST(BPF_W, 10, -4, key), MAP_PTR(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), CALL_HELPER(1)

static void test_lookup_regions(void)
{
    if (!bpfrt_helper_find(vt_rt, 1)) {
        printf("SKIP: no bpf_map_lookup_elem in this runtime\n");
        return;
    }
    struct bpfrt_map *map = make_array(16, 4, 0);
    if (!map)
        return;
    /* value_size bytes are usable */
    const struct bpf_insn ok[] = { LOOKUP(map, 2), JMP_IMM(BPF_JEQ, 0, 0, 3), ST(BPF_DW, 0, 8, 7),
                                   LDX(BPF_DW, 0, 0, 8), EXIT(), MOV64_IMM(0, -1), EXIT() };
    struct vt_result r = run_with_maps(ok, sizeof(ok) / sizeof(ok[0]), &map, 1);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 7);
    uint32_t key = 2;
    uint8_t val[16];
    CHECK_EQ(bpfrt_map_lookup(map, &key, val, 0), 0);
    CHECK_EQ(val[8], 7);
    /* one byte past the value is not */
    const struct bpf_insn past[] = { LOOKUP(map, 2), JMP_IMM(BPF_JEQ, 0, 0, 2), LDX(BPF_B, 0, 0, 16), EXIT(),
                                     EXIT() };
    r = run_with_maps(past, sizeof(past) / sizeof(past[0]), &map, 1);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_EQ(r.error_insn, 7);
    /* a key that straddles the top of the stack */
    const struct bpf_insn key_bad[] = { MAP_PTR(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -2),
                                        CALL_HELPER(1), EXIT() };
    r = run_with_maps(key_bad, sizeof(key_bad) / sizeof(key_bad[0]), &map, 1);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "R2 4 readable bytes");
    /* the map pointer as a plain constant is not a map reference */
    const struct bpf_insn forged[] = { ST(BPF_W, 10, -4, 0), LD_IMM64(1, (uint64_t)(uintptr_t)map), MOV64_REG(2, 10),
                                       ALU64_IMM(BPF_ADD, 2, -4), CALL_HELPER(1), EXIT() };
    r = run_with_maps(forged, sizeof(forged) / sizeof(forged[0]), &map, 1);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "R1 is not a map this program references");
    bpfrt_map_put(map);
}

static void test_readonly_map(void)
{
    if (!bpfrt_helper_find(vt_rt, 1))
        return;
    struct bpfrt_map *map = make_array(8, 1, BPF_F_RDONLY_PROG);
    if (!map)
        return;
    const struct bpf_insn rd[] = { LOOKUP(map, 0), JMP_IMM(BPF_JEQ, 0, 0, 2), LDX(BPF_DW, 0, 0, 0), EXIT(),
                                   EXIT() };
    struct vt_result r = run_with_maps(rd, sizeof(rd) / sizeof(rd[0]), &map, 1);
    CHECK_EQ(r.rc, 0);
    const struct bpf_insn wr[] = { LOOKUP(map, 0), JMP_IMM(BPF_JEQ, 0, 0, 2), ST(BPF_DW, 0, 0, 1), EXIT(),
                                   EXIT() };
    r = run_with_maps(wr, sizeof(wr) / sizeof(wr[0]), &map, 1);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_CONTAINS(r.msg, "(read-only memory)");
    bpfrt_map_put(map);
}

static void test_global_data(void)
{
    struct bpfrt_map *map = make_array(32, 1, 0);
    if (!map)
        return;
    uint64_t base = 0;
    if (bpfrt_map_direct_value_addr(map, 0, &base) != 0) {
        printf("SKIP: no direct value address for arrays\n");
        bpfrt_map_put(map);
        return;
    }
    /* r1 = &value[8]; *(u64 *)r1 += 5; r0 = *(u64 *)(r1 - 8) + *(u64 *)r1 */
    const struct bpf_insn p[] = { LD_IMM64_RAW(1, BPF_PSEUDO_MAP_VALUE, base + 8), ST(BPF_DW, 1, -8, 2),
                                  ST(BPF_DW, 1, 0, 5), LDX(BPF_DW, 0, 1, -8), LDX(BPF_DW, 2, 1, 0),
                                  ALU64_REG(BPF_ADD, 0, 2), EXIT() };
    struct vt_result r = run_with_maps(p, sizeof(p) / sizeof(p[0]), &map, 1);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 7);
    /* the value ends at 32 bytes */
    const struct bpf_insn past[] = { LD_IMM64_RAW(1, BPF_PSEUDO_MAP_VALUE, base + 8), LDX(BPF_DW, 0, 1, 24), EXIT() };
    r = run_with_maps(past, 4, &map, 1);
    CHECK_EQ(r.create_rc, 0);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    /* without the map among prog->maps the memory is not accessible */
    const struct bpf_insn no_ref[] = { LD_IMM64_RAW(1, BPF_PSEUDO_MAP_VALUE, base), LDX(BPF_DW, 0, 1, 0), EXIT() };
    r = run_with_maps(no_ref, 4, NULL, 0);
    CHECK_EQ(r.create_rc, 0);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    bpfrt_map_put(map);
}

static void test_many_lookups(void)
{
    if (!bpfrt_helper_find(vt_rt, 1))
        return;
    /* 200 elements, each looked up once and written: far more map values
     * than the 64-entry region table holds */
    struct bpfrt_map *map = make_array(8, 200, 0);
    if (!map)
        return;
    const struct bpf_insn p[] = {
        MOV64_IMM(6, 0),
        /* loop: */ STX(BPF_W, 10, 6, -4), MAP_PTR(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
        CALL_HELPER(1), JMP_IMM(BPF_JEQ, 0, 0, 5), STX(BPF_DW, 0, 6, 0), LDX(BPF_DW, 1, 0, 0),
        ALU64_IMM(BPF_ADD, 6, 1), JMP_IMM(BPF_JLT, 6, 200, -11), MOV64_REG(0, 6), EXIT(),
    };
    struct vt_result r = run_with_maps(p, sizeof(p) / sizeof(p[0]), &map, 1);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 200);
    uint32_t key = 199;
    uint64_t v = 0;
    CHECK_EQ(bpfrt_map_lookup(map, &key, &v, 0), 0);
    CHECK_EQ(v, 199);
    bpfrt_map_put(map);
}

static void test_bpf_loop(void)
{
    if (!bpfrt_helper_find(vt_rt, 181)) {
        printf("SKIP: no bpf_loop in this runtime\n");
        return;
    }
    /* bpf_loop(5, cb, &sum, 0); cb(i, ctx): *ctx += i; return 0 -> 0+1+2+3+4 */
    EXPECT_R0(10, ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, 5), LD_IMM64_RAW(2, BPF_PSEUDO_FUNC, 7), MOV64_REG(3, 10),
              ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 0), CALL_HELPER(181), LDX(BPF_DW, 0, 10, -8), EXIT(),
              /* cb (insn 10): */ LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 1), STX(BPF_DW, 2, 3, 0),
              MOV64_IMM(0, 0), EXIT());
    /* returning 1 stops early: bpf_loop returns the iterations run */
    EXPECT_R0(3, MOV64_IMM(1, 10), LD_IMM64_RAW(2, BPF_PSEUDO_FUNC, 5), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
              CALL_HELPER(181), EXIT(),
              /* cb (insn 7): */ MOV64_IMM(0, 0), JMP_IMM(BPF_JNE, 1, 2, 1), MOV64_IMM(0, 1), EXIT());
}

static void test_spin_locks(void)
{
    if (!bpfrt_helper_find(vt_rt, 1) || !bpfrt_helper_find(vt_rt, 93) || !bpfrt_helper_find(vt_rt, 94)) {
        printf("SKIP: no bpf_spin_lock in this runtime\n");
        return;
    }
    /* value: { u32 lock; u32 pad; u64 counter } */
    struct bpfrt_map *map = make_array(16, 1, 0);
    if (!map)
        return;
    CHECK_EQ(bpfrt_map_set_spin_lock_off(map, 0), 0);
    /* lock; counter += 5; unlock; return counter */
    const struct bpf_insn ok[] = { LOOKUP(map, 0), JMP_IMM(BPF_JEQ, 0, 0, 9), MOV64_REG(6, 0), MOV64_REG(1, 6),
                                   CALL_HELPER(93), LDX(BPF_DW, 7, 6, 8), ALU64_IMM(BPF_ADD, 7, 5),
                                   STX(BPF_DW, 6, 7, 8), MOV64_REG(1, 6), CALL_HELPER(94), MOV64_REG(0, 7), EXIT() };
    struct vt_result r = run_with_maps(ok, sizeof(ok) / sizeof(ok[0]), &map, 1);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 5);
    r = run_with_maps(ok, sizeof(ok) / sizeof(ok[0]), &map, 1); /* the lock was released */
    CHECK_EQ(r.r0, 10);
    /* locking twice would spin forever: refused */
    const struct bpf_insn twice[] = { LOOKUP(map, 0), JMP_IMM(BPF_JEQ, 0, 0, 5), MOV64_REG(6, 0), MOV64_REG(1, 6),
                                      CALL_HELPER(93), MOV64_REG(1, 6), CALL_HELPER(93), EXIT() };
    r = run_with_maps(twice, sizeof(twice) / sizeof(twice[0]), &map, 1);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "second bpf_spin_lock");
    /* ... and the run released the lock it held: the good program still runs */
    r = run_with_maps(ok, sizeof(ok) / sizeof(ok[0]), &map, 1);
    CHECK_EQ(r.r0, 15);
    /* exiting with the lock held is an error, and the lock is released */
    const struct bpf_insn held[] = { LOOKUP(map, 0), JMP_IMM(BPF_JEQ, 0, 0, 2), MOV64_REG(1, 0), CALL_HELPER(93),
                                     MOV64_IMM(0, 0), EXIT() };
    r = run_with_maps(held, sizeof(held) / sizeof(held[0]), &map, 1);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "bpf_spin_unlock is missing");
    r = run_with_maps(ok, sizeof(ok) / sizeof(ok[0]), &map, 1);
    CHECK_EQ(r.r0, 20);
    /* a lock anywhere else (here: the stack) is refused */
    const struct bpf_insn stack_lock[] = { ST(BPF_W, 10, -8, 0), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8),
                                           CALL_HELPER(93), EXIT() };
    r = run_with_maps(stack_lock, sizeof(stack_lock) / sizeof(stack_lock[0]), &map, 1);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "is not the bpf_spin_lock of a map value");
    /* unlocking a lock that is not held */
    const struct bpf_insn unheld[] = { LOOKUP(map, 0), JMP_IMM(BPF_JEQ, 0, 0, 2), MOV64_REG(1, 0), CALL_HELPER(94),
                                       EXIT() };
    r = run_with_maps(unheld, sizeof(unheld) / sizeof(unheld[0]), &map, 1);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_HELPER_ARG);
    CHECK_CONTAINS(r.msg, "not held");
    bpfrt_map_put(map);
}

int main(void)
{
    vt_setup();
    RUN(test_lookup_regions);
    RUN(test_readonly_map);
    RUN(test_global_data);
    RUN(test_many_lookups);
    RUN(test_bpf_loop);
    RUN(test_spin_locks);
    vt_teardown();
    return test_summary();
}
