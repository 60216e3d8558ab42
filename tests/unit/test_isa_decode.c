/* The decoder (bpfrt_isa_decode) and the per-op traits: every form of the
 * opcode table decodes to its op, every op is reachable from some form, the
 * traits agree with what the RFC 9669 encoding says (checked here from the
 * raw bits, independently of the table), and hand-picked instructions decode
 * to hand-derived values. */
#include "test.h"

#include "bpfrt/errno.h"
#include "core/isa/decode.h"
#include "core/isa/isa.h"

static struct bpf_insn mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    struct bpf_insn i = {0};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

/* Width in bytes of a memory opcode, from the raw size bits. */
static unsigned raw_size(uint8_t code)
{
    static const unsigned sz[4] = {4, 2, 1, 8};
    return sz[BPF_SIZE(code) >> 3];
}

static void test_every_form_decodes_to_its_op(void)
{
    bool reached[BPFRT_OP_COUNT] = {0};
    for (int code = 0; code < 256; code++) {
        const struct isa_opcode *row = &bpfrt_isa_opcodes[code];
        for (unsigned f = 0; f < row->nforms; f++) {
            const struct isa_form *form = &row->forms[f];
            struct bpf_insn insns[2] = {mk((uint8_t)code, 1, 2, 0, 0), mk(0, 0, 0, 0, 0)};
            bpfrt_isa_set_key(&insns[0], row->key, form->key);
            struct bpfrt_dinsn d;
            int rc = bpfrt_isa_decode(insns, 2, 0, &d);
            CHECK_EQ(d.op, form->op);
            CHECK_EQ(rc, form->op == BPFRT_OP_BAD ? -BPFRT_EINVAL : 0);
            reached[form->op] = true;
            if (form->op == BPFRT_OP_BAD)
                continue;
            const struct bpfrt_op_info *info = &bpfrt_op_info[d.op];
            uint8_t cls = BPF_CLASS(code);
            /* Traits against the raw encoding. */
            if (info->kind == BPFRT_K_ALU || info->kind == BPFRT_K_JCOND) {
                bool is32 = cls == BPF_ALU || cls == BPF_JMP32;
                CHECK_EQ(!!(info->flags & BPFRT_OPF_32), is32);
                if (info->alu != BPFRT_ALU_NEG)
                    CHECK_EQ(!!(info->flags & BPFRT_OPF_K), BPF_SRC(code) == BPF_K);
            }
            if (bpfrt_op_is_mem(d.op) || info->kind == BPFRT_K_LD_PKT)
                CHECK_EQ(d.size, raw_size((uint8_t)code));
            if (info->kind == BPFRT_K_END)
                CHECK_EQ(d.size * 8, form->key);
            CHECK_EQ(d.len, info->kind == BPFRT_K_LDDW ? 2 : 1);
        }
    }
    for (int op = 1; op < BPFRT_OP_COUNT; op++) {
        if (!reached[op])
            fprintf(stderr, "op %s is reached by no form\n", bpfrt_op_info[op].name);
        CHECK(reached[op]);
        CHECK(bpfrt_op_info[op].name != NULL);
        CHECK(bpfrt_op_info[op].kind != BPFRT_K_BAD);
    }
}

