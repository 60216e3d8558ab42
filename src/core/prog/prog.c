/* Program objects (Linux's struct bpf_prog, kernel/bpf/syscall.c and
 * core.c): creation (copy, validate, prepare with the chosen engine) and
 * reference counting. Runs are in run.c. */
#include "bpfrt/asm.h"
#include "bpfrt/diag.h"
#include "bpfrt/btf.h"
#include "bpfrt/map.h"
#include "core/core.h"
#include "core/prog/facts.h"
#include "core/prog/prog.h"
#include "core/prog/prog_types.h"
#include "core/isa/isa.h"

static bool is_map_ref(const struct bpf_insn *insn)
{
    uint8_t src = insn->src_reg;
    return bpfrt_insn_is_lddw(insn) &&
           (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_VALUE ||
            src == BPF_PSEUDO_MAP_IDX_VALUE);
}

/* Load-time validation refuses a map ld_imm64 whose immediates hold more
 * than an fd, which is exactly what rewritten map references hold (the map
 * or value address): validate a copy with those immediates cleared. */
static int validate_rewritten(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                              struct bpfrt_diag *diag)
{
    bool any = false;
    for (uint32_t i = 0; i + 1 < cnt && !any; i++)
        any = is_map_ref(&insns[i]) && (insns[i].imm || insns[i + 1].imm);
    if (!any)
        return bpfrt_isa_validate(insns, cnt, diag);
    size_t bytes = (size_t)cnt * sizeof(*insns);
    struct bpf_insn *copy = bpfrt_zalloc(rt, bytes);
    if (!copy)
        return -BPFRT_ENOMEM;
    bpfrt_memcpy(copy, insns, bytes);
    for (uint32_t i = 0; i + 1 < cnt; i++)
        if (is_map_ref(&copy[i])) {
            copy[i].imm = 0;
            copy[i + 1].imm = 0;
            i++;
        }
    int err = bpfrt_isa_validate(copy, cnt, diag);
    bpfrt_free(rt, copy, bytes);
    return err;
}

int bpfrt_prog_new(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                   const struct bpfrt_prog_create_opts *opts, unsigned flags, struct bpfrt_diag *diag,
                   struct bpfrt_prog **out)
{
    return bpfrt_prog_new_facts(rt, insns, cnt, opts, flags, NULL, diag, out);
}

int bpfrt_prog_new_facts(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                         const struct bpfrt_prog_create_opts *opts, unsigned flags,
                         struct bpfrt_prog_facts *facts, struct bpfrt_diag *diag, struct bpfrt_prog **out)
{
    static const struct bpfrt_prog_create_opts defaults;
    if (!opts)
        opts = &defaults;
    *out = NULL;
    int err = -BPFRT_EINVAL;
    if (!rt)
        return err;
    if (!insns || cnt == 0) {
        err = bpfrt_diag_fail(diag, -BPFRT_EINVAL, BPFRT_DIAG_NO_INSN, "empty program");
        goto fail;
    }
    if (cnt > BPFRT_MAX_INSNS) {
        err = bpfrt_diag_fail(diag, -BPFRT_E2BIG, BPFRT_DIAG_NO_INSN,
                              "program of %u instructions is too large (at most %u)", cnt, BPFRT_MAX_INSNS);
        goto fail;
    }
    enum bpfrt_engine_kind engine;
    char note[128] = "";
    err = bpfrt_engine_choose(rt, opts->engine, &engine, note, sizeof(note));
    if (err) {
        err = bpfrt_diag_fail(diag, err, BPFRT_DIAG_NO_INSN, "%s", note);
        goto fail;
    }
    if (!(flags & BPFRT_PROG_NEW_VALIDATED)) {
        err = validate_rewritten(rt, insns, cnt, diag);
        if (err)
            goto fail;
    }

