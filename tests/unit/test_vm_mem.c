/* Interpreter memory: loads/stores, sign extension, atomics, acquire/release,
 * checked-mode violations (stack, input, context), the region API, and
 * LD_ABS/LD_IND bounds. Values are hand-derived. */
#include "test_vm_util.h"

static void test_sign_extending_loads(void)
{
    uint8_t mem[8] = { 0x80, 0xff, 0x7f, 0x00, 0xfe, 0xff, 0xff, 0xff };
    const struct bpf_insn sb[] = { LDXSX(BPF_B, 0, 1, 0), EXIT() };
    const struct bpf_insn sh[] = { LDXSX(BPF_H, 0, 1, 0), EXIT() };
    const struct bpf_insn sw[] = { LDXSX(BPF_W, 0, 1, 4), EXIT() };
    const struct bpf_insn ub[] = { LDX(BPF_B, 0, 1, 0), EXIT() };
    const struct bpf_insn sh2[] = { LDXSX(BPF_H, 0, 1, 2), EXIT() };
    CHECK_EQ(vt_run(sb, 2, mem, 8).r0, 0xffffffffffffff80ull);
    CHECK_EQ(vt_run(sh, 2, mem, 8).r0, 0xffffffffffffff80ull); /* 0xff80 */
    CHECK_EQ(vt_run(sw, 2, mem, 8).r0, 0xfffffffffffffffeull);
    CHECK_EQ(vt_run(ub, 2, mem, 8).r0, 0x80);
    CHECK_EQ(vt_run(sh2, 2, mem, 8).r0, 0x7f);                 /* positive stays positive */
    /* unaligned access is fine: bytes 1..4 little-endian */
    const struct bpf_insn una[] = { LDX(BPF_W, 0, 1, 1), EXIT() };
    struct vt_result r = vt_run(una, 2, mem, 8);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 0xfe007fffull);
}

static void test_stores(void)
{
    uint8_t mem[8] = { 0 };
    /* st/stx of each size, then read back the whole word */
    const struct bpf_insn p[] = {
        ST(BPF_B, 1, 0, 0x11), ST(BPF_H, 1, 2, 0x3322), MOV64_IMM(2, 0x55443322 + 0x22),
        STX(BPF_W, 1, 2, 4), LDX(BPF_DW, 0, 1, 0), EXIT(),
    };
    struct vt_result r = vt_run(p, sizeof(p) / sizeof(p[0]), mem, 8);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 0x5544334433220011ull);
    CHECK_EQ(mem[0], 0x11); /* vt_run passes the caller's memory itself as r1 */
    /* st_dw sign-extends its imm */
    EXPECT_R0(0xfffffffffffffffeull, ST(BPF_DW, 10, -8, -2), LDX(BPF_DW, 0, 10, -8), EXIT());
    /* the stack starts zeroed */
    EXPECT_R0(0, LDX(BPF_DW, 0, 10, -512), EXIT());
}

