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

/* An engine's run keeps the budget in *counter (units left, INT64_MAX:
 * unlimited; it stops the run below 0) and makes it the one bpfrt_run_charge
 * draws from: open sets it from run->insn_budget and returns what to pass to
 * close, which writes what is left back (at least 1 when limited). */
static inline int64_t *bpfrt_run_budget_open(struct bpfrt_run *run, int64_t *counter)
{
    *counter = run->insn_budget == 0 || run->insn_budget > (uint64_t)INT64_MAX ? INT64_MAX
                                                                               : (int64_t)run->insn_budget;
    int64_t *saved = run->budget_left;
    run->budget_left = counter;
    return saved;
}
static inline void bpfrt_run_budget_close(struct bpfrt_run *run, int64_t *saved)
{
    if (run->insn_budget) {
        int64_t left = *run->budget_left;
        run->insn_budget = left > 0 ? (uint64_t)left : 1;
    }
    run->budget_left = saved;
}

/* The negative errno an engine run returns for run->error. */
int bpfrt_run_errno(enum bpfrt_run_error err);

/* ---- regions, for engines (regions.c) ---- */

/* bpfrt_run_begin's empty bookkeeping (the caches are set by an engine's
 * bpfrt_run_regions_home before any use). */
static inline void bpfrt_run_regions_init(struct bpfrt_run *run)
{
    struct bpfrt_run_regions *g = &run->rgn;
    g->nr = g->nr_fixed = g->recycle = g->hint = g->nr_scoped = 0;
    g->packet = g->nocache = UINT32_MAX;
    run->nr_refs = 0;
}
/* What a checked run of prog may see from the start, as fixed regions: a
 * plain-memory context, the packet, prog's global data (bpfrt_prog_run
 * calls it before each engine run). */
void bpfrt_run_add_start_regions(struct bpfrt_run *run, const struct bpfrt_prog *prog);
/* The global data (.data/.rodata/.bss values) of prog, fixed; engines call
 * it for a tail call's target. */
void bpfrt_run_add_prog_regions(struct bpfrt_run *run, const struct bpfrt_prog *prog);

static inline void bpfrt_run_regions_cache_reset(struct bpfrt_run *run)
{
    struct bpfrt_run_regions *g = &run->rgn;
    g->rd_lo = g->wr_lo = g->home_lo;
    g->rd_span = g->wr_span = g->home_span;
}
/* An engine run's bracket: save makes everything registered so far fixed;
 * restore drops what the engine run added (its stack lived in its frame).
 * The caches need no saving: nothing reads them between engine runs, and
 * the next one sets its home. */
struct bpfrt_run_regions_mark {
    uint32_t nr, nr_fixed, recycle, nr_scoped, packet, nocache;
};
static inline void bpfrt_run_regions_save(struct bpfrt_run *run, struct bpfrt_run_regions_mark *m)
{
    struct bpfrt_run_regions *g = &run->rgn;
    *m = (struct bpfrt_run_regions_mark){ g->nr, g->nr_fixed, g->recycle, g->nr_scoped, g->packet, g->nocache };
    g->nr_fixed = g->nr;
}
static inline void bpfrt_run_regions_restore(struct bpfrt_run *run, const struct bpfrt_run_regions_mark *m)
{
    struct bpfrt_run_regions *g = &run->rgn;
    g->nr = m->nr;
    g->nr_fixed = m->nr_fixed;
    g->recycle = m->recycle;
    g->nr_scoped = m->nr_scoped;
    g->packet = m->packet;
    g->nocache = m->nocache;
    g->hint = 0;
}
/* The range the inline caches fall back to (valid for the whole engine
 * run, at least 8 bytes); also resets them. */
static inline void bpfrt_run_regions_home(struct bpfrt_run *run, uintptr_t lo, uint64_t span)
{
    run->rgn.home_lo = lo;
    run->rgn.home_span = span;
    bpfrt_run_regions_cache_reset(run);
}
/* The region holding [addr, addr+size) (writable if `write`), or NULL;
 * remembers it for the next lookup and the inline caches. */
const struct bpfrt_region *bpfrt_run_region_lookup(struct bpfrt_run *run, uint64_t addr, uint64_t size,
                                                   bool write);

/* ---- references (run.c) ---- */

/* At the end of the program: releases every reference the run still holds
 * and, when rc is 0, fails the run (BPFRT_RUN_UNRELEASED_REF). Returns the
 * run's result. */
int bpfrt_run_release_held_refs(struct bpfrt_run *run, int rc);
static inline int bpfrt_run_release_refs(struct bpfrt_run *run, int rc)
{
    return run->nr_refs ? bpfrt_run_release_held_refs(run, rc) : rc;
}

struct bpfrt_diag;
/* What the caller of bpfrt_prog_new vouches for. */
enum {
    BPFRT_PROG_NEW_VALIDATED = 1u << 0, /* structural validation already ran (PROG_LOAD: once per load) */
    BPFRT_PROG_NEW_VERIFIED = 1u << 1,  /* the verifier accepted it: prepared for verified runs */
};
/* Creates a program (bpfrt_prog_create_opts without the text conversion).
 * flags: BPFRT_PROG_NEW_*; a verified program is marked so before the
 * engine prepares it (the JIT compiles verified code without checks).
 * Errors and the engine-fallback note go to diag. */
int bpfrt_prog_new(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                   const struct bpfrt_prog_create_opts *opts, unsigned flags, struct bpfrt_diag *diag,
                   struct bpfrt_prog **out);
/* The same for a verified program, with what the verifier proved (facts:
 * core/prog/facts.h, or NULL), which the program takes over whatever the
 * result: the engine prepares the program with them at hand. */
struct bpfrt_prog_facts;
int bpfrt_prog_new_facts(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                         const struct bpfrt_prog_create_opts *opts, unsigned flags,
                         struct bpfrt_prog_facts *facts, struct bpfrt_diag *diag, struct bpfrt_prog **out);

#endif
