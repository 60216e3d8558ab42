/* Shared by the CPU benchmark's files (bench_cpu.c: run times,
 * bench_compile.c: compile times, bench_ubpf.c: uBPF beside bpfrt). */
#ifndef BPFRT_BENCH_UTIL_H
#define BPFRT_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"

/* The eight programs of shared/bench. */
extern const char *const bench_names[8];
#define NBENCH 8

void *bench_read_file(const char *path, size_t *len);
double bench_cpu_us(void);      /* this thread's CPU time */

/* The program code[len] (raw instructions) in engine e, unverified; NULL
 * with the reason in msg. */
struct bpfrt_prog *bench_load(struct bpfrt_runtime *rt, const void *code, size_t len, enum bpfrt_engine_kind e,
                              char *msg, size_t msgsz);

/* Compile times (bench_compile.c): the bench programs, a large generated
 * program and every program of the corpus objects given. */
void bench_compile_report(struct bpfrt_runtime *rt, const char *out, char **corpus, int ncorpus);

/* uBPF (bench_ubpf.c; a build the user supplies through BENCH_UBPF_DIR,
 * or absent). A handle is one loaded program, JIT-compiled when `jit`. */
bool bench_ubpf_available(void);
void *bench_ubpf_open(const void *code, size_t len, bool jit, char *msg, size_t msgsz);
/* Runs it: 0 and *ret, or -1 (uBPF's interpreter refused). */
int bench_ubpf_run(void *h, uint8_t *mem, uint64_t len, uint64_t *ret);
void bench_ubpf_close(void *h);
/* CPU us to load and JIT-compile code (its mmap + mprotect included: uBPF
 * does them inside ubpf_compile), fastest of reps; < 0 when it fails. */
double bench_ubpf_compile_us(const void *code, size_t len, int reps);

#endif