static void test_atomics(void)
{
    /* add / fetch add, 64-bit */
    EXPECT_R0(8, ST(BPF_DW, 10, -8, 5), MOV64_IMM(1, 3), ATOMIC(BPF_DW, BPF_ADD, 10, 1, -8),
              LDX(BPF_DW, 0, 10, -8), EXIT());
    EXPECT_R0(5, ST(BPF_DW, 10, -8, 5), MOV64_IMM(1, 3), ATOMIC(BPF_DW, BPF_ADD | BPF_FETCH, 10, 1, -8),
              MOV64_REG(0, 1), EXIT());
    /* 32-bit fetch add wraps the word and zero-extends the old value */
    EXPECT_R0(0xffffffffull, ST(BPF_W, 10, -8, -1), MOV64_IMM(1, 1), ATOMIC(BPF_W, BPF_ADD | BPF_FETCH, 10, 1, -8),
              MOV64_REG(0, 1), EXIT());
    EXPECT_R0(0, ST(BPF_W, 10, -8, -1), MOV64_IMM(1, 1), ATOMIC(BPF_W, BPF_ADD, 10, 1, -8),
              LDX(BPF_W, 0, 10, -8), EXIT());
    /* or / and / xor with fetch */
    EXPECT_R0(0x0c, ST(BPF_DW, 10, -8, 0x0f0f), MOV64_IMM(1, 0xfc), ATOMIC(BPF_DW, BPF_AND | BPF_FETCH, 10, 1, -8),
              LDX(BPF_DW, 0, 10, -8), EXIT());
    EXPECT_R0(0x0f0f, ST(BPF_DW, 10, -8, 0x0f0f), MOV64_IMM(1, 0xfc), ATOMIC(BPF_DW, BPF_AND | BPF_FETCH, 10, 1, -8),
              MOV64_REG(0, 1), EXIT());
    EXPECT_R0(0x0f, ST(BPF_DW, 10, -8, 0x0f), MOV64_IMM(1, 0x11), ATOMIC(BPF_DW, BPF_OR | BPF_FETCH, 10, 1, -8),
              MOV64_REG(0, 1), EXIT());
    EXPECT_R0(0x1f, ST(BPF_DW, 10, -8, 0x0f), MOV64_IMM(1, 0x11), ATOMIC(BPF_DW, BPF_OR, 10, 1, -8),
              LDX(BPF_DW, 0, 10, -8), EXIT());
    EXPECT_R0(0x1e, ST(BPF_W, 10, -8, 0x0f), MOV64_IMM(1, 0x11), ATOMIC(BPF_W, BPF_XOR, 10, 1, -8),
              LDX(BPF_W, 0, 10, -8), EXIT());
    EXPECT_R0(0x0f, ST(BPF_W, 10, -8, 0x0f), MOV64_IMM(1, 0x11), ATOMIC(BPF_W, BPF_XOR | BPF_FETCH, 10, 1, -8),
              MOV64_REG(0, 1), EXIT());
    /* xchg: old value to src, new value stored */
    EXPECT_R0(7 * 16 + 9, ST(BPF_DW, 10, -8, 7), MOV64_IMM(1, 9), ATOMIC(BPF_DW, BPF_XCHG, 10, 1, -8),
              LDX(BPF_DW, 0, 10, -8), ALU64_IMM(BPF_LSH, 1, 4), ALU64_REG(BPF_ADD, 0, 1), EXIT());
    /* cmpxchg compares r0: success stores, r0 = old */
    EXPECT_R0(9 * 16 + 7, ST(BPF_DW, 10, -8, 7), MOV64_IMM(0, 7), MOV64_IMM(1, 9),
              ATOMIC(BPF_DW, BPF_CMPXCHG, 10, 1, -8), LDX(BPF_DW, 2, 10, -8), ALU64_IMM(BPF_LSH, 2, 4),
              ALU64_REG(BPF_ADD, 0, 2), EXIT());
    /* failure leaves memory, r0 = old */
    EXPECT_R0(7 * 16 + 7, ST(BPF_DW, 10, -8, 7), MOV64_IMM(0, 6), MOV64_IMM(1, 9),
              ATOMIC(BPF_DW, BPF_CMPXCHG, 10, 1, -8), LDX(BPF_DW, 2, 10, -8), ALU64_IMM(BPF_LSH, 2, 4),
              ALU64_REG(BPF_ADD, 0, 2), EXIT());
    /* cmpxchg32 compares the low half of r0 and zero-extends the result */
    EXPECT_R0(7, ST(BPF_W, 10, -8, 7), LD_IMM64(0, 0xffffffff00000007ull), MOV64_IMM(1, 9),
              ATOMIC(BPF_W, BPF_CMPXCHG, 10, 1, -8), EXIT());
    EXPECT_R0(9, ST(BPF_W, 10, -8, 7), LD_IMM64(0, 0xffffffff00000007ull), MOV64_IMM(1, 9),
              ATOMIC(BPF_W, BPF_CMPXCHG, 10, 1, -8), LDX(BPF_W, 0, 10, -8), EXIT());
    /* load-acquire (dst = *(src + off)) and store-release (*(dst + off) = src) */
    EXPECT_R0(0x1234, ST(BPF_DW, 10, -8, 0x1234), ATOMIC(BPF_DW, BPF_LOAD_ACQ, 0, 10, -8), EXIT());
    EXPECT_R0(0x34, ST(BPF_DW, 10, -8, 0x1234), ATOMIC(BPF_B, BPF_LOAD_ACQ, 0, 10, -8), EXIT());
    EXPECT_R0(0xbeef, MOV64_IMM(1, 0xbeef), ATOMIC(BPF_H, BPF_STORE_REL, 10, 1, -2), LDX(BPF_H, 0, 10, -2), EXIT());
    /* an unaligned atomic (unverified programs only) still computes */
    uint8_t mem[16] = { 0 };
    mem[1] = 40;
    const struct bpf_insn ua[] = { MOV64_IMM(2, 2), ATOMIC(BPF_W, BPF_ADD | BPF_FETCH, 1, 2, 1),
                                   LDX(BPF_W, 0, 1, 1), ALU64_REG(BPF_ADD, 0, 2), EXIT() };
    CHECK_EQ(vt_run(ua, 5, mem, 16).r0, 42 + 40);
}

