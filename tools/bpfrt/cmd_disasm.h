/* Shared by `bpfrt asm` and `bpfrt disasm` (tools/bpfrt/cmd_disasm.c):
 * reading a program from a .data test, raw bytecode, hex words or assembly,
 * and the hook through which the ELF loader adds `bpfrt disasm prog.o`. */
#ifndef BPFRT_CLI_DISASM_H
#define BPFRT_CLI_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/asm.h"

/* Parses a --syntax value ("kernel", "llvm", "conf", "auto"); -1 if unknown. */
int cli_parse_syntax(const char *name, bool allow_auto);

/* Where the -- asm section of a .data file starts: the 1-based line number
 * of its first line, or 0 when there is none. */
unsigned cli_data_asm_first_line(const char *text, size_t len);

/* Loads a program from FILE's contents. `what` says what was found
 * ("raw", "hex words", "assembly"). Assembly uses `syntax` (a .data test's
 * -- asm always the conformance syntax). On success *insns is malloc'd.
 * Prints "FILE:LINE:COL: error: ..." and returns false on failure. */
bool cli_load_program(const char *path, const char *text, size_t len, enum bpfrt_syntax syntax,
                      struct bpf_insn **insns, uint32_t *cnt, const char **what);


#endif
