/* Structural validation, driven by the opcode table: what Linux checks
 * before (and while) walking a program, with Linux's messages: unknown
 * opcodes, reserved fields, registers, ld_imm64 pairs, jump targets and the
 * last instruction. Semantic checks (types, bounds) belong to the verifier. */
#include "core/core.h"
#include "core/isa/isa.h"
#include "bpfrt/diag.h"

_Static_assert(ISA_F_DST == BPFRT_INSN_USES_DST && ISA_F_SRC == BPFRT_INSN_USES_SRC &&
                   ISA_F_OFF == BPFRT_INSN_USES_OFF && ISA_F_IMM == BPFRT_INSN_USES_IMM,
               "the table's field bits are the public ones");

int bpfrt_opcode_fields(uint8_t code)
{
    const struct isa_opcode *op = &bpfrt_isa_opcodes[code];
    if (!op->nforms)
        return -1;
    int used = op->used;
    if (op->key == ISA_KEY_OFF) used |= ISA_F_OFF;
    if (op->key == ISA_KEY_IMM) used |= ISA_F_IMM;
    if (op->key == ISA_KEY_SRC) used |= ISA_F_SRC;
    return used;
}

int bpfrt_isa_check_insn(const struct bpf_insn *insn, uint32_t avail, const struct isa_form **form_out,
                   char *msg, size_t size)
{
    const struct isa_opcode *op = &bpfrt_isa_opcodes[insn->code];
    if (!op->nforms) {
        bpfrt_snprintf(msg, size, "unknown opcode %02x", insn->code);
        return -BPFRT_EINVAL;
    }
    bool lddw = bpfrt_insn_is_lddw(insn);
    if (lddw && (avail < 2 || insn[1].code || insn[1].dst_reg || insn[1].src_reg || insn[1].off)) {
        bpfrt_snprintf(msg, size, "invalid bpf_ld_imm64 insn");
        return -BPFRT_EINVAL;
    }
    /* the form first: its key field is not reserved */
    int32_t key = bpfrt_isa_key_value(insn, op->key);
    const struct isa_form *form = NULL;
    for (unsigned i = 0; i < op->nforms && !form; i++)
        if (op->forms[i].key == key && !(op->forms[i].flags & ISA_ALIAS))
            form = &op->forms[i];
    uint8_t used = op->used;
    if (op->key == ISA_KEY_OFF) used |= ISA_F_OFF;
    if (op->key == ISA_KEY_IMM) used |= ISA_F_IMM;
    if (op->key == ISA_KEY_SRC) used |= ISA_F_SRC;
    if (form && (form->flags & ISA_USES_OFF)) used |= ISA_F_OFF;
    if (form && (form->flags & ISA_UNSUPPORTED)) {
        bpfrt_snprintf(msg, size, "%s", form->c);
        return -BPFRT_EINVAL;
    }
    /* conditional jumps check their first operand before the fields (Linux
     * 6.18's check_cond_jmp_op) */
    bool cond_jump = form && (form->shape == ISA_SH_JMP_K || form->shape == ISA_SH_JMP_X);
    if (cond_jump && insn->dst_reg >= MAX_BPF_REG) {
        bpfrt_snprintf(msg, size, "R%d is invalid", insn->dst_reg);
        return -BPFRT_EINVAL;
    }
    /* Linux reports reserved fields before an unknown selector value */
    bool reserved = (!(used & ISA_F_DST) && insn->dst_reg) || (!(used & ISA_F_SRC) && insn->src_reg) ||
                    (!(used & ISA_F_OFF) && insn->off) || (!(used & ISA_F_IMM) && insn->imm);
    if (reserved || !form) {
        const char *fmt = reserved ? op->reserved_msg : op->badkey_fmt;
        bpfrt_snprintf(msg, size, fmt, reserved ? insn->imm : key);
        return -BPFRT_EINVAL;
    }
    if (lddw && insn[1].imm &&
        (form->key == BPF_PSEUDO_MAP_FD || form->key == BPF_PSEUDO_MAP_IDX || form->key == BPF_PSEUDO_FUNC)) {
        bpfrt_snprintf(msg, size, "unrecognized bpf_ld_imm64 insn");
        return -BPFRT_EINVAL;
    }
    /* the source operand is checked before the destination, as Linux does */
    if ((used & ISA_F_SRC) && op->key != ISA_KEY_SRC && insn->src_reg >= MAX_BPF_REG) {
        bpfrt_snprintf(msg, size, "R%d is invalid", insn->src_reg);
        return -BPFRT_EINVAL;
    }
    if ((used & ISA_F_DST) && insn->dst_reg >= MAX_BPF_REG) {
        bpfrt_snprintf(msg, size, "R%d is invalid", insn->dst_reg);
        return -BPFRT_EINVAL;
    }
    if (((form->flags & ISA_WRITES_DST) && insn->dst_reg == BPF_REG_10) ||
        ((form->flags & ISA_WRITES_SRC) && insn->src_reg == BPF_REG_10)) {
        bpfrt_snprintf(msg, size, "frame pointer is read only");
        return -BPFRT_EINVAL;
    }
    if (form_out)
        *form_out = form;
    return 0;
}

/* The jump or call target of insns[i] from the decoded form, or false when
 * it has none (also for unknown opcodes). */