static void test_checked_stack(void)
{
    const struct bpf_insn below[] = { LDX(BPF_DW, 0, 10, -520), EXIT() };
    struct vt_result r = vt_run(below, 2, NULL, 0);
    CHECK_EQ(r.rc, -BPFRT_EFAULT);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_EQ(r.error_insn, 0);
    CHECK_CONTAINS(r.msg, "invalid memory access at insn 0: read of 8 bytes at 0x");
    /* r10 itself is one past the frame */
    const struct bpf_insn above[] = { MOV64_IMM(0, 0), STX(BPF_DW, 10, 0, 0), EXIT() };
    r = vt_run(above, 3, NULL, 0);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_EQ(r.error_insn, 1);
    CHECK_CONTAINS(r.msg, "write of 8 bytes");
    /* straddling the bottom */
    const struct bpf_insn strad[] = { LDX(BPF_DW, 0, 10, -516), EXIT() };
    CHECK_EQ(vt_run(strad, 2, NULL, 0).error, BPFRT_RUN_BAD_ACCESS);
    /* the whole 512 bytes are usable */
    EXPECT_R0(3, ST(BPF_DW, 10, -512, 3), LDX(BPF_DW, 0, 10, -512), EXIT());
    /* a wild pointer far away */
    const struct bpf_insn wild[] = { LD_IMM64(1, 0x10), LDX(BPF_B, 0, 1, 0), EXIT() };
    r = vt_run(wild, 4, NULL, 0);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_EQ(r.error_addr, 0x10);
    CHECK_EQ(r.error_insn, 2);
    CHECK_STR(r.msg, "invalid memory access at insn 2: read of 1 bytes at 0x10");
}

static void test_checked_input(void)
{
    uint8_t mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    const struct bpf_insn ok[] = { LDX(BPF_W, 0, 1, 4), EXIT() };
    const struct bpf_insn over[] = { LDX(BPF_W, 0, 1, 6), EXIT() };
    const struct bpf_insn wr[] = { ST(BPF_B, 1, 8, 0), EXIT() };
    const struct bpf_insn neg[] = { LDX(BPF_B, 0, 1, -1), EXIT() };
    CHECK_EQ(vt_run(ok, 2, mem, 8).r0, 0x08070605);
    struct vt_result r = vt_run(over, 2, mem, 8);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_EQ(r.error_addr, (uint64_t)(uintptr_t)(mem + 6));
    r = vt_run(wr, 2, mem, 8);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_CONTAINS(r.msg, "write of 1 bytes");
    CHECK_EQ(vt_run(neg, 2, mem, 8).error, BPFRT_RUN_BAD_ACCESS);
    /* no input: r1 = NULL */
    const struct bpf_insn nul[] = { LDX(BPF_B, 0, 1, 0), EXIT() };
    r = vt_run(nul, 2, NULL, 0);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_EQ(r.error_addr, 0);
    /* an address that wraps around */
    const struct bpf_insn wrap[] = { LD_IMM64(1, 0xfffffffffffffffcull), LDX(BPF_DW, 0, 1, 0), EXIT() };
    CHECK_EQ(vt_run(wrap, 4, mem, 8).error, BPFRT_RUN_BAD_ACCESS);
    /* an atomic on memory outside every region */
    const struct bpf_insn at[] = { MOV64_IMM(2, 1), ATOMIC(BPF_W, BPF_ADD, 1, 2, 8), EXIT() };
    r = vt_run(at, 3, mem, 8);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_CONTAINS(r.msg, "atomic update of 4 bytes");
}

