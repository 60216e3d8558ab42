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

#endif
