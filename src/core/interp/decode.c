/* Pre-decoding: turns eBPF instructions into the interpreter's slots once,
 * at prepare time, so the run loop never parses an opcode: every slot names
 * its handler, jump targets are absolute, immediates are sign-extended (and
 * shift immediates masked), ld_imm64 is one slot with its 64-bit value and
 * helper calls hold their resolved prototype. */
#include "core/interp/interp.h"

/* ALU operation (BPF_OP >> 4) -> the 64-bit K handler; X is K + 1. */
static const uint16_t alu_op64[16] = {
    [BPF_ADD >> 4] = VM_OP_ADD64_K, [BPF_SUB >> 4] = VM_OP_SUB64_K, [BPF_MUL >> 4] = VM_OP_MUL64_K,
    [BPF_DIV >> 4] = VM_OP_DIV64_K, [BPF_OR >> 4] = VM_OP_OR64_K,   [BPF_AND >> 4] = VM_OP_AND64_K,
    [BPF_LSH >> 4] = VM_OP_LSH64_K, [BPF_RSH >> 4] = VM_OP_RSH64_K, [BPF_NEG >> 4] = VM_OP_NEG64,
    [BPF_MOD >> 4] = VM_OP_MOD64_K, [BPF_XOR >> 4] = VM_OP_XOR64_K, [BPF_MOV >> 4] = VM_OP_MOV64_K,
    [BPF_ARSH >> 4] = VM_OP_ARSH64_K,
};

/* Conditional jump (BPF_OP >> 4) -> 64-bit K handler; X is K + 1. */
static const uint16_t jmp_op64[16] = {
    [BPF_JEQ >> 4] = VM_OP_JEQ64_K,   [BPF_JGT >> 4] = VM_OP_JGT64_K,   [BPF_JGE >> 4] = VM_OP_JGE64_K,
    [BPF_JSET >> 4] = VM_OP_JSET64_K, [BPF_JNE >> 4] = VM_OP_JNE64_K,   [BPF_JSGT >> 4] = VM_OP_JSGT64_K,
    [BPF_JSGE >> 4] = VM_OP_JSGE64_K, [BPF_JLT >> 4] = VM_OP_JLT64_K,   [BPF_JLE >> 4] = VM_OP_JLE64_K,
    [BPF_JSLT >> 4] = VM_OP_JSLT64_K, [BPF_JSLE >> 4] = VM_OP_JSLE64_K,
};

/* Load/store size (BPF_SIZE >> 3: W, H, B, DW) -> handler. */
static const uint16_t ldx_op[4] = { VM_OP_LDX_W, VM_OP_LDX_H, VM_OP_LDX_B, VM_OP_LDX_DW };
static const uint16_t ldxsx_op[4] = { VM_OP_LDXSX_W, VM_OP_LDXSX_H, VM_OP_LDXSX_B, 0 };
static const uint16_t st_op[4] = { VM_OP_ST_W, VM_OP_ST_H, VM_OP_ST_B, VM_OP_ST_DW };
static const uint16_t stx_op[4] = { VM_OP_STX_W, VM_OP_STX_H, VM_OP_STX_B, VM_OP_STX_DW };
static const uint16_t ldacq_op[4] = { VM_OP_LDACQ_W, VM_OP_LDACQ_H, VM_OP_LDACQ_B, VM_OP_LDACQ_DW };
static const uint16_t strel_op[4] = { VM_OP_STREL_W, VM_OP_STREL_H, VM_OP_STREL_B, VM_OP_STREL_DW };
static const uint16_t ldabs_op[4] = { VM_OP_LDABS_W, VM_OP_LDABS_H, VM_OP_LDABS_B, 0 };
static const uint16_t ldind_op[4] = { VM_OP_LDIND_W, VM_OP_LDIND_H, VM_OP_LDIND_B, 0 };

