/* bpfrt asm FILE [-o out.bin] [--syntax conf|llvm|kernel|auto]: assembles
 * eBPF assembly in any of the three syntaxes (or a conformance .data test's
 * -- asm section) into bytecode: raw little-endian instructions with -o
 * ("-o -": to stdout), else one hex instruction word per line (the .data
 * -- raw form). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/asm.h"
#include "cli.h"
#include "cmd_disasm.h"

static void asm_usage(FILE *f)
{
    fprintf(f,
            "usage: bpfrt asm FILE [-o OUT.bin] [--syntax conf|llvm|kernel|auto]\n\n"
            "Assembles eBPF assembly into bytecode. Without -o, prints one 64-bit\n"
            "instruction word per line (0x...; the low byte is the opcode), as in a\n"
            ".data file's -- raw section.\n\n"
            "FILE: assembly text ('-' reads stdin) or a conformance .data test (its\n"
            "      -- asm section, conformance syntax)\n\n"
            "  -o OUT       write raw little-endian instructions to OUT ('-': stdout)\n"
            "  --syntax S   conf (bpf_conformance: \"mov %%r0, 1\"), llvm (\"r0 = 1\"),\n"
            "               kernel (bpftool: \"if r0 == 0x0 goto pc+4\") or auto (default)\n\n"
            "Errors are reported as FILE:LINE:COLUMN: error: what was expected.\n"
            "exit status: 0 assembled, 1 input error, 2 usage\n");
}

int cmd_asm(int argc, char **argv)
{
    const char *file = NULL, *out_path = NULL;
    enum bpfrt_syntax syntax = BPFRT_SYNTAX_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            asm_usage(stdout);
            return CLI_OK;
        } else if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "bpfrt asm: -o needs a file name\n");
                return CLI_USAGE;
            }
            out_path = argv[++i];
        } else if (strcmp(a, "--syntax") == 0 || strncmp(a, "--syntax=", 9) == 0) {
            const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            int s = v ? cli_parse_syntax(v, true) : -1;
            if (s < 0) {
                fprintf(stderr, "bpfrt asm: --syntax needs conf, llvm, kernel or auto\n");
                return CLI_USAGE;
            }
            syntax = (enum bpfrt_syntax)s;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "bpfrt asm: unknown option '%s'\n", a);
            asm_usage(stderr);
            return CLI_USAGE;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "bpfrt asm: more than one FILE given\n");
            return CLI_USAGE;
        }
    }
    if (!file) {
        asm_usage(stderr);
        return CLI_USAGE;
    }
    size_t len;
    char *text = cli_read_file(file, &len);
    if (!text)
        return CLI_ERROR;
    struct bpf_insn *insns;
    uint32_t cnt;
    const char *what;
    bool ok = cli_load_program(file, text, len, syntax, &insns, &cnt, &what);
    free(text);
    if (!ok)
        return CLI_ERROR;
    int rc = CLI_OK;
    char msg[200];
    if (bpfrt_insns_validate(insns, cnt, msg, sizeof(msg), NULL))
        fprintf(stderr, "bpfrt asm: warning: %s\n", msg);
    if (out_path) {
        bool to_stdout = strcmp(out_path, "-") == 0;
        FILE *f = to_stdout ? stdout : fopen(out_path, "wb");
        if (!f || fwrite(insns, sizeof(*insns), cnt, f) != cnt) {
            fprintf(stderr, "bpfrt asm: cannot write %s\n", out_path);
            rc = CLI_ERROR;
        }
        if (f && (to_stdout ? fflush(f) : fclose(f)) != 0 && rc == CLI_OK) {
            fprintf(stderr, "bpfrt asm: cannot write %s\n", out_path);
            rc = CLI_ERROR;
        }
    } else {
        for (uint32_t i = 0; i < cnt; i++) {
            uint64_t w;
            memcpy(&w, &insns[i], sizeof(w));
            printf("0x%016llx\n", (unsigned long long)w);
        }
    }
    free(insns);
    return rc;
}
