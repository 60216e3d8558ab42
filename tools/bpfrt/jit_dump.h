/* The JIT's machine code as text (jit_dump.c). */
#ifndef BPFRT_CLI_JIT_DUMP_H
#define BPFRT_CLI_JIT_DUMP_H

#include <stdio.h>

#include "bpfrt/prog.h"

/* Prints prog's machine code, each eBPF instruction's code under its text;
 * CLI_ERROR (message on stderr) when prog is not JIT-compiled. */
int cli_dump_jited(FILE *out, const struct bpfrt_prog *prog);

#endif