    struct bpfrt_prog *prog = bpfrt_zalloc(rt, sizeof(*prog));
    err = -BPFRT_ENOMEM;
    if (!prog)
        goto fail;
    prog->facts = facts && facts->len == cnt ? facts : NULL;
    if (facts && !prog->facts)
        bpfrt_prog_facts_free(rt, facts);
    prog->rt = rt;
    prog->refcnt = 1;
    prog->type = opts->prog_type;
    prog->len = cnt;
    prog->insns = bpfrt_zalloc(rt, (size_t)cnt * sizeof(*insns));
    prog->orig_insns = bpfrt_zalloc(rt, (size_t)cnt * sizeof(*insns));
    if (!prog->insns || !prog->orig_insns) {
        bpfrt_prog_put(prog);
        return -BPFRT_ENOMEM;
    }
    bpfrt_memcpy(prog->insns, insns, (size_t)cnt * sizeof(*insns));
    bpfrt_memcpy(prog->orig_insns, insns, (size_t)cnt * sizeof(*insns));
    prog->verified = flags & BPFRT_PROG_NEW_VERIFIED;
    prog->engine = engine;
    prog->engine_ops = rt->engines[engine];
    err = prog->engine_ops->prepare(prog, diag);
    if (err) {
        bpfrt_prog_put(prog);
        return err;
    }
    if (note[0])
        bpfrt_diag_note(diag, "%s", note);
    prog->id = __atomic_add_fetch(&rt->next_prog_id, 1, __ATOMIC_RELAXED);
    if (rt->plat->ktime_ns)
        prog->load_time_ns = rt->plat->ktime_ns(rt->plat->ctx);
    *out = prog;
    return 0;
fail:
    bpfrt_prog_facts_free(rt, facts);
    return err;
}

int bpfrt_prog_create_opts(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                           const struct bpfrt_prog_create_opts *opts, char *msg, size_t msg_size,
                           struct bpfrt_prog **out)
{
    char text[256];
    struct bpfrt_diag diag;
    bpfrt_diag_init(&diag, text, sizeof(text));
    int err = bpfrt_prog_new(rt, insns, cnt, opts, 0, &diag, out);
    /* The public form names the instruction in the text. */
    if (diag.err && diag.insn != BPFRT_DIAG_NO_INSN)
        bpfrt_snprintf(msg, msg_size, "insn %lld: %s", (long long)diag.insn, text);
    else
        bpfrt_strlcpy(msg, text, msg_size);
    return err;
}

int bpfrt_prog_create(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                      uint32_t prog_type, char *msg, size_t msg_size, struct bpfrt_prog **out)
{
    struct bpfrt_prog_create_opts opts = { .prog_type = prog_type };
    return bpfrt_prog_create_opts(rt, insns, cnt, &opts, msg, msg_size, out);
}

void bpfrt_prog_get(struct bpfrt_prog *prog)
{
    bpfrt_atomic_inc(&prog->refcnt);
}

static void prog_free(void *arg)
{
    struct bpfrt_prog *prog = arg;
    struct bpfrt_runtime *rt = prog->rt;
    if (prog->engine_ops && prog->engine_ops->release && prog->engine_state)
        prog->engine_ops->release(prog);
    for (uint32_t i = 0; i < prog->nr_maps; i++)
        if (prog->maps[i])
            bpfrt_map_put(prog->maps[i]);
    bpfrt_free(rt, prog->maps, (size_t)prog->nr_maps * sizeof(*prog->maps));
    bpfrt_free(rt, prog->func_info, (size_t)prog->nr_func_info * sizeof(*prog->func_info));
    bpfrt_free(rt, prog->line_info, (size_t)prog->nr_line_info * sizeof(*prog->line_info));
    if (prog->btf)
        bpfrt_btf_put(prog->btf);
    bpfrt_ctx_desc_btf_free(rt, prog->ctx_desc);
    bpfrt_prog_facts_free(rt, prog->facts);
    bpfrt_free(rt, prog->insns, (size_t)prog->len * sizeof(*prog->insns));
    bpfrt_free(rt, prog->orig_insns, (size_t)prog->len * sizeof(*prog->orig_insns));
    bpfrt_free(rt, prog, sizeof(*prog));
}

void bpfrt_prog_put(struct bpfrt_prog *prog)
{
    if (!prog || bpfrt_atomic_dec(&prog->refcnt) != 0)
        return;
    /* A run on another CPU may still be executing it (reached through a
     * tail call before the last reference went): free past readers. */
    const struct bpfrt_platform *plat = prog->rt->plat;
    if (plat->defer_free)
        plat->defer_free(plat->ctx, prog_free, prog);
    else
        prog_free(prog);
}
