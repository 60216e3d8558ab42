/* Internal to the core: the engine-neutral program layer (program objects,
 * the run bracket, engines). The public half is include/bpfrt/prog.h. */
#ifndef BPFRT_CORE_PROG_H
#define BPFRT_CORE_PROG_H

#include "bpfrt/prog.h"

/* Default instruction budget of a checked (unverified) run, set by
 * bpfrt_run_begin; verified programs run without one (0 = unlimited). At
 * roughly 1 ns per instruction this stops a runaway loop after about a
 * second. Callers may change run->insn_budget after bpfrt_run_begin. */
#define BPFRT_RUN_DEFAULT_BUDGET (1ull << 30)

/* The engine a new program gets for `requested` (BPFRT_ENGINE_DEFAULT: the
 * runtime's default). One the build lacks falls back to the interpreter,
 * with a note in `note`. Returns 0, or -EINVAL for an unknown kind. */
int bpfrt_engine_choose(const struct bpfrt_runtime *rt, enum bpfrt_engine_kind requested,
                        enum bpfrt_engine_kind *kind, char *note, size_t note_size);

struct bpfrt_diag;
/* Creates a program (bpfrt_prog_create_opts without the text conversion):
 * `validated` says the caller already ran structural validation on these
 * instructions (PROG_LOAD does, once per load), so it is not run again.
 * Errors and the engine-fallback note go to diag. */
int bpfrt_prog_new(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                   const struct bpfrt_prog_create_opts *opts, bool validated, struct bpfrt_diag *diag,
                   struct bpfrt_prog **out);

#endif
