/* Runs one program the way the bpf_conformance suite defines it (hosted,
 * header-only: shared by the conformance runner, the plugin and `bpfrt run`):
 * r1 = a writable copy of the input memory (NULL when there is none),
 * r2 = its length, r10 = 512 bytes of stack per frame, result = full r0.
 * Programs are unverified, so the interpreter runs them in checked mode;
 * with CONF_ENGINE_JIT the JIT does, in checked mode, with
 * CONF_ENGINE_JIT_TRUSTED in trusted mode (no checks). */
#ifndef BPFRT_CONF_EXEC_H
#define BPFRT_CONF_EXEC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/asm.h"
#include "bpfrt/jit.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"
#include "conf_data.h"

/* Default instruction budget for conformance-style runs: far above what any
 * suite program needs, small enough that a runaway loop ends in well under
 * a second. */
#define CONF_DEFAULT_BUDGET (1ull << 26)

enum conf_kind { CONF_OK = 0, CONF_ASM_ERROR, CONF_LOAD_ERROR, CONF_RUN_ERROR };

/* Which engine conf_exec_engine runs a program in. CONF_ENGINE_JIT_VERIFIED
 * marks the program verified first (there is no verifier yet: a stand-in
 * that exercises the JIT's verified-mode code on programs known to be
 * well-behaved, such as the suite's). */
enum conf_engine { CONF_ENGINE_INTERP = 0, CONF_ENGINE_JIT, CONF_ENGINE_JIT_TRUSTED, CONF_ENGINE_JIT_VERIFIED };

/* Parses --jit / --trusted style names: "interp", "jit", "trusted", "verified". */
static inline int conf_engine_parse(const char *s)
{
    static const char *const names[] = { "interp", "jit", "trusted", "verified" };
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

struct conf_outcome {
    enum conf_kind kind;
    uint64_t r0;
    char msg[256];
};

static const char *const conf_kind_names[] = { "ok", "assembler error", "load error", "run error" };

/* Helper 5 as the suite needs it (any helper 5 that returns normally). Used
 * only when the runtime has none: Linux's helper 5 is ktime_get_ns. */
static inline uint64_t conf_helper5(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                    struct bpfrt_run *run)
{
    return 0;
}

static inline void conf_ensure_helper5(struct bpfrt_runtime *rt)
{
    if (bpfrt_helper_find(rt, 5))
        return;
    static const struct bpfrt_helper_proto p = {
        .id = 5, .name = "bpf_ktime_get_ns", .fn = conf_helper5, .ret_type = RET_INTEGER,
        .prog_types = BPFRT_ALL_PROG_TYPES,
    };
    bpfrt_helper_register(rt, &p);
}

/* The instructions of a parsed .data file: its -- raw words, or its -- asm
 * assembled in conformance syntax. *owned says whether *insns must be freed
 * with the platform allocator. Returns false with out filled on error. */
static inline bool conf_program(const struct bpfrt_platform *plat, const struct conf_data *d,
                                struct bpf_insn **insns, uint32_t *n, bool *owned,
                                struct conf_outcome *out)
{
    *owned = false;
    if (d->has_raw) {
        *insns = d->raw;
        *n = d->nr_raw;
        return true;
    }
    if (!d->has_asm) {
        out->kind = CONF_ASM_ERROR;
        snprintf(out->msg, sizeof(out->msg), "no -- asm or -- raw section");
        return false;
    }
    struct bpfrt_asm_error aerr;
    memset(&aerr, 0, sizeof(aerr));
    int err = bpfrt_asm(plat, d->asm_text, d->asm_len, BPFRT_SYNTAX_CONF, insns, n, &aerr);
    if (err) {
        out->kind = CONF_ASM_ERROR;
        if (aerr.line)
            snprintf(out->msg, sizeof(out->msg), "line %u: %s", aerr.line, aerr.msg);
        else
            snprintf(out->msg, sizeof(out->msg), "%s", aerr.msg[0] ? aerr.msg : "assembler error");
        return false;
    }
    *owned = true;
    return true;
}

/* bpfrt_prog_create trusts map references to hold real map pointers
 * (PROG_LOAD resolves fds first); this model has no maps, so untrusted
 * bytecode must not be able to name one. False with msg when it does. */
static inline bool conf_no_map_refs(const struct bpf_insn *insns, uint32_t n, char *msg, size_t size)
{
    for (uint32_t i = 0; i + 1 < n; i++) {
        uint8_t src = insns[i].src_reg;
        if (!bpfrt_insn_is_lddw(&insns[i]))
            continue;
        if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_VALUE ||
            src == BPF_PSEUDO_MAP_IDX_VALUE) {
            snprintf(msg, size, "insn %u: map references are not supported here (no maps)", i);
            return false;
        }
        i++;
    }
    return true;
}