/* A context of 16 visible bytes; a 24-byte kernel-side struct whose last
 * u64 backs the "data" pointer field at offset 8. */
static const struct bpfrt_ctx_field test_fields[] = {
    { .off = 0, .size = 4, .kind = BPFRT_CTX_SCALAR, .access = BPFRT_CTX_READ | BPFRT_CTX_WRITE, .narrow_ok = true },
    { .off = 4, .size = 4, .kind = BPFRT_CTX_SCALAR, .access = BPFRT_CTX_READ },
    { .off = 8, .size = 4, .kind = BPFRT_CTX_PTR_TO_PACKET, .access = BPFRT_CTX_READ, .kern_off = 16 },
};
static const struct bpfrt_ctx_desc test_desc = {
    .prog_type = BPF_PROG_TYPE_UNSPEC, .ctx_name = "struct test_ctx", .ctx_size = 16, .kern_size = 24,
    .fields = test_fields, .nr_fields = 3,
};

static void test_checked_ctx(void)
{
    uint8_t pkt_buf[64];
    for (int i = 0; i < 64; i++)
        pkt_buf[i] = (uint8_t)(0xa0 + i);
    struct bpfrt_pkt pkt = { .buf = pkt_buf, .buf_size = 64, .data = pkt_buf + 2, .data_end = pkt_buf + 40 };
    uint64_t kern[3] = { 0 };
    uint32_t w0 = 0x11223344, w1 = 0x55;
    memcpy(&kern[0], &w0, 4);
    memcpy((uint8_t *)&kern[0] + 4, &w1, 4);
    kern[2] = (uint64_t)(uintptr_t)(pkt_buf + 2);
    vt_ctx_desc = &test_desc;
    vt_pkt = &pkt;

    const struct bpf_insn rd[] = { LDX(BPF_W, 0, 1, 0), EXIT() };
    CHECK_EQ(vt_run(rd, 2, kern, 24).r0, 0x11223344);
    const struct bpf_insn narrow[] = { LDX(BPF_B, 0, 1, 1), EXIT() };
    CHECK_EQ(vt_run(narrow, 2, kern, 24).r0, 0x33);
    const struct bpf_insn wr[] = { ST(BPF_W, 1, 0, 7), LDX(BPF_W, 0, 1, 0), EXIT() };
    CHECK_EQ(vt_run(wr, 3, kern, 24).r0, 7);
    /* read-only field */
    const struct bpf_insn wr_ro[] = { ST(BPF_W, 1, 4, 7), EXIT() };
    struct vt_result r = vt_run(wr_ro, 2, kern, 24);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_STR(r.msg, "invalid bpf_context access at insn 0: write off=4 size=4 (struct test_ctx)");
    /* narrow read of a field that does not allow it */
    const struct bpf_insn nn[] = { LDX(BPF_H, 0, 1, 4), EXIT() };
    CHECK_EQ(vt_run(nn, 2, kern, 24).error, BPFRT_RUN_BAD_ACCESS);
    /* uncovered bytes, and past the visible size */
    const struct bpf_insn hole[] = { LDX(BPF_W, 0, 1, 12), EXIT() };
    CHECK_EQ(vt_run(hole, 2, kern, 24).error, BPFRT_RUN_BAD_ACCESS);
    const struct bpf_insn past[] = { LDX(BPF_DW, 0, 1, 16), EXIT() };
    CHECK_EQ(vt_run(past, 2, kern, 24).error, BPFRT_RUN_BAD_ACCESS);
    /* a pointer field reads the kernel-side u64, and the packet is accessible */
    const struct bpf_insn ptr[] = { LDX(BPF_W, 2, 1, 8), LDX(BPF_B, 0, 2, 3), EXIT() };
    r = vt_run(ptr, 3, kern, 24);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 0xa5);
    /* pointer fields cannot be written or read partially */
    const struct bpf_insn ptrw[] = { ST(BPF_W, 1, 8, 0), EXIT() };
    CHECK_EQ(vt_run(ptrw, 2, kern, 24).error, BPFRT_RUN_BAD_ACCESS);
    const struct bpf_insn ptrn[] = { LDX(BPF_H, 0, 1, 8), EXIT() };
    CHECK_EQ(vt_run(ptrn, 2, kern, 24).error, BPFRT_RUN_BAD_ACCESS);
    /* no atomics on the context */
    const struct bpf_insn at[] = { MOV64_IMM(2, 1), ATOMIC(BPF_W, BPF_ADD, 1, 2, 0), EXIT() };
    r = vt_run(at, 3, kern, 24);
    CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
    CHECK_CONTAINS(r.msg, "atomic operation on the context");
    vt_ctx_desc = NULL;
    vt_pkt = NULL;
}

