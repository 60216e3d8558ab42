/* Runs (Linux's bpf_prog_run and its callers' bracket, include/linux/filter.h):
 * the run bracket (CPU slot, read-side section, defaults), running through
 * the program's engine with tail calls, run errors, and callbacks from
 * helpers dispatched to the engine running the program. */
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
    run->nr_regions = 0;
    run->insn_budget = prog->verified ? 0 : BPFRT_RUN_DEFAULT_BUDGET;
    run->tail_call_cnt = 0;
    run->tail_call_target = NULL;
    run->error = BPFRT_RUN_OK;
    run->error_insn = 0;
    run->error_addr = 0;
    run->error_msg[0] = '\0';
    run->engine_priv = NULL;
}

void bpfrt_run_end(struct bpfrt_run *run)
{
    const struct bpfrt_platform *plat = run->rt->plat;
    if (plat->read_unlock)
        plat->read_unlock(plat->ctx);
    if (plat->cpu_release)
        plat->cpu_release(plat->ctx, run->cpu);
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
    __atomic_add_fetch(&prog->run_cnt, 1, __ATOMIC_RELAXED);
    int rc = prog->engine_ops->run(prog, run, r1, r2, ret);
    /* Engines that leave a tail call to us (or hand an unverified target
     * back from an unchecked run): the target replaces the program. */
    while (rc == 0 && run->tail_call_target) {
        struct bpfrt_prog *next = run->tail_call_target;
        run->tail_call_target = NULL;
        if (!next->verified)
            run->checked = true;
        run->prog = next;
        rc = next->engine_ops->run(next, run, (uint64_t)(uintptr_t)run->ctx, 0, ret);
    }
    return rc;
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