/* Atomic read-modify-write (imm) -> 32-bit handler; the 64-bit one is + 1. */
struct atomic_row { int32_t imm; uint16_t op_w; };
static const struct atomic_row atomic_ops[] = {
    { BPF_ADD, VM_OP_AADD_W },   { BPF_OR, VM_OP_AOR_W },     { BPF_AND, VM_OP_AAND_W },
    { BPF_XOR, VM_OP_AXOR_W },   { BPF_ADD | BPF_FETCH, VM_OP_AFADD_W },
    { BPF_OR | BPF_FETCH, VM_OP_AFOR_W }, { BPF_AND | BPF_FETCH, VM_OP_AFAND_W },
    { BPF_XOR | BPF_FETCH, VM_OP_AFXOR_W }, { BPF_XCHG, VM_OP_AXCHG_W },
    { BPF_CMPXCHG, VM_OP_ACMPXCHG_W },
};

static void sort_uptr(uintptr_t *a, uint32_t n)
{
    /* Shell sort: no recursion, fine for the sizes programs have. */
    for (uint32_t gap = n / 2; gap > 0; gap /= 2)
        for (uint32_t i = gap; i < n; i++) {
            uintptr_t v = a[i];
            uint32_t j = i;
            for (; j >= gap && a[j - gap] > v; j -= gap)
                a[j] = a[j - gap];
            a[j] = v;
        }
}

static uint32_t dedupe_uptr(uintptr_t *a, uint32_t n)
{
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++)
        if (out == 0 || a[out - 1] != a[i])
            a[out++] = a[i];
    return out;
}

