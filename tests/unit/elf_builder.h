/* A small ELF writer for the loader tests: sections, symbols and
 * relocations put together by hand into a BPF object in memory, so a test
 * can build exactly the convention (or the corruption) it checks. */
#ifndef BPFRT_TEST_ELF_BUILDER_H
#define BPFRT_TEST_ELF_BUILDER_H

#include <elf.h>

#include "test_corpus_util.h"

#define R_BPF_64_ABS64_ 2
#define R_BPF_64_32_ 10

#define MAX_SECS 40
#define MAX_SYMS 32

struct esec {
    const char *name;
    uint32_t type;
    uint64_t flags;
    const void *data;
    uint64_t size;
    uint32_t link, info;
    uint64_t entsize;
};

struct esym {
    const char *name;
    uint64_t value, size;
    uint8_t info;
    uint16_t shndx;
};

struct ebuild {
    struct esec secs[MAX_SECS];
    int nsecs; /* user sections, indexes 1..nsecs */
    struct esym syms[MAX_SYMS];
    int nsyms; /* after the null symbol */
    uint16_t machine, type;
    uint8_t out[65536];
    size_t size;
};

#define SYMTAB_LINK 0xffffu /* placeholder: the symbol table's index */

static inline void eb_init(struct ebuild *b)
{
    memset(b, 0, sizeof(*b));
    b->machine = EM_BPF;
    b->type = ET_REL;
}

static inline int eb_sec(struct ebuild *b, const char *name, uint32_t type, uint64_t flags, const void *data,
                  uint64_t size)
{
    b->secs[b->nsecs] = (struct esec){name, type, flags, data, size, 0, 0, 0};
    return ++b->nsecs;
}

static inline int eb_rel(struct ebuild *b, const char *name, int target, const Elf64_Rel *rels, int n)
{
    int i = eb_sec(b, name, SHT_REL, 0, rels, (uint64_t)n * sizeof(Elf64_Rel));
    b->secs[i - 1].link = SYMTAB_LINK;
    b->secs[i - 1].info = (uint32_t)target;
    b->secs[i - 1].entsize = sizeof(Elf64_Rel);
    return i;
}

static inline int eb_sym(struct ebuild *b, const char *name, int shndx, uint64_t value, uint64_t size, int type,
                  int bind)
{
    b->syms[b->nsyms] = (struct esym){name, value, size, (uint8_t)ELF64_ST_INFO(bind, type), (uint16_t)shndx};
    return ++b->nsyms; /* symbol index (0 is the null symbol) */
}

static inline void eb_put(struct ebuild *b, const void *p, size_t n)
{
    memcpy(b->out + b->size, p, n);
    b->size += n;
}

static inline void eb_align(struct ebuild *b)
{
    while (b->size % 8)
        b->out[b->size++] = 0;
}

static inline void eb_finish(struct ebuild *b)
{
    char strtab[2048] = "", shstr[2048] = "";
    size_t nstr = 1, nsh = 1;
    int symtab = b->nsecs + 1, strtab_i = b->nsecs + 2, shstr_i = b->nsecs + 3, total = b->nsecs + 4;
    Elf64_Shdr sh[MAX_SECS + 4];
    memset(sh, 0, sizeof(sh));
    b->size = sizeof(Elf64_Ehdr);
    for (int i = 0; i < b->nsecs; i++) {
        const struct esec *s = &b->secs[i];
        Elf64_Shdr *h = &sh[i + 1];
        h->sh_name = (uint32_t)nsh;
        strcpy(shstr + nsh, s->name);
        nsh += strlen(s->name) + 1;
        h->sh_type = s->type;
        h->sh_flags = s->flags;
        h->sh_size = s->size;
        h->sh_link = s->link == SYMTAB_LINK ? (uint32_t)symtab : s->link;
        h->sh_info = s->info;
        h->sh_entsize = s->entsize;
        h->sh_addralign = 8;
        eb_align(b);
        h->sh_offset = b->size;
        if (s->type != SHT_NOBITS && s->data)
            eb_put(b, s->data, s->size);
    }
    /* symbols */
    Elf64_Sym syms[MAX_SYMS + 1];
    memset(syms, 0, sizeof(syms));
    for (int i = 0; i < b->nsyms; i++) {
        syms[i + 1].st_name = (uint32_t)nstr;
        strcpy(strtab + nstr, b->syms[i].name);
        nstr += strlen(b->syms[i].name) + 1;
        syms[i + 1].st_value = b->syms[i].value;
        syms[i + 1].st_size = b->syms[i].size;
        syms[i + 1].st_info = b->syms[i].info;
        syms[i + 1].st_shndx = b->syms[i].shndx;
    }
    const char *names[3] = {".symtab", ".strtab", ".shstrtab"};
    int idx[3] = {symtab, strtab_i, shstr_i};
    for (int k = 0; k < 3; k++) {
        sh[idx[k]].sh_name = (uint32_t)nsh;
        strcpy(shstr + nsh, names[k]);
        nsh += strlen(names[k]) + 1;
    }
    eb_align(b);
    sh[symtab].sh_type = SHT_SYMTAB;
    sh[symtab].sh_offset = b->size;
    sh[symtab].sh_size = (uint64_t)(b->nsyms + 1) * sizeof(Elf64_Sym);
    sh[symtab].sh_entsize = sizeof(Elf64_Sym);
    sh[symtab].sh_link = (uint32_t)strtab_i;
    eb_put(b, syms, sh[symtab].sh_size);
    sh[strtab_i].sh_type = SHT_STRTAB;
    sh[strtab_i].sh_offset = b->size;
    sh[strtab_i].sh_size = nstr;
    eb_put(b, strtab, nstr);
    sh[shstr_i].sh_type = SHT_STRTAB;
    sh[shstr_i].sh_offset = b->size;
    sh[shstr_i].sh_size = nsh;
    eb_put(b, shstr, nsh);
    eb_align(b);
    Elf64_Ehdr eh;
    memset(&eh, 0, sizeof(eh));
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = b->type;
    eh.e_machine = b->machine;
    eh.e_version = EV_CURRENT;
    eh.e_ehsize = sizeof(eh);
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = (uint16_t)total;
    eh.e_shstrndx = (uint16_t)shstr_i;
    eh.e_shoff = b->size;
    eb_put(b, sh, (size_t)total * sizeof(Elf64_Shdr));
    memcpy(b->out, &eh, sizeof(eh));
}

static inline int eb_open(struct ebuild *b, const struct bpfrt_object_opts *o, struct bpfrt_object **obj, char *err)
{
    eb_finish(b);
    err[0] = '\0';
    return bpfrt_object_open_mem(crt, b->out, b->size, o, obj, err, 512);
}

#define INSN(code, dst, src, off, imm) {(code), (dst), (src), (off), (imm)}
static const struct bpf_insn ret0[] __attribute__((unused)) = {INSN(0xb7, 0, 0, 0, 0), INSN(0x95, 0, 0, 0, 0)};

/* A section holding one `r0 = 0; exit` program and its function symbol. */
static inline int eb_ret0_prog(struct ebuild *b, const char *sec, const char *name)
{
    int s = eb_sec(b, sec, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, ret0, sizeof(ret0));
    eb_sym(b, name, s, 0, sizeof(ret0), STT_FUNC, STB_GLOBAL);
    return s;
}
static const char license_gpl[] __attribute__((unused)) = "GPL";

#endif
