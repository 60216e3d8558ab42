/* The x86-64 JIT engine (src/core/jit/, docs/jit.md).
 *
 * Three modes, fixed when a program is compiled:
 *  - verified: the program was accepted by the verifier (prog->verified);
 *    no run-time checks.
 *  - checked: an unverified program; every memory access, helper argument,
 *    call depth and the instruction budget are checked as the interpreter's
 *    checked mode does, with the same errors at the same instructions.
 *  - trusted: an unverified program run with no checks at all (what uBPF's
 *    JIT does). Only for code the embedder vouches for: a bad program can
 *    crash the host. Never a default; ask for it with BPFRT_JIT_TRUSTED or
 *    bpfrt_jit_trusted_ops.
 * Where the platform has no executable memory (exec_alloc is NULL) or the
 * host is not x86-64, programs stay in the interpreter (a note goes to the
 * platform log), never a load failure. */
#ifndef BPFRT_JIT_H
#define BPFRT_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/prog.h"

/* Verified mode for prog->verified programs, checked mode for the rest. */
extern const struct bpfrt_engine_ops bpfrt_jit_ops;
/* Trusted mode for unverified programs (verified ones get verified mode). */
extern const struct bpfrt_engine_ops bpfrt_jit_trusted_ops;

/* Flags for bpfrt_prog_use_jit. */
enum {
    BPFRT_JIT_TRUSTED = 1u << 0, /* no run-time checks for unverified code (see above) */
    BPFRT_JIT_BLIND = 1u << 1,   /* constant blinding: no program immediate appears in the code */
};

/* Moves a created program (bpfrt_prog_create, PROG_LOAD) to the JIT with
 * the given BPFRT_JIT_* flags. Returns 0 when the program runs JIT-compiled
 * or, where there is no JIT, stays in the interpreter (*jitted says which;
 * may be NULL); -errno with a message only when the program is invalid for
 * every engine. Call before the program first runs. */
int bpfrt_prog_use_jit(struct bpfrt_prog *prog, unsigned flags, bool *jitted, char *msg, size_t msg_size);

/* The machine code of a JIT-compiled program (for OBJ_GET_INFO_BY_FD and
 * `bpfrt prog dump jited`): false when prog is not JIT-compiled. */
bool bpfrt_jit_image(const struct bpfrt_prog *prog, const void **code, uint32_t *len);

/* Compile statistics of a JIT-compiled program. */
struct bpfrt_jit_stats {
    const char *mode;        /* "verified", "checked" or "trusted" */
    uint32_t insns;          /* eBPF instructions */
    uint32_t image_len;      /* bytes of machine code */
    uint32_t passes;         /* sizing passes until the layout converged */
    uint64_t compile_ns;     /* whole compile, executable-memory calls included */
    uint64_t exec_mem_ns;    /* of which exec_alloc + exec_seal */
};
bool bpfrt_jit_get_stats(const struct bpfrt_prog *prog, struct bpfrt_jit_stats *st);

/* Native offset of instruction `pc` in the image, or UINT32_MAX (for
 * annotating a disassembly). */
uint32_t bpfrt_jit_insn_offset(const struct bpfrt_prog *prog, uint32_t pc);

#endif
