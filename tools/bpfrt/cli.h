/* The bpfrt command-line tool: one file per subcommand. Each subcommand
 * returns the process exit status: 0 success, 1 program/input error, 2 usage. */
#ifndef BPFRT_CLI_H
#define BPFRT_CLI_H

#include <stdbool.h>
#include <stdint.h>

#define CLI_OK    0
#define CLI_ERROR 1
#define CLI_USAGE 2

struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the subcommand name */
    const char *summary;
};

int cmd_asm(int argc, char **argv);    /* tools/bpfrt/cmd_asm.c */
int cmd_disasm(int argc, char **argv); /* tools/bpfrt/cmd_disasm.c */
int cmd_run(int argc, char **argv);    /* tools/bpfrt/cmd_run.c */
int cmd_obj(int argc, char **argv);    /* tools/bpfrt/cmd_obj.c */
int cmd_prog(int argc, char **argv);   /* tools/bpfrt/cmd_prog.c */
int cmd_verify(int argc, char **argv); /* tools/bpfrt/cmd_verify.c */

/* Reads a whole file (or "-" for stdin) into a malloc'd buffer with a NUL
 * appended; returns NULL and prints an error naming the file on failure. */
char *cli_read_file(const char *path, size_t *len);

/* True when argv[i] is -h or --help. */
int cli_is_help(const char *arg);

/* Parses a whole unsigned number, decimal or 0x hex, no sign, at most max:
 * "1e3", "10k", "-1" and values that do not fit are refused. */
bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* The --trace printer: a struct bpfrt_run trace hook (tools/bpfrt/trace.c). */
struct bpfrt_run;
void cli_trace_insn(void *arg, const struct bpfrt_run *run, uint32_t pc, const uint64_t regs[11],
                    const uint64_t before[11]);

#endif
