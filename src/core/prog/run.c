/* Runs (Linux's bpf_prog_run and its callers' bracket, include/linux/filter.h):
 * the run bracket (CPU slot, read-side section, defaults), running through
 * the program's engine with tail calls, run statistics while enabled
 * (__bpf_prog_run's stats path), the run's one budget (instructions
 * and helper work draw from the same counter), run errors, and callbacks
 * from helpers dispatched to the engine running the program. */
#include "core/core.h"
#include "core/prog/prog.h"

void bpfrt_run_begin(struct bpfrt_run *run, struct bpfrt_prog *prog)
{
    struct bpfrt_runtime *rt = prog->rt;
    const struct bpfrt_platform *plat = rt->plat;
    run->rt = rt;
    run->prog = prog;
    run->cpu = plat->cpu_claim ? plat->cpu_claim(plat->ctx) : 0;
    if (plat->read_lock)
        plat->read_lock(plat->ctx);
    run->checked = !prog->verified;
    bpfrt_run_regions_init(run);
    run->insn_budget = prog->verified ? 0 : BPFRT_RUN_DEFAULT_BUDGET;
    run->budget_left = NULL;
    run->tail_call_cnt = 0;
    run->tail_call_target = NULL;
    run->error = BPFRT_RUN_OK;
    run->error_insn = 0;
    run->error_addr = 0;
    run->error_msg[0] = '\0';
    run->engine_priv = NULL;
    run->exit_insn = UINT32_MAX;
}

void bpfrt_run_end(struct bpfrt_run *run)
{
    const struct bpfrt_platform *plat = run->rt->plat;
    bpfrt_run_release_refs(run, -BPFRT_EINVAL); /* a caller that ran the engine itself */
    if (plat->read_unlock)
        plat->read_unlock(plat->ctx);
    if (plat->cpu_release)
        plat->cpu_release(plat->ctx, run->cpu);
}

/* The engine runs prog, then the tail-call targets it leaves. */
static inline __attribute__((always_inline)) int run_engine(struct bpfrt_prog *prog, struct bpfrt_run *run,
                                                            uint64_t r1, uint64_t r2, uint64_t *ret)
{
    /* a trusted engine runs the program unchecked: it would drop them
     * unread (a checked tail-call target gets them below) */
    if (run->checked && prog->engine != BPFRT_ENGINE_JIT_TRUSTED)
        bpfrt_run_add_start_regions(run, prog);
    int rc = prog->engine_ops->run(prog, run, r1, r2, ret);
    /* Engines that leave a tail call to us (or hand an unverified target
     * back from an unchecked run): the target replaces the program. */
    while (rc == 0 && run->tail_call_target) {
        struct bpfrt_prog *next = run->tail_call_target;
        run->tail_call_target = NULL;
        if (!next->verified)
            run->checked = true;
        run->prog = next;
        bpfrt_run_add_start_regions(run, next);
        rc = next->engine_ops->run(next, run, (uint64_t)(uintptr_t)run->ctx, 0, ret);
    }
    return rc;
}

/* A run while statistics are enabled (Linux's __bpf_prog_run with
 * bpf_stats_enabled_key): counted, and timed with the platform's clock, on
 * the program the run started with (tail-call targets count nothing of
 * their own, as in Linux). Linux sums per CPU; here one atomic add each. */
static __attribute__((noinline)) int run_counted(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1,
                                                 uint64_t r2, uint64_t *ret)
{
    const struct bpfrt_platform *plat = prog->rt->plat;
    uint64_t start = plat->ktime_ns ? plat->ktime_ns(plat->ctx) : 0;
    int rc = run_engine(prog, run, r1, r2, ret);
    uint64_t duration = plat->ktime_ns ? plat->ktime_ns(plat->ctx) - start : 0;
    __atomic_add_fetch(&prog->run_cnt, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&prog->run_time_ns, duration, __ATOMIC_RELAXED);
    return rc;
}

int bpfrt_prog_run(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1, uint64_t r2,
                   uint64_t *ret)
{
    *ret = 0;
    if (!prog->engine_ops || !prog->engine_ops->run) {
        bpfrt_run_fail(run, BPFRT_RUN_BAD_INSN, 0, "program has no engine");
        return -BPFRT_EINVAL;
    }
    if (!run->ctx)
        run->ctx = (void *)(uintptr_t)r1;
    /* Statistics off (the usual case): one plain load, no locked
     * instruction on the run's path. */
    int rc = __builtin_expect(__atomic_load_n(&prog->rt->stats_enabled, __ATOMIC_RELAXED) != 0, 0)
                 ? run_counted(prog, run, r1, r2, ret)
                 : run_engine(prog, run, r1, r2, ret);
    return bpfrt_run_release_refs(run, rc);
}

/* ---- the budget ---- */

/* Linux needs no such charge: its verifier bounds what a program can make a
 * helper do; a checked run has only the budget. Helper work draws from the
 * engine's live counter, so a run's instructions and its helpers' work
 * together stay within the one budget (not one budget each). */