bool bpfrt_vm_code_has_map(const struct vm_code *code, uintptr_t map)
{
    uint32_t lo = 0, hi = code->nr_maps;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (code->maps[mid] == map)
            return true;
        if (code->maps[mid] < map)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

bool bpfrt_vm_code_has_func(const struct vm_code *code, uint32_t pc)
{
    uint32_t lo = 0, hi = code->nr_funcs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (code->funcs[mid] == pc)
            return true;
        if (code->funcs[mid] < pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static void code_free(struct bpfrt_runtime *rt, struct vm_code *code)
{
    if (!code)
        return;
    bpfrt_free(rt, code->slots, ((size_t)code->len + 1) * sizeof(*code->slots));
    bpfrt_free(rt, code->maps, (size_t)code->nr_maps * sizeof(*code->maps));
    bpfrt_free(rt, code->funcs, (size_t)code->nr_funcs * sizeof(*code->funcs));
    bpfrt_free(rt, code, sizeof(*code));
}

/* Shrinks a scratch array of `cap` entries to its `n` used ones. */
static void *shrink(struct bpfrt_runtime *rt, void *arr, size_t cap, size_t n, size_t elem)
{
    if (n == 0) {
        bpfrt_free(rt, arr, cap * elem);
        return NULL;
    }
    void *small = bpfrt_zalloc(rt, n * elem);
    if (small)
        bpfrt_memcpy(small, arr, n * elem);
    bpfrt_free(rt, arr, cap * elem);
    return small;
}

#define FAIL(...) do { bpfrt_snprintf(msg, msg_size, __VA_ARGS__); err = -BPFRT_EINVAL; goto out; } while (0)

/* Absolute target of a jump at pc with relative offset rel; checks range. */
static bool jump_target(uint32_t pc, int64_t rel, uint32_t len, int32_t *target)
{
    int64_t t = (int64_t)pc + 1 + rel;
    if (t < 0 || t >= (int64_t)len)
        return false;
    *target = (int32_t)t;
    return true;
}

int bpfrt_vm_decode(struct bpfrt_prog *prog, char *msg, size_t msg_size)
{
    struct bpfrt_runtime *rt = prog->rt;
    const struct bpf_insn *in = prog->insns;
    uint32_t len = prog->len;
    int err = 0;
    uintptr_t *maps = NULL;
    uintptr_t *funcs = NULL; /* collected as uintptr_t, stored as u32 */
    uint32_t nr_maps = 0, nr_funcs = 0;

    if (msg && msg_size)
        msg[0] = '\0';
    if (!in || len == 0) {
        bpfrt_snprintf(msg, msg_size, "empty program");
        return -BPFRT_EINVAL;
    }
    struct vm_code *code = bpfrt_zalloc(rt, sizeof(*code));
    if (!code)
        return -BPFRT_ENOMEM;
    code->prog = prog;
    code->len = len;
    code->slots = bpfrt_zalloc(rt, ((size_t)len + 1) * sizeof(*code->slots));
    maps = bpfrt_zalloc(rt, (size_t)len * sizeof(*maps));
    funcs = bpfrt_zalloc(rt, (size_t)len * sizeof(*funcs));
    if (!code->slots || !maps || !funcs) {
        err = -BPFRT_ENOMEM;
        goto out;
    }

    for (uint32_t pc = 0; pc < len; pc++) {
        const struct bpf_insn *insn = &in[pc];
        struct vm_slot *s = &code->slots[pc];
        uint8_t cls = BPF_CLASS(insn->code);
        uint8_t sz = BPF_SIZE(insn->code) >> 3;
        s->dst = insn->dst_reg;
        s->src = insn->src_reg;
        s->off = insn->off;
        s->imm = (uint64_t)(int64_t)insn->imm;
        if (insn->dst_reg > BPF_REG_10 || insn->src_reg > BPF_REG_10) {
            if (!(cls == BPF_LD && bpfrt_insn_is_lddw(insn)) && !(cls == BPF_JMP && BPF_OP(insn->code) == BPF_CALL))
                FAIL("R%u is invalid at insn %u", insn->dst_reg > BPF_REG_10 ? insn->dst_reg : insn->src_reg, pc);
        }
        switch (cls) {
        case BPF_ALU:
        case BPF_ALU64: {
            uint8_t op = BPF_OP(insn->code) >> 4;
            bool x = BPF_SRC(insn->code) == BPF_X;
            bool is64 = cls == BPF_ALU64;
            if (BPF_OP(insn->code) == BPF_END) {
                static const uint16_t le[3] = { VM_OP_LE16, VM_OP_LE32, VM_OP_LE64 };
                static const uint16_t be[3] = { VM_OP_BE16, VM_OP_BE32, VM_OP_BE64 };
                static const uint16_t sw[3] = { VM_OP_BSWAP16, VM_OP_BSWAP32, VM_OP_BSWAP64 };
                int w = insn->imm == 16 ? 0 : insn->imm == 32 ? 1 : insn->imm == 64 ? 2 : -1;
                if (w < 0)
                    FAIL("invalid byte swap width %d at insn %u", insn->imm, pc);
                s->op = is64 ? sw[w] : x ? be[w] : le[w];
                break;
            }
            if (!alu_op64[op])
                FAIL("unknown opcode %02x at insn %u", insn->code, pc);
            uint16_t base = alu_op64[op];
            if (base == VM_OP_DIV64_K && insn->off == 1)
                base = VM_OP_SDIV64_K;
            else if (base == VM_OP_MOD64_K && insn->off == 1)
                base = VM_OP_SMOD64_K;
            else if (base == VM_OP_MOV64_K && insn->off != 0) {
                if (!x)
                    FAIL("invalid movsx at insn %u", pc);
                if (insn->off == 8)
                    s->op = is64 ? VM_OP_MOVSX8_64 : VM_OP_MOVSX8_32;
                else if (insn->off == 16)
                    s->op = is64 ? VM_OP_MOVSX16_64 : VM_OP_MOVSX16_32;
                else if (insn->off == 32 && is64)
                    s->op = VM_OP_MOVSX32_64;
                else
                    FAIL("unsupported mov offset %d at insn %u", insn->off, pc);
                break;
            }
            uint16_t h = base;
            if (h != VM_OP_NEG64 && x)
                h++;
            if (!is64)
                h = (uint16_t)(h + (VM_OP_ADD32_K - VM_OP_ADD64_K));
            s->op = h;
            if (!x && (base == VM_OP_LSH64_K || base == VM_OP_RSH64_K || base == VM_OP_ARSH64_K))
                s->imm &= is64 ? 63 : 31; /* RFC 9669: shift amounts are masked */
            break;
        }
        case BPF_JMP:
        case BPF_JMP32: {
            uint8_t op = BPF_OP(insn->code);
            bool x = BPF_SRC(insn->code) == BPF_X;
            if (op == BPF_JA) {
                int64_t rel = cls == BPF_JMP32 ? insn->imm : insn->off;
                if (!jump_target(pc, rel, len, &s->off))
                    FAIL("jump out of range from insn %u to %lld", pc, (long long)(pc + 1 + rel));
                s->op = VM_OP_JA;
            } else if (op == BPF_EXIT && cls == BPF_JMP) {
                s->op = VM_OP_EXIT;
            } else if (op == BPF_CALL && cls == BPF_JMP) {
                if (x) {
                    s->op = VM_OP_CALLX;
                } else if (insn->src_reg == BPF_PSEUDO_CALL) {
                    if (!jump_target(pc, insn->imm, len, &s->off))
                        FAIL("call to invalid destination at insn %u", pc);
                    s->op = VM_OP_CALL_LOCAL;
                } else if (insn->src_reg == 0) {
                    const struct bpfrt_helper_proto *hp = bpfrt_helper_find(rt, (uint32_t)insn->imm);
                    s->op = VM_OP_CALL_HELPER;
                    s->off = insn->imm; /* the id, for messages and late resolution */
                    s->imm = (uint64_t)(uintptr_t)hp;
                    s->src = hp && bpfrt_vm_helper_needs_checks(hp);
                } else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
                    FAIL("kernel function calls are not supported (insn %u)", pc);
                } else {
                    FAIL("unknown call kind %u at insn %u", insn->src_reg, pc);
                }
            } else if (op == BPF_JCOND && cls == BPF_JMP) {
                if (insn->src_reg != BPF_MAY_GOTO)
                    FAIL("unknown opcode %02x at insn %u", insn->code, pc);
                if (!jump_target(pc, insn->off, len, &s->off))
                    FAIL("jump out of range from insn %u", pc);
                s->op = VM_OP_MAY_GOTO;
            } else if (jmp_op64[op >> 4]) {
                uint16_t h = (uint16_t)(jmp_op64[op >> 4] + (x ? 1 : 0));
                if (cls == BPF_JMP32)
                    h = (uint16_t)(h + (VM_OP_JEQ32_K - VM_OP_JEQ64_K));
                s->op = h;
                if (!jump_target(pc, insn->off, len, &s->off))
                    FAIL("jump out of range from insn %u to %d", pc, (int)(pc + 1 + insn->off));
            } else {
                FAIL("unknown opcode %02x at insn %u", insn->code, pc);
            }
            break;
        }
        case BPF_LD:
            if (bpfrt_insn_is_lddw(insn)) {
                if (pc + 1 >= len)
                    FAIL("invalid ld_imm64 at insn %u: missing second half", pc);
                uint64_t v = (uint64_t)(uint32_t)insn->imm | (uint64_t)(uint32_t)in[pc + 1].imm << 32;
                switch (insn->src_reg) {
                case 0:
                case BPF_PSEUDO_MAP_VALUE:
                case BPF_PSEUDO_MAP_IDX_VALUE:
                    break;
                case BPF_PSEUDO_MAP_FD:
                case BPF_PSEUDO_MAP_IDX:
                    maps[nr_maps++] = (uintptr_t)v;
                    break;
                case BPF_PSEUDO_FUNC: {
                    int32_t t;
                    if (!jump_target(pc, insn->imm, len, &t))
                        FAIL("invalid function reference at insn %u", pc);
                    funcs[nr_funcs++] = (uint32_t)t;
                    v = (uint64_t)(uintptr_t)&code->slots[t];
                    break;
                }
                default:
                    FAIL("ld_imm64 with src_reg %u is not supported (insn %u)", insn->src_reg, pc);
                }
                s->op = VM_OP_LDDW;
                s->imm = v;
                code->slots[pc + 1].op = VM_OP_BAD;
                pc++;
            } else if (BPF_MODE(insn->code) == BPF_ABS && ldabs_op[sz]) {
                s->op = ldabs_op[sz];
            } else if (BPF_MODE(insn->code) == BPF_IND && ldind_op[sz]) {
                s->op = ldind_op[sz];
            } else {
                FAIL("unknown opcode %02x at insn %u", insn->code, pc);
            }
            break;
        case BPF_LDX:
            if (BPF_MODE(insn->code) == BPF_MEM)
                s->op = ldx_op[sz];
            else if (BPF_MODE(insn->code) == BPF_MEMSX && ldxsx_op[sz])
                s->op = ldxsx_op[sz];
            else
                FAIL("unknown opcode %02x at insn %u", insn->code, pc);
            break;
        case BPF_ST:
            if (BPF_MODE(insn->code) != BPF_MEM)
                FAIL("unknown opcode %02x at insn %u", insn->code, pc);
            s->op = st_op[sz];
            break;
        case BPF_STX:
            if (BPF_MODE(insn->code) == BPF_MEM) {
                s->op = stx_op[sz];
            } else if (BPF_MODE(insn->code) == BPF_ATOMIC) {
                if (insn->imm == BPF_LOAD_ACQ) {
                    s->op = ldacq_op[sz];
                } else if (insn->imm == BPF_STORE_REL) {
                    s->op = strel_op[sz];
                } else {
                    if (BPF_SIZE(insn->code) != BPF_W && BPF_SIZE(insn->code) != BPF_DW)
                        FAIL("invalid atomic operand size at insn %u", pc);
                    uint16_t h = 0;
                    for (size_t i = 0; i < sizeof(atomic_ops) / sizeof(atomic_ops[0]); i++)
                        if (atomic_ops[i].imm == insn->imm)
                            h = atomic_ops[i].op_w;
                    if (!h)
                        FAIL("BPF_ATOMIC uses invalid atomic opcode %02x at insn %u", insn->imm, pc);
                    s->op = (uint16_t)(h + (BPF_SIZE(insn->code) == BPF_DW ? 1 : 0));
                }
            } else {
                FAIL("unknown opcode %02x at insn %u", insn->code, pc);
            }
            break;
        }
    }
    code->slots[len].op = VM_OP_FELL_OFF;

    sort_uptr(maps, nr_maps);
    nr_maps = dedupe_uptr(maps, nr_maps);
    sort_uptr(funcs, nr_funcs);
    nr_funcs = dedupe_uptr(funcs, nr_funcs);
    if (nr_funcs) {
        code->funcs = bpfrt_zalloc(rt, (size_t)nr_funcs * sizeof(*code->funcs));
        if (!code->funcs) {
            err = -BPFRT_ENOMEM;
            goto out;
        }
        for (uint32_t i = 0; i < nr_funcs; i++)
            code->funcs[i] = (uint32_t)funcs[i];
        code->nr_funcs = nr_funcs;
    }
    bpfrt_free(rt, funcs, (size_t)len * sizeof(*funcs));
    funcs = NULL;
    code->maps = shrink(rt, maps, len, nr_maps, sizeof(*maps));
    maps = NULL;
    if (nr_maps && !code->maps) {
        err = -BPFRT_ENOMEM;
        goto out;
    }
    code->nr_maps = nr_maps;
    prog->engine_state = code;
    return 0;

out:
    bpfrt_free(rt, maps, (size_t)len * sizeof(*maps));
    bpfrt_free(rt, funcs, (size_t)len * sizeof(*funcs));
    code_free(rt, code);
    return err;
}

void bpfrt_vm_release(struct bpfrt_prog *prog)
{
    code_free(prog->rt, prog->engine_state);
    prog->engine_state = NULL;
}
