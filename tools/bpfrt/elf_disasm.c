/* `bpfrt disasm prog.o`: every program of an ELF object after relocation
 * (subprograms appended, as PROG_LOAD will see it), with the C source line
 * above its instructions when the object carries line info (-g), the way
 * Linux's bpftool prints xlated programs. Each subprogram starts with its
 * name as a label line ("level1:", which the assembler reads back) and map
 * references are named. With -j the same as JSON: one object per program
 * with its instructions ({"pc", "insn", "src", "line", "map", "func"}). A
 * program that cannot be relocated is reported and the others are shown. */
#include <stdlib.h>
#include <string.h>

#include "bpfrt/btf.h"
#include "bpfrt/runtime.h"
#include "cli.h"
#include "cli_elf.h"

static const char *trim(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

struct src_line {
    const char *text, *file;
    uint32_t line;
};

/* The source line starting at instruction i, once per run of instructions
 * it covers; false when none starts here. */
static bool src_at(const struct bpfrt_btf *btf, const struct bpf_line_info *li, uint32_t nli, uint32_t *next,
                   uint32_t i, uint32_t *last_off, uint32_t *last_line, struct src_line *out)
{
    while (*next < nli && li[*next].insn_off < i)
        (*next)++;
    if (!btf || *next >= nli || li[*next].insn_off != i)
        return false;
    const struct bpf_line_info *l = &li[*next];
    uint32_t line = BPF_LINE_INFO_LINE_NUM(l->line_col);
    if (l->line_off == *last_off && line == *last_line)
        return false;
    *last_off = l->line_off;
    *last_line = line;
    const char *text = bpfrt_btf_str(btf, l->line_off), *file = bpfrt_btf_str(btf, l->file_name_off);
    if (!text || !*text)
        return false;
    const char *base = file ? strrchr(file, '/') : NULL;
    *out = (struct src_line){trim(text), base ? base + 1 : file, line};
    return true;
}

/* The map an ld_imm64 names, or NULL. */
static const char *map_ref(struct bpfrt_object *obj, const struct bpf_insn *in, uint32_t left, int32_t *off)
{
    if (in->code != (BPF_LD | BPF_IMM | BPF_DW) ||
        (in->src_reg != BPF_PSEUDO_MAP_FD && in->src_reg != BPF_PSEUDO_MAP_VALUE) || in->imm < 0 ||
        (uint32_t)in->imm >= bpfrt_object_map_count(obj))
        return NULL;
    *off = in->src_reg == BPF_PSEUDO_MAP_VALUE && left > 1 ? in[1].imm : -1;
    return bpfrt_object_map_name(bpfrt_object_map_at(obj, (uint32_t)in->imm));
}

static void insn_text(const struct bpf_insn *insns, uint32_t cnt, uint32_t i, enum bpfrt_syntax syntax,
                      char *buf, size_t size, uint32_t *used)
{
    *used = 1;
    if (bpfrt_disasm_insn(&insns[i], cnt - i, i, syntax, buf, size, used) < 0) {
        uint64_t raw;
        memcpy(&raw, &insns[i], 8);
        snprintf(buf, size, ".insn 0x%016llx ; invalid", (unsigned long long)raw);
        *used = 1;
    }
}

static void disasm_prog(struct bpfrt_object *obj, struct bpfrt_object_prog *p, enum bpfrt_syntax syntax, bool json)
{
    const struct bpfrt_btf *btf = bpfrt_object_btf(obj);
    uint32_t cnt, nli, next_li = 0, last_off = UINT32_MAX, last_line = UINT32_MAX;
    const struct bpf_insn *insns = bpfrt_object_prog_insns(p, &cnt);
    const struct bpf_line_info *li = bpfrt_object_prog_line_info(p, &nli);
    const char *tn = bpfrt_prog_type_str(bpfrt_object_prog_type(p));
    if (json) {
        printf("{\"name\": ");
        cli_json_str(stdout, bpfrt_object_prog_name(p));
        printf(", \"section\": ");
        cli_json_str(stdout, bpfrt_object_prog_section(p));
        printf(", \"type\": ");
        cli_json_str(stdout, tn ? tn : "");
        printf(", \"insns\": [");
    } else {
        printf("%s (section %s, %s, %u instructions):\n", bpfrt_object_prog_name(p), bpfrt_object_prog_section(p),
               tn ? tn : "type not named", cnt);
    }
    for (uint32_t i = 0, used; i < cnt; i += used) {
        struct src_line src;
        bool has_src = src_at(btf, li, nli, &next_li, i, &last_off, &last_line, &src);
        const char *func = bpfrt_object_prog_func_at(p, i);
        char buf[256];
        insn_text(insns, cnt, i, syntax, buf, sizeof(buf), &used);
        int32_t off;
        const char *map = map_ref(obj, &insns[i], cnt - i, &off);
        if (json) {
            printf("%s{\"pc\": %u, \"insn\": ", i ? ", " : "", i);
            cli_json_str(stdout, buf);
            if (func) {
                printf(", \"func\": ");
                cli_json_str(stdout, func);
            }
            if (has_src) {
                printf(", \"src\": ");
                cli_json_str(stdout, src.text);
                printf(", \"file\": ");
                cli_json_str(stdout, src.file ? src.file : "");
                printf(", \"line\": %u", src.line);
            }
            if (map) {
                printf(", \"map\": ");
                cli_json_str(stdout, map);
                if (off >= 0)
                    printf(", \"map_off\": %d", off);
            }
            printf("}");
            continue;
        }
        if (func && i)
            printf("%s:\n", func);
        if (has_src && src.file)
            printf("; %s @ %s:%u\n", src.text, src.file, src.line);
        else if (has_src)
            printf("; %s\n", src.text);
        printf("%4u: %s", i, buf);
        if (map && off < 0)
            printf("\t; map %s", map);
        else if (map)
            printf("\t; %s+%d", map, off);
        printf("\n");
    }
    if (json)
        printf("]}");
}

int cli_elf_disasm(const char *path, const char *buf, size_t len, enum bpfrt_syntax syntax,
                   const char *section, const char *prog, bool json)
{
    struct bpfrt_runtime *rt;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt))
        return CLI_ERROR;
    struct bpfrt_object_opts opts = {.name = path};
    struct bpfrt_object *obj;
    char err[512] = "";
    if (bpfrt_object_open_mem(rt, buf, len, &opts, &obj, err, sizeof(err))) {
        fprintf(stderr, "bpfrt disasm: %s: %s\n", path, err);
        bpfrt_runtime_destroy(rt);
        return CLI_ERROR;
    }
    int status = bpfrt_object_relocate(obj, err, sizeof(err)) ? CLI_ERROR : CLI_OK;
    int shown = 0;
    if (json)
        printf("[");
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        if ((section && strcmp(section, bpfrt_object_prog_section(p)) != 0) ||
            (prog && strcmp(prog, bpfrt_object_prog_name(p)) != 0))
            continue;
        if (*bpfrt_object_prog_error(p)) { /* not relocated: say why, show the rest */
            fprintf(stderr, "bpfrt disasm: %s: program %s (section %s): %s\n", path, bpfrt_object_prog_name(p),
                    bpfrt_object_prog_section(p), bpfrt_object_prog_error(p));
            continue;
        }
        printf("%s", shown++ ? (json ? ", " : "\n") : "");
        disasm_prog(obj, p, syntax, json);
    }
    if (json)
        printf("]\n");
    if (!shown && status == CLI_OK) {
        fprintf(stderr, "bpfrt disasm: %s: no program%s%s%s%s\n", path, section ? " in section " : "",
                section ? section : "", prog ? " named " : "", prog ? prog : "");
        status = CLI_ERROR;
    }
    if (*bpfrt_object_notes(obj))
        fprintf(stderr, "note: %s", bpfrt_object_notes(obj));
    bpfrt_object_close(obj);
    bpfrt_runtime_destroy(rt);
    return status;
}
