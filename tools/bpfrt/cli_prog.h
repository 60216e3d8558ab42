/* Shared by the files of `bpfrt prog` (cmd_prog.c: options, loading and
 * reports; prog_run.c: inputs and test runs; map_state.c: map contents set
 * on the command line and kept between invocations in a state file). */
#ifndef BPFRT_CLI_PROG_H
#define BPFRT_CLI_PROG_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfrt/prog.h"
#include "cli_elf.h"

#define PROG_MAX_ITEMS 64

struct bpfrt_runtime;

/* One input of a run: a packet (hex text or a file) or a context (a file,
 * or raw tracepoint arguments "1,2,3"). */
struct prog_input {
    const char *text;
    bool from_file;
};

struct map_set {
    const char *map;
    const char *kv;   /* "KEY=VALUE" */
};

struct prog_args {
    struct cli_obj_opts o;
    const char *section, *prog;
    struct prog_input data[PROG_MAX_ITEMS], ctx[PROG_MAX_ITEMS];
    int nr_data, nr_ctx;
    uint32_t repeat;
    bool trace;
    uint64_t budget;  /* --budget N: 0 = not given */
    bool budget_set;
    bool dump_maps;
    bool no_verify;   /* --no-verify: load with BPFRT_PROG_F_NO_VERIFY (checked mode) */
    bool unpriv;      /* --unprivileged: load with BPFRT_PROG_F_UNPRIV */
    bool show_log;    /* --log: prog load prints each refused program's verifier log */
    const char *state;
    struct map_set sets[PROG_MAX_ITEMS];
    int nr_sets;
    const char *rodata[PROG_MAX_ITEMS];
    int nr_rodata;
    const char *host_reads; /* --host-reads none|all; NULL: by program type */
    enum bpfrt_engine_kind engine; /* --jit, --trusted; 0: the interpreter (the runtime's default) */
};

/* Runs program p once per input (maps kept between runs) and prints each
 * result as bpftool does; returns a CLI exit status (prog_run.c). */
int prog_run_inputs(struct bpfrt_runtime *rt, struct bpfrt_object *obj, struct bpfrt_object_prog *p,
                    const struct prog_args *a);

/* --rodata VAR=VALUE before load, --map-set MAP KEY=VALUE after it
 * (map_state.c). Each prints what is wrong and returns false on failure. */
bool prog_apply_rodata(struct bpfrt_object *obj, const char *assign);
bool prog_apply_map_set(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const struct map_set *s);

/* --state FILE: the contents of the object's maps (hash and array
 * families, global data) read back from FILE after load when it exists,
 * and written to it at the end (map_state.c). */
bool prog_state_restore(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *path);
bool prog_state_save(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *path);

#endif
