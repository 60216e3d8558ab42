/* bpfrt disasm FILE [--syntax kernel|llvm|conf]: prints a program in one of
 * the three assembly syntaxes (default: bpftool's "prog dump xlated" style).
 * FILE is raw bytecode (.bin), a conformance .data test (its -- raw or
 * -- asm section), hex instruction words, or assembly text; an ELF object
 * goes to the loader's cli_elf_disasm() (--section, --prog). Also holds the program
 * reading shared with `bpfrt asm` (cmd_disasm.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/asm.h"
#include "bpfrt/platform.h"
#include "cli.h"
#include "cmd_disasm.h"
#include "cli_elf.h"


int cli_parse_syntax(const char *name, bool allow_auto)
{
    static const char *const names[] = {"kernel", "llvm", "conf", "auto"};
    for (int k = 0; k < (allow_auto ? 4 : 3); k++)
        if (strcmp(name, names[k]) == 0)
            return k;
    return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool looks_like_text(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == 0 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r'))
            return false;
    }
    return true;
}

unsigned cli_data_asm_first_line(const char *text, size_t len)
{
    unsigned line = 1;
    for (size_t i = 0; i < len; line++) {
        size_t e = i;
        while (e < len && text[e] != '\n') e++;
        if (e - i >= 6 && strncmp(text + i, "-- asm", 6) == 0)
            return line + 1;
        i = e + 1;
    }
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A .data file's sections: the -- asm text (one line per file line, so
 * error positions map back) and the -- raw instructions, either 0x words
 * or lines of 8 hex bytes. */
struct data_sections {
    char *asm_text;
    size_t asm_len;
    bool has_asm, has_raw;
    uint64_t *raw;
    size_t nr_raw, cap_raw;
    uint64_t bytes;
    int nbytes;
};

static bool raw_push(struct data_sections *d, uint64_t w)
{
    if (d->nr_raw == d->cap_raw) {
        size_t cap = d->cap_raw ? d->cap_raw * 2 : 16;
        uint64_t *n = realloc(d->raw, cap * sizeof(*n));
        if (!n) return false;
        d->raw = n;
        d->cap_raw = cap;
    }
    d->raw[d->nr_raw++] = w;
    return true;
}

/* Returns false with a message on a malformed -- raw token. */
static bool parse_data(const char *path, const char *text, size_t len, struct data_sections *d)
{
    memset(d, 0, sizeof(*d));
    d->asm_text = malloc(len + 1);
    if (!d->asm_text) return false;
    enum { S_NONE, S_ASM, S_RAW, S_OTHER } sec = S_NONE;
    unsigned lineno = 0;
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && text[e] != '\n') e++;
        lineno++;
        const char *l = text + i;
        size_t n = e - i;
        if ((n >= 3 && strncmp(l, "-- ", 3) == 0) || (n == 2 && strncmp(l, "--", 2) == 0)) {
            sec = n >= 6 && strncmp(l, "-- asm", 6) == 0 ? S_ASM : n >= 6 && strncmp(l, "-- raw", 6) == 0 ? S_RAW : S_OTHER;
            if (sec == S_ASM) d->has_asm = true;
            if (sec == S_RAW) d->has_raw = true;
        } else if (sec == S_ASM) {
            memcpy(d->asm_text + d->asm_len, l, n);
            d->asm_len += n;
            d->asm_text[d->asm_len++] = '\n';
        } else if (sec == S_RAW) {
            for (size_t k = 0; k < n && l[k] != '#';) {
                if (l[k] == ' ' || l[k] == '\t' || l[k] == '\r') { k++; continue; }
                size_t t = k;
                while (t < n && l[t] != ' ' && l[t] != '\t' && l[t] != '\r' && l[t] != '#') t++;
                uint64_t v = 0;
                bool word = t - k > 2 && l[k] == '0' && (l[k + 1] == 'x' || l[k + 1] == 'X');
                size_t from = word ? k + 2 : k;
                bool ok = t > from && t - from <= (word ? 16u : 2u);
                for (size_t q = from; ok && q < t; q++) {
                    int h = hexval((unsigned char)l[q]);
                    ok = h >= 0;
                    v = v << 4 | (uint64_t)(h < 0 ? 0 : h);
                }
                if (!ok) {
                    fprintf(stderr, "%s:%u:%zu: error: -- raw: expected 0x word or hex byte, got '%.*s'\n",
                            path, lineno, k + 1, (int)(t - k > 40 ? 40 : t - k), l + k);
                    return false;
                }
                if (word) {
                    if (!raw_push(d, v)) return false;
                } else {
                    d->bytes |= v << (8 * d->nbytes);
                    if (++d->nbytes == 8) {
                        if (!raw_push(d, d->bytes)) return false;
                        d->bytes = 0;
                        d->nbytes = 0;
                    }
                }
                k = t;
            }
        }
        i = e + 1;
    }
    d->asm_text[d->asm_len] = '\0';
    if (d->nbytes) {
        fprintf(stderr, "%s: error: -- raw ends inside an instruction\n", path);
        return false;
    }
    return true;
}