bool bpfrt_run_charge(struct bpfrt_run *run, uint64_t units)
{
    if (!run->insn_budget)
        return true; /* unlimited: the verifier bounded the program */
    int64_t *left = run->budget_left;
    if (left) {
        if (*left >= 0 && units <= (uint64_t)*left) {
            *left -= (int64_t)units;
            return true;
        }
        *left = -1;
    } else if (units < run->insn_budget) {
        run->insn_budget -= units;
        return true;
    } else {
        run->insn_budget = 1;
    }
    bpfrt_run_fail(run, BPFRT_RUN_BUDGET, 0, "instruction budget exhausted (helper work)");
    return false;
}

int bpfrt_run_errno(enum bpfrt_run_error err)
{
    static const int map[] = {
        [BPFRT_RUN_OK] = 0,
        [BPFRT_RUN_BAD_ACCESS] = -BPFRT_EFAULT,
        [BPFRT_RUN_BAD_HELPER_ARG] = -BPFRT_EINVAL,
        [BPFRT_RUN_UNKNOWN_HELPER] = -BPFRT_EINVAL,
        [BPFRT_RUN_BUDGET] = -BPFRT_ELOOP,
        [BPFRT_RUN_CALL_DEPTH] = -BPFRT_E2BIG,
        [BPFRT_RUN_BAD_INSN] = -BPFRT_EINVAL,
        [BPFRT_RUN_ABORTED] = -BPFRT_EINTR,
        [BPFRT_RUN_UNRELEASED_REF] = -BPFRT_EINVAL,
    };
    if ((unsigned)err >= sizeof(map) / sizeof(map[0]) || map[err] == 0)
        return -BPFRT_EINVAL;
    return map[err];
}

/* ---- references ---- */

int bpfrt_run_ref_acquire(struct bpfrt_run *run, const void *ptr, void (*release)(void *ptr),
                          const char *what)
{
    if (!run->checked)
        return 0;
    if (run->nr_refs >= BPFRT_RUN_MAX_REFS)
        return -BPFRT_E2BIG;
    run->refs[run->nr_refs++] = (struct bpfrt_run_ref){ ptr, release, what };
    return 0;
}

bool bpfrt_run_ref_held(const struct bpfrt_run *run, const void *ptr)
{
    if (!run->checked)
        return true;
    for (uint32_t i = 0; i < run->nr_refs; i++)
        if (run->refs[i].ptr == ptr)
            return true;
    return false;
}

void bpfrt_run_ref_drop(struct bpfrt_run *run, const void *ptr)
{
    for (uint32_t i = 0; i < run->nr_refs; i++)
        if (run->refs[i].ptr == ptr) {
            run->refs[i] = run->refs[--run->nr_refs];
            return;
        }
}

int bpfrt_run_release_held_refs(struct bpfrt_run *run, int rc)
{
    /* Linux refuses such a program at load ("Unreleased reference"); here
     * the run fails - and the reference goes back, so the ring buffer is
     * not left with a record that blocks its consumer forever. */
    const char *what = run->refs[0].what;
    uint32_t n = run->nr_refs;
    while (run->nr_refs) {
        struct bpfrt_run_ref r = run->refs[--run->nr_refs];
        if (r.release)
            r.release((void *)(uintptr_t)r.ptr);
    }
    if (rc != 0)
        return rc;
    bpfrt_run_fail(run, BPFRT_RUN_UNRELEASED_REF, 0,
                   "the program exited holding %u reference%s (a %s: release it before exit)", n,
                   n == 1 ? "" : "s", what ? what : "resource");
    run->error_insn = run->exit_insn;
    return bpfrt_run_errno(BPFRT_RUN_UNRELEASED_REF);
}

void bpfrt_run_fail(struct bpfrt_run *run, enum bpfrt_run_error err, uint64_t addr, const char *fmt, ...)
{
    if (run->error != BPFRT_RUN_OK)
        return;
    run->error = err == BPFRT_RUN_OK ? BPFRT_RUN_ABORTED : err;
    run->error_insn = UINT32_MAX; /* the engine fills in the instruction */
    run->error_addr = addr;
    va_list ap;
    va_start(ap, fmt);
    bpfrt_vsnprintf(run->error_msg, sizeof(run->error_msg), fmt, ap);
    va_end(ap);
}

int bpfrt_run_callback(struct bpfrt_run *run, uint64_t func, uint64_t r1, uint64_t r2,
                       uint64_t r3, uint64_t r4, uint64_t r5, uint64_t *ret)
{
    *ret = 0;
    /* The current program's engine runs it: a tail call may have changed
     * the program since the run started. */
    const struct bpfrt_engine_ops *ops = run && run->prog ? run->prog->engine_ops : NULL;
    if (!ops || !ops->callback)
        return -BPFRT_EINVAL;
    const uint64_t args[5] = { r1, r2, r3, r4, r5 };
    return ops->callback(run, func, args, ret);
}
