/* bpfrt: command-line front end. Dispatches to one subcommand per file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"


static const struct cli_command commands[] = {
    {"asm", cmd_asm, "assemble eBPF assembly into bytecode"},
    {"disasm", cmd_disasm, "disassemble bytecode, a .data test or an ELF object"},
    {"run", cmd_run, "run a program (assembly, bytecode or .data test), interpreted or JIT-compiled"},
    {"obj", cmd_obj, "inspect an ELF/BTF object (obj show)"},
    {"prog", cmd_prog, "load, test-run and dump programs of an ELF object (prog load/run/dump)"},
    {"verify", cmd_verify, "run the verifier on programs and print its log"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: bpfrt COMMAND [ARGS...]\n\n"
               "bpfrt runs eBPF programs outside the kernel: it loads clang-compiled\n"
               "objects, verifies them with Linux's rules and runs them in its interpreter\n"
               "or x86-64 JIT, with Linux's maps and helpers.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'bpfrt COMMAND --help' describes each command.\n");
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !((s[0] >= '0' && s[0] <= '9')))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end || errno || v > max)
        return false;
    *out = v;
    return true;
}

char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bpfrt: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) { free(buf); buf = NULL; break; }
        buf = bigger;
        cap *= 2;
    }
    int err = ferror(f);
    if (f != stdin) fclose(f);
    if (!buf || err) {
        fprintf(stderr, "bpfrt: cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("bpfrt 0.1.0\n");
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "bpfrt: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
