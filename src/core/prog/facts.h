/* What the verifier proved about a program, handed to the engines (Linux
 * keeps the same per instruction in bpf_insn_aux_data and per subprogram
 * in bpf_subprog_info, and its JITs read them: zext_dst, stack_depth).
 * Built by the verifier after its fix-ups (src/core/verifier/facts.c), so
 * it describes the instructions the engine gets; owned by the program
 * (prog->facts) and freed with it. NULL means nothing is proven: an
 * unverified program, or one created through the public API.
 *
 * Not here because the engines already get them in another form: the map
 * an ld_imm64 names (its pointer is in the rewritten instruction) and the
 * context field an access touches (the fix-ups rewrite loads of pointer
 * fields to the runtime's 64-bit copy). */
#ifndef BPFRT_CORE_PROG_FACTS_H
#define BPFRT_CORE_PROG_FACTS_H

#include <stdint.h>

struct bpfrt_runtime;

/* Per instruction (bpfrt_prog_facts.flags). */
enum {
    /* Some path the verifier walked reaches it. A reached memory access was
     * proven in bounds (and its pointer kind known) on every such path; an
     * instruction not reached is a `goto -1` trap the fix-ups left. */
    BPFRT_FACT_REACHED = 1u << 0,
    /* A 32-bit ALU operation whose destination no later instruction reads
     * (dead after it): the zero-extension of its upper half is needless. */
    BPFRT_FACT_ZEXT_NEEDLESS = 1u << 1,
    /* A load (LDX, load-acquire) through a BTF-typed kernel pointer on every
     * path (Linux's PTR_TO_BTF_ID loads, which its fix-ups make
     * BPF_PROBE_MEM): the engine performs it as a probe, a read of exactly
     * its size where the run may read (bpfrt_interp_probe_load), else 0 -
     * never a plain load, since the address is whatever the object held. */
    BPFRT_FACT_PROBE_LOAD = 1u << 2,
};

struct bpfrt_prog_facts {
    uint32_t len;               /* instructions */
    uint8_t *flags;             /* per instruction: BPFRT_FACT_* */
    uint16_t *live_before;      /* per instruction: r0-r10 (bit i) some path reads before writing them */
    uint32_t nr_subprogs;
    uint32_t *subprog_start;    /* sorted, the entry (0) first */
    uint32_t *stack_depth;      /* per subprogram: bytes below r10 it can touch (Linux's rounding) */
};

/* The registers live on entry to instruction pc (all of them when unknown). */
static inline uint16_t bpfrt_facts_live(const struct bpfrt_prog_facts *f, uint32_t pc)
{
    return f && pc < f->len ? f->live_before[pc] : 0x7ff;
}

void bpfrt_prog_facts_free(struct bpfrt_runtime *rt, struct bpfrt_prog_facts *f);

#endif
