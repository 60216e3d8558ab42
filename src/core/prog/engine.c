/* Engines: which one runs a program. Linux has one interpreter and one JIT
 * per architecture, chosen system-wide (net.core.bpf_jit_enable) with a
 * fallback to the interpreter when the JIT cannot compile a program
 * (kernel/bpf/core.c, bpf_prog_select_runtime). bpfrt lets the embedder
 * pick a runtime-wide default and each load pick its own; the runtime holds
 * the table of engines this build has (src/core/runtime.c fills it). */
#include "core/core.h"
#include "core/prog/prog.h"

const struct bpfrt_engine_ops *bpfrt_engine_find(const struct bpfrt_runtime *rt,
                                                 enum bpfrt_engine_kind kind)
{
    if (kind == BPFRT_ENGINE_DEFAULT)
        kind = (enum bpfrt_engine_kind)rt->default_engine;
    if ((unsigned)kind >= BPFRT_ENGINE_COUNT || kind == BPFRT_ENGINE_DEFAULT)
        return NULL;
    return rt->engines[kind];
}

int bpfrt_runtime_set_default_engine(struct bpfrt_runtime *rt, enum bpfrt_engine_kind kind)
{
    /* trusted code is vouched for per load, never by default */
    if ((unsigned)kind >= BPFRT_ENGINE_COUNT || kind == BPFRT_ENGINE_JIT_TRUSTED)
        return -BPFRT_EINVAL;
    rt->default_engine = kind == BPFRT_ENGINE_DEFAULT ? BPFRT_ENGINE_INTERP : (unsigned)kind;
    return 0;
}

enum bpfrt_engine_kind bpfrt_runtime_default_engine(const struct bpfrt_runtime *rt)
{
    return (enum bpfrt_engine_kind)rt->default_engine;
}

static const char *const kind_names[BPFRT_ENGINE_COUNT] = {
    [BPFRT_ENGINE_DEFAULT] = "default",
    [BPFRT_ENGINE_INTERP] = "interpreter",
    [BPFRT_ENGINE_JIT] = "jit",
    [BPFRT_ENGINE_JIT_TRUSTED] = "trusted jit",
};

int bpfrt_engine_choose(const struct bpfrt_runtime *rt, enum bpfrt_engine_kind requested,
                        enum bpfrt_engine_kind *kind, char *note, size_t note_size)
{
    if ((unsigned)requested >= BPFRT_ENGINE_COUNT) {
        bpfrt_snprintf(note, note_size, "unknown engine %u", (unsigned)requested);
        return -BPFRT_EINVAL;
    }
    enum bpfrt_engine_kind k = requested == BPFRT_ENGINE_DEFAULT
                                   ? (enum bpfrt_engine_kind)rt->default_engine : requested;
    if (!rt->engines[k]) {
        /* The one fallback: every build has the interpreter. */
        bpfrt_snprintf(note, note_size, "note: the %s engine is not in this build; the interpreter runs the program",
                       kind_names[k]);
        k = BPFRT_ENGINE_INTERP;
    }
    *kind = k;
    return 0;
}