/* Creates and runs the program on a copy of mem in `engine`. budget 0 =
 * the default. */
static inline void conf_exec_engine(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n,
                                    const uint8_t *mem, size_t mem_len, uint64_t budget,
                                    enum conf_engine engine, struct conf_outcome *out)
{
    char msg[256] = "";
    struct bpfrt_prog *prog = NULL;
    out->kind = CONF_OK;
    out->r0 = 0;
    out->msg[0] = '\0';
    if (!conf_no_map_refs(insns, n, out->msg, sizeof(out->msg))) {
        out->kind = CONF_LOAD_ERROR;
        return;
    }
    static const enum bpfrt_engine_kind kinds[] = {
        [CONF_ENGINE_INTERP] = BPFRT_ENGINE_INTERP, [CONF_ENGINE_JIT] = BPFRT_ENGINE_JIT,
        [CONF_ENGINE_JIT_TRUSTED] = BPFRT_ENGINE_JIT_TRUSTED, [CONF_ENGINE_JIT_VERIFIED] = BPFRT_ENGINE_JIT,
    };
    struct bpfrt_prog_create_opts opts = { .prog_type = BPF_PROG_TYPE_UNSPEC, .engine = kinds[engine] };
    int err = bpfrt_prog_create_opts(rt, insns, n, &opts, msg, sizeof(msg), &prog);
    if (err) {
        out->kind = CONF_LOAD_ERROR;
        snprintf(out->msg, sizeof(out->msg), "%s", msg[0] ? msg : "program rejected");
        return;
    }
    if (engine == CONF_ENGINE_JIT_VERIFIED) { /* recompiled as the verifier's acceptance would */
        prog->verified = true;
        err = bpfrt_prog_use_jit(prog, BPFRT_ENGINE_JIT, NULL, msg, sizeof(msg));
    }
    if (err || prog->engine != kinds[engine]) {
        out->kind = CONF_LOAD_ERROR;
        snprintf(out->msg, sizeof(out->msg), "%s", msg[0] ? msg : "the JIT is not available here");
        bpfrt_prog_put(prog);
        return;
    }
    uint8_t *copy = NULL;
    if (mem_len) {
        copy = malloc(mem_len);
        if (!copy) {
            out->kind = CONF_RUN_ERROR;
            snprintf(out->msg, sizeof(out->msg), "out of memory");
            bpfrt_prog_put(prog);
            return;
        }
        memcpy(copy, mem, mem_len);
    }
    struct bpfrt_run *run = calloc(1, sizeof(*run));
    if (!run) {
        free(copy);
        bpfrt_prog_put(prog);
        out->kind = CONF_RUN_ERROR;
        snprintf(out->msg, sizeof(out->msg), "out of memory");
        return;
    }
    run->ctx = copy;
    run->ctx_size = (uint32_t)mem_len;
    bpfrt_run_begin(run, prog);
    run->insn_budget = budget ? budget : CONF_DEFAULT_BUDGET;
    uint64_t r0 = 0;
    err = bpfrt_prog_run(prog, run, (uint64_t)(uintptr_t)copy, mem_len, &r0);
    bpfrt_run_end(run);
    if (err) {
        out->kind = CONF_RUN_ERROR;
        snprintf(out->msg, sizeof(out->msg), "%s", run->error_msg[0] ? run->error_msg : "run failed");
    } else {
        out->r0 = r0;
    }
    free(run);
    free(copy);
    bpfrt_prog_put(prog);
}

static inline void conf_exec(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n,
                             const uint8_t *mem, size_t mem_len, uint64_t budget, struct conf_outcome *out)
{
    conf_exec_engine(rt, insns, n, mem, mem_len, budget, CONF_ENGINE_INTERP, out);
}

#endif
