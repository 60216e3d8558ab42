/* The object's BTF as clang leaves it, made loadable: DATASEC sizes and
 * variable offsets are 0 in the object and come from the ELF section sizes
 * and symbol values (as libbpf does); extern variables become allocated ones
 * inside the .kconfig section the loader builds. Also reads .BTF.ext
 * (func_info, line_info, CO-RE relocation records), every block bounds-
 * checked. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

static const struct elf_sym *find_sym_in_sec(const struct bpfrt_object *obj, uint32_t sec,
                                             const char *name)
{
    for (uint32_t i = 0; i < obj->elf.nsyms; i++) {
        const struct elf_sym *y = &obj->elf.syms[i];
        if (y->shndx == sec && y->type != STT_SECTION && strcmp(y->name, name) == 0)
            return y;
    }
    return NULL;
}

static void sort_secinfos(struct btf_type *t)
{
    struct btf_var_secinfo *v = btf_type_extra(t);
    uint32_t n = btf_vlen(t);
    for (uint32_t i = 1; i < n; i++) {
        struct btf_var_secinfo cur = v[i];
        uint32_t j = i;
        while (j > 0 && v[j - 1].offset > cur.offset) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = cur;
    }
}

/* Fills DATASEC sizes and offsets from the ELF file. Sections the ELF file
 * lacks (.kconfig, .ksyms) are laid out by the extern code. */
static int fixup_datasecs(struct bpfrt_object *obj, struct obj_err *e)
{
    struct bpfrt_btf *btf = obj->btf;
    for (uint32_t id = 1; id < bpfrt_btf_nr_types(btf); id++) {
        struct btf_type *t = bpfrt_btf_type_mut(btf, id);
        if (btf_kind(t) != BTF_KIND_DATASEC)
            continue;
        const char *name = bpfrt_btf_name(btf, id);
        const struct elf_sec *sec = bpfrt_elf_find_sec(&obj->elf, name);
        if (!sec)
            continue;
        if (sec->size > UINT32_MAX)
            return bpfrt_obj_fail(e, -BPFRT_E2BIG, "section %s is too large for BTF", name);
        if (t->size == 0)
            t->size = (uint32_t)sec->size;
        struct btf_var_secinfo *v = btf_type_extra(t);
        for (uint32_t i = 0; i < btf_vlen(t); i++) {
            const struct btf_type *var = bpfrt_btf_type_by_id(btf, v[i].type);
            if (!var || btf_kind(var) != BTF_KIND_VAR)
                continue;
            const char *vname = bpfrt_btf_name(btf, v[i].type);
            const struct elf_sym *y = find_sym_in_sec(obj, sec->index, vname);
            if (!y)
                continue; /* static variable the compiler dropped from the symbol table */
            if (y->value > sec->size || v[i].size > sec->size - y->value)
                return bpfrt_obj_fail(e, -BPFRT_EINVAL, "BTF: variable %s in %s at 0x%llx size %u beyond the section",
                                vname, name, (unsigned long long)y->value, v[i].size);
            v[i].offset = (uint32_t)y->value;
        }
        sort_secinfos(t);
    }
    return 0;
}

/* Linux takes neither extern variables and functions nor FUNCs inside a
 * DATASEC, which is how clang describes __ksym externs (".ksyms"). Their
 * references are resolved by the loader (weak ones to 0), so the BTF only
 * has to stay loadable. As libbpf does, every entry of .ksyms is pointed at
 * one dummy `int` variable appended after the last type (so no type id
 * moves: clang may put FWDs after the DATASECs), four bytes each; extern
 * VARs become allocated ones and extern FUNCs static ones; every FUNC's
 * parameters get names. */
