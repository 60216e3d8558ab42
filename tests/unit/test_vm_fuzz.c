/* Robustness: random, mostly well-formed programs (every opcode class,
 * random registers, offsets and immediates, helper calls, local calls,
 * ld_imm64 of every kind) are created and run in checked mode. Whatever a
 * program does, creation either succeeds or fails with a message, and a run
 * either returns or stops with an error and a message -- never a crash, a
 * hang or a sanitizer report. BPFRT_FUZZ_ITERS sets the count (default
 * 2000), BPFRT_SEED the seed. */
#include "test_vm_util.h"
#include "test_rng.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    return test_xorshift64star(&rng_state);
}
static uint32_t below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

/* Opcodes worth generating (invalid ones come from random words). */
static const uint8_t opcodes[] = {
    /* ALU64 / ALU, K and X */
    0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f,
    0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7, 0xd4, 0xdc,
    0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c,
    0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc,
    /* JMP / JMP32 */
    0x05, 0x06, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75, 0x7d,
    0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd, 0x16, 0x1e, 0x26, 0x56, 0x66, 0xa6, 0xde,
    0x85, 0x8d, 0x95, 0xe5,
    /* loads and stores */
    0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91,
    0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb, 0xcb, 0xd3,
};

static const int32_t atomic_imms[] = { 0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1, 0x100, 0x110, 0x33 };
static const int32_t helper_ids[] = { 5, 7, 8, 14, 15, 1, 2, 3, 12, 181, 9001, 9001, 9001, 0, 99999 };

static uint8_t rnd_reg(void)
{
    return (uint8_t)below(11);
}

/* A register an instruction may write (r10 is read-only). */
static uint8_t rnd_dst(void)
{
    return (uint8_t)below(10);
}

/* A jump offset landing inside the program. */
static int16_t rnd_target(uint32_t i, uint32_t n)
{
    return (int16_t)((int)below(n) - (int)i - 1);
}

/* One well-formed instruction (reserved fields zero) of a random kind. */
static uint32_t gen_one(struct bpf_insn *p, uint32_t i, uint32_t n)
{
    uint8_t code = opcodes[below(sizeof(opcodes))];
    uint8_t cls = BPF_CLASS(code);
    struct bpf_insn in = INSN(code, rnd_dst(), 0, 0, 0);
    bool x = BPF_SRC(code) == BPF_X;
    if (cls == BPF_ALU || cls == BPF_ALU64) {
        if (BPF_OP(code) == BPF_END) {
            in.imm = (int32_t[]){ 16, 32, 64 }[below(3)];
        } else if (BPF_OP(code) == BPF_NEG) {
            /* no operands */
        } else if (x) {
            in.src_reg = rnd_reg();
            if (BPF_OP(code) == BPF_DIV || BPF_OP(code) == BPF_MOD)
                in.off = (int16_t)below(2);
            if (BPF_OP(code) == BPF_MOV)
                in.off = (int16_t)(int16_t[]){ 0, 0, 8, 16, 32 }[below(5)];
        } else {
            in.imm = below(3) ? (int32_t)below(70) - 3 : (int32_t)rnd();
            if (BPF_OP(code) == BPF_DIV || BPF_OP(code) == BPF_MOD)
                in.off = (int16_t)below(2);
        }
    } else if (cls == BPF_JMP || cls == BPF_JMP32) {
        uint8_t op = BPF_OP(code);
        if (code == 0x85) { /* call: helper or local */
            in.dst_reg = 0;
            if (below(4) == 0) {
                in.src_reg = BPF_PSEUDO_CALL;
                in.imm = rnd_target(i, n);
            } else {
                in.imm = helper_ids[below(sizeof(helper_ids) / 4)];
            }
        } else if (code == 0x8d) {
            /* callx: register in dst */
        } else if (code == 0x95) {
            in = EXIT();
        } else if (code == 0xe5) { /* may_goto */
            in.dst_reg = 0;
            in.off = rnd_target(i, n);
        } else if (op == BPF_JA) {
            in.dst_reg = 0;
            if (cls == BPF_JMP32)
                in.imm = rnd_target(i, n);
            else
                in.off = rnd_target(i, n);
        } else {
            in.off = rnd_target(i, n);
            if (x)
                in.src_reg = rnd_reg();
            else
                in.imm = below(2) ? (int32_t)below(16) : (int32_t)rnd();
        }
    } else if (code == 0x18) { /* ld_imm64 */
        if (i + 1 >= n)
            return gen_one(p, i, n);
        uint64_t v = below(2) ? rnd() : (uint64_t)below(64);
        /* never BPF_PSEUDO_MAP_FD/IDX: bpfrt_prog_create trusts those to
         * hold real map pointers (PROG_LOAD resolves them) */
        in.src_reg = (uint8_t)(int[]){ 0, 0, 0, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_VALUE, 3 }[below(6)];
        in.imm = in.src_reg == BPF_PSEUDO_FUNC ? rnd_target(i, n) : (int32_t)v;
        p[i] = in;
        p[i + 1] = INSN(0, 0, 0, 0, in.src_reg == BPF_PSEUDO_FUNC ? 0 : (int32_t)(v >> 32));
        return 2;
    } else if (cls == BPF_LD) { /* LD_ABS / LD_IND */
        in.dst_reg = 0;
        in.imm = (int32_t)below(80) - 8;
        if (BPF_MODE(code) == BPF_IND)
            in.src_reg = rnd_reg();
    } else {
        /* memory: offsets around the stack frame and the input */
        bool stack = below(2);
        in.off = (int16_t)(stack ? -(int)below(530) : (int)below(80) - 8);
        uint8_t base = stack ? 10 : (uint8_t)(below(3) ? 1 : rnd_reg());
        if (cls == BPF_LDX) {
            in.src_reg = base;
        } else if (cls == BPF_ST) {
            in.dst_reg = base;
            in.imm = (int32_t)rnd();
        } else {
            in.dst_reg = base;
            in.src_reg = rnd_reg();
            if (BPF_MODE(code) == BPF_ATOMIC) {
                if (BPF_SIZE(code) == BPF_B || BPF_SIZE(code) == BPF_H)
                    in.code = (uint8_t)(BPF_STX | BPF_ATOMIC | (below(2) ? BPF_W : BPF_DW));
                in.imm = atomic_imms[below(sizeof(atomic_imms) / 4)];
                if (in.imm == BPF_LOAD_ACQ) { /* dst = *(src + off) */
                    in.src_reg = base;
                    in.dst_reg = rnd_dst();
                }
            }
        }
    }
    p[i] = in;
    return 1;
}

