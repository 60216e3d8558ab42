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
    prog->engine_state = jp->vm;
    if (jp->vm)
        bpfrt_interp_release(prog);
    bpfrt_free(rt, jp, jit_prog_size(jp->len));
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
    else if (!(jp = bpfrt_zalloc(rt, jit_prog_size(prog->len))))
        why = "out of memory";
    if (!why) {
        jp->vm = prog->engine_state;
        jp->len = prog->len;
        jp->insn_off = (uint32_t *)(jp + 1);
        jp->mode = (uint8_t)mode;
        jp->blind = rt->jit_blind;
        int cerr = bpfrt_jit_compile(prog, jp, msg, sizeof(msg)); /* (it times itself) */
        if (cerr) {
            bpfrt_free(rt, jp, jit_prog_size(prog->len));
            why = msg[0] ? msg : "compile failed";
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