static struct bpfrt_run *region_run(void)
{
    struct bpfrt_run *run = calloc(1, sizeof(*run));
    run->checked = true;
    run->rgn.packet = run->rgn.nocache = UINT32_MAX;
    return run;
}

static void test_region_api(void)
{
    struct bpfrt_run *run = region_run();
    uint8_t a[16], b[16], c[16];
    CHECK_EQ(bpfrt_run_add_region(run, a, 16, true), 0);
    CHECK_EQ(bpfrt_run_add_region(run, b, 16, false), 0);
    CHECK_EQ(bpfrt_run_add_region(run, b, 16, false), 0); /* duplicates collapse */
    CHECK_EQ(run->rgn.nr, 2);
    CHECK(bpfrt_run_check_access(run, (uintptr_t)a, 16, true));
    CHECK(!bpfrt_run_check_access(run, (uintptr_t)a + 1, 16, false));
    CHECK(bpfrt_run_check_access(run, (uintptr_t)b + 8, 8, false));
    CHECK(!bpfrt_run_check_access(run, (uintptr_t)b, 1, true)); /* read-only */
    CHECK(!bpfrt_run_check_access(run, UINT64_MAX - 3, 8, false));
    CHECK(bpfrt_run_check_access(run, 0, 0, false)); /* empty access */
    CHECK_EQ(bpfrt_run_region_span(run, b + 4), 12);
    CHECK_EQ(bpfrt_run_region_span(run, c), 0);
    CHECK_EQ(bpfrt_run_add_region(run, (void *)(UINTPTR_MAX - 3), 8, false), -BPFRT_EINVAL);
    /* a fixed region goes below the run-lifetime ones */
    CHECK_EQ(bpfrt_run_add_fixed_region(run, c, 16, true), 0);
    CHECK_EQ(bpfrt_run_add_fixed_region(run, c, 16, true), 0); /* the same one */
    CHECK_EQ(run->rgn.nr_fixed, 1);
    CHECK(bpfrt_run_check_access(run, (uintptr_t)a, 16, true));
    CHECK(bpfrt_run_check_access(run, (uintptr_t)b, 16, false));
    /* a full table recycles the oldest run-lifetime regions, never a fixed one */
    static uint8_t many[BPFRT_RUN_MAX_REGIONS + 8];
    for (int i = 0; i < BPFRT_RUN_MAX_REGIONS + 8; i++)
        CHECK_EQ(bpfrt_run_add_region(run, many + i, 1, false), 0);
    CHECK_EQ(run->rgn.nr, BPFRT_RUN_MAX_REGIONS);
    CHECK(bpfrt_run_check_access(run, (uintptr_t)c, 16, true));
    CHECK(!bpfrt_run_check_access(run, (uintptr_t)a, 1, false));
    CHECK(!bpfrt_run_check_access(run, (uintptr_t)many, 1, false));
    CHECK(bpfrt_run_check_access(run, (uintptr_t)(many + BPFRT_RUN_MAX_REGIONS + 7), 1, false));
    /* a region the program no longer owns goes; fixed ones stay */
    bpfrt_run_remove_region(run, many + BPFRT_RUN_MAX_REGIONS + 7);
    CHECK(!bpfrt_run_check_access(run, (uintptr_t)(many + BPFRT_RUN_MAX_REGIONS + 7), 1, false));
    CHECK_EQ(run->rgn.nr, BPFRT_RUN_MAX_REGIONS - 1);
    bpfrt_run_remove_region(run, c);
    CHECK(bpfrt_run_check_access(run, (uintptr_t)c, 16, true));
    free(run);

    /* every slot fixed: nothing can be added */
    run = region_run();
    int last = 0;
    for (int i = 0; i < BPFRT_RUN_MAX_REGIONS + 1; i++)
        last = bpfrt_run_add_fixed_region(run, many + i, 1, false);
    CHECK_EQ(last, -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_run_add_region(run, a, 16, true), -BPFRT_E2BIG);
    free(run);

    /* an unchecked run ignores regions and allows everything */
    struct bpfrt_run *u = calloc(1, sizeof(*u));
    CHECK_EQ(bpfrt_run_add_region(u, a, 16, true), 0);
    CHECK_EQ(bpfrt_run_add_fixed_region(u, a, 16, true), -BPFRT_ENOENT);
    CHECK_EQ(u->rgn.nr, 0);
    CHECK(bpfrt_run_check_access(u, 8, 8, true));
    free(u);
}