static void free_data(struct data_sections *d)
{
    free(d->asm_text);
    free(d->raw);
}

/* Hex words: every token is 0x followed by 1..16 hex digits ('#' comments). */
static bool parse_hex_words(const char *text, size_t len, struct bpf_insn **out, uint32_t *cnt)
{
    size_t cap = 16, n = 0;
    uint64_t *w = malloc(cap * sizeof(*w));
    size_t i = 0;
    bool any = false;
    while (w && i < len) {
        char c = text[i];
        if (c == '#') {
            while (i < len && text[i] != '\n') i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
            i++;
            continue;
        }
        if (!(c == '0' && i + 1 < len && (text[i + 1] == 'x' || text[i + 1] == 'X')))
            goto fail;
        i += 2;
        uint64_t v = 0;
        int digits = 0;
        while (i < len && hexval((unsigned char)text[i]) >= 0) {
            v = v << 4 | (uint64_t)hexval((unsigned char)text[i]);
            i++;
            digits++;
        }
        if (digits == 0 || digits > 16 || (i < len && !strchr(" \t\r\n,#", text[i])))
            goto fail;
        if (n == cap) {
            uint64_t *bigger = realloc(w, (cap *= 2) * sizeof(*w));
            if (!bigger) goto fail;
            w = bigger;
        }
        w[n++] = v;
        any = true;
    }
    if (!w || !any)
        goto fail;
    *out = (struct bpf_insn *)(void *)w;
    *cnt = (uint32_t)n;
    return true;
fail:
    free(w);
    return false;
}

static bool assemble(const char *path, const char *text, size_t len, enum bpfrt_syntax syntax,
                     unsigned first_line, struct bpf_insn **insns, uint32_t *cnt)
{
    const struct bpfrt_platform *plat = bpfrt_platform_hosted();
    struct bpfrt_asm_error err;
    struct bpf_insn *out;
    uint32_t n;
    if (bpfrt_asm(plat, text, len, syntax, &out, &n, &err)) {
        if (err.line)
            fprintf(stderr, "%s:%u:%u: error: %s\n", path, err.line + (first_line ? first_line - 1 : 0),
                    err.column, err.msg);
        else
            fprintf(stderr, "%s: error: %s\n", path, err.msg);
        return false;
    }
    /* hand back malloc'd memory so every caller frees the same way */
    *insns = malloc((size_t)n * sizeof(**insns));
    if (*insns)
        memcpy(*insns, out, (size_t)n * sizeof(**insns));
    plat->free(plat->ctx, out, (size_t)n * sizeof(*out));
    if (!*insns) {
        fprintf(stderr, "%s: out of memory\n", path);
        return false;
    }
    *cnt = n;
    return true;
}

