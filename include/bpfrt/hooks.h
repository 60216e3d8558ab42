/* Running a loaded program on a test input, typed. BPF_PROG_TEST_RUN
 * (bpfrt_bpf) is the Linux-shaped front of the same code; this API adds
 * what Linux's attr has no room for: where the program redirected the
 * packet, and why a checked run stopped. docs/bpf-commands.md describes the
 * per-type behaviour. */
#ifndef BPFRT_HOOKS_H
#define BPFRT_HOOKS_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>

struct bpfrt_runtime;
struct bpfrt_prog;
struct bpfrt_run;

/* Inputs, as the test fields of union bpf_attr. */
struct bpfrt_test_run_opts {
    const void *data_in;
    uint32_t data_size_in;
    void *data_out;          /* may be NULL */
    uint32_t data_size_out;  /* 0: no limit (Linux's old behaviour) */
    const void *ctx_in;
    uint32_t ctx_size_in;
    void *ctx_out;
    uint32_t ctx_size_out;
    uint32_t repeat;         /* 0 means 1 */
    uint32_t flags;          /* BPF_F_TEST_* */
    uint32_t cpu;
    uint32_t batch_size;
    /* bpfrt: instructions each run may execute (0: the program's default,
     * unlimited when verified; UINT64_MAX: unlimited), and a per-instruction
     * trace of the first run (the interpreter's hook, struct bpfrt_run). */
    uint64_t insn_budget;
    void (*trace)(void *arg, const struct bpfrt_run *run, uint32_t pc, const uint64_t regs[11],
                  const uint64_t before[11]);
    void *trace_arg;
};

struct bpfrt_test_run_result {
    uint32_t retval;         /* r0, truncated to u32 as Linux reports it */
    uint32_t duration;       /* average ns per run */
    uint32_t data_size_out;  /* bytes the output needs (also on -ENOSPC) */
    uint32_t ctx_size_out;
    bool finished;           /* the run completed and outputs were produced */
    bool has_duration;       /* the type reports a duration (raw_tp does not) */
    bool ctx_written;        /* ctx_out was written */

    /* Redirect requested by the last run (bpf_redirect / bpf_redirect_map). */
    bool redirected;
    uint32_t redirect_ifindex;
    uint64_t redirect_flags;
    uint32_t redirect_map_id; /* 0 unless bpf_redirect_map */
    uint32_t redirect_key;

    /* Why a checked run stopped early (enum bpfrt_run_error; 0 = it did not). */
    int run_error;
    uint32_t error_insn;
    char error_msg[160];
};

/* Runs prog on the input as BPF_PROG_TEST_RUN does for its type (XDP, tc,
 * socket filter, cgroup_skb, raw tracepoint, syscall, and - beyond Linux -
 * kprobe, tracepoint and perf_event with ctx_in as the raw context). Fills
 * *res and returns 0 or a negative errno as Linux would (-EINVAL for bad
 * inputs, -ENOSPC when data_out or ctx_out is too small: res still holds
 * the sizes needed, -ENOTSUPP for types without a test run). */
int bpfrt_prog_test_run(struct bpfrt_runtime *rt, struct bpfrt_prog *prog,
                        const struct bpfrt_test_run_opts *opts, struct bpfrt_test_run_result *res);

#pragma GCC visibility pop

#endif