static void test_hand_decoded(void)
{
    struct bpfrt_dinsn d;
    struct bpf_insn p[4];

    p[0] = mk(0x07, 3, 0, 0, -5); /* r3 += -5 */
    CHECK_EQ(bpfrt_isa_decode(p, 1, 0, &d), 0);
    CHECK_EQ(d.op, BPFRT_OP_ADD64_K);
    CHECK_EQ(d.dst, 3);
    CHECK_EQ(d.value, (uint64_t)-5);

    p[0] = mk(0x3c, 1, 2, 1, 0); /* w1 s/= w2 */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_SDIV32_X);
    CHECK_EQ(bpfrt_op_info[d.op].alu, BPFRT_ALU_SDIV);

    p[0] = mk(0xbf, 1, 2, 16, 0); /* r1 = (s16)r2 */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_MOVSX16_64);
    CHECK_EQ(d.size, 2);

    p[0] = mk(0xdb, 1, 2, -8, 0xf1); /* r0 = cmpxchg_64(r1 - 8, r0, r2) */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_ACMPXCHG_DW);
    CHECK_EQ(d.off, -8);
    CHECK_EQ(d.size, 8);

    p[0] = mk(0xc3, 1, 2, 0, 0x01); /* lock *(u32 *)(r1 + 0) += w2 with fetch */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_AFADD_W);
    CHECK(bpfrt_op_info[d.op].flags & BPFRT_OPF_FETCH);

    p[0] = mk(0x18, 2, 0, 0, (int32_t)0x89abcdef); /* r2 = 0x0123456789abcdef ll */
    p[1] = mk(0, 0, 0, 0, 0x01234567);
    CHECK_EQ(bpfrt_isa_decode(p, 2, 0, &d), 0);
    CHECK_EQ(d.op, BPFRT_OP_LDDW);
    CHECK_EQ(d.len, 2);
    CHECK_EQ(d.value, 0x0123456789abcdefull);

    p[0] = mk(0x18, 2, BPF_PSEUDO_FUNC, 0, 3); /* r2 = func at 0 + 1 + 3 */
    CHECK_EQ(bpfrt_isa_decode(p, 2, 0, &d), 0);
    CHECK_EQ(d.target, 4);

    p[0] = mk(0x05, 0, 0, 0, 0); p[1] = mk(0x05, 0, 0, -2, 0); p[2] = mk(0x06, 0, 0, 0, -3);
    bpfrt_isa_decode(p, 3, 1, &d);
    CHECK_EQ(d.op, BPFRT_OP_JA);
    CHECK_EQ(d.target, 0);
    bpfrt_isa_decode(p, 3, 2, &d); /* ja32: offset in imm */
    CHECK_EQ(d.op, BPFRT_OP_JA);
    CHECK_EQ(d.target, 0);

    p[0] = mk(0x5e, 1, 2, 7, 0); /* if w1 != w2 goto +7 */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_JNE32_X);
    CHECK_EQ(bpfrt_op_info[d.op].alu, BPFRT_JNE);
    CHECK_EQ(d.target, 8);

    p[0] = mk(0x85, 0, BPF_PSEUDO_CALL, 0, -1); /* call local to itself */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_CALL_LOCAL);
    CHECK_EQ(d.target, 0);
    p[0] = mk(0x85, 0, 0, 0, 12); /* call bpf_ktime_get_ns... any helper id */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_CALL_HELPER);
    CHECK_EQ(d.imm, 12);
    p[0] = mk(0x8d, 3, 0, 0, 0);
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_CALLX);

    p[0] = mk(0xe5, 0, BPF_MAY_GOTO, 4, 0);
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_MAY_GOTO);
    CHECK_EQ(d.target, 5);

    p[0] = mk(0xd7, 1, 0, 0, 32); /* bswap32 r1 */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_BSWAP32);
    p[0] = mk(0xdc, 1, 0, 0, 16); /* be16 r1 */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_BE16);

    p[0] = mk(0x91, 1, 2, 3, 0); /* r1 = *(s8 *)(r2 + 3) */
    bpfrt_isa_decode(p, 1, 0, &d);
    CHECK_EQ(d.op, BPFRT_OP_LDXSX_B);
    CHECK(bpfrt_op_info[d.op].flags & BPFRT_OPF_SIGNED);
}

static void test_bad_input(void)
{
    struct bpfrt_dinsn d;
    struct bpf_insn p[2];
    p[0] = mk(0x00, 0, 0, 0, 0); /* BPF_LD | BPF_IMM | BPF_W: no such instruction */
    CHECK_EQ(bpfrt_isa_decode(p, 1, 0, &d), -BPFRT_EINVAL);
    CHECK_EQ(d.op, BPFRT_OP_BAD);
    p[0] = mk(0x18, 1, 0, 0, 1); /* ld_imm64 with no second half */
    CHECK_EQ(bpfrt_isa_decode(p, 1, 0, &d), -BPFRT_EINVAL);
    CHECK_EQ(d.op, BPFRT_OP_LDDW);
    p[0] = mk(0x18, 1, 9, 0, 1); /* unknown pseudo kind */
    p[1] = mk(0, 0, 0, 0, 0);
    CHECK_EQ(bpfrt_isa_decode(p, 2, 0, &d), -BPFRT_EINVAL);
    p[0] = mk(0xd4, 1, 0, 0, 24); /* le24: no such width */
    CHECK_EQ(bpfrt_isa_decode(p, 1, 0, &d), -BPFRT_EINVAL);
    p[0] = mk(0x3f, 1, 2, 2, 0); /* div with off 2 */
    CHECK_EQ(bpfrt_isa_decode(p, 1, 0, &d), -BPFRT_EINVAL);
    p[0] = mk(0xd3, 1, 2, 0, 0x00); /* 8-bit atomic add: unsupported form */
    CHECK_EQ(bpfrt_isa_decode(p, 1, 0, &d), -BPFRT_EINVAL);
    p[0] = mk(0xbf, 1, 2, 1, 0); /* addr_space_cast */
    CHECK_EQ(bpfrt_isa_decode(p, 1, 0, &d), -BPFRT_EINVAL);
    /* Every byte pattern decodes without crashing and agrees with the table. */
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 20000; i++) {
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
        struct bpf_insn q[2];
        memcpy(q, &seed, sizeof(q[0]));
        q[1] = mk(0, 0, 0, 0, 0);
        int rc = bpfrt_isa_decode(q, 2, 0, &d);
        CHECK_EQ(rc == 0, d.op != BPFRT_OP_BAD);
    }
}

int main(void)
{
    RUN(test_every_form_decodes_to_its_op);
    RUN(test_hand_decoded);
    RUN(test_bad_input);
    return test_summary();
}
