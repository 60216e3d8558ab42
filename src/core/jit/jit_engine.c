/* The JIT as an engine (src/core/prog/engine.c's table): prepare picks
 * the mode and compiles, with the interpreter as the fallback when there is
 * no executable memory or the compile fails (Linux's
 * bpf_prog_select_runtime falls back the same way); release frees the
 * image; and the public queries of bpfrt/jit.h. */
#include "core/jit/jit.h"

static void jit_release(struct bpfrt_prog *prog)
{
    struct jit_prog *jp = prog->engine_state;
    struct bpfrt_runtime *rt = prog->rt;
    if (!jp)
        return;
    if (jp->image)
        rt->plat->exec_free(rt->plat->ctx, jp->image, jp->image_len);
    bpfrt_free(rt, jp->insn_off, ((size_t)jp->len + 1) * sizeof(uint32_t));
    prog->engine_state = jp->vm;
    if (jp->vm)
        bpfrt_interp_release(prog);
    bpfrt_free(rt, jp, sizeof(*jp));
    prog->engine_state = NULL;
}

/* True when the program type's context has fields that are pointers in
 * disguise (xdp_md.data): reading them needs checked mode's conversion
 * until the verifier rewrites those loads. */
static bool ctx_needs_conversion(const struct bpfrt_prog *prog)
{
    const struct bpfrt_ctx_desc *desc = bpfrt_ctx_desc_for(prog->type, prog->expected_attach_type);
    for (uint32_t i = 0; desc && i < desc->nr_fields; i++)
        if (desc->fields[i].kind != BPFRT_CTX_SCALAR)
            return true;
    return false;
}

static enum jit_mode mode_for(struct bpfrt_prog *prog, bool trusted, struct bpfrt_diag *diag)
{
    if (prog->verified)
        return JIT_VERIFIED;
    if (trusted && ctx_needs_conversion(prog)) {
        bpfrt_diag_note(diag, "note: the program runs in checked mode: its context needs field conversion, "
                              "which trusted mode lacks");
        prog->engine = BPFRT_ENGINE_JIT;
        prog->engine_ops = &bpfrt_jit_ops;
        return JIT_CHECKED;
    }
    return trusted ? JIT_TRUSTED : JIT_CHECKED;
}

/* What the run needs of the program: whether it calls out (a helper, which
 * may be bpf_tail_call; callx; a kfunc), which is all that can reach the
 * run's budget and its state through C, and whether it can reach its entry
 * frame's stack - not when no instruction names r10 and it calls nothing
 * but its own functions (a tail call's target would enter the frame).
 * Then an unchecked run need not zero it (sum32's loop; the interpreter's
 * zeroing cannot be observed). Local calls' frames are zeroed on their
 * own. Checked runs always zero it: an address guessed into the stack
 * passes their test. One pass over the decoded slots the compile read. */
static void plan_run(struct jit_prog *jp)
{
    const struct interp_slot *sl = jp->vm->slots;
    bool names_r10 = false;
    bool calls_out = false;
    /* (an ld_imm64's second half is a BAD slot with registers 0: not
     * skipped, so that no pc waits for the kind of the one before) */
    for (uint32_t pc = 0, len = jp->vm->len; pc < len; pc++) {
        uint8_t kind = bpfrt_op_kind(sl[pc].op);
        bool src_is_reg = kind != BPFRT_K_LDDW && kind != BPFRT_K_CALL; /* src: a pseudo kind or a flag there */
        names_r10 |= (sl[pc].dst == BPF_REG_10) | (src_is_reg & (sl[pc].src == BPF_REG_10));
        calls_out |= (kind == BPFRT_K_CALL) & (sl[pc].op != BPFRT_OP_CALL_LOCAL);
    }
    jp->calls_out = calls_out;
    if (jp->mode != JIT_CHECKED && !names_r10 && !jp->calls_out)
        jp->entry_zero = 0;
}

/* Compiles prog; on any JIT failure the program stays with the
 * interpreter, with a note. Errors only for what the interpreter refuses
 * too. */
