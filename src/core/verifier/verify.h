/* The verifier's entry points for the command layer (PROG_LOAD) and the
 * tools. A load runs, in Linux 6.18's bpf_check order:
 *
 *   bpfrt_verify_begin   decode, subprograms (add_subprog_and_kfunc), jump
 *                        ranges and subprogram ends (check_subprogs)
 *   -- PROG_LOAD: func_info/line_info (check_btf_info), ld_imm64 map
 *      references (resolve_pseudo_ldimm64), recorded with
 *      bpfrt_verify_set_ldimm --
 *   bpfrt_verify_run     CFG (check_cfg), the walk (do_check), the combined
 *                        stack (check_max_stack_depth), then the fix-ups
 *   bpfrt_verify_end     frees everything
 *
 * Messages go to the caller's log in Linux's words; errors are Linux's
 * errnos. See docs/verifier.md. */
#ifndef BPFRT_VERIFIER_VERIFY_H
#define BPFRT_VERIFIER_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/insn.h"
#include "bpfrt/uapi.h"
#include "core/lib/vlog.h"

struct bpfrt_runtime;
struct bpfrt_vlog;
struct bpfrt_map;
struct bpfrt_btf;
struct bpfrt_ctx_desc;
struct venv;

/* The JSON log (BPFRT_LOG_JSON, log_json.c): the document written into
 * the caller's log buffer; the load's text log then goes to a scratch
 * buffer and ends up in the document's verdict. */
struct bpfrt_vjson {
    struct bpfrt_vlog log;
    uint32_t steps;
};

/* Starts the document in buf (size bytes; NULL/0 only sizes it). Returns 0
 * or -EINVAL as bpfrt_vlog_init. */
int bpfrt_vjson_begin(struct bpfrt_vjson *j, char *buf, uint32_t size);

/* Ends it with the verdict (err: the load's result), the load's text log
 * and statistics; returns bpfrt_vlog_finalize's result (-ENOSPC when the
 * document was cut) and its true size. */
int bpfrt_vjson_end(struct bpfrt_vjson *j, int err, const char *text, const struct bpfrt_vlog_stats *st,
                    uint32_t *true_size);

struct bpfrt_verify_args {
    struct bpfrt_runtime *rt;
    struct bpfrt_vlog *log;        /* the load's log (may have level 0) */
    struct bpfrt_vjson *json;      /* BPFRT_LOG_JSON: the steps go here too (else NULL) */
    struct bpf_insn *insns;        /* rewritten in place by the fix-ups */
    uint32_t len;
    uint32_t prog_type;
    uint32_t expected_attach_type;
    uint32_t prog_flags;
    bool gpl;                      /* licence is GPL-compatible */
    /* debug info as PROG_LOAD validated it (NULL/0 when absent) */
    struct bpfrt_btf *btf;
    const struct bpf_func_info *func_info;
    uint32_t nr_func_info;
    const struct bpf_line_info *line_info;
    uint32_t nr_line_info;
    /* BTF-typed tracing: the program's own context description and the
     * attach target (its BTF types the PTR_TO_BTF_ID registers) */
    const struct bpfrt_ctx_desc *ctx_desc;
    const struct bpfrt_btf *attach_btf;
    uint32_t attach_btf_id;
};

/* What the verifier proved, for the program object and the engines. */
struct bpfrt_verify_result {
    uint32_t insn_processed;       /* verified_insns */
    uint32_t max_states_per_insn, total_states, peak_states;
    uint32_t nr_subprogs;
    uint32_t subprog_start[257];
    uint32_t stack_depth[257];     /* per subprogram, rounded as Linux */
    uint32_t prog_stack_depth;     /* the entry subprogram's */
    uint32_t max_ctx_offset;       /* end of the furthest context byte accessed */
    uint32_t probe_loads;          /* loads through BTF-typed kernel pointers: probes (Linux's
                                      BPF_PROBE_MEM), BPFRT_FACT_PROBE_LOAD in the facts */
};

/* Allocates the environment and runs the checks before the BTF and map
 * passes. On error the message is in the log and *out is still set (free
 * it with bpfrt_verify_end). */
int bpfrt_verify_begin(const struct bpfrt_verify_args *args, struct venv **out);

/* The subprogram starts found (sorted, the entry first). */
uint32_t bpfrt_verify_subprogs(const struct venv *env, const uint32_t **starts);

/* Records the map an ld_imm64 at insn idx references (and the value
 * offset for BPF_PSEUDO_MAP_VALUE / _IDX_VALUE). */
void bpfrt_verify_set_ldimm(struct venv *env, uint32_t idx, const struct bpfrt_map *map, uint32_t off);

/* The checks before the walk that Linux makes inside resolve_pseudo_ldimm64
 * for one instruction (reserved LDX fields, unknown opcodes), with
 * Linux's message in the log. Returns 0 or -EINVAL. */
int bpfrt_verify_check_opcode(struct venv *env, uint32_t idx);

/* Linux's check_map_prog_compatibility for a map an ld_imm64 names (a spin
 * lock in a socket filter's or a tracing program's map), with its message.
 * Returns 0 or -EINVAL. */
int bpfrt_verify_check_map(struct venv *env, const struct bpfrt_map *map);

/* CFG, walk, stack depth and fix-ups. Returns 0 when the program is safe. */
int bpfrt_verify_run(struct venv *env, struct bpfrt_verify_result *res);

void bpfrt_verify_end(struct venv *env);

/* After bpfrt_verify_run accepted the program: what it proved, for the
 * engines (src/core/prog/facts.h; the caller owns it), or NULL when out of
 * memory (the engines then assume nothing). */
struct bpfrt_prog_facts;
struct bpfrt_prog_facts *bpfrt_verify_facts(struct venv *env);

/* bpf_prog_load's checks for a loader without CAP_BPF (BPFRT_PROG_F_UNPRIV):
 * at most 4,096 instructions (-E2BIG), only socket filters and cgroup skb
 * programs (-EPERM). Returns 0 or the error. */
int bpfrt_verify_unpriv_load_check(uint32_t prog_type, uint32_t insn_cnt);

#endif
