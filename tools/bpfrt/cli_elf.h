/* Shared by the CLI commands that work on ELF objects (`bpfrt obj`, `bpfrt
 * prog`, `bpfrt disasm prog.o`): opening an object with the common options,
 * parsing keys/values given on the command line, dumping maps with their BTF
 * types, and the ELF disassembler cmd_disasm.c calls. */
#ifndef BPFRT_CLI_ELF_H
#define BPFRT_CLI_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfrt/asm.h"
#include "bpfrt/object.h"

struct bpfrt_runtime;

/* Options every ELF command accepts. */
struct cli_obj_opts {
    const char *path;
    int prog_type;          /* --type: for sections that name none; 0 = none */
    const char *btf_path;   /* --btf FILE: target BTF for CO-RE */
    const char *fib_path;   /* --fib FILE: the routing table bpf_fib_lookup sees */
    const char *kconfig;    /* --kconfig "CONFIG_A=y,CONFIG_B=1" (',' or newline separated) */
    uint32_t kernel_version;/* --kernel-version 6.1.0 */
    bool json;              /* -j / --json */
};

/* Tries to consume one common option at argv[*i] (advancing *i past its
 * argument). Returns 1 when consumed, 0 when not a common option, -1 on a
 * usage error (message printed). */
int cli_obj_parse_common(int argc, char **argv, int *i, struct cli_obj_opts *o, const char *cmd);
/* Usage lines for the common options. */
void cli_obj_common_usage(FILE *f);

/* Opens o->path (and o->btf_path) into *obj; prints an error naming the
 * file on failure. The caller closes the object, then frees *btf_buf. */
bool cli_obj_open(struct bpfrt_runtime *rt, const struct cli_obj_opts *o, struct bpfrt_object **obj,
                  void **btf_buf, const char *cmd);

/* Parses a key or value of exactly `size` bytes: an integer ("42", "0x2a",
 * little-endian, zero-extended), "hex:0a000001" (raw bytes), or a comma list
 * of typed fields "u8:6,u8:0,u16:22", "be16:80", "be32:...", "ip:10.0.0.1",
 * "u32:8,ip:10.0.0.0" (LPM keys). Fills out (size bytes). */
bool cli_parse_bytes(const char *text, uint8_t *out, uint32_t size, char *err, size_t err_size);

/* Parses "HEX" input data ("02 00 00 ...", "020000...", optional 0x). *out is malloc'd. */
bool cli_parse_hex(const char *text, uint8_t **out, uint32_t *len);

/* Prints bytes as "02 00 00 ..." (16 per line with offsets when long). */
void cli_print_hex(FILE *f, const uint8_t *p, size_t n, const char *indent);
/* Prints a JSON string literal (escaped). */
void cli_json_str(FILE *f, const char *s);
/* Prints bytes as a JSON string of hex pairs. */
void cli_json_hex(FILE *f, const uint8_t *p, size_t n);

/* Prints every map of a loaded object with its contents (BTF-typed values
 * where the object has BTF; ring buffers and perf arrays are drained). In
 * JSON mode prints a JSON array. */
void cli_dump_maps(FILE *f, struct bpfrt_runtime *rt, struct bpfrt_object *obj, bool json);

/* Opens one record buffer per CPU on the object's perf event arrays so
 * bpf_perf_event_output has somewhere to write (what perf_event_open does
 * in Linux). */
void cli_open_perf_buffers(struct bpfrt_runtime *rt, struct bpfrt_object *obj);

/* Disassembles the programs of an ELF object (relocated: subprograms
 * appended, map references named), with the C source line above the
 * instructions where the object has line info. `section` and `prog` (may be
 * NULL) select programs; json prints JSON. Returns a CLI exit status.
 * `bpfrt disasm prog.o` lands here. */
int cli_elf_disasm(const char *path, const char *buf, size_t len, enum bpfrt_syntax syntax,
                   const char *section, const char *prog, bool json);

#endif