/* Scoped regions: a stack, removed by scope_end however full the table is,
 * with a hard limit that fails the run. */
static void test_region_scopes(void)
{
    struct bpfrt_run *run = region_run();
    static uint8_t many[BPFRT_RUN_MAX_REGIONS + 1];
    for (int i = 0; i < BPFRT_RUN_MAX_REGIONS + 1; i++)
        bpfrt_run_add_region(run, many + i, 1, false);
    uint8_t d[8], e[8];
    uint32_t outer = bpfrt_run_scope_begin(run);
    CHECK_EQ(bpfrt_run_scope_add(run, d, 8, false), 0);
    uint32_t inner = bpfrt_run_scope_begin(run);
    CHECK_EQ(bpfrt_run_scope_add(run, e, 8, true), 0);
    CHECK(bpfrt_run_check_access(run, (uintptr_t)d, 8, false));
    CHECK(!bpfrt_run_check_access(run, (uintptr_t)d, 8, true));
    CHECK(bpfrt_run_check_access(run, (uintptr_t)e, 8, true));
    bpfrt_run_scope_end(run, inner);
    CHECK(!bpfrt_run_check_access(run, (uintptr_t)e, 1, false));
    CHECK(bpfrt_run_check_access(run, (uintptr_t)d, 8, false));
    bpfrt_run_scope_end(run, outer);
    CHECK(!bpfrt_run_check_access(run, (uintptr_t)d, 1, false));
    CHECK_EQ(run->rgn.nr_scoped, 0);
    /* the limit */
    outer = bpfrt_run_scope_begin(run);
    for (int i = 0; i < BPFRT_RUN_MAX_SCOPED; i++)
        CHECK_EQ(bpfrt_run_scope_add(run, many + i, 1, false), 0);
    CHECK_EQ(run->error, BPFRT_RUN_OK);
    CHECK_EQ(bpfrt_run_scope_add(run, d, 8, false), -BPFRT_E2BIG);
    CHECK_EQ(run->error, BPFRT_RUN_CALL_DEPTH);
    CHECK_CONTAINS(run->error_msg, "lend more than 16 regions");
    bpfrt_run_scope_end(run, outer);
    CHECK_EQ(run->rgn.nr_scoped, 0);
    free(run);
}

