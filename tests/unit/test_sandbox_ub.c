/* Checked mode's sandbox, undefined behaviour the fuzzers found in what an
 * untrusted object can feed the runtime (meaningful under the ASan+UBSan
 * build, where UB stops the test):
 *  - ELF relocation: a symbol value near INT64_MAX plus the instruction's
 *    addend overflowed a signed sum; the load must fail cleanly.
 *  - BTF: an INT of size 8 with bit offset 64 and 0 bits is valid (Linux
 *    6.18 accepts it: 64 bits fit its 8 bytes) and formatting it shifted a
 *    u64 by 64; its value prints as 0. */
#include <elf.h>

#include "bpfrt/btf.h"
#include "kernel_bpf.h"
#include "test_sandbox_util.h"

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static const Elf64_Shdr *shdr(const uint8_t *elf, unsigned i)
{
    const Elf64_Ehdr *eh = (const void *)elf;
    return (const void *)(elf + eh->e_shoff + (size_t)i * eh->e_shentsize);
}

static const char *sec_name(const uint8_t *elf, unsigned i)
{
    const Elf64_Ehdr *eh = (const void *)elf;
    return (const char *)elf + shdr(elf, eh->e_shstrndx)->sh_offset + shdr(elf, i)->sh_name;
}

/* Every relocation of section `rel` against symbol `sym` gets symbol value
 * `value` and ld_imm64 addend `addend`. Returns how many were patched. */
static int patch_reloc(uint8_t *elf, const char *rel, const char *sym, uint64_t value, int32_t addend)
{
    const Elf64_Ehdr *eh = (const void *)elf;
    int patched = 0;
    for (unsigned i = 1; i < eh->e_shnum; i++) {
        const Elf64_Shdr *rs = shdr(elf, i);
        if (rs->sh_type != SHT_REL || strcmp(sec_name(elf, i), rel) != 0)
            continue;
        const Elf64_Shdr *symtab = shdr(elf, rs->sh_link), *target = shdr(elf, rs->sh_info);
        const char *strs = (const char *)elf + shdr(elf, symtab->sh_link)->sh_offset;
        Elf64_Sym *syms = (void *)(elf + symtab->sh_offset);
        const Elf64_Rel *r = (const void *)(elf + rs->sh_offset);
        for (size_t k = 0; k < rs->sh_size / sizeof(*r); k++) {
            Elf64_Sym *y = &syms[ELF64_R_SYM(r[k].r_info)];
            const char *name = ELF64_ST_TYPE(y->st_info) == STT_SECTION ? sec_name(elf, y->st_shndx)
                                                                        : strs + y->st_name;
            if (strcmp(name, sym) != 0)
                continue;
            y->st_value = value;
            struct bpf_insn *insn = (void *)(elf + target->sh_offset + r[k].r_offset);
            insn->imm = addend;
            patched++;
        }
    }
    return patched;
}

static void load_patched(const char *variant, const char *name, const char *rel, const char *sym,
                         uint64_t value, int32_t addend)
{
    size_t size;
    uint8_t *elf = read_file(prog_path(variant, name), &size);
    CHECK(elf != NULL);
    if (!elf)
        return;
    CHECK(patch_reloc(elf, rel, sym, value, addend) > 0);
    struct bpfrt_object *obj = NULL;
    char err[512] = "";
    int rc = bpfrt_object_open_mem(crt, elf, size, NULL, &obj, err, sizeof(err));
    if (rc == 0)
        rc = bpfrt_object_load(obj, err, sizeof(err));
    CHECK(rc < 0);
    CHECK(err[0] != 0);
    printf("  %s at 0x%llx%+d: %s\n", sym, (unsigned long long)value, addend, err);
    bpfrt_object_close(obj);
    free(elf);
}

/* A global (sandbox_pkt's pops, in .bss; the object without BTF, so
 * nothing looks at the value before relocation) and a function pointer
 * (.text's section symbol: sandbox_args' for_each callback) whose value +
 * addend overflows. */
static void reloc_value_plus_addend(void)
{
    load_patched("nog", "sandbox_pkt", ".reltc", "pops", (uint64_t)INT64_MAX, 8);
    load_patched("nog", "sandbox_pkt", ".reltc", "pops", (uint64_t)INT64_MIN, -8);
    load_patched("v3", "sandbox_args", ".relsocket", ".text", (uint64_t)INT64_MAX - 7, 16);
}

static size_t int_btf(uint8_t *out, uint32_t size, uint32_t enc)
{
    static const char strs[] = "\0u64z";
    uint32_t types[4] = { 1, 1u << 24, size, enc };
    struct btf_header h = { 0xeB9F, 1, 0, sizeof(struct btf_header), 0, sizeof(types), sizeof(types), sizeof(strs) };
    memcpy(out, &h, sizeof(h));
    memcpy(out + sizeof(h), types, sizeof(types));
    memcpy(out + sizeof(h) + sizeof(types), strs, sizeof(strs));
    return sizeof(h) + sizeof(types) + sizeof(strs);
}

static void btf_int_offset_64(void)
{
    uint8_t blob[256];
    size_t n = int_btf(blob, 8, 64u << 16 | 0); /* offset 64, 0 bits */
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.btf = (uint64_t)(uintptr_t)blob;
    a.btf_size = (uint32_t)n;
    long fd = bpfrt_bpf(crt, BPF_BTF_LOAD, &a, sizeof(a));
    CHECK(fd >= 0);
    if (kbpf_available()) {
        long kfd = kbpf(BPF_BTF_LOAD, &a);
        CHECK(kfd >= 0); /* Linux agrees it is valid */
        if (kfd >= 0)
            close((int)kfd);
    }
    struct bpfrt_btf *btf = bpfrt_btf_from_handle(crt, (int)fd);
    CHECK(btf != NULL);
    const uint8_t value[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    char out[64];
    CHECK_EQ(bpfrt_btf_format_value(btf, 1, value, sizeof(value), false, out, sizeof(out)), 1);
    CHECK_STR(out, "0");
    bpfrt_close(crt, (int)fd);
    /* 8 bytes, offset 60, 4 bits: the top nibble */
    n = int_btf(blob, 8, 60u << 16 | 4);
    a.btf_size = (uint32_t)n;
    fd = bpfrt_bpf(crt, BPF_BTF_LOAD, &a, sizeof(a));
    CHECK(fd >= 0);
    btf = bpfrt_btf_from_handle(crt, (int)fd);
    const uint8_t v2[8] = { 0, 0, 0, 0, 0, 0, 0, 0xa0 };
    bpfrt_btf_format_value(btf, 1, v2, sizeof(v2), false, out, sizeof(out));
    CHECK_STR(out, "10");
    bpfrt_close(crt, (int)fd);
}

int main(void)
{
    sb_require_progs("sandbox_args");
    sb_require_progs("sandbox_pkt");
    SB_CASE(reloc_value_plus_addend, 20);
    SB_CASE(btf_int_offset_64, 20);
    return test_summary();
}
