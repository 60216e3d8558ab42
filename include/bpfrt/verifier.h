/* The verifier's public face beyond PROG_LOAD (which verifies every program
 * unless prog_flags has BPFRT_PROG_F_NO_VERIFY; see docs/verifier.md). */
#ifndef BPFRT_VERIFIER_H
#define BPFRT_VERIFIER_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include "bpfrt/insn.h"

struct bpfrt_runtime;

/* Writes the control-flow graph of a program in Graphviz DOT, one cluster
 * per subprogram with its basic blocks (instructions in kernel syntax, as
 * the verifier log prints them), fall-through and jump edges, and dashed
 * edges from calls to the callee - the picture `bpftool prog dump xlated
 * visual` draws. The program must pass the structural checks. Returns the
 * length the whole text needs (snprintf-style; buf may be NULL with size
 * 0), or a negative errno: -EINVAL for a program that fails the structural
 * checks, -ENOMEM. */
long bpfrt_verifier_cfg_dot(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                            char *buf, size_t size);

#pragma GCC visibility pop

#endif