static void test_ld_abs(void)
{
    uint8_t mem[5] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
    /* no packet: the input memory is the packet; loads are big-endian */
    const struct bpf_insn w[] = { LD_ABS(BPF_W, 0), EXIT() };
    const struct bpf_insn h[] = { LD_ABS(BPF_H, 3), EXIT() };
    const struct bpf_insn b[] = { LD_ABS(BPF_B, 4), EXIT() };
    CHECK_EQ(vt_run(w, 2, mem, 5).r0, 0x12345678);
    CHECK_EQ(vt_run(h, 2, mem, 5).r0, 0x789a);
    CHECK_EQ(vt_run(b, 2, mem, 5).r0, 0x9a);
    /* out of bounds: the program returns 0 at once */
    const struct bpf_insn oob[] = { MOV64_IMM(0, 99), LD_ABS(BPF_W, 2), MOV64_IMM(0, 5), EXIT() };
    struct vt_result r = vt_run(oob, 4, mem, 5);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 0);
    /* LD_IND: src + imm */
    const struct bpf_insn ind[] = { MOV64_IMM(3, 1), LD_IND(BPF_B, 3, 2), EXIT() };
    CHECK_EQ(vt_run(ind, 3, mem, 5).r0, 0x78);
    const struct bpf_insn ind_h[] = { MOV64_IMM(3, 2), LD_IND(BPF_H, 3, 1), EXIT() };
    CHECK_EQ(vt_run(ind_h, 3, mem, 5).r0, 0x789a);
    const struct bpf_insn ind_neg[] = { MOV64_IMM(0, 9), MOV64_IMM(3, -10), LD_IND(BPF_B, 3, 2), MOV64_IMM(0, 9), EXIT() };
    r = vt_run(ind_neg, 5, mem, 5);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.r0, 0);
    const struct bpf_insn ind_far[] = { MOV64_IMM(3, 4), LD_IND(BPF_H, 3, 0), EXIT() };
    CHECK_EQ(vt_run(ind_far, 3, mem, 5).r0, 0);
    /* with a packet: offsets are relative to pkt->data, bounded by data_end */
    uint8_t frame[32];
    for (int i = 0; i < 32; i++)
        frame[i] = (uint8_t)i;
    struct bpfrt_pkt pkt = { .buf = frame, .buf_size = 32, .data = frame + 14, .data_end = frame + 20 };
    vt_pkt = &pkt;
    const struct bpf_insn pw[] = { LD_ABS(BPF_W, 0), EXIT() };
    CHECK_EQ(vt_run(pw, 2, mem, 5).r0, 0x0e0f1011);
    const struct bpf_insn pend[] = { LD_ABS(BPF_H, 5), EXIT() }; /* 19 + 2 > 20 */
    CHECK_EQ(vt_run(pend, 2, mem, 5).r0, 0);
    const struct bpf_insn plast[] = { LD_ABS(BPF_B, 5), EXIT() };
    CHECK_EQ(vt_run(plast, 2, mem, 5).r0, 0x13);
    /* Linux's SKF_NET_OFF / SKF_LL_OFF: relative to the network header
     * (data + net_off) and the MAC header 14 bytes before it; a socket
     * filter's data starts at the network header (net_off 0) */
    const struct bpf_insn net[] = { LD_ABS(BPF_B, -0x100000 + 1), EXIT() };
    CHECK_EQ(vt_run(net, 2, mem, 5).r0, 0x0f);
    const struct bpf_insn ll[] = { LD_ABS(BPF_H, -0x200000 + 12), EXIT() };
    CHECK_EQ(vt_run(ll, 2, mem, 5).r0, 0x0c0d);
    const struct bpf_insn ll_ind[] = { MOV64_IMM(2, -0x200000), LD_IND(BPF_W, 2, 0), EXIT() };
    CHECK_EQ(vt_run(ll_ind, 3, mem, 5).r0, 0x00010203);
    /* below the buffer start, past the end, and below SKF_LL_OFF */
    pkt.buf = frame + 2;
    const struct bpf_insn ll0[] = { LD_ABS(BPF_B, -0x200000), EXIT() };
    CHECK_EQ(vt_run(ll0, 2, mem, 5).r0, 0);
    const struct bpf_insn netend[] = { LD_ABS(BPF_H, -0x100000 + 5), EXIT() };
    CHECK_EQ(vt_run(netend, 2, mem, 5).r0, 0);
    const struct bpf_insn neg[] = { LD_ABS(BPF_B, -0x200001), EXIT() };
    CHECK_EQ(vt_run(neg, 2, mem, 5).r0, 0);
    vt_pkt = NULL;
}

int main(void)
{
    vt_setup();
    RUN(test_sign_extending_loads);
    RUN(test_stores);
    RUN(test_atomics);
    RUN(test_checked_stack);
    RUN(test_checked_input);
    RUN(test_checked_ctx);
    RUN(test_region_api);
    RUN(test_region_scopes);
    RUN(test_ld_abs);
    vt_teardown();
    return test_summary();
}