bool cli_load_program(const char *path, const char *text, size_t len, enum bpfrt_syntax syntax,
                      struct bpf_insn **insns, uint32_t *cnt, const char **what)
{
    *insns = NULL;
    *cnt = 0;
    if (ends_with(path, ".data")) {
        struct data_sections d;
        bool ok = false;
        if (parse_data(path, text, len, &d)) {
            if (d.has_raw && d.nr_raw) {
                *what = "raw";
                *insns = malloc(d.nr_raw * sizeof(**insns));
                if (*insns) {
                    memcpy(*insns, d.raw, d.nr_raw * sizeof(**insns));
                    *cnt = (uint32_t)d.nr_raw;
                    ok = true;
                }
            } else if (d.has_asm) {
                *what = "assembly";
                ok = assemble(path, d.asm_text, d.asm_len, BPFRT_SYNTAX_CONF,
                              cli_data_asm_first_line(text, len), insns, cnt);
            } else {
                fprintf(stderr, "%s: no -- asm or -- raw section\n", path);
            }
        }
        free_data(&d);
        return ok;
    }
    if (ends_with(path, ".bin") || !looks_like_text(text, len)) {
        *what = "raw";
        if (len == 0 || len % 8) {
            fprintf(stderr, "%s: %zu bytes is not a whole number of 8-byte instructions\n", path, len);
            return false;
        }
        *insns = malloc(len);
        if (!*insns)
            return false;
        memcpy(*insns, text, len);
        *cnt = (uint32_t)(len / 8);
        return true;
    }
    if (parse_hex_words(text, len, insns, cnt)) {
        *what = "hex words";
        return true;
    }
    *what = "assembly";
    return assemble(path, text, len, syntax, 0, insns, cnt);
}

/* Subprogram starts: the targets of bpf-to-bpf calls and of function
 * pointers (ld_imm64 src 4), as the verifier splits a program. */
static bool is_subprog_start(const struct bpf_insn *insns, uint32_t cnt, uint32_t pc)
{
    for (uint32_t i = 0; pc && i < cnt; i++) {
        bool call = insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_CALL;
        bool func = bpfrt_insn_is_lddw(&insns[i]) && insns[i].src_reg == BPF_PSEUDO_FUNC;
        if ((call || func) && (int64_t)i + insns[i].imm + 1 == (int64_t)pc)
            return true;
    }
    return false;
}

/* The program as text (labels "subprog_N:" where subprograms start, which
 * the assembler reads back) or as JSON: bpfrt_disasm's lines, one per
 * instruction, walked beside the instructions they stand for. */
static bool print_insns(const struct bpf_insn *insns, uint32_t cnt, enum bpfrt_syntax syntax, bool json)
{
    size_t need = bpfrt_disasm(insns, cnt, syntax, NULL, 0);
    char *text = malloc(need + 1);
    if (!text)
        return false;
    bpfrt_disasm(insns, cnt, syntax, text, need + 1);
    if (json)
        printf("[");
    char *line = text;
    for (uint32_t i = 0, used; i < cnt && *line; i += used) {
        char scratch[256], *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        used = 1;
        if (bpfrt_disasm_insn(&insns[i], cnt - i, i, syntax, scratch, sizeof(scratch), &used) < 0)
            used = 1;
        bool sub = is_subprog_start(insns, cnt, i);
        if (json) {
            uint64_t w;
            memcpy(&w, &insns[i], sizeof(w));
            const char *t = syntax == BPFRT_SYNTAX_KERNEL && strchr(line, ':') ? strchr(line, ':') + 2 : line;
            printf("%s{\"pc\": %u, \"insn\": ", i ? ", " : "", i);
            cli_json_str(stdout, t);
            printf(", \"raw\": \"%016llx\"%s}", (unsigned long long)w, sub ? ", \"subprog\": true" : "");
        } else {
            if (sub)
                printf("subprog_%u:\n", i);
            printf("%s\n", line);
        }
        line = nl ? nl + 1 : line + strlen(line);
    }
    if (json)
        printf("]\n");
    free(text);
    return true;
}

