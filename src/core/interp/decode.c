/* Pre-decoding: turns eBPF instructions into the interpreter's slots once,
 * at prepare time, so the run loop never parses an opcode: every slot names
 * its handler, jump targets are absolute, immediates are sign-extended (and
 * shift immediates masked), ld_imm64 is one slot with its 64-bit value and
 * helper calls hold their resolved prototype; loads the verifier marked
 * as probes say so. */
#include "core/interp/interp.h"
#include "core/prog/facts.h"

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

bool bpfrt_interp_code_has_map(const struct interp_code *code, uintptr_t map)
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

bool bpfrt_interp_code_has_func(const struct interp_code *code, uint32_t pc)
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

static void code_free(struct bpfrt_runtime *rt, struct interp_code *code)
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

#define FAIL(...) do { err = bpfrt_diag_fail(diag, -BPFRT_EINVAL, pc, __VA_ARGS__); goto out; } while (0)

int bpfrt_interp_decode(struct bpfrt_prog *prog, struct bpfrt_diag *diag)
{
    struct bpfrt_runtime *rt = prog->rt;
    const struct bpf_insn *in = prog->insns;
    uint32_t len = prog->len;
    int err = 0;
    uintptr_t *maps = NULL;
    uintptr_t *funcs = NULL; /* collected as uintptr_t, stored as u32 */
    uint32_t nr_maps = 0, nr_funcs = 0;

    if (!in || len == 0)
        return bpfrt_diag_fail(diag, -BPFRT_EINVAL, BPFRT_DIAG_NO_INSN, "empty program");
    struct interp_code *code = bpfrt_zalloc(rt, sizeof(*code));
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
        struct bpfrt_dinsn d;
        struct interp_slot *s = &code->slots[pc];
        if (bpfrt_isa_decode(in, len, pc, &d)) {
            if (d.op == BPFRT_OP_LDDW)
                FAIL("invalid ld_imm64: missing second half");
            FAIL("unknown opcode %02x", in[pc].code);
        }
        uint8_t kind = bpfrt_op_kind(d.op);
        s->op = d.op;
        s->dst = d.dst;
        s->src = d.src;
        s->off = d.off;
        s->imm = d.value;
        if ((d.dst > BPF_REG_10 || d.src > BPF_REG_10) && kind != BPFRT_K_LDDW && kind != BPFRT_K_CALL)
            FAIL("R%u is invalid", d.dst > BPF_REG_10 ? d.dst : d.src);
        switch (kind) {
        case BPFRT_K_LDX:
        case BPFRT_K_LDACQ:
            /* a load through a kernel pointer (the verifier's mark) */
            s->imm = prog->verified && prog->facts && (prog->facts->flags[pc] & BPFRT_FACT_PROBE_LOAD);
            break;
        case BPFRT_K_ALU: {
            uint8_t alu = bpfrt_op_info[d.op].alu;
            bool k = bpfrt_op_info[d.op].flags & BPFRT_OPF_K;
            if (k && (alu == BPFRT_ALU_LSH || alu == BPFRT_ALU_RSH || alu == BPFRT_ALU_ARSH))
                s->imm &= (bpfrt_op_info[d.op].flags & BPFRT_OPF_32) ? 31 : 63; /* RFC 9669: shift amounts are masked */
            break;
        }
        case BPFRT_K_JA:
        case BPFRT_K_JCOND:
        case BPFRT_K_MAY_GOTO:
            if (d.target < 0 || (uint32_t)d.target >= len)
                FAIL("jump out of range from insn %u to %d", pc, d.target);
            s->off = d.target;
            break;
        case BPFRT_K_CALL:
            if (d.op == BPFRT_OP_CALL_LOCAL) {
                if (d.target < 0 || (uint32_t)d.target >= len)
                    FAIL("call to invalid destination");
                s->off = d.target;
            } else if (d.op == BPFRT_OP_CALL_HELPER) {
                const struct bpfrt_helper_proto *hp = bpfrt_helper_find(rt, (uint32_t)d.imm);
                s->off = d.imm; /* the id, for messages and late resolution */
                s->imm = (uint64_t)(uintptr_t)hp;
                s->src = hp && bpfrt_interp_helper_needs_checks(hp);
            } else if (d.op == BPFRT_OP_CALL_KFUNC) {
                FAIL("kernel function calls are not supported");
            }
            break;
        case BPFRT_K_LDDW: {
            uint64_t v = d.value;
            switch (d.src) {
            case 0:
            case BPF_PSEUDO_MAP_VALUE:
            case BPF_PSEUDO_MAP_IDX_VALUE:
                break;
            case BPF_PSEUDO_MAP_FD:
            case BPF_PSEUDO_MAP_IDX:
                maps[nr_maps++] = (uintptr_t)v;
                break;
            case BPF_PSEUDO_FUNC:
                if (d.target < 0 || (uint32_t)d.target >= len)
                    FAIL("invalid function reference");
                funcs[nr_funcs++] = (uint32_t)d.target;
                v = (uint64_t)(uintptr_t)&code->slots[d.target];
                break;
            default:
                FAIL("ld_imm64 with src_reg %u is not supported", d.src);
            }
            s->imm = v;
            code->slots[pc + 1].op = INTERP_OP_BAD;
            pc++;
            break;
        }
        default:
            break;
        }
    }
    code->slots[len].op = INTERP_OP_FELL_OFF;

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

void bpfrt_interp_release(struct bpfrt_prog *prog)
{
    code_free(prog->rt, prog->engine_state);
    prog->engine_state = NULL;
}
