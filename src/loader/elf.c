/* A strict ELF64 reader for BPF objects: every offset, size and index is
 * checked against the file before it is used, and a malformed file gets an
 * error that says what is wrong ("section 7 (.relxdp): offset 0x2a00 + size
 * 0x110 beyond end of file (0x2900)"). Little-endian only, as BPF objects
 * from clang -target bpf (bpfel) are. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

static int elf_err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int elf_err(char *err, size_t size, const char *fmt, ...)
{
    if (err && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, size, fmt, ap);
        va_end(ap);
    }
    return -BPFRT_EINVAL;
}

static bool range_ok(size_t file_size, uint64_t off, uint64_t len)
{
    return off <= file_size && len <= file_size - off;
}

/* A NUL-terminated name at `off` inside a string table section. */
static const char *strtab_name(const uint8_t *buf, const Elf64_Shdr *st, uint32_t off)
{
    if (off >= st->sh_size)
        return NULL;
    const char *s = (const char *)buf + st->sh_offset + off;
    if (!memchr(s, 0, st->sh_size - off))
        return NULL;
    return s;
}

int bpfrt_elf_parse(struct elf_file *ef, const uint8_t *buf, size_t size, char *err, size_t err_size)
{
    memset(ef, 0, sizeof(*ef));
    ef->buf = buf;
    ef->size = size;
    if (size < sizeof(Elf64_Ehdr))
        return elf_err(err, err_size, "not an ELF object: file is %zu bytes, shorter than the ELF header", size);
    Elf64_Ehdr eh;
    memcpy(&eh, buf, sizeof(eh));
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return elf_err(err, err_size, "not an ELF object: bad magic");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        return elf_err(err, err_size, "not a 64-bit ELF object (class %u)", eh.e_ident[EI_CLASS]);
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return elf_err(err, err_size, "big-endian ELF objects are not supported (build with -target bpf or bpfel)");
    if (eh.e_ident[EI_VERSION] != EV_CURRENT)
        return elf_err(err, err_size, "unsupported ELF version %u", eh.e_ident[EI_VERSION]);
    if (eh.e_type != ET_REL)
        return elf_err(err, err_size, "ELF type %u is not a relocatable object (ET_REL)", eh.e_type);
    if (eh.e_machine != EM_BPF && eh.e_machine != EM_NONE)
        return elf_err(err, err_size, "ELF machine %u is not BPF (%u)", eh.e_machine, EM_BPF);
    if (eh.e_shentsize != sizeof(Elf64_Shdr))
        return elf_err(err, err_size, "bad section header size %u (expected %zu)", eh.e_shentsize, sizeof(Elf64_Shdr));
    if (eh.e_shnum == 0 || eh.e_shnum > 0xff00)
        return elf_err(err, err_size, "bad section count %u", eh.e_shnum);
    if (!range_ok(size, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr)))
        return elf_err(err, err_size, "section header table (offset 0x%llx, %u entries) beyond end of file (0x%zx)",
                       (unsigned long long)eh.e_shoff, eh.e_shnum, size);
    if (eh.e_shstrndx == SHN_UNDEF || eh.e_shstrndx >= eh.e_shnum)
        return elf_err(err, err_size, "bad section name table index %u", eh.e_shstrndx);

    Elf64_Shdr *sh = calloc(eh.e_shnum, sizeof(*sh));
    ef->secs = calloc(eh.e_shnum, sizeof(*ef->secs));
    if (!sh || !ef->secs) {
        free(sh);
        bpfrt_elf_free(ef);
        return -BPFRT_ENOMEM;
    }
    memcpy(sh, buf + eh.e_shoff, (size_t)eh.e_shnum * sizeof(*sh));
    ef->nsecs = eh.e_shnum;
    int rc = 0;

    const Elf64_Shdr *shstr = &sh[eh.e_shstrndx];
    if (shstr->sh_type != SHT_STRTAB || !range_ok(size, shstr->sh_offset, shstr->sh_size) ||
        shstr->sh_size == 0) {
        rc = elf_err(err, err_size, "section name table (section %u) is not a valid string table", eh.e_shstrndx);
        goto out;
    }
    for (uint32_t i = 0; i < ef->nsecs; i++) {
        struct elf_sec *s = &ef->secs[i];
        const Elf64_Shdr *h = &sh[i];
        s->index = i;
        s->type = h->sh_type;
        s->flags = h->sh_flags;
        s->size = h->sh_size;
        s->link = h->sh_link;
        s->info = h->sh_info;
        s->entsize = h->sh_entsize;
        if (i == 0) {
            s->name = "";
            continue;
        }
        s->name = strtab_name(buf, shstr, h->sh_name);
        if (!s->name) {
            rc = elf_err(err, err_size, "section %u: name offset %u outside the section name table", i, h->sh_name);
            goto out;
        }
        if (h->sh_type != SHT_NOBITS && h->sh_type != SHT_NULL) {
            if (!range_ok(size, h->sh_offset, h->sh_size)) {
                rc = elf_err(err, err_size, "section %u (%s): offset 0x%llx + size 0x%llx beyond end of file (0x%zx)",
                             i, s->name, (unsigned long long)h->sh_offset, (unsigned long long)h->sh_size, size);
                goto out;
            }
            s->data = buf + h->sh_offset;
        }
        if (h->sh_type == SHT_SYMTAB) {
            if (ef->symtab_idx) {
                rc = elf_err(err, err_size, "more than one symbol table (sections %u and %u)", ef->symtab_idx, i);
                goto out;
            }
            ef->symtab_idx = i;
        }
    }

    if (ef->symtab_idx) {
        const Elf64_Shdr *st = &sh[ef->symtab_idx];
        const char *stname = ef->secs[ef->symtab_idx].name;
        if (st->sh_entsize != sizeof(Elf64_Sym) || st->sh_size % sizeof(Elf64_Sym)) {
            rc = elf_err(err, err_size, "symbol table %s: entry size %llu / size %llu not a multiple of %zu",
                         stname, (unsigned long long)st->sh_entsize, (unsigned long long)st->sh_size, sizeof(Elf64_Sym));
            goto out;
        }
        if (st->sh_link == 0 || st->sh_link >= ef->nsecs || sh[st->sh_link].sh_type != SHT_STRTAB ||
            sh[st->sh_link].sh_size == 0) {
            rc = elf_err(err, err_size, "symbol table %s: link %u is not a string table", stname, st->sh_link);
            goto out;
        }
        const Elf64_Shdr *strs = &sh[st->sh_link];
        uint64_t n = st->sh_size / sizeof(Elf64_Sym);
        if (n > 1000000) {
            rc = elf_err(err, err_size, "symbol table %s: too many symbols (%llu)", stname, (unsigned long long)n);
            goto out;
        }
        ef->syms = calloc(n ? n : 1, sizeof(*ef->syms));
        if (!ef->syms) {
            rc = -BPFRT_ENOMEM;
            goto out;
        }
        ef->nsyms = (uint32_t)n;
        for (uint32_t i = 0; i < n; i++) {
            Elf64_Sym es;
            memcpy(&es, buf + st->sh_offset + (uint64_t)i * sizeof(es), sizeof(es));
            struct elf_sym *y = &ef->syms[i];
            y->name = strtab_name(buf, strs, es.st_name);
            if (!y->name) {
                rc = elf_err(err, err_size, "symbol %u: name offset %u outside the string table", i, es.st_name);
                goto out;
            }
            y->value = es.st_value;
            y->size = es.st_size;
            y->shndx = es.st_shndx;
            y->type = ELF64_ST_TYPE(es.st_info);
            y->bind = ELF64_ST_BIND(es.st_info);
            y->visibility = ELF64_ST_VISIBILITY(es.st_other);
            if (y->shndx != SHN_UNDEF && y->shndx < SHN_LORESERVE && y->shndx >= ef->nsecs) {
                rc = elf_err(err, err_size, "symbol %u (%s): section index %u out of range", i, y->name, y->shndx);
                goto out;
            }
            /* section symbols are named after their section */
            if (y->type == STT_SECTION && !y->name[0] && y->shndx < ef->nsecs)
                y->name = ef->secs[y->shndx].name;
        }
    }
