/* `bpfrt disasm prog.o`: every program of an ELF object after relocation
 * (subprograms appended, as PROG_LOAD will see it), with the C source line
 * above its instructions when the object carries line info (-g), the way
 * Linux's bpftool prints xlated programs. Map references are named. */
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

static void disasm_prog(struct bpfrt_object *obj, struct bpfrt_object_prog *p, enum bpfrt_syntax syntax)
{
    const struct bpfrt_btf *btf = bpfrt_object_btf(obj);
    uint32_t cnt, nli;
    const struct bpf_insn *insns = bpfrt_object_prog_insns(p, &cnt);
    const struct bpf_line_info *li = bpfrt_object_prog_line_info(p, &nli);
    const char *tn = bpfrt_prog_type_str(bpfrt_object_prog_type(p));
    printf("%s (section %s, %s, %u instructions):\n", bpfrt_object_prog_name(p),
           bpfrt_object_prog_section(p), tn ? tn : "type not named", cnt);
    uint32_t next_li = 0, last_line = UINT32_MAX, last_col = UINT32_MAX;
    for (uint32_t i = 0; i < cnt;) {
        while (next_li < nli && li[next_li].insn_off < i)
            next_li++;
        /* a line is printed once per run of instructions it covers */
        if (next_li < nli && li[next_li].insn_off == i && btf &&
            (li[next_li].line_off != last_line || BPF_LINE_INFO_LINE_NUM(li[next_li].line_col) != last_col)) {
            last_line = li[next_li].line_off;
            last_col = BPF_LINE_INFO_LINE_NUM(li[next_li].line_col);
            const char *line = bpfrt_btf_str(btf, li[next_li].line_off);
            const char *file = bpfrt_btf_str(btf, li[next_li].file_name_off);
            if (line && *line) {
                const char *base = file ? strrchr(file, '/') : NULL;
                printf("; %s", trim(line));
                if (file)
                    printf(" @ %s:%u", base ? base + 1 : file, BPF_LINE_INFO_LINE_NUM(li[next_li].line_col));
                printf("\n");
            }
        }
        char buf[256];
        uint32_t used = 1;
        int n = bpfrt_disasm_insn(&insns[i], cnt - i, i, syntax, buf, sizeof(buf), &used);
        if (n < 0) {
            uint64_t raw;
            memcpy(&raw, &insns[i], 8);
            snprintf(buf, sizeof(buf), ".insn 0x%016llx ; invalid", (unsigned long long)raw);
            used = 1;
        }
        printf("%4u: %s", i, buf);
        const struct bpf_insn *in = &insns[i];
        if (in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
            (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) && in->imm >= 0 &&
            (uint32_t)in->imm < bpfrt_object_map_count(obj)) {
            const char *mn = bpfrt_object_map_name(bpfrt_object_map_at(obj, (uint32_t)in->imm));
            if (in->src_reg == BPF_PSEUDO_MAP_FD)
                printf("\t; map %s", mn);
            else
                printf("\t; %s+%d", mn, i + 1 < cnt ? in[1].imm : 0);
        }
        printf("\n");
        i += used ? used : 1;
    }
}

int cli_elf_disasm(const char *path, const char *buf, size_t len, enum bpfrt_syntax syntax,
                   const char *section, const char *prog)
{
    struct bpfrt_runtime *rt;
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt))
        return CLI_ERROR;
    struct bpfrt_object_opts opts = {.name = path};
    struct bpfrt_object *obj;
    char err[512] = "";
    int status = CLI_ERROR;
    if (bpfrt_object_open_mem(rt, buf, len, &opts, &obj, err, sizeof(err))) {
        fprintf(stderr, "bpfrt disasm: %s: %s\n", path, err);
        bpfrt_runtime_destroy(rt);
        return CLI_ERROR;
    }
    if (bpfrt_object_relocate(obj, err, sizeof(err))) {
        fprintf(stderr, "bpfrt disasm: %s: %s\n", path, err);
        goto out;
    }
    int shown = 0;
    for (uint32_t i = 0; i < bpfrt_object_prog_count(obj); i++) {
        struct bpfrt_object_prog *p = bpfrt_object_prog_at(obj, i);
        if (section && strcmp(section, bpfrt_object_prog_section(p)) != 0)
            continue;
        if (prog && strcmp(prog, bpfrt_object_prog_name(p)) != 0)
            continue;
        if (shown++)
            printf("\n");
        disasm_prog(obj, p, syntax);
    }
    if (!shown) {
        fprintf(stderr, "bpfrt disasm: %s: no program%s%s%s%s\n", path, section ? " in section " : "",
                section ? section : "", prog ? " named " : "", prog ? prog : "");
        goto out;
    }
    if (*bpfrt_object_notes(obj))
        fprintf(stderr, "note: %s", bpfrt_object_notes(obj));
    status = CLI_OK;
out:
    bpfrt_object_close(obj);
    bpfrt_runtime_destroy(rt);
    return status;
}