static void disasm_usage(FILE *f)
{
    fprintf(f,
            "usage: bpfrt disasm FILE [--syntax kernel|llvm|conf] [-j]\n"
            "       bpfrt disasm PROG.o [--section S] [--prog NAME] [--syntax ...] [-j]\n\n"
            "Prints a program as assembly, by default like 'bpftool prog dump xlated'\n"
            "(\"   0: (b7) r0 = 0\"). The output assembles back to the same bytes with\n"
            "'bpfrt asm --syntax <same>'. Subprograms start with a label line\n"
            "(\"level1:\", or \"subprog_N:\" without symbols).\n\n"
            "FILE: raw bytecode (.bin, or any binary file of 8-byte instructions), a\n"
            "      conformance .data test (its -- raw or -- asm section), hex instruction\n"
            "      words (0x...), or assembly text in any syntax; '-' reads stdin\n\n"
            "  --syntax S   kernel (default), llvm or conf (bpf_conformance)\n"
            "  --section S  ELF objects: only programs of section S\n"
            "  --prog NAME  ELF objects: only program NAME\n"
            "  -j, --json   JSON: per instruction its pc, text and raw word (ELF objects:\n"
            "               also its source line, map and function)\n\n"
            "exit status: 0 printed, 1 input error, 2 usage\n");
}

int cmd_disasm(int argc, char **argv)
{
    const char *file = NULL, *section = NULL, *prog = NULL;
    enum bpfrt_syntax syntax = BPFRT_SYNTAX_KERNEL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            disasm_usage(stdout);
            return CLI_OK;
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--syntax") == 0 || strncmp(a, "--syntax=", 9) == 0) {
            const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            int s = v ? cli_parse_syntax(v, false) : -1;
            if (s < 0) {
                fprintf(stderr, "bpfrt disasm: --syntax needs kernel, llvm or conf\n");
                return CLI_USAGE;
            }
            syntax = (enum bpfrt_syntax)s;
        } else if (strcmp(a, "--section") == 0 || strcmp(a, "--prog") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "bpfrt disasm: %s needs a value\n", a);
                return CLI_USAGE;
            }
            *(strcmp(a, "--section") == 0 ? &section : &prog) = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "bpfrt disasm: unknown option '%s'\n", a);
            disasm_usage(stderr);
            return CLI_USAGE;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "bpfrt disasm: more than one FILE given\n");
            return CLI_USAGE;
        }
    }
    if (!file) {
        disasm_usage(stderr);
        return CLI_USAGE;
    }
    size_t len;
    char *text = cli_read_file(file, &len);
    if (!text)
        return CLI_ERROR;
    if (len >= 4 && memcmp(text, "\x7f" "ELF", 4) == 0) {
        /* ELF objects go through the loader (tools/bpfrt/elf_disasm.c). */
        int rc = cli_elf_disasm(file, text, len, syntax, section, prog, json);
        free(text);
        return rc;
    }
    if (section || prog) {
        fprintf(stderr, "bpfrt disasm: --section and --prog apply to ELF objects only\n");
        free(text);
        return CLI_USAGE;
    }
    struct bpf_insn *insns;
    uint32_t cnt;
    const char *what;
    bool ok = cli_load_program(file, text, len, BPFRT_SYNTAX_AUTO, &insns, &cnt, &what);
    free(text);
    if (!ok)
        return CLI_ERROR;
    if (!print_insns(insns, cnt, syntax, json)) {
        free(insns);
        return CLI_ERROR;
    }
    char msg[200];
    uint32_t bad;
    if (bpfrt_insns_validate(insns, cnt, msg, sizeof(msg), &bad))
        fprintf(stderr, "bpfrt disasm: warning: %s\n", msg);
    free(insns);
    return CLI_OK;
}