out:
    free(sh);
    if (rc)
        bpfrt_elf_free(ef);
    return rc;
}

void bpfrt_elf_free(struct elf_file *ef)
{
    free(ef->secs);
    free(ef->syms);
    ef->secs = NULL;
    ef->syms = NULL;
    ef->nsecs = ef->nsyms = 0;
}

const struct elf_sec *bpfrt_elf_find_sec(const struct elf_file *ef, const char *name)
{
    for (uint32_t i = 1; i < ef->nsecs; i++)
        if (strcmp(ef->secs[i].name, name) == 0)
            return &ef->secs[i];
    return NULL;
}

int bpfrt_elf_read_rels(const struct elf_file *ef, const struct elf_sec *relsec, struct elf_rel **out,
                  uint32_t *cnt, char *err, size_t err_size)
{
    *out = NULL;
    *cnt = 0;
    if (relsec->type == SHT_RELA)
        return elf_err(err, err_size, "section %s: RELA relocations are not used by BPF objects", relsec->name);
    if (relsec->entsize != sizeof(Elf64_Rel) || relsec->size % sizeof(Elf64_Rel))
        return elf_err(err, err_size, "section %s: entry size %llu / size %llu not a multiple of %zu",
                       relsec->name, (unsigned long long)relsec->entsize,
                       (unsigned long long)relsec->size, sizeof(Elf64_Rel));
    if (relsec->link != ef->symtab_idx || !ef->symtab_idx)
        return elf_err(err, err_size, "section %s: linked to section %u, not the symbol table", relsec->name, relsec->link);
    if (relsec->info == 0 || relsec->info >= ef->nsecs)
        return elf_err(err, err_size, "section %s: target section %u out of range", relsec->name, relsec->info);
    const struct elf_sec *target = &ef->secs[relsec->info];
    uint64_t n = relsec->size / sizeof(Elf64_Rel);
    struct elf_rel *rels = calloc(n ? n : 1, sizeof(*rels));
    if (!rels)
        return -BPFRT_ENOMEM;
    for (uint64_t i = 0; i < n; i++) {
        Elf64_Rel r;
        memcpy(&r, relsec->data + i * sizeof(r), sizeof(r));
        rels[i].offset = r.r_offset;
        rels[i].sym = (uint32_t)ELF64_R_SYM(r.r_info);
        rels[i].type = (uint32_t)ELF64_R_TYPE(r.r_info);
        if (ELF64_R_SYM(r.r_info) >= ef->nsyms) {
            free(rels);
            return elf_err(err, err_size, "section %s: relocation %llu: symbol index %llu out of range (%u symbols)",
                           relsec->name, (unsigned long long)i, (unsigned long long)ELF64_R_SYM(r.r_info), ef->nsyms);
        }
        if (r.r_offset >= target->size) {
            free(rels);
            return elf_err(err, err_size, "section %s: relocation %llu: offset 0x%llx beyond section %s (size 0x%llx)",
                           relsec->name, (unsigned long long)i, (unsigned long long)r.r_offset,
                           target->name, (unsigned long long)target->size);
        }
    }
    *out = rels;
    *cnt = (uint32_t)n;
    return 0;
}
