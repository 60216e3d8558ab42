/* The x86-64 JIT engine (src/core/jit/, docs/jit.md).
 *
 * Choose it like any engine: runtime-wide (bpfrt_runtime_set_default_engine
 * (rt, BPFRT_ENGINE_JIT)), per load (bpfrt_prog_create_opts.engine,
 * PROG_LOAD's BPFRT_PROG_F_ENGINE bits). Three modes, fixed when a program
 * is compiled:
 *  - verified: the program was accepted by the verifier (prog->verified);
 *    no run-time checks, and what the verifier proved (loaded through
 *    PROG_LOAD: its liveness, reachability, stack depth) shapes the code.
 *  - checked: an unverified program (BPFRT_ENGINE_JIT); every memory
 *    access, helper argument, call depth and the instruction budget are
 *    checked as the interpreter's checked mode does, with the same errors at
 *    the same instructions.
 *  - trusted: an unverified program run with no checks at all (what uBPF's
 *    JIT does), BPFRT_ENGINE_JIT_TRUSTED. Only for code the embedder vouches
 *    for: a bad program can crash the host. Asked for per load, never a
 *    default. A program type whose context needs field conversion (xdp_md,
 *    __sk_buff: pointers in disguise) runs checked instead, with a note
 *    (for verified programs the verifier's fix-ups rewrite those loads).
 * Where the platform has no executable memory (exec_alloc is NULL) the
 * program runs in the interpreter with a note; a non-x86-64 build has no
 * JIT (bpfrt_engine_find answers NULL, loads fall back with a note). */
#ifndef BPFRT_JIT_H
#define BPFRT_JIT_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/prog.h"

/* The engines' ops (the rows of BPFRT_ENGINE_JIT and _JIT_TRUSTED). */
extern const struct bpfrt_engine_ops bpfrt_jit_ops;
extern const struct bpfrt_engine_ops bpfrt_jit_trusted_ops;

/* Constant blinding (Linux's net.core.bpf_jit_harden): programs compiled
 * from now on carry no immediate of the program in their machine code
 * (each is loaded xor-ed with a random key). Off by default. */
void bpfrt_runtime_set_jit_blinding(struct bpfrt_runtime *rt, bool on);

/* Recompiles a created program with engine `kind` (BPFRT_ENGINE_JIT or
 * _JIT_TRUSTED), e.g. after marking it verified, which selects verified
 * mode. Returns 0 when it runs JIT-compiled or, without executable memory,
 * in the interpreter (*jitted says which; may be NULL; a note in msg);
 * -errno only for a program no engine accepts. Call before it first runs. */
int bpfrt_prog_use_jit(struct bpfrt_prog *prog, enum bpfrt_engine_kind kind, bool *jitted, char *msg,
                       size_t msg_size);

/* The machine code of a JIT-compiled program (OBJ_GET_INFO_BY_FD's
 * jited_prog_insns, `bpfrt prog dump jited`): false when it is not one. */
bool bpfrt_jit_image(const struct bpfrt_prog *prog, const void **code, uint32_t *len);

/* Compile statistics of a JIT-compiled program. */
struct bpfrt_jit_stats {
    const char *mode;        /* "verified", "checked" or "trusted" */
    uint32_t insns;          /* eBPF instructions */
    uint32_t image_len;      /* bytes of machine code */
    uint32_t passes;         /* sizing passes until the layout converged */
    uint64_t compile_ns;     /* the JIT's compile (after the interpreter's decoding, which it shares),
                              * executable memory included */
    uint64_t exec_mem_ns;    /* of which executable memory: exec_alloc, the copy of the code into it,
                              * exec_seal */
    bool blinded;
    bool facts;              /* verified mode used the verifier's facts (a PROG_LOAD-verified program) */
};
bool bpfrt_jit_get_stats(const struct bpfrt_prog *prog, struct bpfrt_jit_stats *st);

/* Offset of instruction `pc`'s code in the image (pc == insn count: the
 * end of the instructions' code), or UINT32_MAX. */
uint32_t bpfrt_jit_insn_offset(const struct bpfrt_prog *prog, uint32_t pc);

#pragma GCC visibility pop

#endif
