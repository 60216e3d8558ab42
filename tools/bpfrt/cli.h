/* The bpfrt command-line tool: one file per subcommand. Each subcommand
 * returns the process exit status: 0 success, 1 program/input error, 2 usage. */
#ifndef BPFRT_CLI_H
#define BPFRT_CLI_H

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

#endif
