/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c) and the seed generator:
 * a quiet runtime, the instruction budget every fuzzed run gets, and the
 * layout of the checked-execution target's input. Only the public API
 * (include/bpfrt/) is used, so the targets survive refactors of src/core.
 * docs/fuzzing.md describes the targets. */
#ifndef BPFRT_FUZZ_UTIL_H
#define BPFRT_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpf.h"
#include "bpfrt/errno.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"

/* libFuzzer's entry points (the replay driver calls the same ones). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Instructions one fuzzed run may execute (tail calls and callbacks
 * included; bpfrt_test_run_opts.insn_budget or run->insn_budget): enough for
 * every corpus program on a small packet, small enough that a looping input
 * costs about a millisecond. */
#define FUZZ_BUDGET (1u << 16)

/* FUZZ_VERBOSE=1 in the environment: targets say what each input did (on
 * stderr), to see why a seed or a reproducer goes where it goes. */
static inline bool fuzz_verbose(void)
{
    static int v = -1;
    if (v < 0) {
        const char *e = getenv("FUZZ_VERBOSE");
        v = e && *e && *e != '0';
    }
    return v;
}

/* ---- a runtime that keeps quiet ---- */

static inline void fuzz_quiet_log(void *ctx, enum bpfrt_log_level level, const char *msg, size_t len)
{
}

static inline void fuzz_quiet_trace(void *arg, const char *line, size_t len)
{
}

/* Largest single allocation the fuzzed runtime gets. A map definition may
 * ask for gigabytes (Linux would try too); past this the platform says
 * -ENOMEM, as a kernel under memory pressure would, instead of libFuzzer
 * stopping at its malloc limit. */
#define FUZZ_ALLOC_MAX (64u << 20)

static inline void *fuzz_alloc(void *ctx, size_t size, size_t align)
{
    return size > FUZZ_ALLOC_MAX ? NULL : bpfrt_platform_hosted()->alloc(ctx, size, align);
}

/* The hosted platform with its log silenced (bpf_trace_printk output and
 * runtime messages would otherwise flood the fuzzer's terminal) and its
 * allocations capped. */
static inline const struct bpfrt_platform *fuzz_platform(void)
{
    static struct bpfrt_platform plat;
    if (!plat.alloc) {
        plat = *bpfrt_platform_hosted();
        plat.log = fuzz_quiet_log;
        plat.alloc = fuzz_alloc;
    }
    return &plat;
}

/* A fresh runtime per input: no state leaks from one input into the next,
 * so a reproducer replays exactly. */
static inline struct bpfrt_runtime *fuzz_runtime(void)
{
    struct bpfrt_runtime *rt = NULL;
    if (bpfrt_runtime_create(fuzz_platform(), &rt) != 0) {
        fprintf(stderr, "fuzz: bpfrt_runtime_create failed\n");
        abort();
    }
    bpfrt_runtime_set_trace_sink(rt, fuzz_quiet_trace, NULL);
    return rt;
}

/* ---- fuzz_exec's input ----
 *   byte 0     mode: FUZZ_EXEC_* (taken modulo FUZZ_EXEC_NR_MODES)
 *   byte 1     flags: FUZZ_EXEC_F_*
 *   bytes 2-3  data length, little endian (capped at FUZZ_EXEC_MAX_DATA)
 *   bytes 4-5  ctx_in length, little endian (used with FUZZ_EXEC_F_CTX, capped)
 *   then the data (packet or raw memory), ctx_in, and the instructions
 *   (whatever follows, whole 8-byte instructions). Lengths past the end of
 *   the input are cut to what is there.
 * ld_imm64 map references name the fuzz maps by their immediate: a map
 * (BPF_PSEUDO_MAP_FD/_IDX) is FUZZ_MAP_*[imm % FUZZ_EXEC_NR_MAPS], a value
 * (BPF_PSEUDO_MAP_VALUE/_IDX_VALUE) is in .data or .rodata (imm % 2, the
 * single-element arrays direct value access needs); helper calls take their
 * id modulo FUZZ_EXEC_HELPER_IDS. So mutations keep hitting real maps and
 * helpers (Linux 6.18 has ids 0..211; the ids above stay unknown ones). */
enum {
    FUZZ_EXEC_SOCKET_FILTER = 0,
    FUZZ_EXEC_XDP,
    FUZZ_EXEC_SCHED_CLS,
    FUZZ_EXEC_RAW,            /* bpf_conformance's model: r1 = memory, r2 = its length */
    FUZZ_EXEC_NR_MODES
};
#define FUZZ_EXEC_F_NON_GPL 0x01  /* license "Proprietary" instead of "GPL" */
#define FUZZ_EXEC_F_CTX     0x02  /* pass ctx_in to PROG_TEST_RUN */
#define FUZZ_EXEC_F_REPEAT  0x04  /* test.repeat = 2 (a second run on the same packet) */
#define FUZZ_EXEC_HDR 6
#define FUZZ_EXEC_MAX_DATA 8192u
#define FUZZ_EXEC_MAX_CTX 256u
#define FUZZ_EXEC_MAX_INSNS 4096u
#define FUZZ_EXEC_HELPER_IDS 256u

/* The maps, in the order map references name them. */
enum {
    FUZZ_MAP_ARRAY = 0,      /* array: 4 x 64 bytes */
    FUZZ_MAP_HASH,           /* hash: 8-byte keys, 16-byte values, 16 entries */
    FUZZ_MAP_RINGBUF,        /* ring buffer: 4096 bytes */
    FUZZ_MAP_PROG_ARRAY,     /* prog array: slot 0 holds the program itself */
    FUZZ_MAP_DATA,           /* ".data": array, 1 x 1024 bytes */
    FUZZ_MAP_RODATA,         /* ".rodata": as .data, BPF_F_RDONLY_PROG, frozen, holds format strings */
    FUZZ_EXEC_NR_MAPS
};

static inline void fuzz_put_le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline uint32_t fuzz_get_le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* ---- fuzz_asm's input ----
 *   byte 0 bit 0    0: assembly text follows; 1: raw instructions follow
 *   byte 0 bits 1-2 text syntax: enum bpfrt_syntax (KERNEL, LLVM, CONF, AUTO) */
#define FUZZ_ASM_BYTES 0x01
#define FUZZ_ASM_SYNTAX(b) (((b) >> 1) & 3)

/* ---- fuzz_btf's input ----
 *   byte 0     log level (modulo 3)
 *   byte 1     value type id for a MAP_CREATE with the BTF (0: none)
 *   then the raw BTF (header, types, strings) */
#define FUZZ_BTF_HDR 2

#endif