int bpfrt_obj_btf_fix_ksyms(struct bpfrt_object *obj, struct obj_err *e)
{
    struct bpfrt_btf *btf = obj->btf;
    long int_id = 0;
    if (!btf)
        return 0;
    for (uint32_t id = 1; id < bpfrt_btf_nr_types(btf); id++) {
        struct btf_type *t = bpfrt_btf_type_mut(btf, id);
        if (btf_kind(t) == BTF_KIND_VAR && ((struct btf_var *)btf_type_extra(t))->linkage == BTF_VAR_GLOBAL_EXTERN)
            ((struct btf_var *)btf_type_extra(t))->linkage = BTF_VAR_GLOBAL_ALLOCATED;
        if (btf_kind(t) == BTF_KIND_FUNC && btf_vlen(t) == BTF_FUNC_EXTERN)
            t->info = BTF_INFO_ENC(BTF_KIND_FUNC, 0, BTF_FUNC_STATIC);
        if (btf_kind(t) == BTF_KIND_FUNC) {
            /* Linux wants every parameter of a FUNC named (clang leaves
             * an extern's and a naked function's unnamed): the
             * function's name stands in */
            struct btf_type *proto = bpfrt_btf_type_mut(btf, t->type);
            struct btf_param *pa = proto && btf_kind(proto) == BTF_KIND_FUNC_PROTO ? btf_type_extra(proto) : NULL;
            for (uint32_t k = 0; pa && k < btf_vlen(proto); k++)
                if (!pa[k].name_off && pa[k].type)
                    pa[k].name_off = t->name_off;
        }
        if (!int_id && btf_kind(t) == BTF_KIND_INT && t->size == 4)
            int_id = id;
    }
    long ds = bpfrt_btf_find_by_name_kind(btf, ".ksyms", BTF_KIND_DATASEC);
    if (ds < 0 || btf_vlen(bpfrt_btf_type_by_id(btf, (uint32_t)ds)) == 0)
        return 0;
    uint32_t size, nr = bpfrt_btf_nr_types(btf);
    const uint8_t *raw = bpfrt_btf_data(btf, &size);
    struct btf_header h;
    memcpy(&h, raw, sizeof(h));
    /* appended: an anonymous 32-bit int when the object has none, then the VAR */
    struct {
        struct btf_type t;
        uint32_t extra;
    } add[2];
    uint32_t nadd = 0, var_id = nr;
    const struct btf_var_secinfo *first = btf_type_extra(bpfrt_btf_type_by_id(btf, (uint32_t)ds));
    if (!int_id) {
        add[nadd].t = (struct btf_type){.info = BTF_INFO_ENC(BTF_KIND_INT, 0, 0), .size = 4};
        add[nadd++].extra = 32; /* no encoding, offset 0, 32 bits */
        int_id = nr, var_id = nr + 1;
    }
    add[nadd].t = (struct btf_type){.name_off = bpfrt_btf_type_by_id(btf, first->type)->name_off,
                                    .info = BTF_INFO_ENC(BTF_KIND_VAR, 0, 0), .type = (uint32_t)int_id};
    add[nadd++].extra = BTF_VAR_GLOBAL_ALLOCATED;
    size_t grow = nadd * sizeof(add[0]), at = h.hdr_len + h.type_off + h.type_len;
    uint8_t *copy = malloc(size + grow);
    if (!copy)
        return -BPFRT_ENOMEM;
    memcpy(copy, raw, at);
    memcpy(copy + at, add, grow);
    memcpy(copy + at + grow, raw + at, size - at);
    h.type_len += (uint32_t)grow;
    if (h.str_off >= h.type_off + h.type_len - grow)
        h.str_off += (uint32_t)grow;
    memcpy(copy, &h, sizeof(h));
    struct btf_type *t = (struct btf_type *)(copy + ((const uint8_t *)bpfrt_btf_type_by_id(btf, (uint32_t)ds) - raw));
    struct btf_var_secinfo *v = btf_type_extra(t);
    for (uint32_t i = 0; i < btf_vlen(t); i++)
        v[i] = (struct btf_var_secinfo){.type = var_id, .offset = 4 * i, .size = 4};
    t->size = 4 * btf_vlen(t);
    struct bpfrt_btf *fixed = NULL;
    char log[256] = "";
    int rc = bpfrt_btf_parse(obj->rt, copy, (uint32_t)(size + grow), BPFRT_BTF_F_OBJECT, log, sizeof(log), &fixed);
    free(copy);
    if (rc)
        return bpfrt_obj_fail(e, rc, "BTF after rewriting .ksyms: %s", log);
    obj->btf_before_ksyms = obj->btf; /* kept: .BTF.ext's section names point into it */
    obj->btf = fixed;
    return 0;
}

int bpfrt_obj_btf_open(struct bpfrt_object *obj, struct obj_err *e)
{
    const struct elf_sec *s = bpfrt_elf_find_sec(&obj->elf, ".BTF");
    if (!s || !s->data)
        return 0;
    if (s->size > UINT32_MAX)
        return bpfrt_obj_fail(e, -BPFRT_E2BIG, ".BTF section too large");
    char log[256] = "";
    int rc = bpfrt_btf_parse(obj->rt, s->data, (uint32_t)s->size, BPFRT_BTF_F_OBJECT, log,
                             sizeof(log), &obj->btf);
    if (rc) {
        size_t n = strlen(log);
        while (n && log[n - 1] == '\n')
            log[--n] = '\0';
        return bpfrt_obj_fail(e, rc, "invalid .BTF section: %s", log[0] ? log : "parse error");
    }
    rc = fixup_datasecs(obj, e);
    return rc;
}