static bool jump_target(const struct bpf_insn *insns, uint32_t cnt, uint32_t i, int64_t *target, bool *is_call)
{
    /* only JMP and JMP32 codes and ld_imm64 (a function's address) have
     * one: the others need no decoding (two passes call this for every
     * instruction, and a decode costs tens of cycles) */
    uint8_t cls = BPF_CLASS(insns[i].code);
    if (cls != BPF_JMP && cls != BPF_JMP32 && !bpfrt_insn_is_lddw(&insns[i]))
        return false;
    struct bpfrt_dinsn d;
    bpfrt_isa_decode(insns, cnt, i, &d);
    uint8_t kind = bpfrt_op_kind(d.op);
    *is_call = d.op == BPFRT_OP_CALL_LOCAL || (kind == BPFRT_K_LDDW && d.src == BPF_PSEUDO_FUNC);
    *target = d.target;
    return kind == BPFRT_K_JA || kind == BPFRT_K_JCOND || kind == BPFRT_K_MAY_GOTO || *is_call;
}

#define FAIL(i, err, ...) return bpfrt_diag_fail(diag, (err), (i), __VA_ARGS__)

int bpfrt_isa_validate(const struct bpf_insn *insns, uint32_t cnt, struct bpfrt_diag *diag)
{
    if (!insns || cnt == 0)
        FAIL(0, -BPFRT_EINVAL, "empty program");
    if (cnt > BPFRT_MAX_INSNS)
        FAIL(0, -BPFRT_E2BIG, "program too large (%u insns, limit %u)", cnt, BPFRT_MAX_INSNS);
    char text[128];
    int64_t t;
    bool is_call;
    /* The passes follow Linux's order (bpf_check), so that a program with
     * several faults gets the message Linux would give first:
     * 1. subprogram calls (add_subprog_and_kfunc) */
    for (uint32_t i = 0; i < cnt; i++)
        if (jump_target(insns, cnt, i, &t, &is_call) && is_call && (t < 0 || t >= cnt))
            FAIL(i, -BPFRT_EINVAL, "call to invalid destination");
    /* 2. jump ranges and the last instruction (check_subprogs) */
    for (uint32_t i = 0; i < cnt; i++) {
        /* like check_subprogs: every JMP/JMP32 code but call and exit, known
         * opcode or not; gotol (JMP32|JA) jumps by imm, the rest by off */
        uint8_t code = insns[i].code, cls = BPF_CLASS(code);
        if ((cls != BPF_JMP && cls != BPF_JMP32) || BPF_OP(code) == BPF_CALL || BPF_OP(code) == BPF_EXIT)
            continue;
        t = (int64_t)i + 1 + (code == (BPF_JMP32 | BPF_JA) ? insns[i].imm : insns[i].off);
        if (t < 0 || t >= cnt)
            FAIL(i, -BPFRT_EINVAL, "jump out of range from insn %u to %lld", i, (long long)t);
    }
    uint8_t last = insns[cnt - 1].code;
    if (last != (BPF_JMP | BPF_EXIT) && last != (BPF_JMP | BPF_JA) && last != (BPF_JMP32 | BPF_JA))
        FAIL(cnt - 1, -BPFRT_EINVAL, "last insn is not an exit or jmp");
    /* 3. opcodes, LDX fields and ld_imm64 pairs (resolve_pseudo_ldimm64) */
    for (uint32_t i = 0; i < cnt; i++) {
        const struct bpf_insn *in = &insns[i];
        if (BPF_CLASS(in->code) == BPF_LDX &&
            ((BPF_MODE(in->code) != BPF_MEM && BPF_MODE(in->code) != BPF_MEMSX) || in->imm))
            FAIL(i, -BPFRT_EINVAL, "BPF_LDX uses reserved fields");
        if (bpfrt_insn_is_lddw(in)) {
            if (bpfrt_isa_check_insn(in, cnt - i, NULL, text, sizeof(text)))
                FAIL(i, -BPFRT_EINVAL, "%s", text);
            i++;
            continue;
        }
        if (!bpfrt_isa_opcodes[in->code].nforms)
            FAIL(i, -BPFRT_EINVAL, "unknown opcode %02x", in->code);
    }
    /* 4. no jump lands on a second half (check_cfg); pass 3 proved every
     * second half has code 0, so an ld_imm64 opcode just before the target
     * makes the target a second half */
    for (uint32_t i = 0; i < cnt; i++) {
        if (jump_target(insns, cnt, i, &t, &is_call) && t > 0 && bpfrt_insn_is_lddw(&insns[t - 1]))
            FAIL(i, -BPFRT_EINVAL, "jump into the middle of ldimm64 insn %lld", (long long)(t - 1));
        if (bpfrt_insn_is_lddw(&insns[i]))
            i++;
    }
    /* 5. every instruction's fields and registers (do_check) */
    for (uint32_t i = 0; i < cnt; i++) {
        if (bpfrt_isa_check_insn(&insns[i], cnt - i, NULL, text, sizeof(text)))
            FAIL(i, -BPFRT_EINVAL, "%s", text);
        if (bpfrt_insn_is_lddw(&insns[i]))
            i++;
    }
    return 0;
}

int bpfrt_insns_validate(const struct bpf_insn *insns, uint32_t cnt, char *msg, size_t msg_size,
                         uint32_t *bad_insn)
{
    char text[160];
    struct bpfrt_diag d;
    bpfrt_diag_init(&d, text, sizeof(text));
    if (msg && msg_size)
        msg[0] = '\0';
    int err = bpfrt_isa_validate(insns, cnt, &d);
    if (err) {
        /* The public form names the instruction in the text. */
        bpfrt_snprintf(msg, msg_size, "insn %lld: %s", (long long)d.insn, text);
        if (bad_insn)
            *bad_insn = (uint32_t)d.insn;
    }
    return err;
}