static int jit_prepare_mode(struct bpfrt_prog *prog, bool trusted, struct bpfrt_diag *diag)
{
    struct bpfrt_runtime *rt = prog->rt;
    const struct bpfrt_platform *plat = rt->plat;
    enum jit_mode mode = mode_for(prog, trusted, diag);
    /* the interpreter's decoded form: validation, helper prototypes, handles */
    int err = bpfrt_interp_decode(prog, diag);
    if (err)
        return err;
    const char *why = NULL;
    char msg[160] = "";
    struct jit_prog *jp = NULL;
    if (!plat->exec_alloc || !plat->exec_seal || !plat->exec_free)
        why = "the platform has no executable memory";
    else if (!(jp = bpfrt_zalloc(rt, sizeof(*jp))))
        why = "out of memory";
    if (!why) {
        jp->vm = prog->engine_state;
        jp->mode = (uint8_t)mode;
        jp->blind = rt->jit_blind;
        int cerr = bpfrt_jit_compile(prog, jp, msg, sizeof(msg)); /* (it times itself) */
        if (cerr) {
            bpfrt_free(rt, jp, sizeof(*jp));
            why = msg[0] ? msg : "compile failed";
        } else {
            plan_run(jp);
        }
    }
    if (why) {
        /* the decoded program is the interpreter's: it runs there */
        prog->engine_ops = &bpfrt_interp_ops;
        prog->engine = BPFRT_ENGINE_INTERP;
        bpfrt_diag_note(diag, "note: the JIT cannot run the program (%s); the interpreter runs it", why);
        return 0;
    }
    prog->engine_state = jp;
    return 0;
}

static int prepare_checked(struct bpfrt_prog *prog, struct bpfrt_diag *diag)
{
    return jit_prepare_mode(prog, false, diag);
}

static int prepare_trusted(struct bpfrt_prog *prog, struct bpfrt_diag *diag)
{
    return jit_prepare_mode(prog, true, diag);
}

const struct bpfrt_engine_ops bpfrt_jit_ops = {
    .name = "jit",
    .prepare = prepare_checked,
    .run = bpfrt_jit_run,
    .release = jit_release,
    .callback = bpfrt_jit_callback,
};

const struct bpfrt_engine_ops bpfrt_jit_trusted_ops = {
    .name = "jit-trusted",
    .prepare = prepare_trusted,
    .run = bpfrt_jit_run,
    .release = jit_release,
    .callback = bpfrt_jit_callback,
};

bool bpfrt_jit_ops_is_jit(const struct bpfrt_engine_ops *ops)
{
    return ops == &bpfrt_jit_ops || ops == &bpfrt_jit_trusted_ops;
}

void bpfrt_runtime_set_jit_blinding(struct bpfrt_runtime *rt, bool on)
{
    rt->jit_blind = on;
}

int bpfrt_prog_use_jit(struct bpfrt_prog *prog, enum bpfrt_engine_kind kind, bool *jitted, char *msg,
                       size_t msg_size)
{
    bool dummy;
    if (!jitted)
        jitted = &dummy;
    *jitted = false;
    struct bpfrt_diag diag;
    bpfrt_diag_init(&diag, msg, msg_size);
    if (kind != BPFRT_ENGINE_JIT && kind != BPFRT_ENGINE_JIT_TRUSTED)
        return bpfrt_diag_fail(&diag, -BPFRT_EINVAL, BPFRT_DIAG_NO_INSN, "not a JIT engine: %u", (unsigned)kind);
    if (prog->engine_state && prog->engine_ops && prog->engine_ops->release)
        prog->engine_ops->release(prog);
    prog->engine_state = NULL;
    prog->engine = kind;
    prog->engine_ops = kind == BPFRT_ENGINE_JIT ? &bpfrt_jit_ops : &bpfrt_jit_trusted_ops;
    int err = prog->engine_ops->prepare(prog, &diag);
    *jitted = !err && bpfrt_jit_ops_is_jit(prog->engine_ops);
    return err;
}

static const struct jit_prog *jit_state(const struct bpfrt_prog *prog)
{
    return prog && bpfrt_jit_ops_is_jit(prog->engine_ops) ? prog->engine_state : NULL;
}

bool bpfrt_jit_image(const struct bpfrt_prog *prog, const void **code, uint32_t *len)
{
    const struct jit_prog *jp = jit_state(prog);
    if (!jp)
        return false;
    *code = jp->image;
    *len = jp->image_len;
    return true;
}

bool bpfrt_jit_get_stats(const struct bpfrt_prog *prog, struct bpfrt_jit_stats *st)
{
    static const char *const names[] = { "verified", "checked", "trusted" };
    const struct jit_prog *jp = jit_state(prog);
    if (!jp)
        return false;
    st->mode = names[jp->mode];
    st->insns = jp->len;
    st->image_len = jp->image_len;
    st->passes = jp->passes;
    st->compile_ns = jp->compile_ns;
    st->exec_mem_ns = jp->exec_mem_ns;
    st->blinded = jp->blind;
    st->facts = jp->facts;
    return true;
}

uint32_t bpfrt_jit_insn_offset(const struct bpfrt_prog *prog, uint32_t pc)
{
    const struct jit_prog *jp = jit_state(prog);
    return jp && pc <= jp->len ? jp->insn_off[pc] : UINT32_MAX;
}