/* One info subsection of .BTF.ext: rec_size then blocks of
 * {sec_name_off, num_info, records}. */
static int read_ext_info(struct bpfrt_object *obj, const uint8_t *base, uint32_t len,
                         uint32_t min_rec, const char *what, struct obj_ext_sec **out,
                         uint32_t *nr_out, uint32_t *rec_out, struct obj_err *e)
{
    *out = NULL;
    *nr_out = 0;
    if (len == 0)
        return 0;
    if (len < 4)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext %s: truncated", what);
    uint32_t rec_size;
    memcpy(&rec_size, base, 4);
    if (rec_size < min_rec || rec_size % 4 || rec_size > 1024)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext %s: bad record size %u", what, rec_size);
    *rec_out = rec_size;
    uint32_t pos = 4;
    while (pos < len) {
        if (len - pos < 8)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext %s: block header truncated at %u", what, pos);
        uint32_t name_off, num;
        memcpy(&name_off, base + pos, 4);
        memcpy(&num, base + pos + 4, 4);
        pos += 8;
        const char *name = bpfrt_btf_str(obj->btf, name_off);
        if (!name)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext %s: section name offset %u outside BTF strings", what, name_off);
        if (num == 0)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext %s: empty block for section %s", what, name);
        if ((uint64_t)num * rec_size > len - pos)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext %s: %u records for section %s run past the end", what, num, name);
        struct obj_ext_sec *secs = realloc(*out, (*nr_out + 1) * sizeof(*secs));
        if (!secs)
            return -BPFRT_ENOMEM;
        *out = secs;
        secs[(*nr_out)++] = (struct obj_ext_sec){name, base + pos, num, rec_size};
        pos += num * rec_size;
    }
    return 0;
}

int bpfrt_obj_btf_ext_open(struct bpfrt_object *obj, struct obj_err *e)
{
    const struct elf_sec *s = bpfrt_elf_find_sec(&obj->elf, ".BTF.ext");
    if (!s || !s->data || !obj->btf)
        return 0;
    if (s->size < 24 || s->size > UINT32_MAX)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext: section of %llu bytes is too small for its header",
                        (unsigned long long)s->size);
    obj->ext_buf = malloc(s->size);
    if (!obj->ext_buf)
        return -BPFRT_ENOMEM;
    memcpy(obj->ext_buf, s->data, s->size);
    struct btf_ext_header h = {0};
    memcpy(&h, obj->ext_buf, 24);
    if (h.magic != BTF_MAGIC)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext: bad magic 0x%x", h.magic);
    if (h.version != 1 || h.flags)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext: unsupported version %u flags %u", h.version, h.flags);
    if (h.hdr_len < 24 || h.hdr_len > s->size || h.hdr_len % 4)
        return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext: bad header length %u", h.hdr_len);
    if (h.hdr_len >= 32)
        memcpy(&h, obj->ext_buf, 32);
    uint32_t body = (uint32_t)s->size - h.hdr_len;
    const uint8_t *b = obj->ext_buf + h.hdr_len;
    struct { uint32_t off, len; const char *what; } parts[3] = {
        {h.func_info_off, h.func_info_len, "func_info"},
        {h.line_info_off, h.line_info_len, "line_info"},
        {h.hdr_len >= 32 ? h.core_relo_off : 0, h.hdr_len >= 32 ? h.core_relo_len : 0, "core_relo"},
    };
    for (int i = 0; i < 3; i++)
        if ((uint64_t)parts[i].off + parts[i].len > body || parts[i].off % 4)
            return bpfrt_obj_fail(e, -BPFRT_EINVAL, ".BTF.ext: %s at %u+%u outside the section", parts[i].what,
                            parts[i].off, parts[i].len);
    int rc;
    if ((rc = read_ext_info(obj, b + parts[0].off, parts[0].len, sizeof(struct bpf_func_info),
                            "func_info", &obj->func_secs, &obj->nr_func_secs, &obj->func_rec_size, e)) ||
        (rc = read_ext_info(obj, b + parts[1].off, parts[1].len, sizeof(struct bpf_line_info),
                            "line_info", &obj->line_secs, &obj->nr_line_secs, &obj->line_rec_size, e)) ||
        (rc = read_ext_info(obj, b + parts[2].off, parts[2].len, sizeof(struct bpf_core_relo),
                            "core_relo", &obj->core_secs, &obj->nr_core_secs, &obj->core_rec_size, e)))
        return rc;
    return 0;
}