static void gen(struct bpf_insn *p, uint32_t n)
{
    for (uint32_t i = 0; i < n;)
        i += gen_one(p, i, n);
    /* now and then a broken instruction: random bits */
    if (below(10) == 0) {
        uint64_t w = rnd();
        memcpy(&p[below(n)], &w, sizeof(w));
    }
    if (below(20))
        p[n - 1] = EXIT();
}

static uint64_t h_fuzz(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
    return r1 ^ r2;
}

int main(void)
{
    vt_setup();
    static const struct bpfrt_helper_proto fuzz_proto = {
        .id = 9001, .name = "test_fuzz", .fn = h_fuzz, .ret_type = RET_INTEGER,
        .arg_type = { ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO }, .prog_types = BPFRT_ALL_PROG_TYPES,
    };
    CHECK_EQ(bpfrt_helper_register(vt_rt, &fuzz_proto), 0);
    long iters = test_fuzz_iters();
    test_seed_from_env(&rng_state);
    long created = 0, ran_ok = 0, stopped = 0;
    vt_budget = 20000;
    for (long it = 0; it < iters; it++) {
        struct bpf_insn p[64];
        uint32_t n = 2 + below(40);
        gen(p, n);
        uint8_t mem[64];
        for (int i = 0; i < 64; i++)
            mem[i] = (uint8_t)rnd();
        struct vt_result r = vt_run_mode(p, n, mem, below(8) ? 64 : 0, false);
        if (r.create_rc) {
            if (getenv("BPFRT_FUZZ_VERBOSE"))
                printf("refused: %s\n", r.msg);
            CHECK(r.create_rc < 0);
            if (r.msg[0] == '\0') {
                fprintf(stderr, "program %ld refused without a message (%d)\n", it, r.create_rc);
                CHECK(false);
            }
            continue;
        }
        created++;
        if (r.rc == 0) {
            ran_ok++;
            test_passed++;
            continue;
        }
        stopped++;
        CHECK(r.error != BPFRT_RUN_OK && r.msg[0] != '\0');
        if (r.error == BPFRT_RUN_OK || r.msg[0] == '\0')
            fprintf(stderr, "program %ld failed (%d) without an error report\n", it, r.rc);
    }
    vt_budget = 0;
    printf("%ld programs: %ld created (%ld ran to exit, %ld stopped with an error), %ld refused\n", iters,
           created, ran_ok, stopped, iters - created);
    CHECK(created > 0);
    CHECK(stopped > 0);
    vt_teardown();
    return test_summary();
}
